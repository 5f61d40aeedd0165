import Foundation
import Moderation
import ModerationStore

/// A comment as `--json` shows it.
struct CommentJSON: Encodable {
    var id: String
    var status: String
    var articleID: String
    var articleURL: String?
    var author: String
    var email: String?
    var ip: String?
    var rating: Int
    var body: String
    var score: Double?
    var receivedAt: Date
    var judgedAt: Date?
    var reasons: [String]?

    enum CodingKeys: String, CodingKey {
        case id, status, author, email, ip, rating, body, score, reasons
        case articleID = "article_id"
        case articleURL = "article_url"
        case receivedAt = "received_at"
        case judgedAt = "judged_at"
    }

    init(_ comment: StoredComment, reasons: [String]?, includePersonalData: Bool) {
        id = comment.externalID
        status = comment.status.rawValue
        articleID = comment.articleID
        articleURL = comment.articleURL
        author = comment.author
        email = includePersonalData ? comment.email : nil
        ip = includePersonalData ? comment.ip : nil
        rating = comment.rating
        body = comment.body
        score = comment.score
        receivedAt = comment.receivedAt
        judgedAt = comment.judgedAt
        self.reasons = reasons
    }
}

/// A signal as `--json` shows it.
struct SignalJSON: Encodable {
    var source: String
    var name: String
    var score: Double
    var action: String?
    var explanation: String
    var shadow: Bool
    var field: String?
    var start: Int?
    var end: Int?
    var text: String?

    init(_ signal: Signal) {
        source = signal.source.rawValue
        name = signal.name
        score = signal.score
        action = signal.action?.rawValue
        explanation = signal.explanation
        shadow = signal.isShadow
        field = signal.span?.field.rawValue
        start = signal.span?.utf8Start
        end = signal.span?.utf8End
        text = signal.span?.text
    }
}

/// A decision as `--json` shows it: the website's shape, with the moderator's note.
typealias DecisionJSON = DecisionDocument

extension DecisionDocument {
    init(_ entry: DecisionEntry) {
        self.init(entry, includingNote: true)
    }
}
