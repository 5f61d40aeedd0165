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
    var reports: ReportTallyJSON?

    enum CodingKeys: String, CodingKey {
        case id, status, author, email, ip, rating, body, score, reasons, reports
        case articleID = "article_id"
        case articleURL = "article_url"
        case receivedAt = "received_at"
        case judgedAt = "judged_at"
    }

    init(_ comment: StoredComment, reasons: [String]?, reports: ReportTally? = nil, includePersonalData: Bool) {
        self.reports = reports.map(ReportTallyJSON.init)
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

/// The open reports on a comment in a listing.
struct ReportTallyJSON: Encodable {
    var count: Int
    var weight: Double
    var reasons: [String]

    init(_ tally: ReportTally) {
        count = tally.count
        weight = tally.weight
        reasons = tally.reasons
    }
}

/// A reader's report as `modctl show --json` shows it.
struct ReportJSON: Encodable {
    var reporter: String
    var reason: String
    var note: String?
    var weight: Double
    var outcome: String?
    var at: Date
    /// The reporter's trust now.
    var trust: Double

    init(_ report: StoredReport, standing: ReporterStanding?) {
        reporter = report.reporter
        reason = report.reason.rawValue
        note = report.note
        weight = report.weight
        outcome = report.outcome?.rawValue
        at = report.at
        trust = standing?.trust ?? 1
    }
}
