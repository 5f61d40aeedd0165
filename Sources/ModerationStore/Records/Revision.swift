import Foundation
import Moderation

/// Who changed a comment's text after it arrived.
public enum RevisionKind: String, Sendable, Codable {
    /// The reader, through the website (`PUT /v1/comments/{id}`): judged again.
    case edit
    /// A moderator's rewrite (`modctl edit`).
    case moderatorEdit = "moderator-edit"
    /// A moderator replaced part of the text with `[removed]` (`modctl redact`).
    case redaction
}

/// One change of a comment's text, with the text it replaced: the audit trail of edits. The first
/// revision's `previousBody` is the text as it arrived.
public struct CommentRevision: Sendable, Equatable {
    /// 1 for the first change.
    public var number: Int
    public var kind: RevisionKind
    public var actor: String
    public var reason: String?
    public var previousBody: String
    public var previousRating: Int?
    public var at: Date

    public init(number: Int, kind: RevisionKind, actor: String, reason: String?, previousBody: String, previousRating: Int?, at: Date) {
        self.number = number
        self.kind = kind
        self.actor = actor
        self.reason = reason
        self.previousBody = previousBody
        self.previousRating = previousRating
        self.at = at
    }
}

/// What an edit did.
public struct RevisionOutcome: Sendable {
    /// The most edits a comment may have (each keeps the text it replaced): past it, edits are refused.
    public static let maximumRevisions = 50

    /// False when the text (and rating) were already those: nothing was recorded.
    public var changed: Bool
    /// The comment's status after the edit.
    public var status: CommentStatus
    /// The decision the edit made, if any: the pipeline's verdict on an edited text, or a moderator's
    /// approval of the edited text of a published comment (so the website shows what was approved).
    public var decision: Decision?
    /// The comment's revision number after the edit.
    public var revision: Int

    public init(changed: Bool, status: CommentStatus, decision: Decision?, revision: Int) {
        self.changed = changed
        self.status = status
        self.decision = decision
        self.revision = revision
    }
}

/// The placeholder a redaction leaves.
public enum Redaction {
    public static let placeholder = "[removed]"

    /// The text with the characters `range` (counted in characters, from 0) replaced by the placeholder.
    /// - Returns: nil when the range is empty or outside the text.
    public static func apply(_ range: Range<Int>, to text: String) -> String? {
        guard range.lowerBound >= 0, range.lowerBound < range.upperBound, range.upperBound <= text.count else { return nil }
        let start = text.index(text.startIndex, offsetBy: range.lowerBound)
        let end = text.index(start, offsetBy: range.count)
        return text.replacingCharacters(in: start..<end, with: placeholder)
    }
}
