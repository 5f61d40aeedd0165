import Foundation
import Logging
import Moderation
import PCRE2

/// Judges queued comments with their history and records the verdicts: the work of the daemon's
/// queue worker, shared with `modctl eval` so evaluation runs exactly what production runs.
public struct CommentJudge: Sendable {
    public let database: ModerationDatabase
    public let history: any CommentHistoryProvider
    public let windows: HistoryWindows

    public init(database: ModerationDatabase, history: (any CommentHistoryProvider)? = nil,
                heuristics: HeuristicsConfiguration = HeuristicsConfiguration()) {
        self.database = database
        self.history = history ?? StoreHistory(database: database)
        self.windows = HistoryWindows(heuristics)
    }

    /// Judges a batch. If its history cannot be read, every comment in it is held with an error signal;
    /// but while the database is only busy (locked by another process past the busy timeout), nothing
    /// is judged: the error is thrown, and the caller waits and tries again, so maintenance never turns
    /// into comments held by a pipeline error.
    /// - Throws: ``StoreError`` with code `.busy`.
    public func judge(_ batch: [QueuedComment], with pipeline: Pipeline, scratch: MatchScratch,
                      extraSignals: [Signal] = []) async throws(StoreError) -> [(key: Int64, judgement: Judgement)] {
        let contexts: [CommentContext]
        do {
            contexts = try await history.contexts(for: batch.map(\.historyQuery), windows: windows)
        } catch {
            let wrapped = ModerationDatabase.wrap(error, "reading the history of a batch")
            if wrapped.isTransient { throw wrapped }
            return batch.map { item in
                (item.key, Self.failed(pipeline: pipeline, because: "its history could not be read (\(wrapped.message))"))
            }
        }
        return zip(batch, contexts).map { item, context in
            (item.key, pipeline.judge(CommentAnalysis(comment: item.comment, context: context, scratch: scratch), extraSignals: extraSignals))
        }
    }

    /// A held judgement for a comment the pipeline could not judge.
    public static func failed(pipeline: Pipeline, because reason: String) -> Judgement {
        Judgement(verdict: .held, score: 0, signals: [Signal(source: .pipeline, name: "pipeline.error", score: 0, action: .hold,
                                                             explanation: "The pipeline failed on this comment: \(reason); held so a moderator looks")],
                  reason: "held by pipeline.error", rulesetVersion: pipeline.ruleSet.version)
    }
}
