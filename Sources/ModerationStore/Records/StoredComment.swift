import Foundation
import GRDB
import Moderation

/// A comment as stored: what the reader sent, where it stands, and how it was judged.
public struct StoredComment: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "comment"

    /// The internal row key.
    public var key: Int64?
    public var externalID: String
    public var articleID: String
    public var articleURL: String?
    public var author: String
    public var email: String?
    public var ip: String?
    public var userAgent: String?
    public var body: String
    public var rating: Int
    public var submittedAt: Date?
    public var receivedAt: Date
    public var status: CommentStatus
    /// The pipeline's total score, once judged.
    public var score: Double?
    public var judgedAt: Date?
    /// The version of the rule set it was judged with.
    public var rulesetVersion: String?
    /// The /24 or /48 network of `ip`.
    public var network: String?
    /// Whether the author had no earlier comment when this one arrived.
    public var authorIsNew: Bool = false
    /// SimHash of the normalized body, for near-duplicate search.
    public var fingerprint: Int64?
    /// How many times the text changed after it arrived (0: never edited).
    public var revision: Int = 0

    enum CodingKeys: String, CodingKey {
        case key, author, email, ip, body, rating, status, score
        case externalID = "external_id"
        case articleID = "article_id"
        case articleURL = "article_url"
        case userAgent = "user_agent"
        case submittedAt = "submitted_at"
        case receivedAt = "received_at"
        case judgedAt = "judged_at"
        case rulesetVersion = "ruleset_version"
        case network
        case authorIsNew = "author_is_new"
        case fingerprint, revision
    }

    /// A comment read from a store other than GRDB's (the other fields are set after).
    init(externalID: String, articleID: String, author: String, body: String, rating: Int, receivedAt: Date, status: CommentStatus) {
        self.externalID = externalID
        self.articleID = articleID
        self.author = author
        self.body = body
        self.rating = rating
        self.receivedAt = receivedAt
        self.status = status
    }

    public init(_ arrival: Arrival, receivedAt: Date) {
        let comment = arrival.comment
        self.externalID = comment.id
        self.articleID = comment.articleID
        self.articleURL = comment.articleURL
        self.author = comment.author
        self.email = comment.email
        self.ip = comment.ip
        self.userAgent = comment.userAgent
        self.body = comment.body
        self.rating = comment.rating
        self.submittedAt = comment.submittedAt
        self.receivedAt = receivedAt
        self.status = .queued
        self.network = arrival.network
        self.fingerprint = arrival.fingerprint.map { Int64(bitPattern: $0.value) }
    }

    /// Whether the text changed after it arrived.
    public var isEdited: Bool { revision > 0 }

    /// The stored fingerprint, if the body was long enough to have one.
    public var textFingerprint: TextFingerprint? {
        fingerprint.map { TextFingerprint(value: UInt64(bitPattern: $0)) }
    }

    /// The comment as the pipeline sees it.
    public var comment: Comment {
        Comment(id: externalID, articleID: articleID, author: author, body: body, rating: rating,
                articleURL: articleURL, email: email, ip: ip, userAgent: userAgent, submittedAt: submittedAt)
    }

    /// Reads a row by column name, without the `Decodable` machinery: the queue reads thousands of
    /// rows a second.
    public init(row: Row) throws {
        key = row["key"]
        externalID = row["external_id"]
        articleID = row["article_id"]
        articleURL = row["article_url"]
        author = row["author"]
        email = row["email"]
        ip = row["ip"]
        userAgent = row["user_agent"]
        body = row["body"]
        rating = row["rating"]
        submittedAt = row["submitted_at"]
        receivedAt = row["received_at"]
        status = row["status"]
        score = row["score"]
        judgedAt = row["judged_at"]
        rulesetVersion = row["ruleset_version"]
        network = row["network"]
        authorIsNew = row["author_is_new"]
        fingerprint = row["fingerprint"]
        revision = row["revision"] ?? 0
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        key = inserted.rowID
    }
}

extension CommentStatus: DatabaseValueConvertible {}
extension Verdict: DatabaseValueConvertible {}
extension RuleAction: DatabaseValueConvertible {}
extension Signal.Source: DatabaseValueConvertible {}
