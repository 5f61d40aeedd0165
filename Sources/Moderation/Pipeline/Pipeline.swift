import PCRE2

/// The moderation pipeline: rules, then heuristics, then the policy, giving one judgement per comment.
///
/// The pipeline is an immutable value; reloading rules makes a new one. It touches no database and no
/// network, so it can be run in tests, benchmarks and `modctl rules test` exactly as the daemon runs it.
///
/// ```swift
/// let pipeline = Pipeline(ruleSet: ruleSet)
/// let judgement = pipeline.judge(comment, scratch: MatchScratch())
/// print(judgement.verdict, judgement.reason)
/// ```
public struct Pipeline: Sendable {
    public var ruleSet: RuleSet
    public var heuristics: [any Heuristic]
    public var policy: Policy

    /// The heuristics every pipeline runs unless told otherwise.
    public static let defaultHeuristics: [any Heuristic] = [LinkHeuristic(), ShoutingHeuristic(), PaymentCardHeuristic()]

    public init(ruleSet: RuleSet, heuristics: [any Heuristic] = Pipeline.defaultHeuristics, policy: Policy = Policy()) {
        self.ruleSet = ruleSet
        self.heuristics = heuristics
        self.policy = policy
    }

    /// Judges one comment.
    /// - Parameter scratch: Match state for this thread; reuse it across comments.
    public func judge(_ comment: Comment, scratch: MatchScratch) -> Judgement {
        judge(CommentAnalysis(comment: comment, scratch: scratch), extraSignals: [])
    }

    /// Judges one comment, adding signals found elsewhere (blocks, article modes, history).
    public func judge(_ analysis: CommentAnalysis, extraSignals: [Signal]) -> Judgement {
        var signals = extraSignals
        signals += RuleEngine.evaluate(ruleSet, on: analysis)
        for heuristic in heuristics {
            signals += heuristic.evaluate(analysis)
        }
        let decision = policy.decide(signals)
        return Judgement(verdict: decision.verdict, score: decision.score, signals: signals,
                         reason: decision.reason, rulesetVersion: ruleSet.version)
    }
}
