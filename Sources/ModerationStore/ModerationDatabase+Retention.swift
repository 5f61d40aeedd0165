import Foundation
import GRDB
import Moderation

/// Everything stored about one author, for a data-subject access request.
public struct AuthorExport: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        public var id: String
        public var articleID: String
        public var articleURL: String?
        public var author: String
        public var email: String?
        public var ip: String?
        public var userAgent: String?
        public var body: String
        public var rating: Int
        public var receivedAt: Date
        public var status: String
        public var decisions: [String]

        enum CodingKeys: String, CodingKey {
            case id, author, email, ip, body, rating, status, decisions
            case articleID = "article_id"
            case articleURL = "article_url"
            case userAgent = "user_agent"
            case receivedAt = "received_at"
        }
    }

    public var author: String
    public var comments: [Item]
    public var listEntries: [String]

    enum CodingKeys: String, CodingKey {
        case author, comments
        case listEntries = "list_entries"
    }
}

extension ModerationDatabase {
    /// Removes IP addresses, networks, emails and user agents from comments received before `cutoff`,
    /// keeping the comments, verdicts and decisions (so statistics stay right).
    /// - Returns: How many comments were cleaned.
    @discardableResult
    public func purgePersonalData(receivedBefore cutoff: Date) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                try db.execute(sql: """
                    UPDATE comment SET ip = NULL, network = NULL, email = NULL, user_agent = NULL
                    WHERE received_at < ? AND (ip IS NOT NULL OR network IS NOT NULL OR email IS NOT NULL OR user_agent IS NOT NULL)
                    """, arguments: [cutoff])
                return db.changesCount
            }
        } catch {
            throw Self.wrap(error, "purging personal data")
        }
    }

    /// Everything stored about an author (by exact display name).
    public func export(author: String) async throws(StoreError) -> AuthorExport {
        do {
            return try await pool.read { db in
                let comments = try StoredComment.filter(Column("author") == author).order(Column("key")).fetchAll(db)
                let items = try comments.map { comment in
                    let decisions = try Decision.filter(Column("comment_key") == comment.key!).order(Column("seq")).fetchAll(db).map {
                        "\(ISO8601DateFormatter().string(from: $0.at)) \($0.status.rawValue) by \($0.actor)" + ($0.reason.map { ": \($0)" } ?? "")
                    }
                    return AuthorExport.Item(id: comment.externalID, articleID: comment.articleID, articleURL: comment.articleURL,
                                             author: comment.author, email: comment.email, ip: comment.ip, userAgent: comment.userAgent,
                                             body: comment.body, rating: comment.rating, receivedAt: comment.receivedAt,
                                             status: comment.status.rawValue, decisions: decisions)
                }
                let entries = try Row.fetchAll(db, sql: "SELECT list, kind, value FROM block WHERE kind = 'author' AND value = ?", arguments: [author])
                    .map { "\($0["list"] as String) \($0["kind"] as String) \($0["value"] as String)" }
                return AuthorExport(author: author, comments: items, listEntries: entries)
            }
        } catch {
            throw Self.wrap(error, "exporting an author's data")
        }
    }

    /// Erases an author's personal data: their comments' text, name, email, IP and user agent, matched
    /// text in signals, and list entries naming them. Verdicts and decisions stay as anonymous records.
    /// - Returns: How many comments were erased.
    @discardableResult
    public func forget(author: String) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                let keys = try Int64.fetchAll(db, sql: "SELECT key FROM comment WHERE author = ?", arguments: [author])
                for key in keys {
                    if let comment = try StoredComment.fetchOne(db, key: key) {
                        try Self.train(comment, unwanted: nil, source: "moderator", db)
                    }
                    try db.execute(sql: """
                        UPDATE comment SET author = 'forgotten-' || key, body = '', email = NULL, ip = NULL, network = NULL,
                            user_agent = NULL, article_url = NULL, fingerprint = NULL, fp_band0 = NULL, fp_band1 = NULL,
                            fp_band2 = NULL, fp_band3 = NULL, fp_band4 = NULL, fp_band5 = NULL WHERE key = ?
                        """, arguments: [key])
                    try db.execute(sql: """
                        UPDATE comment SET signals = (SELECT json_group_array(json_remove(value, '$.text', '$.start', '$.end'))
                                                      FROM json_each(signals))
                        WHERE key = ? AND signals IS NOT NULL
                        """, arguments: [key])
                }
                try db.execute(sql: "DELETE FROM block WHERE kind = 'author' AND value = ?", arguments: [author])
                return keys.count
            }
        } catch {
            throw Self.wrap(error, "forgetting an author")
        }
    }
}
