import Foundation
import Judging
import Moderation
import ModerationStore

/// Shorthands for tests, each going the way the programs go: comments are queued with their arrival
/// facts, and people's decisions go through the judging layer's ``Decider`` (which works out what they
/// teach the site's learning layer).
extension ModerationDatabase {
    public func accept(_ comments: [Comment], at now: Date) async throws(StoreError) -> [AcceptOutcome] {
        try await accept(comments.map(Arrival.init), at: now)
    }

    @discardableResult
    public func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind = .moderator,
                       reason: String?, note: String? = nil, force: Bool = false, at now: Date) async throws(StoreError) -> Decision {
        try await Decider(store: self).decide(externalID, verdict: verdict, actor: actor, actorKind: actorKind, reason: reason,
                                              note: note, force: force, at: now)
    }

    public func decide(_ externalIDs: [String], verdict: Verdict, actor: String, reason: String?, note: String? = nil,
                       force: Bool = false, at now: Date) async throws(StoreError) -> [(id: String, result: Result<Decision, StoreError>)] {
        try await Decider(store: self).decide(externalIDs, verdict: verdict, actor: actor, reason: reason, note: note, force: force, at: now)
    }

    public func trainClassifier(_ examples: [(comment: Comment, unwanted: Bool)]) async throws(StoreError) {
        try await Decider(store: self).train(examples)
    }
}

extension QueuedComment {
    /// The history query for this comment.
    public var historyQuery: HistoryQuery { historyQuery() }
}
