import Foundation
import GRDB
import Moderation

extension ModerationDatabase {
    /// A reader's edit of a judged comment, forwarded by the website: the text and rating are replaced
    /// and the old text kept as a revision, and `judgement`, the pipeline's verdict on the new text, is
    /// recorded with a decision by the pipeline (at least held when a person held or rejected it, see
    /// ``DecisionHistory/statusAfterEdit(judged:moderatorRevised:)``), all in one transaction.
    /// - Parameter revision: The revision the judgement was made against: if the text changed since
    ///   (another edit), nothing is recorded.
    /// - Throws: ``StoreError`` `.notFound`; `.stillQueued` (the first verdict is not in yet: a worker
    ///   may be judging the text now); `.conflict` when the text changed since `revision`.
    public func revise(_ externalID: String, body: String, rating: Int, judgement: Judgement, revision: Int,
                       at now: Date) async throws(StoreError) -> RevisionOutcome {
        do {
            let signals = try StoredSignal.json(judgement.signals, encoder: JSONEncoder())
            return try await pool.writeWithoutTransaction { db in
                var outcome: RevisionOutcome!
                try db.inTransaction(.immediate) {
                    let comment = try Self.commentForEdit(externalID, db)
                    guard comment.body != body || comment.rating != rating else {
                        outcome = RevisionOutcome(changed: false, status: comment.status, decision: nil, revision: comment.revision)
                        return .commit
                    }
                    guard comment.revision < RevisionOutcome.maximumRevisions else {
                        throw StoreError(.limitReached, "comment \(externalID) was edited \(comment.revision) times, the most a comment may be; post a new comment instead")
                    }
                    if comment.status == .queued {
                        throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; send the edit again in a moment")
                    }
                    guard comment.revision == revision else {
                        throw StoreError(.conflict, "comment \(externalID) was edited while this edit was judged; judge the new text and try again")
                    }
                    let key = comment.key!
                    try Self.countOneComment(key, sign: -1, db)
                    try Self.keepRevision(of: comment, kind: .edit, actor: "site", reason: nil, at: now, db)
                    try db.execute(sql: "UPDATE comment SET body = ?, rating = ?, revision = revision + 1 WHERE key = ?", arguments: [body, rating, key])
                    var decision: Decision?
                    var status = comment.status
                    do {
                        let decisions = try Decision.filter(Column("comment_key") == key).order(Column("seq")).fetchAll(db)
                        let revised = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM comment_revision WHERE comment_key = ? AND kind <> 'edit')",
                                                        arguments: [key]) ?? false
                        let after = DecisionHistory(decisions).statusAfterEdit(judged: CommentStatus(judgement.verdict), moderatorRevised: revised)
                        status = after.status
                        try db.execute(sql: "UPDATE comment SET status = ?, score = ?, signals = ?, ruleset_version = ? WHERE key = ?",
                                       arguments: [status, judgement.score, signals, judgement.rulesetVersion, key])
                        let reason = "edited by the reader: " + (after.heldBecause ?? judgement.reason)
                        decision = try Decision(commentKey: key, status: status, previousStatus: comment.status, actor: Decision.systemActor,
                                                actorKind: .system, reason: reason, at: now, revision: comment.revision + 1).inserted(db)
                        try db.execute(sql: HourlyCounts.oneDecision(HourlyCounts.SQLite.dialect, placeholder: "?", postgres: false),
                                       arguments: [decision!.seq!])
                    }
                    try Self.countOneComment(key, sign: 1, db)
                    outcome = RevisionOutcome(changed: true, status: status, decision: decision, revision: comment.revision + 1)
                    return .commit
                }
                return outcome
            }
        } catch {
            throw Self.wrap(error, "recording an edit")
        }
    }

    /// A moderator's edit or redaction of a judged comment: the old text is kept as a revision. The
    /// text is not judged again (a moderator wrote it). When the comment is published, the edit is
    /// recorded as the moderator's approval of the new text, so the feed tells the website to show it;
    /// otherwise the website learns the text with the decision that publishes it.
    /// - Parameter revision: The revision the moderator edited: if the text changed since, nothing is recorded.
    /// - Throws: ``StoreError`` `.notFound`, `.stillQueued`, `.conflict` (the text changed since `revision`).
    public func edit(_ externalID: String, body: String, kind: RevisionKind, actor: String, reason: String?, revision: Int,
                     at now: Date) async throws(StoreError) -> RevisionOutcome {
        do {
            return try await pool.writeWithoutTransaction { db in
                var outcome: RevisionOutcome!
                try db.inTransaction(.immediate) {
                    let comment = try Self.commentForEdit(externalID, db)
                    if comment.status == .queued {
                        throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; try again in a moment")
                    }
                    guard comment.revision == revision else {
                        throw StoreError(.conflict, "comment \(externalID) changed while you edited it (now revision \(comment.revision)); look at it again")
                    }
                    guard comment.body != body else {
                        outcome = RevisionOutcome(changed: false, status: comment.status, decision: nil, revision: comment.revision)
                        return .commit
                    }
                    try Self.keepRevision(of: comment, kind: kind, actor: actor, reason: reason, at: now, db)
                    try db.execute(sql: "UPDATE comment SET body = ?, revision = revision + 1 WHERE key = ?", arguments: [body, comment.key!])
                    var decision: Decision?
                    if comment.status == .approved {
                        let what = kind == .redaction ? "redacted" : "edited"
                        decision = try Decision(commentKey: comment.key!, status: .approved, previousStatus: .approved, actor: actor,
                                                actorKind: .moderator, reason: reason.map { "\(what): \($0)" } ?? what, at: now,
                                                revision: comment.revision + 1).inserted(db)
                    }
                    outcome = RevisionOutcome(changed: true, status: comment.status, decision: decision, revision: comment.revision + 1)
                    return .commit
                }
                return outcome
            }
        } catch {
            throw Self.wrap(error, "recording an edit")
        }
    }

    /// A comment's revisions, oldest first.
    public func revisions(of externalID: String) async throws(StoreError) -> [CommentRevision] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT r.* FROM comment_revision r JOIN comment c ON c.key = r.comment_key WHERE c.external_id = ? ORDER BY r.number
                    """, arguments: [externalID]).map { row in
                    CommentRevision(number: row["number"], kind: RevisionKind(rawValue: row["kind"]) ?? .edit, actor: row["actor"],
                                    reason: row["reason"], previousBody: row["previous_body"], previousRating: row["previous_rating"], at: row["at"])
                }
            }
        } catch {
            throw Self.wrap(error, "reading a comment's revisions")
        }
    }

    static func commentForEdit(_ externalID: String, _ db: Database) throws -> StoredComment {
        guard let comment = try StoredComment.filter(Column("external_id") == externalID).fetchOne(db) else {
            throw StoreError(.notFound, "no comment with id \(externalID)")
        }
        return comment
    }

    static func keepRevision(of comment: StoredComment, kind: RevisionKind, actor: String, reason: String?, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO comment_revision (comment_key, number, kind, actor, reason, previous_body, previous_rating, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [comment.key!, comment.revision + 1, kind.rawValue, actor, reason, comment.body, comment.rating, now])
    }

    /// Adds (1) or takes away (-1) one comment's part of the hourly counts, derived from its row now.
    static func countOneComment(_ key: Int64, sign: Int, _ db: Database) throws {
        for statement in HourlyCounts.oneComment(sign: sign, HourlyCounts.SQLite.dialect, placeholder: "?", postgres: false) {
            try db.execute(sql: statement, arguments: [key])
        }
    }
}
