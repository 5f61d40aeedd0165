import Foundation
import Moderation
import ModerationStore
import PCRE2

/// Records people's decisions (moderators, the website, Akismet reports) so that each teaches the
/// site's learning layer: the comment's tokens are worked out here, before the store's transaction,
/// and the store only counts them.
///
/// ```swift
/// let decision = try await Decider(store: database).decide("c1", verdict: .rejected, actor: "ann", reason: "abuse", at: Date())
/// ```
public struct Decider: Sendable {
    public let store: any CommentStore

    public init(store: any CommentStore) {
        self.store = store
    }

    /// Decides one comment (see ``CommentStore/decide(_:verdict:actor:actorKind:reason:note:force:tokens:at:)``).
    /// - Throws: ``StoreError`` `.notFound`, `.stillQueued` or `.alreadyDecided`.
    @discardableResult
    public func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind = .moderator,
                       reason: String?, note: String? = nil, force: Bool = false, at now: Date) async throws(StoreError) -> Decision {
        let comment = try await store.comments(withIDs: [externalID])[externalID]
        return try await store.decide(externalID, verdict: verdict, actor: actor, actorKind: actorKind, reason: reason, note: note,
                                      force: force, tokens: comment.map { SiteLayer.tokens(of: $0) }, at: now)
    }

    /// Decides many comments at once, each with its own outcome (decided, or why not).
    public func decide(_ externalIDs: [String], verdict: Verdict, actor: String, reason: String?, note: String? = nil,
                       force: Bool = false, at now: Date) async throws(StoreError) -> [(id: String, result: Result<Decision, StoreError>)] {
        let scratch = MatchScratch()
        let comments = try await store.comments(withIDs: externalIDs)
        return try await store.decide(externalIDs, verdict: verdict, actor: actor, reason: reason, note: note, force: force,
                                      tokens: comments.mapValues { SiteLayer.tokens(of: $0, scratch: scratch) }, at: now)
    }

    /// Rejects a comment and blocks its author, both or neither.
    @discardableResult
    public func rejectAndBlockAuthor(_ externalID: String, actor: String, reason: String, note: String?, force: Bool = false,
                                     at now: Date) async throws(StoreError) -> Decision {
        let comment = try await store.comments(withIDs: [externalID])[externalID]
        return try await store.rejectAndBlockAuthor(externalID, actor: actor, reason: reason, note: note, force: force,
                                                    tokens: comment.map { SiteLayer.tokens(of: $0) }, at: now)
    }

    /// Teaches the learning layer labelled texts that are not stored comments (`modctl train --csv`).
    public func train(_ examples: [(comment: Comment, unwanted: Bool)],
                      progress: (@Sendable (Int, Int) -> Void)? = nil) async throws(StoreError) {
        let scratch = MatchScratch()
        var start = 0
        while start < examples.count {
            let chunk = examples[start..<min(examples.count, start + 1_000)]
            try await store.trainClassifier(chunk.map { Lesson(tokens: SiteLayer.tokens(of: $0.comment, scratch: scratch), unwanted: $0.unwanted) })
            start += chunk.count
            progress?(start, examples.count)
        }
    }
}
