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
    /// The toxicity and spam model with the site's learning layer, when it is in use.
    public var model: ModelJudge?

    /// The heuristics every pipeline runs unless told otherwise.
    public static let defaultHeuristics: [any Heuristic] = HeuristicsConfiguration().makeHeuristics()

    public init(ruleSet: RuleSet, heuristics: [any Heuristic] = Pipeline.defaultHeuristics, policy: Policy = Policy(),
                model: ModelJudge? = nil) {
        self.ruleSet = ruleSet
        self.heuristics = heuristics
        self.policy = policy
        self.model = model
    }

    /// Judges one comment.
    /// - Parameter scratch: Match state for this thread; reuse it across comments.
    public func judge(_ comment: Comment, context: CommentContext = .none, scratch: MatchScratch) -> Judgement {
        judge(CommentAnalysis(comment: comment, context: context, scratch: scratch), extraSignals: [])
    }

    /// Judges one comment, adding signals found elsewhere (blocks, article modes, history).
    public func judge(_ analysis: CommentAnalysis, extraSignals: [Signal]) -> Judgement {
        var signals = extraSignals
        signals += RuleEngine.evaluate(ruleSet, on: analysis)
        for heuristic in heuristics {
            signals += heuristic.evaluate(analysis)
        }
        var probability: Double?
        if let model {
            let others = signals.reduce(0.0) { $1.isShadow || $1.score <= 0 ? $0 : $0 + $1.score }
            let reading = model.read(analysis, otherScore: others)
            signals += reading.signals
            probability = reading.probability
            let site = model.siteLayer
            if site.configuration.holdsWhileLearning, !site.isReady {
                let explanation = "The site's learning layer is still learning (it knows \(site.counts.unwantedDocuments) rejected and "
                    + "\(site.counts.wantedDocuments) approved comments and needs \(site.configuration.minimumPerClass) of each); "
                    + "until then every comment is held so a moderator's decision teaches it"
                // It brings the score up to the hold threshold, whatever counted against the comment, and
                // never beyond: it cannot tip a comment into rejection.
                let sofar = signals.reduce(0.0) { $1.isShadow ? $0 : $0 + $1.score }
                let score = max(0, policy.configuration.holdThreshold - sofar)
                signals.append(Signal(source: .classifier, name: "classifier.learning", score: score, explanation: explanation))
            }
        }
        let decision = policy.decide(signals)
        var judgement = Judgement(verdict: decision.verdict, score: decision.score, signals: signals,
                                  reason: decision.reason, rulesetVersion: ruleSet.version)
        judgement.classifierProbability = probability
        return judgement
    }
}
