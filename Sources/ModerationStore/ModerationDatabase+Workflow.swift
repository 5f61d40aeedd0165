import Foundation
import GRDB
import Moderation

/// A block or allow-list entry.
public struct ListEntry: Sendable, Equatable, Codable, FetchableRecord {
    public var list: String
    public var kind: String
    public var value: String
    public var reason: String?
    public var createdBy: String
    public var createdAt: Date
    public var expiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case list, kind, value, reason
        case createdBy = "created_by"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }
}

/// An article's comment mode, with how many comments it has.
public struct ArticleSummary: Sendable, Equatable {
    public var articleID: String
    public var mode: ArticleMode
    public var changedBy: String?
    public var changedAt: Date?
    public var comments: Int
    public var held: Int
}

extension ArticleMode: DatabaseValueConvertible {}

extension ModerationDatabase {
    // MARK: Block and allow lists

    /// A list value as comments are matched against it: e-mails in lower case, and domains in the form a
    /// browser reads a link's host (lower case, IDNA Unicode form, no trailing dot or `www.`), so
    /// `EXAMPLE.com.` and `xn--exmple-cua.com` are entered as `example.com` and `exämple.com`.
    public static func listValue(kind: String, _ value: String) -> String {
        switch kind {
        case "email": value.lowercased()
        case "domain": LinkHost.canonical(domain: value)
        default: value
        }
    }

    /// Adds (or replaces) a block or allow-list entry. Values are compared exactly, in the form
    /// ``listValue(kind:_:)`` gives.
    public func addListEntry(list: String, kind: String, value: String, reason: String?, by actor: String,
                             expiresAt: Date?, at now: Date) async throws(StoreError) {
        do {
            try await pool.write { db in
                try Self.addListEntry(list: list, kind: kind, value: value, reason: reason, by: actor, expiresAt: expiresAt, at: now, db)
            }
        } catch {
            throw Self.wrap(error, "adding a list entry")
        }
    }

