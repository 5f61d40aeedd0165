import Foundation
import GRDB
import Moderation

/// One change of a comment's verdict, by the pipeline or by a person. Decisions are only ever appended:
/// they are the audit log and the website's change feed (`seq`).
public struct Decision: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "decision"

    /// Who made a decision.
    public enum ActorKind: String, Codable, Sendable, DatabaseValueConvertible {
        /// The pipeline.
        case system
        /// A named moderator, through `modctl`.
        case moderator
        /// The website itself.
        case site
        /// Readers, whose reports took an approved comment back for review (``ReportPolicy``).
        case readers

        /// Whether a decision of this kind is a person's review of the comment: a moderator's or the
        /// website's. The pipeline's verdicts and readers' holds are not; a moderator may overrule them
        /// without `--force`, and they teach the learning layer nothing.
        public var isReview: Bool { self == .moderator || self == .site }
    }

    /// The position in the change feed.
    public var seq: Int64?
    public var commentKey: Int64
    public var status: CommentStatus
    public var previousStatus: CommentStatus?
    public var actor: String
    public var actorKind: ActorKind
    public var reason: String?
    public var note: String?
    public var at: Date
    /// The decision this one undid, if it is an undo.
    public var undoes: Int64?
    /// The comment's revision when it was made (0: the text as it arrived), so the feed gives each
    /// decision the text it was about.
    public var revision: Int = 0

    enum CodingKeys: String, CodingKey {
        case seq, status, actor, reason, note, at, undoes, revision
        case commentKey = "comment_key"
        case previousStatus = "previous_status"
        case actorKind = "actor_kind"
    }

    public init(commentKey: Int64, status: CommentStatus, previousStatus: CommentStatus?, actor: String,
                actorKind: ActorKind, reason: String?, note: String? = nil, at: Date, undoes: Int64? = nil, revision: Int = 0) {
        self.undoes = undoes
        self.revision = revision
        self.commentKey = commentKey
        self.status = status
        self.previousStatus = previousStatus
        self.actor = actor
        self.actorKind = actorKind
        self.reason = reason
        self.note = note
        self.at = at
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }

    /// The name the pipeline's decisions are recorded under.
    public static let systemActor = "moderato"
    /// The name readers' holds are recorded under.
    public static let readersActor = "readers"
}

/// A decision joined with the external id of its comment, as the feed and `modctl log` show it.
public struct DecisionEntry: Sendable, Equatable, Decodable, FetchableRecord {
    public var seq: Int64
    public var externalID: String
    public var status: CommentStatus
    public var previousStatus: CommentStatus?
    public var actor: String
    public var actorKind: Decision.ActorKind
    public var reason: String?
    public var note: String?
    public var at: Date
    /// The comment's revision when the decision was made (0: the text as it arrived).
    public var revision: Int?
    /// The text the decision was about, when the comment had been edited by then (nil once erased).
    public var body: String?

    enum CodingKeys: String, CodingKey {
        case seq, status, actor, reason, note, at, revision, body
        case externalID = "external_id"
        case previousStatus = "previous_status"
        case actorKind = "actor_kind"
    }
}

/// A decision as the website sees it (feed and webhook) and as `modctl --json` prints it.
public struct DecisionDocument: Sendable, Encodable {
    public var seq: Int64
    public var id: String
    public var status: String
    public var previous: String?
    public var actor: String
    public var actorKind: String
    public var reason: String?
    /// The moderator's note: shown by `modctl`, not sent to the website.
    public var note: String?
    public var at: Date
    /// Whether the comment's text had changed after it arrived when the decision was made (by its
    /// author, or a moderator's edit or redaction).
    public var edited: Bool
    /// The text the decision was about, when it was edited: what the website shows.
    public var body: String?

    enum CodingKeys: String, CodingKey {
        case seq, id, status, previous, actor, reason, note, at, edited, body
        case actorKind = "actor_kind"
    }

    public init(_ entry: DecisionEntry, includingNote: Bool) {
        seq = entry.seq
        id = entry.externalID
        status = entry.status.rawValue
        previous = entry.previousStatus?.rawValue
        actor = entry.actor
        actorKind = entry.actorKind.rawValue
        reason = entry.reason
        note = includingNote ? entry.note : nil
        at = entry.at
        edited = (entry.revision ?? 0) > 0
        body = entry.body
    }
}
