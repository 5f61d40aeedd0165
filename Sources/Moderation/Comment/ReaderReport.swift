import Foundation

/// Why a reader reports a published comment.
public enum ReportReason: String, CaseIterable, Codable, Sendable {
    case spam
    case abuse
    case personalData = "personal-data"
    case legal
    case offTopic = "off-topic"
    case other

    /// Reasons that cannot wait for several readers: one report is enough to take the comment down
    /// for review (a reader's address in a comment, a legal complaint).
    public var isUrgent: Bool { self == .legal || self == .personalData }

    /// The reasons as the API lists them.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A reader's report of a comment, as the website forwards it:
/// `{"reporter": "reader-17", "reason": "abuse", "note": "…", "ip": "203.0.113.7"}`.
public struct ReaderReport: Sendable, Equatable {
    /// The website's id for the reader (an account id, or a session's); one report per reporter and
    /// comment counts.
    public var reporter: String
    public var reason: ReportReason
    /// What the reader wrote, at most ``ReportDecoder/maxNoteCharacters`` characters.
    public var note: String?
    /// The reader's address, when the website sends it: reports are rate-limited per network too.
    public var ip: String?

    public init(reporter: String, reason: ReportReason, note: String? = nil, ip: String? = nil) {
        self.reporter = reporter
        self.reason = reason
        self.note = note
        self.ip = ip
    }

    /// The reader's network (a /24 or /64), for rate limits.
    public var network: String? { ip.flatMap(IPAddress.init)?.network }
}

/// Turns a report's JSON into a validated ``ReaderReport``, as strictly as ``CommentDecoder`` does comments.
public struct ReportDecoder: Sendable {
    /// The longest note, in characters.
    public static let maxNoteCharacters = 1_000
    /// The largest request body, in bytes.
    public static let maxRequestBytes = 8 * 1024
    static let fields = ["reporter", "reason", "note", "ip"]
    /// The prefix of the reporter ids the site's own reports are recorded under.
    public static let siteReporterPrefix = "site:"

    public init() {}

    /// - Throws: ``CommentValidationError`` naming the field at fault.
    public func decode(_ data: some Collection<UInt8>) throws(CommentValidationError) -> ReaderReport {
        let object = try JSONObject.fields(of: data, maxBytes: Self.maxRequestBytes, what: "the report's")
        for key in object.keys.sorted() where !Self.fields.contains(key) {
            throw CommentValidationError(.unknownField, "Unknown field \"\(key)\"; the fields are \(Self.fields.joined(separator: ", ")).", field: key)
        }
        let checker = CommentDecoder()
        let reporter = try checker.requiredString("reporter", object)
        try checker.identifier("reporter", reporter)
        if reporter.hasPrefix(Self.siteReporterPrefix) {
            throw CommentValidationError(.invalidValue, "reporter ids starting with \(Self.siteReporterPrefix) are the site's own (Akismet submit-spam).",
                                         field: "reporter")
        }
        let reasonText = try checker.requiredString("reason", object)
        guard let reason = ReportReason(rawValue: reasonText) else {
            throw CommentValidationError(.invalidValue, "reason must be one of \(ReportReason.names).", field: "reason")
        }
        let note = try checker.optionalString("note", object)
        if let note { try checker.text("note", note, maxLength: Self.maxNoteCharacters) }
        let ip = try checker.optionalString("ip", object)
        if let ip, ip.utf8.count > 45 || IPAddress(ip) == nil {
            throw CommentValidationError(.invalidValue, "ip must be an IPv4 or IPv6 address such as 203.0.113.7.", field: "ip")
        }
        return ReaderReport(reporter: reporter, reason: reason, note: note, ip: ip)
    }
}
