import Foundation
import Logging
import Moderation
import ModerationStore
import PCRE2

/// Judges queued comments with their history: the work of the daemon's queue worker and its Akismet
/// checks, shared with `modctl eval` and `rules backtest` so they run exactly what production runs.
public struct CommentJudge: Sendable {
    /// Where the history comes from: the store.
    public let history: any CommentHistoryProvider
    public let windows: HistoryWindows

    public init(database: any CommentStore, heuristics: HeuristicsConfiguration = HeuristicsConfiguration()) {
        self.history = database
        self.windows = HistoryWindows(heuristics)
    }

    /// Judges a batch. If its history cannot be read, every comment in it is held with an error signal;
    /// but while the database is only busy (locked by another process past the busy timeout), nothing
    /// is judged: the error is thrown, and the caller waits and tries again, so maintenance never turns
    /// into comments held by a pipeline error.
    /// - Throws: ``StoreError`` with code `.busy`.
    public func judge(_ batch: [QueuedComment], with pipeline: Pipeline, scratch: MatchScratch,
                      extraSignals: [Signal] = []) async throws(StoreError) -> [(key: Int64, judgement: Judgement)] {
        // One analysis per comment: its links (found once) tell the history which domains to look up,
        // and the pipeline reads them again from the same analysis.
        let analyses = batch.map { CommentAnalysis(comment: $0.comment, scratch: scratch) }
        let contexts: [CommentContext]
        do {
            contexts = try await history.contexts(for: zip(batch, analyses).map { $0.historyQuery(links: $1.links) }, windows: windows)
        } catch {
            let wrapped = (error as? StoreError) ?? StoreError(.database, "cannot read the history of a batch: \(error)")
            if wrapped.isTransient { throw wrapped }
            return batch.map { item in
                (item.key, Self.failed(pipeline: pipeline, because: "its history could not be read (\(wrapped.message))"))
            }
        }
        return zip(batch, zip(analyses, contexts)).map { item, pair in
            pair.0.context = pair.1
            return (item.key, pipeline.judge(pair.0, extraSignals: extraSignals))
        }
    }

    /// What confident verdicts teach the site's learning layer, when the site learns from them
    /// (`classifier.learns_from_automatic_verdicts`): a rejection the model was at least
    /// `automatic_confidence` sure of, or an approval it was as sure of the other way.
    public static func lessons(for batch: [QueuedComment], _ judgements: [(key: Int64, judgement: Judgement)],
                               pipeline: Pipeline, scratch: MatchScratch) -> [Int64: Lesson] {
        guard let configuration = pipeline.model?.siteLayer.configuration, configuration.learnsFromAutomaticVerdicts else { return [:] }
        let confidence = configuration.automaticConfidence
        var lessons: [Int64: Lesson] = [:]
        for (item, (key, judgement)) in zip(batch, judgements) {
            guard let p = judgement.classifierProbability else { continue }
            let unwanted = judgement.verdict == .rejected && p >= confidence
            let wanted = judgement.verdict == .approved && p <= 1 - confidence
            guard unwanted || wanted else { continue }
            lessons[key] = Lesson(tokens: SiteLayer.tokens(of: item.comment, scratch: scratch), unwanted: unwanted)
        }
        return lessons
    }

    /// A held judgement for a comment the pipeline could not judge.
    public static func failed(pipeline: Pipeline, because reason: String) -> Judgement {
        Judgement(verdict: .held, score: 0, signals: [Signal(source: .pipeline, name: "pipeline.error", score: 0, action: .hold,
                                                             explanation: "The pipeline failed on this comment: \(reason); held so a moderator looks")],
                  reason: "held by pipeline.error", rulesetVersion: pipeline.ruleSet.version)
    }
}

extension QueuedComment {
    /// The history query for this comment.
    public func historyQuery(links: [Link]? = nil, scratch: MatchScratch? = nil) -> HistoryQuery {
        HistoryQuery(comment: comment, receivedAt: receivedAt, sequence: key, fingerprint: stored.textFingerprint, network: stored.network,
                     links: links, scratch: scratch)
    }
}
