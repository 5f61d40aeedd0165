import Foundation

/// Score thresholds that turn signals into a verdict. The defaults suit the shipped rule packs.
public struct PolicyConfiguration: Sendable, Equatable, Codable {
    /// A total score at or above this holds the comment for a moderator. The default is 5.
    public var holdThreshold: Double = 5
    /// A total score at or above this rejects the comment. The default is 10.
    public var rejectThreshold: Double = 10

    public init(holdThreshold: Double = 5, rejectThreshold: Double = 10) {
        self.holdThreshold = holdThreshold
        self.rejectThreshold = rejectThreshold
    }
}

/// The pipeline's conclusion about one comment.
public struct Judgement: Sendable, Equatable {
    public var verdict: Verdict
    /// The sum of the active signals' scores.
    public var score: Double
    public var signals: [Signal]
    /// How the signals became the verdict, in one sentence.
    public var reason: String
    /// The content hash of the rule set the comment was judged with.
    public var rulesetVersion: String
    /// The model's probability that the comment is unwanted (the largest of its outputs), when it gave one.
    public var classifierProbability: Double?

    public init(verdict: Verdict, score: Double, signals: [Signal], reason: String, rulesetVersion: String) {
        self.verdict = verdict
        self.score = score
        self.signals = signals
        self.reason = reason
        self.rulesetVersion = rulesetVersion
    }
}

/// Turns signals into a verdict.
///
/// A forced action wins over the score: any `reject` rejects, otherwise any `hold` holds, otherwise any
/// `approve` approves; without one, the total score is compared with the thresholds. Shadow signals are
/// ignored.
public struct Policy: Sendable {
    public var configuration: PolicyConfiguration

    public init(configuration: PolicyConfiguration = PolicyConfiguration()) {
        self.configuration = configuration
    }

    /// The verdict, the total score and the reason for a set of signals.
    public func decide(_ signals: [Signal]) -> (verdict: Verdict, score: Double, reason: String) {
        let active = signals.filter { !$0.isShadow }
        let score = active.reduce(0) { $0 + $1.score }
        func names(_ action: RuleAction) -> String {
            active.filter { $0.action == action }.map(\.name).joined(separator: ", ")
        }
        switch Self.forcedVerdict(active) {
        case .rejected: return (.rejected, score, "rejected by \(names(.reject))")
        case .held: return (.held, score, "held by \(names(.hold))")
        case .approved: return (.approved, score, "approved by \(names(.approve))")
        case nil: break
        }
        let total = Self.format(score)
        if score >= configuration.rejectThreshold {
            return (.rejected, score, "score \(total) reached the reject threshold \(Self.format(configuration.rejectThreshold))")
        }
        if score >= configuration.holdThreshold {
            return (.held, score, "score \(total) reached the hold threshold \(Self.format(configuration.holdThreshold))")
        }
        return (.approved, score, "score \(total) is below the hold threshold \(Self.format(configuration.holdThreshold))")
    }

    /// The verdict a rule action forces on active (not shadow) signals: reject over hold over approve.
    public static func forcedVerdict(_ active: [Signal]) -> Verdict? {
        if active.contains(where: { $0.action == .reject }) { return .rejected }
        if active.contains(where: { $0.action == .hold }) { return .held }
        if active.contains(where: { $0.action == .approve }) { return .approved }
        return nil
    }

    /// A score as a moderator reads it: `7`, `2.5`.
    public static func format(_ score: Double) -> String {
        if score.rounded() == score { return String(Int(score)) }
        // One decimal, without Foundation's formatter (this runs for every comment).
        let tenths = Int((abs(score) * 10).rounded())
        return (score < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)"
    }
}
