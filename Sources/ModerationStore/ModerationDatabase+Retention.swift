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
        /// The texts edits replaced, oldest first (the text as it arrived first).
        public var earlierTexts: [String] = []

        enum CodingKeys: String, CodingKey {
            case id, author, email, ip, body, rating, status, decisions
            case earlierTexts = "earlier_texts"
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

/// Whose data a data-subject request concerns: a display name, an e-mail address, or both (a comment
/// matching either is theirs).
public struct DataSubject: Sendable, Equatable {
    public var author: String?
    public var email: String?

    public init(author: String? = nil, email: String? = nil) {
        self.author = author
        self.email = email?.lowercased()
    }

    /// How the subject is described in messages: `Pat <pat@example.org>`.
    public var description: String {
        [author, email.map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
    }

    /// The SQL condition selecting the subject's comments, and its arguments.
    var condition: (sql: String, arguments: StatementArguments) {
        var parts: [String] = []
        var arguments: StatementArguments = []
        if let author {
            parts.append("author = ?")
            arguments += [author]
        }
        if let email {
            parts.append("lower(email) = ?")
            arguments += [email]
        }
        return (parts.isEmpty ? "0" : parts.joined(separator: " OR "), arguments)
    }
}

extension ModerationDatabase {
    /// How many comments one erasing transaction handles: long maintenance commits in bounded chunks so
    /// the daemon's writes wait a moment, never many seconds.
    public static let maintenanceChunk = 500

    /// The explanation left on a signal whose explanation may have named personal data.
    static let erasedExplanation = "(explanation erased with the personal data)"

    /// Runs `body` on the writer with SQLite's `secure_delete` on, so the bytes it deletes or
    /// overwrites are zeroed in the file rather than left in free space, then checkpoints and truncates
    /// the write-ahead log, which still holds the old pages.
    func erasing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db -> T in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            defer { try? db.execute(sql: "PRAGMA secure_delete = OFF") }
            return try body(db)
        }
    }

    /// Copies every page into the database file and empties the write-ahead log, so erased data is not
    /// left in the log. Waits (up to the busy timeout) for readers to finish.
    func truncateLog() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Removes IP addresses, networks, emails and user agents from comments received before `cutoff`,
    /// and the personal data that signals and decision notes carry about them (matched addresses, phone
    /// and card numbers, blocked addresses), keeping the comments, verdicts and decisions so statistics
    /// stay right. Commits in chunks of ``maintenanceChunk`` comments.
    /// - Returns: How many comments were cleaned.
    @discardableResult
    public func purgePersonalData(receivedBefore cutoff: Date, progress: @Sendable (Int) -> Void) async throws(StoreError) -> Int {
        do {
            var cleaned = 0
            while true {
                let count = try await erasing { db -> Int in
                    let keys = try Int64.fetchAll(db, sql: """
                        SELECT key FROM comment WHERE received_at < ?
                          AND (ip IS NOT NULL OR network IS NOT NULL OR email IS NOT NULL OR user_agent IS NOT NULL)
                        ORDER BY key LIMIT ?
                        """, arguments: [cutoff, Self.maintenanceChunk])
                    try db.inTransaction {
                        for key in keys {
                            try db.execute(sql: "UPDATE comment SET ip = NULL, network = NULL, email = NULL, user_agent = NULL WHERE key = ?",
                                           arguments: [key])
                            try Self.erasePersonalSignals(ofComment: key, everything: false, db)
                            try db.execute(sql: "UPDATE decision SET note = NULL WHERE comment_key = ? AND note IS NOT NULL", arguments: [key])
                            try db.execute(sql: "UPDATE report SET note = NULL, network = NULL WHERE comment_key = ?", arguments: [key])
                        }
                        return .commit
                    }
                    return keys.count
                }
                cleaned += count
                progress(cleaned)
                if count < Self.maintenanceChunk { break }
            }
            // Readers' notes and networks on reports of that age, whatever their comment's state.
            try await erasing { db in
                try db.execute(sql: "UPDATE report SET note = NULL, network = NULL WHERE at < ? AND (note IS NOT NULL OR network IS NOT NULL)",
                               arguments: [cutoff])
            }
            try await truncateLog()
            return cleaned
        } catch {
            throw Self.wrap(error, "purging personal data")
        }
    }

    /// Removes personal data from a comment's signals: with `everything`, the matched text and every
    /// explanation (which may quote it); otherwise those of signals about personal data only (matches of
    /// the personal rules, of the e-mail, address and user-agent fields, and address and e-mail lists).
    static func erasePersonalSignals(ofComment key: Int64, everything: Bool, _ db: Database) throws {
        let personal = everything ? "1" : """
            (json_extract(value, '$.name') LIKE 'personal.%' OR json_extract(value, '$.field') IN ('email', 'ip', 'user_agent')
             OR json_extract(value, '$.name') IN ('block.ip', 'block.network', 'block.email', 'allow.email', 'history.new_author'))
            """
        try db.execute(sql: """
            UPDATE comment SET signals = (
                SELECT json_group_array(CASE WHEN \(personal)
                    THEN json_set(json_remove(value, '$.text', '$.start', '$.end'), '$.explanation', ?)
                    ELSE json(value) END)
                FROM json_each(signals))
            WHERE key = ? AND signals IS NOT NULL
            """, arguments: [erasedExplanation, key])
    }

    /// Everything stored about a person, found by display name or e-mail address.
    public func export(_ subject: DataSubject) async throws(StoreError) -> AuthorExport {
        do {
            return try await pool.read { db in
                let condition = subject.condition
                let comments = try StoredComment.fetchAll(db, sql: "SELECT * FROM comment WHERE \(condition.sql) ORDER BY key",
                                                          arguments: condition.arguments)
                let items = try comments.map { comment in
                    let decisions = try Decision.filter(Column("comment_key") == comment.key!).order(Column("seq")).fetchAll(db).map {
                        "\(ISO8601DateFormatter().string(from: $0.at)) \($0.status.rawValue) by \($0.actor)" + ($0.reason.map { ": \($0)" } ?? "")
                            + ($0.note.map { " (\($0))" } ?? "")
                    }
                    return AuthorExport.Item(id: comment.externalID, articleID: comment.articleID, articleURL: comment.articleURL,
                                             author: comment.author, email: comment.email, ip: comment.ip, userAgent: comment.userAgent,
                                             body: comment.body, rating: comment.rating, receivedAt: comment.receivedAt,
                                             status: comment.status.rawValue, decisions: decisions,
                                             earlierTexts: try String.fetchAll(db, sql: """
                                                 SELECT previous_body FROM comment_revision WHERE comment_key = ? ORDER BY number
                                                 """, arguments: [comment.key!]))
                }
                let entries = try Self.listEntries(naming: subject, comments: comments, db).map { "\($0.list) \($0.kind) \($0.value)" }
                return AuthorExport(author: subject.description, comments: items, listEntries: entries)
            }
        } catch {
            throw Self.wrap(error, "exporting an author's data")
        }
    }

    /// Everything stored about an author (by exact display name).
    public func export(author: String) async throws(StoreError) -> AuthorExport {
        try await export(DataSubject(author: author))
    }

    /// Block and allow entries that name the subject: their name, their e-mail addresses, and the
    /// addresses their comments came from.
    static func listEntries(naming subject: DataSubject, comments: [StoredComment], _ db: Database) throws
        -> [(key: Int64, list: String, kind: String, value: String)] {
        var wanted: Set<[String]> = []
        if let author = subject.author { wanted.insert(["author", author]) }
        if let email = subject.email { wanted.insert(["email", email]) }
        for comment in comments {
            wanted.insert(["author", comment.author])
            if let email = comment.email { wanted.insert(["email", email.lowercased()]) }
            if let ip = comment.ip { wanted.insert(["ip", ip]) }
        }
        return try Row.fetchAll(db, sql: "SELECT key, list, kind, value FROM block WHERE kind IN ('author', 'email', 'ip')")
            .filter { wanted.contains([$0["kind"], $0["value"]]) }
            .map { ($0["key"], $0["list"], $0["kind"], $0["value"]) }
    }

    /// Erases a person's personal data: their comments' text, name, email, IP and user agent, the
    /// matched text and explanations of their comments' signals, notes on decisions about them, the
    /// list entries naming them or their addresses, and the ids of their comments checked through the
    /// Akismet routes (made from their name, address and text). Verdicts and decisions stay as anonymous
    /// records. The erased bytes are zeroed in the file (`secure_delete`) and the write-ahead log is
    /// truncated. Commits in chunks of ``maintenanceChunk`` comments.
    /// - Returns: How many comments were erased.
    @discardableResult
    public func forget(_ subject: DataSubject) async throws(StoreError) -> Int {
        do {
            let condition = subject.condition
            // The list entries first, while the comments still say which addresses were theirs.
            try await erasing { db in
                try db.inTransaction {
                    let comments = try StoredComment.fetchAll(db, sql: "SELECT * FROM comment WHERE \(condition.sql)",
                                                              arguments: condition.arguments)
                    for entry in try Self.listEntries(naming: subject, comments: comments, db) {
                        try db.execute(sql: "DELETE FROM block WHERE key = ?", arguments: [entry.key])
                    }
                    return .commit
                }
            }
            var erased = 0
            while true {
                let count = try await erasing { db -> Int in
                    var count = 0
                    try db.inTransaction {
                        let comments = try StoredComment.fetchAll(db, sql: "SELECT * FROM comment WHERE \(condition.sql) ORDER BY key LIMIT ?",
                                                                  arguments: condition.arguments + [Self.maintenanceChunk])
                        for comment in comments {
                            let key = comment.key!
                            try Self.learn(commentKey: key, unwanted: nil, tokens: nil, source: "moderator", db)
                            try db.execute(sql: """
                                UPDATE comment SET author = 'forgotten-' || key, body = '', email = NULL, ip = NULL, network = NULL,
                                    user_agent = NULL, article_url = NULL, fingerprint = NULL, fp_band0 = NULL, fp_band1 = NULL,
                                    fp_band2 = NULL, fp_band3 = NULL, fp_band4 = NULL, fp_band5 = NULL,
                                    external_id = CASE WHEN external_id LIKE 'akismet-%' THEN 'akismet-forgotten-' || key ELSE external_id END
                                WHERE key = ?
                                """, arguments: [key])
                            try Self.erasePersonalSignals(ofComment: key, everything: true, db)
                            try db.execute(sql: "UPDATE decision SET note = NULL WHERE comment_key = ? AND note IS NOT NULL", arguments: [key])
                            try db.execute(sql: "UPDATE report SET note = NULL, network = NULL WHERE comment_key = ?", arguments: [key])
                            // The texts it replaced go with the text.
                            try db.execute(sql: "DELETE FROM comment_revision WHERE comment_key = ?", arguments: [key])
                        }
                        count = comments.count
                        return .commit
                    }
                    return count
                }
                erased += count
                if count < Self.maintenanceChunk { break }
            }
            try await truncateLog()
            return erased
        } catch {
            throw Self.wrap(error, "forgetting an author")
        }
    }

    /// Erases an author's personal data (by exact display name); see ``forget(_:)``.
    @discardableResult
    public func forget(author: String) async throws(StoreError) -> Int {
        try await forget(DataSubject(author: author))
    }
}
