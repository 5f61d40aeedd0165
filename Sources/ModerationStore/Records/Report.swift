import Foundation
import Moderation

/// When readers' reports take an approved comment back for review, and how much each report counts.
/// The same for every store: the stores record reports and apply this policy inside the transaction
/// that records one.
///
/// Each report counts its reporter's trust (``trust(upheld:dismissed:)``): 1 for a reporter moderators
/// have not ruled against, less for one whose reports moderators keep dismissing by approving what
/// they reported. Only open reports count (those no moderator has ruled on since): a comment a
/// moderator approved despite reports needs new reports, twice as many, to be held again, so a
/// pile-on cannot keep taking down a comment moderators keep approving.
public struct ReportPolicy: Sendable, Equatable {
    /// The weight of open reports that holds an approved comment. The default is 3 (three readers in
    /// good standing).
    public var holdAfter: Double
    /// The weight of open reports for an urgent reason (`legal`, `personal-data`) that holds it. The
    /// default is 1.
    public var holdAfterUrgent: Double

    public init(holdAfter: Double = 3, holdAfterUrgent: Double = 1) {
        self.holdAfter = holdAfter
        self.holdAfterUrgent = holdAfterUrgent
    }

    public static let `default` = ReportPolicy()

    /// How much a reporter's next report counts: the share of their ruled reports moderators upheld,
    /// with one upheld report assumed, so a new reporter counts fully, one dismissed report halves the
    /// weight and three quarter it.
    public static func trust(upheld: Int, dismissed: Int) -> Double {
        Double(upheld + 1) / Double(upheld + dismissed + 1)
    }

    /// Whether these open reports take an approved comment back for review; twice the weight when
    /// moderators dismissed reports on it before. (A hair under the threshold counts as reaching it, so
    /// three reports of weight 1/3 make 1.)
    public func holds(_ open: [StoredReport], afterDismissal: Bool = false) -> Bool {
        let factor: Double = afterDismissal ? 2 : 1
        let total = open.reduce(0) { $0 + $1.weight }
        let urgent = open.filter(\.reason.isUrgent).reduce(0) { $0 + $1.weight }
        return total >= holdAfter * factor - 1e-9 || urgent >= holdAfterUrgent * factor - 1e-9
    }

    /// The reason a readers' hold gives in the feed: `reported: abuse, spam`, most reported first.
    public static func holdReason(_ open: [StoredReport]) -> String {
        "reported: " + tally(open).map(\.reason.rawValue).joined(separator: ", ")
    }

    /// The hold's note for moderators: who reported and how much they counted.
    public static func holdNote(_ open: [StoredReport]) -> String {
        let total = open.reduce(0) { $0 + $1.weight }
        return "\(open.count) report\(open.count == 1 ? "" : "s") weighing \(String(format: "%.2f", total)): "
            + tally(open).map { "\($0.reason.rawValue) \($0.count)" }.joined(separator: ", ")
    }

    /// Reports by reason, most first (then by name).
    public static func tally(_ reports: [StoredReport]) -> [(reason: ReportReason, count: Int)] {
        Dictionary(grouping: reports, by: \.reason).map { ($0.key, $0.value.count) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason.rawValue < $1.reason.rawValue }
    }
}

/// What moderators made of a report, once they decided the comment.
public enum ReportOutcome: String, Sendable, Codable {
    /// The comment was rejected.
    case upheld
    /// The comment was approved.
    case dismissed

    /// What a person's approval or rejection makes of the open reports.
    init(_ verdict: Verdict) {
        self = verdict == .rejected ? .upheld : .dismissed
    }
}

/// A reader's report as stored.
public struct StoredReport: Sendable, Equatable {
    public var reporter: String
    public var reason: ReportReason
    public var note: String?
    /// How much it counted: the reporter's trust when it arrived.
    public var weight: Double
    /// Nil while no moderator has ruled on the comment since.
    public var outcome: ReportOutcome?
    public var at: Date

    public init(reporter: String, reason: ReportReason, note: String?, weight: Double, outcome: ReportOutcome?, at: Date) {
        self.reporter = reporter
        self.reason = reason
        self.note = note
        self.weight = weight
        self.outcome = outcome
        self.at = at
    }
}

/// A reporter's record: how moderators ruled on the comments they reported.
public struct ReporterStanding: Sendable, Equatable {
    public var upheld: Int
    public var dismissed: Int

    public init(upheld: Int, dismissed: Int) {
        self.upheld = upheld
        self.dismissed = dismissed
    }

    /// See ``ReportPolicy/trust(upheld:dismissed:)``.
    public var trust: Double { ReportPolicy.trust(upheld: upheld, dismissed: dismissed) }
}

/// What recording a report did.
public struct ReportReceipt: Sendable {
    /// False when this reporter had reported the comment already (one report each counts).
    public var counted: Bool
    /// The comment's status after the report.
    public var status: CommentStatus
    /// The readers' hold this report completed, if it did.
    public var hold: Decision?
    /// How much this report counts.
    public var weight: Double

    public init(counted: Bool, status: CommentStatus, hold: Decision?, weight: Double) {
        self.counted = counted
        self.status = status
        self.hold = hold
        self.weight = weight
    }
}

/// The open reports on a comment, as listings show them.
public struct ReportTally: Sendable, Equatable {
    public var count: Int
    public var weight: Double
    /// Reasons, most reported first.
    public var reasons: [String]

    public init(count: Int, weight: Double, reasons: [String]) {
        self.count = count
        self.weight = weight
        self.reasons = reasons
    }

    init(_ reports: [StoredReport]) {
        self.init(count: reports.count, weight: reports.reduce(0) { $0 + $1.weight },
                  reasons: ReportPolicy.tally(reports).map(\.reason.rawValue))
    }
}
