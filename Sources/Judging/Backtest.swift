import Foundation
import Moderation
import ModerationStore
import PCRE2

/// Re-judges stored comments as the daemon would judge them now (with each comment's history as it
/// was when it arrived, the site's lists, article modes, rule modes and learning layer) and reports the
/// verdicts that would change. Nothing is written.
public struct Backtest: Sendable {
    /// A verdict that would change.
    public struct Change: Sendable, Encodable {
        public var id: String
        /// The pipeline's verdict when the comment arrived.
        public var was: String
        /// The verdict it would get now.
        public var now: String
        /// Its status now (after moderators).
        public var current: String
        /// The active signals of the new judgement.
        public var signals: [String]
        public var body: String

        enum CodingKeys: String, CodingKey {
            case id, was, now, current, signals
        }
    }

    /// The kinds of change, in the order a report shows them.
    public enum Kind: String, Sendable, CaseIterable {
        case newlyHeld = "newly_held"
        case newlyRejected = "newly_rejected"
        case released

        /// Whether moderators' current verdict on a comment agrees with the change.
        public func agrees(_ change: Change) -> Bool {
            self == .released ? change.current == "approved" : change.current == "rejected"
        }
    }

    public struct Report: Sendable {
        public var comments: Int
        public var changes: [Kind: [Change]]
        public var rulesVersion: String
    }

    public var factory: PipelineFactory

    public init(factory: PipelineFactory) {
        self.factory = factory
    }

    /// Re-judges the comments judged since `start` (at most `limit`, the newest), oldest first in
    /// batches as the queue worker does; the changes are listed newest first.
    public func run(on store: any CommentStore, since start: Date, limit: Int,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Report {
        let pipeline = try await factory.make(store: store)
        let history = try await store.judgedComments(since: start, limit: limit)
        let judge = CommentJudge(database: store, heuristics: factory.configuration.heuristics)
        let scratch = MatchScratch()
        var judgements: [Int64: Judgement] = [:]
        let chronological = history.map(\.comment).sorted { $0.key! < $1.key! }
        for first in stride(from: 0, to: chronological.count, by: 256) {
            let batch = chronological[first..<min(chronological.count, first + 256)].map {
                QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0)
            }
            for (key, judgement) in try await judge.judge(batch, with: pipeline, scratch: scratch) { judgements[key] = judgement }
            progress?(min(chronological.count, first + 256), chronological.count)
        }
        var changes: [Kind: [Change]] = [:]
        for kind in Kind.allCases { changes[kind] = [] }
        for (stored, systemVerdict) in history {
            guard let judgement = judgements[stored.key!] else { continue }
            let now = CommentStatus(judgement.verdict)
            guard now != systemVerdict else { continue }
            let kind: Kind = now == .held ? .newlyHeld : now == .rejected ? .newlyRejected : .released
            changes[kind]!.append(Change(id: stored.externalID, was: systemVerdict.rawValue, now: now.rawValue, current: stored.status.rawValue,
                                         signals: judgement.signals.filter { !$0.isShadow }.map(\.name), body: stored.body))
        }
        return Report(comments: history.count, changes: changes, rulesVersion: pipeline.ruleSet.version)
    }
}