    static func addListEntry(list: String, kind: String, value: String, reason: String?, by actor: String,
                             expiresAt: Date?, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO block (list, kind, value, reason, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(list, kind, value) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by,
                created_at = excluded.created_at, expires_at = excluded.expires_at
            """, arguments: [list, kind, listValue(kind: kind, value), reason, actor, now, expiresAt])
    }

    /// Removes an entry; false when there was none.
    public func removeListEntry(list: String, kind: String, value: String) async throws(StoreError) -> Bool {
        let normalized = Self.listValue(kind: kind, value)
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM block WHERE list = ? AND kind = ? AND value = ?", arguments: [list, kind, normalized])
                return db.changesCount > 0
            }
        } catch {
            throw Self.wrap(error, "removing a list entry")
        }
    }

    /// Entries of a list that have not expired, newest first.
    public func listEntries(list: String, at now: Date) async throws(StoreError) -> [ListEntry] {
        do {
            return try await pool.read { db in
                try ListEntry.fetchAll(db, sql: """
                    SELECT * FROM block WHERE list = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC
                    """, arguments: [list, now])
            }
        } catch {
            throw Self.wrap(error, "reading a list")
        }
    }

    // MARK: Articles

    /// Sets how an article takes comments (also before it has any).
    public func setArticleMode(_ articleID: String, mode: ArticleMode, by actor: String, at now: Date) async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO article (article_id, mode, changed_by, changed_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(article_id) DO UPDATE SET mode = excluded.mode, changed_by = excluded.changed_by, changed_at = excluded.changed_at
                    """, arguments: [articleID, mode, actor, now])
            }
        } catch {
            throw Self.wrap(error, "setting an article's mode")
        }
    }

    /// Articles with a mode set or with comments, most recently active first.
    public func articles(limit: Int) async throws(StoreError) -> [ArticleSummary] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT ids.article_id, a.mode, a.changed_by, a.changed_at,
                           (SELECT count(*) FROM comment c WHERE c.article_id = ids.article_id) AS comments,
                           (SELECT count(*) FROM comment c WHERE c.article_id = ids.article_id AND c.status = 'held') AS held,
                           (SELECT max(received_at) FROM comment c WHERE c.article_id = ids.article_id) AS latest
                    FROM (SELECT article_id FROM article UNION SELECT DISTINCT article_id FROM comment) ids
                    LEFT JOIN article a ON a.article_id = ids.article_id
                    ORDER BY coalesce(latest, a.changed_at) DESC LIMIT ?
                    """, arguments: [limit]).map { row in
                    ArticleSummary(articleID: row["article_id"], mode: ArticleMode(rawValue: row["mode"] ?? "open") ?? .open,
                                   changedBy: row["changed_by"], changedAt: row["changed_at"], comments: row["comments"], held: row["held"])
                }
            }
        } catch {
            throw Self.wrap(error, "listing articles")
        }
    }

    /// The mode of one article (open when never set).
    public func articleMode(_ articleID: String) async throws(StoreError) -> ArticleMode {
        do {
            return try await pool.read { db in
                try String.fetchOne(db, sql: "SELECT mode FROM article WHERE article_id = ?", arguments: [articleID])
                    .flatMap(ArticleMode.init(rawValue:)) ?? .open
            }
        } catch {
            throw Self.wrap(error, "reading an article's mode")
        }
    }

    // MARK: Undo and the audit log

    /// Undoes the latest decision on a comment, restoring the state before it, with a decision of its own.
    /// The site's learning layer forgets what that decision taught it. Another moderator's decision is undone
    /// only with `force`, as it is overridden only with `force`.
    /// - Throws: ``StoreError`` `.notFound`, or `.alreadyDecided` for another moderator's decision without `force`.
    @discardableResult
    public func undo(_ externalID: String, actor: String, force: Bool = false, at now: Date) async throws(StoreError) -> Decision {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: Decision!
                try db.inTransaction(.immediate) {
                    guard let comment = try StoredComment.filter(Column("external_id") == externalID).fetchOne(db) else {
                        throw StoreError(.notFound, "no comment with id \(externalID)")
                    }
                    let decisions = try Decision.filter(Column("comment_key") == comment.key!).order(Column("seq")).fetchAll(db)
                    let undo = try DecisionHistory(decisions).undo(externalID, by: actor, force: force)
                    try db.execute(sql: "UPDATE comment SET status = ? WHERE key = ?", arguments: [undo.restore, comment.key!])
                    // `inserted` returns the decision with its sequence number.
                    let decision = try DecisionHistory.undoDecision(of: undo.last, commentKey: comment.key!, restoring: undo.restore,
                                                                    from: comment.status, by: actor, revision: comment.revision, at: now).inserted(db)
                    // Teach the layer what the remaining decisions say, or nothing.
                    try Self.learn(commentKey: comment.key!, unwanted: undo.unwanted, tokens: nil, source: "moderator", db)
                    // The reports it ruled on are open again.
                    try db.execute(sql: "UPDATE report SET outcome = NULL, settled_by = NULL WHERE settled_by = ?", arguments: [undo.last.seq!])
                    result = decision
                    return .commit
                }
                return result
            }
        } catch {
            throw Self.wrap(error, "undoing a decision")
        }
    }

    /// Decisions, newest first, optionally by one actor and since a time.
    public func decisionLog(actor: String?, since: Date?, limit: Int) async throws(StoreError) -> [DecisionEntry] {
        do {
            return try await pool.read { db in
                var sql = "\(Self.decisionEntries) WHERE 1 = 1"
                var arguments: StatementArguments = []
                if let actor {
                    sql += " AND d.actor = ?"
                    arguments += [actor]
                }
                if let since {
                    sql += " AND d.at >= ?"
                    arguments += [since]
                }
                sql += " ORDER BY d.seq DESC LIMIT ?"
                arguments += [limit]
                return try DecisionEntry.fetchAll(db, sql: sql, arguments: arguments)
            }
        } catch {
            throw Self.wrap(error, "reading the decision log")
        }
    }

    // MARK: Claims for interactive review

    /// Claims the oldest held comment nobody else is looking at, for `ttl` seconds, skipping `excluded` ids.
    public func claimNextHeld(moderator: String, excluding excluded: Set<String>, ttl: TimeInterval, at now: Date) async throws(StoreError) -> StoredComment? {
        do {
            return try await pool.writeWithoutTransaction { db in
                var claimed: StoredComment?
                try db.inTransaction(.immediate) {
                    try db.execute(sql: "DELETE FROM claim WHERE expires_at <= ? OR moderator = ?", arguments: [now, moderator])
                    let candidates = try StoredComment.fetchAll(db, sql: """
                        SELECT * FROM comment WHERE status = 'held' AND key NOT IN (SELECT comment_key FROM claim)
                        ORDER BY received_at, key LIMIT ?
                        """, arguments: [excluded.count + 1])
                    if let next = candidates.first(where: { !excluded.contains($0.externalID) }) {
                        try db.execute(sql: "INSERT INTO claim (comment_key, moderator, expires_at) VALUES (?, ?, ?)",
                                       arguments: [next.key!, moderator, now.addingTimeInterval(ttl)])
                        claimed = next
                    }
                    return .commit
                }
                return claimed
            }
        } catch {
            throw Self.wrap(error, "claiming a comment")
        }
    }

    public func claim(_ externalID: String, moderator: String, ttl: TimeInterval, at now: Date) async throws(StoreError) -> String? {
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM claim WHERE expires_at <= ?", arguments: [now])
                guard let key = try Int64.fetchOne(db, sql: "SELECT key FROM comment WHERE external_id = ?", arguments: [externalID]) else {
                    throw StoreError(.notFound, "no comment with id \(externalID)")
                }
                if let other = try String.fetchOne(db, sql: "SELECT moderator FROM claim WHERE comment_key = ? AND moderator <> ?",
                                                   arguments: [key, moderator]) {
                    return other
                }
                try db.execute(sql: "DELETE FROM claim WHERE moderator = ?", arguments: [moderator])
                try db.execute(sql: "INSERT INTO claim (comment_key, moderator, expires_at) VALUES (?, ?, ?)",
                               arguments: [key, moderator, now.addingTimeInterval(ttl)])
                return nil
            }
        } catch {
            throw Self.wrap(error, "claiming a comment")
        }
    }

    public func claims(at now: Date) async throws(StoreError) -> [String: String] {
        do {
            return try await pool.read { db in
                var claims: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT c.external_id, m.moderator FROM claim m JOIN comment c ON c.key = m.comment_key WHERE m.expires_at > ?
                    """, arguments: [now]) {
                    claims[row["external_id"]] = row["moderator"]
                }
                return claims
            }
        } catch {
            throw Self.wrap(error, "reading claims")
        }
    }

    /// Releases a moderator's claims.
    public func releaseClaims(moderator: String) async throws(StoreError) {
        do {
            try await pool.write { try $0.execute(sql: "DELETE FROM claim WHERE moderator = ?", arguments: [moderator]) }
        } catch {
            throw Self.wrap(error, "releasing claims")
        }
    }

    // MARK: Author history for `show`

    /// How far from a comment, in order of arrival, ``relatedComments(to:limit:)`` looks for its network.
    public static let nearbyComments: Int64 = 20_000

    /// Other comments by the same author, newest first; and by other authors from the same network
    /// among the ``nearbyComments`` received before and after it (no index on networks: it would cost
    /// every accepted comment a write), newest first.
    public func relatedComments(to comment: StoredComment, limit: Int) async throws(StoreError) -> (byAuthor: [StoredComment], byNetwork: [StoredComment]) {
        do {
            return try await pool.read { db in
                let byAuthor = try StoredComment.fetchAll(db, sql: """
                    SELECT * FROM comment WHERE author = ? AND key != ? ORDER BY key DESC LIMIT ?
                    """, arguments: [comment.author, comment.key!, limit])
                var byNetwork: [StoredComment] = []
                if let network = comment.network {
                    byNetwork = try StoredComment.fetchAll(db, sql: """
                        SELECT * FROM comment WHERE key BETWEEN ? AND ? AND network = ? AND key != ? AND author != ?
                        ORDER BY key DESC LIMIT ?
                        """, arguments: [comment.key! - Self.nearbyComments, comment.key! + Self.nearbyComments, network,
                                         comment.key!, comment.author, limit])
                }
                return (byAuthor, byNetwork)
            }
        } catch {
            throw Self.wrap(error, "reading related comments")
        }
    }
}
