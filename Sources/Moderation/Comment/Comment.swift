import Foundation

/// What a reader submitted: a comment on an article, with the star rating the form requires.
///
/// `id` and `articleID` are the website's own identifiers. Build one from JSON with
/// ``CommentDecoder``, which validates every field.
public struct Comment: Sendable, Equatable, Codable {
    /// The website's id for this comment; re-sending the same id is idempotent.
    public var id: String
    /// The website's id for the article the comment is on.
    public var articleID: String
    /// The display name the reader gave.
    public var author: String
    /// The comment text; may be empty (the form only requires a rating).
    public var body: String
    /// The star rating, 1 to 5.
    public var rating: Int
    public var articleURL: String?
    public var email: String?
    public var ip: String?
    public var userAgent: String?
    /// When the reader submitted it, as the website saw it.
    public var submittedAt: Date?

    public init(id: String, articleID: String, author: String, body: String, rating: Int,
                articleURL: String? = nil, email: String? = nil, ip: String? = nil,
                userAgent: String? = nil, submittedAt: Date? = nil) {
        self.id = id
        self.articleID = articleID
        self.author = author
        self.body = body
        self.rating = rating
        self.articleURL = articleURL
        self.email = email
        self.ip = ip
        self.userAgent = userAgent
        self.submittedAt = submittedAt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, author, body, rating, email, ip
        case articleID = "article_id"
        case articleURL = "article_url"
        case userAgent = "user_agent"
        case submittedAt = "submitted_at"

        static var allKeys: [String] { allCases.map(\.stringValue) }
    }
}

/// A part of a comment that rules can match.
public enum CommentField: String, Sendable, CaseIterable, Codable {
    case body
    case author
    case email
    /// The links found in the body, one per line.
    case url
    case ip
    case userAgent = "user_agent"
    case articleURL = "article_url"
}
