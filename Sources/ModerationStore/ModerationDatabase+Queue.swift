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

    public init(key: Int64, comment: Comment, receivedAt: Date, stored: StoredComment) {
        self.key = key
        self.comment = comment
        self.receivedAt = receivedAt
        self.stored = stored
    }
}

extension ModerationDatabase {
    /// Stores comments in the queue, in one transaction; returns only after the commit.
    ///
    /// Re-sending an id is idempotent: the stored comment is left as it is.
    public func accept(_ arrivals: [Arrival], at now: Date) async throws(StoreError) -> [AcceptOutcome] {
        let records = arrivals.map { StoredComment($0, receivedAt: now) }
        do {
            return try await pool.write { db in
                var dates = DateArguments()
                let outcomes = try records.map { record in try Self.accept(record, dates: &dates, db) }
                // The hourly counts of the arrivals (the triggers leave inserts to this).
                if outcomes.contains(.accepted) {
                    let hour = try HourlyCounts.SQLite.hour(of: dates(now), db)
                    var batch = HourlyCounts.Batch()
                    for (record, outcome) in zip(records, outcomes) where outcome == .accepted {
                        batch.arrived(hour: hour, article: record.articleID, rating: record.rating)
                    }
                    try batch.apply(db)
                }
                return outcomes
            }
        } catch {
            throw Self.wrap(error, "accepting comments")
        }
    }

    static func accept(_ record: StoredComment, dates: inout DateArguments, _ db: Database) throws -> AcceptOutcome {
        // One statement in the usual case: a new id, and whether its author is new, in the insert itself.
        try db.cachedStatement(sql: """
            INSERT INTO comment (external_id, article_id, article_url, author, email, ip, user_agent, body, rating, submitted_at,
                                 received_at, status, network, author_is_new, fingerprint)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, NOT EXISTS (SELECT 1 FROM comment WHERE author = ?), ?)
            ON CONFLICT (external_id) DO NOTHING
            """).execute(arguments: [record.externalID, record.articleID, record.articleURL, record.author, record.email, record.ip,
                                     record.userAgent, record.body, record.rating, record.submittedAt, dates(record.receivedAt), record.network,
                                     record.author, record.fingerprint])
        if db.changesCount == 1 { return .accepted }
        let existing = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT status, article_id, author, body, rating FROM comment WHERE external_id = ?
            """), arguments: [record.externalID])
        guard let existing else { return .conflict }
        let same = existing["article_id"] == record.articleID && existing["author"] == record.author
            && existing["body"] == record.body && existing["rating"] == record.rating
        return same ? .duplicate(CommentStatus(rawValue: existing["status"]) ?? .queued) : .conflict
    }

    /// Up to `limit` queued comments, oldest first, for a worker to judge.
    /// - Parameter key: Only comments queued after this one (those before it are being recorded).
    public func queuedComments(limit: Int, after key: Int64? = nil) async throws(StoreError) -> [QueuedComment] {
        do {
            return try await pool.read { db in
                try StoredComment.filter(Column("status") == CommentStatus.queued && Column("key") > (key ?? 0))
                    .order(Column("key")).limit(limit).fetchAll(db)
                    .map { QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0) }
            }
        } catch {
            throw Self.wrap(error, "reading the queue")
        }
    }

    /// One comment, if it is still queued.
    public func queuedComment(externalID: String) async throws(StoreError) -> QueuedComment? {
        do {
            return try await pool.read { db in
                try StoredComment.filter(Column("external_id") == externalID && Column("status") == CommentStatus.queued).fetchOne(db)
                    .map { QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0) }
            }
        } catch {
            throw Self.wrap(error, "reading a queued comment")
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
    /// - Parameter lessons: What some of the verdicts teach the site's learning layer, by comment key
    ///   (the judging layer chooses them: confident verdicts, when the site learns from those).
    /// - Returns: How many comments were recorded.
    @discardableResult
    public func record(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date,
                       lessons: [Int64: Lesson] = [:]) async throws(StoreError) -> Int {
        do {
            let at = now.databaseValue
            // Encoded before taking the write lock.
            let encoder = JSONEncoder()
            let signals = try judgements.map { try StoredSignal.json($0.judgement.signals, encoder: encoder) }
            return try await pool.write { db in
                try Self.record(judgements, signals: signals, at: at, lessons: lessons, db)
            }
        } catch {
            throw Self.wrap(error, "recording verdicts")
        }
    }

    /// Records verdicts inside an open transaction: each comment still queued gets its verdict and
    /// signals (`signals[i]`, the JSON of `judgements[i]`'s), then the system decisions of the batch
    /// are written with a few multi-row statements, in the batch's order.
    static func record(_ judgements: [(key: Int64, judgement: Judgement)], signals: [String?], at: DatabaseValue,
                       lessons: [Int64: Lesson], _ db: Database) throws -> Int {
        var decisions = MultiRowInsert.decision.rows()
        var counts = HourlyCounts.Batch()
        let decisionHour = try HourlyCounts.SQLite.hour(of: at, db)
        // What the hourly counts need, read once for the batch (cheaper than RETURNING on each update),
        // with the latency worked out from the stored texts as the derived counts work it out.
        let dialect = HourlyCounts.SQLite.dialect
        var facts: [Int64: Row] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT key, \(dialect.hour("received_at")) AS hour, article_id, rating, author_is_new, \(dialect.latency("?1", "received_at")) AS millis
            FROM comment WHERE key IN (SELECT value FROM json_each(?2)) AND status = 'queued'
            """), arguments: [at, "[\(judgements.map { String($0.key) }.joined(separator: ","))]"]) {
            facts[row["key"]] = row
        }
        for ((key, judgement), signals) in zip(judgements, signals) {
            let status = CommentStatus(judgement.verdict)
            try db.cachedStatement(sql: """
                UPDATE comment SET status = ?, score = ?, judged_at = ?, ruleset_version = ?, signals = ?,
                                   system_status = coalesce(system_status, ?)
                WHERE key = ? AND status = 'queued'
                """).execute(arguments: [status.databaseValue, judgement.score, at, judgement.rulesetVersion, signals, status.databaseValue, key])
            guard db.changesCount == 1 else { continue }
            if let recorded = facts[key] {
                counts.judged(hour: recorded["hour"], article: recorded["article_id"], rating: recorded["rating"],
                              authorIsNew: recorded["author_is_new"], status: status, millis: recorded["millis"], signals: judgement.signals,
                              decisionHour: decisionHour)
            }
            decisions.append([key.databaseValue, status.databaseValue, Decision.systemActor.databaseValue, judgement.reason.databaseValue, at])
            if let lesson = lessons[key] {
                try Self.learn(commentKey: key, unwanted: lesson.unwanted, tokens: lesson.tokens, source: "automatic", db)
            }
        }
        try counts.apply(db)
        try decisions.insert(db)
        return decisions.count
    }
}
