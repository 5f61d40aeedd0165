import Foundation
import GRDB
import Moderation

extension ModerationDatabase {
    /// Records a moderator's verdict on one comment, as a compare-and-set on its state.
    ///
    /// A moderator may overturn any automatic verdict. Once a person has decided a comment, it changes
    /// again only with `force`, so two moderators acting at the same moment cannot both win: the
    /// second is told who decided it and when.
    ///
    /// An approval or rejection teaches the site's learning layer the comment's `tokens`
    /// (``SiteLayer/tokens(of:)``, worked out by the caller: the judging layer's ``Decider``).
    /// - Throws: ``StoreError`` `.notFound`, `.stillQueued` or `.alreadyDecided`.
    @discardableResult
    public func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind = .moderator,
                       reason: String?, note: String? = nil, force: Bool = false, tokens: [UInt64]?,
                       at now: Date) async throws(StoreError) -> Decision {
        do {
            return try await pool.writeWithoutTransaction { db in
                var decision: Decision!
                try db.inTransaction(.immediate) {
                    decision = try Self.decide(externalID, verdict: verdict, actor: actor, actorKind: actorKind,
                                               reason: reason, note: note, force: force, tokens: tokens, at: now, db)
                    return .commit
                }
                return decision
            }
        } catch {
            throw Self.wrap(error, "recording a decision")
        }
    }

    /// Records one moderator's verdict on many comments in one transaction: all of them or none are
    /// recorded, and each id gets its own outcome (decided, or why not: not found, still queued, decided
    /// by someone else). `tokens` are each comment's tokens, by id.
    public func decide(_ externalIDs: [String], verdict: Verdict, actor: String, reason: String?, note: String? = nil,
                       force: Bool = false, tokens: [String: [UInt64]],
                       at now: Date) async throws(StoreError) -> [(id: String, result: Result<Decision, StoreError>)] {
        do {
            return try await pool.writeWithoutTransaction { db in
                var results: [(id: String, result: Result<Decision, StoreError>)] = []
                try db.inTransaction(.immediate) {
                    for id in externalIDs {
                        do {
                            results.append((id, .success(try Self.decide(id, verdict: verdict, actor: actor, actorKind: .moderator,
                                                                        reason: reason, note: note, force: force,
                                                                        tokens: tokens[id], at: now, db))))
                        } catch let error as StoreError {
                            // Refused before anything was written (not found, still queued, decided by someone else).
                            results.append((id, .failure(error)))
                        }
                    }
                    return .commit
                }
                return results
            }
        } catch {
            throw Self.wrap(error, "recording decisions")
        }
    }

    /// Rejects a comment and blocks its author in one transaction: both happen, or neither.
    @discardableResult
    public func rejectAndBlockAuthor(_ externalID: String, actor: String, reason: String, note: String?, force: Bool = false,
                                     tokens: [UInt64]?, at now: Date) async throws(StoreError) -> Decision {
        do {
            return try await pool.writeWithoutTransaction { db in
                var decision: Decision!
                try db.inTransaction(.immediate) {
                    decision = try Self.decide(externalID, verdict: .rejected, actor: actor, actorKind: .moderator,
                                               reason: reason, note: note, force: force, tokens: tokens, at: now, db)
                    guard let author = try String.fetchOne(db, sql: "SELECT author FROM comment WHERE external_id = ?", arguments: [externalID]) else {
                        throw StoreError(.notFound, "no comment with id \(externalID)")
                    }
                    try Self.addListEntry(list: "block", kind: "author", value: author, reason: "blocked with comment \(externalID)",
                                          by: actor, expiresAt: nil, at: now, db)
                    return .commit
                }
                return decision
            }
        } catch {
            throw Self.wrap(error, "rejecting and blocking")
        }
    }

    static func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind,
                       reason: String?, note: String?, force: Bool, tokens: [UInt64]?, at now: Date, _ db: Database) throws -> Decision {
        guard let comment = try StoredComment.filter(Column("external_id") == externalID).fetchOne(db) else {
            throw StoreError(.notFound, "no comment with id \(externalID)")
        }
        if comment.status == .queued {
            throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; try again in a moment")
        }
        let decisions = try Decision.filter(Column("comment_key") == comment.key!).order(Column("seq")).fetchAll(db)
        try DecisionHistory(decisions).checkMayDecide(externalID, force: force)
        let status = CommentStatus(verdict)
        try db.execute(sql: "UPDATE comment SET status = ? WHERE key = ?", arguments: [status, comment.key!])
        // `inserted` returns the decision with its sequence number.
        let decision = try Decision(commentKey: comment.key!, status: status, previousStatus: comment.status, actor: actor,
                                actorKind: actorKind, reason: reason, note: note, at: now, revision: comment.revision).inserted(db)
        // A person's decision teaches the site's learning layer and rules on the open reports; a held
        // verdict does neither.
        if verdict != .held && actorKind.isReview {
            try learn(commentKey: comment.key!, unwanted: verdict == .rejected, tokens: tokens,
                      source: actorKind == .site ? "site" : "moderator", db)
            // Approving a text a moderator edited or redacted since the reports came in upholds them: they had a point.
            let revised = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM comment_revision WHERE comment_key = ?1 AND kind <> 'edit'
                               AND at >= (SELECT min(at) FROM report WHERE comment_key = ?1 AND outcome IS NULL))
                """, arguments: [comment.key!]) ?? false
            try db.execute(sql: "UPDATE report SET outcome = ?, settled_by = ? WHERE comment_key = ? AND outcome IS NULL",
                           arguments: [(revised ? .upheld : ReportOutcome(verdict)).rawValue, decision.seq!, comment.key!])
        }
        return decision
    }

    /// The query behind every list of decisions, to be followed by a WHERE clause.
    static let decisionEntries = """
        SELECT d.seq, c.external_id, d.status, d.previous_status, d.actor, d.actor_kind, d.reason, d.note, d.at,
               d.revision, CASE WHEN d.revision = 0 THEN NULL WHEN d.revision = c.revision THEN c.body
                   ELSE (SELECT r.previous_body FROM comment_revision r WHERE r.comment_key = c.key AND r.number = d.revision + 1) END AS body
        FROM decision d JOIN comment c ON c.key = d.comment_key
        """

    /// Decisions after a feed position, oldest first: the website's change feed.
    public func decisions(after seq: Int64, limit: Int) async throws(StoreError) -> [DecisionEntry] {
        do {
            return try await pool.read { db in
                try DecisionEntry.fetchAll(db, sql: "\(Self.decisionEntries) WHERE d.seq > ? ORDER BY d.seq LIMIT ?",
                                           arguments: [seq, limit])
            }
        } catch {
            throw Self.wrap(error, "reading decisions")
        }
    }

    /// Every decision on one comment, oldest first.
    public func history(of externalID: String) async throws(StoreError) -> [DecisionEntry] {
        do {
            return try await pool.read { db in
                try DecisionEntry.fetchAll(db, sql: "\(Self.decisionEntries) WHERE c.external_id = ? ORDER BY d.seq",
                                           arguments: [externalID])
            }
        } catch {
            throw Self.wrap(error, "reading a comment's history")
        }
    }

    /// A time as `modctl` and messages show it: `2026-11-29 07:30 UTC`, or in another zone with its label
    /// (`2026-07-01 08:30 GMT+1`).
    public static func timestamp(_ date: Date, in zone: TimeZone = TimeZone(identifier: "UTC")!) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!)
            + zone.label(at: date)
    }
}
