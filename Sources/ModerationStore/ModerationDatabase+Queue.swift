import Foundation
import GRDB
import Moderation

/// What happened to a submitted comment.
public enum AcceptOutcome: Sendable, Equatable {
    /// Newly stored in the queue.
    case accepted
    /// The same id was sent before with the same content; nothing changed. Carries its current status.
    case duplicate(CommentStatus)
    /// The same id was sent before with different content; nothing changed.
    case conflict
}

/// A queued comment handed to a worker.
public struct QueuedComment: Sendable {
    public var key: Int64
    public var comment: Comment
    public var receivedAt: Date
    public var stored: StoredComment
}

extension ModerationDatabase {
    /// Stores comments in the queue, in one transaction; returns only after the commit.
    ///
    /// Re-sending an id is idempotent: the stored comment is left as it is.
    public func accept(_ comments: [Comment], at now: Date) async throws(StoreError) -> [AcceptOutcome] {
        do {
            return try await pool.write { db in
                try comments.map { comment in try Self.accept(comment, at: now, db) }
            }
        } catch {
            throw Self.wrap(error, "accepting comments")
        }
    }

    static func accept(_ comment: Comment, at now: Date, _ db: Database) throws -> AcceptOutcome {
        if let existing = try StoredComment.filter(Column("external_id") == comment.id).fetchOne(db) {
            let same = existing.articleID == comment.articleID && existing.author == comment.author
                && existing.body == comment.body && existing.rating == comment.rating
            return same ? .duplicate(existing.status) : .conflict
        }
        var record = StoredComment(comment, receivedAt: now)
        record.authorIsNew = try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM comment WHERE author = ?)", arguments: [comment.author])!
        try record.insert(db)
        return .accepted
    }

    /// Up to `limit` queued comments, oldest first, for a worker to judge.
    public func queuedComments(limit: Int) async throws(StoreError) -> [QueuedComment] {
        do {
            return try await pool.read { db in
                try StoredComment.filter(Column("status") == CommentStatus.queued)
                    .order(Column("key")).limit(limit).fetchAll(db)
                    .map { QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0) }
            }
        } catch {
            throw Self.wrap(error, "reading the queue")
        }
    }

    /// How many comments wait in the queue.
    public func queueDepth() async throws(StoreError) -> Int {
        do {
            return try await pool.read { try StoredComment.filter(Column("status") == CommentStatus.queued).fetchCount($0) }
        } catch {
            throw Self.wrap(error, "counting the queue")
        }
    }

    /// Records the pipeline's verdicts for a batch in one transaction: status, score, signals and one
    /// system decision per comment. A comment that is no longer queued (judged already, or decided by
    /// a moderator meanwhile) is left alone, so no comment is ever judged twice.
    /// - Returns: How many comments were recorded.
    /// - Parameter learningConfidence: When set, verdicts the learning filter was at least this sure of
    ///   (and that agree with it) also teach it; off by default.
    @discardableResult
    public func record(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date,
                       learningConfidence: Double? = nil) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                var recorded = 0
                for (key, judgement) in judgements {
                    try db.execute(sql: """
                        UPDATE comment SET status = ?, score = ?, judged_at = ?, ruleset_version = ?
                        WHERE key = ? AND status = 'queued'
                        """, arguments: [CommentStatus(judgement.verdict), judgement.score, now, judgement.rulesetVersion, key])
                    guard db.changesCount == 1 else { continue }
                    for signal in judgement.signals {
                        try StoredSignal(signal, commentKey: key).insert(db)
                    }
                    var decision = Decision(commentKey: key, status: CommentStatus(judgement.verdict), previousStatus: .queued,
                                            actor: Decision.systemActor, actorKind: .system, reason: judgement.reason, at: now)
                    try decision.insert(db)
                    recorded += 1
                    if let confidence = learningConfidence, let p = judgement.classifierProbability {
                        let unwanted = judgement.verdict == .rejected && p >= confidence
                        let wanted = judgement.verdict == .approved && p <= 1 - confidence
                        if unwanted || wanted, let stored = try StoredComment.fetchOne(db, key: key) {
                            try Self.train(stored, unwanted: unwanted, source: "automatic", db)
                        }
                    }
                }
                return recorded
            }
        } catch {
            throw Self.wrap(error, "recording verdicts")
        }
    }
}
