/// The outcome for a comment: published, waiting for a moderator, or refused.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    case approved, held, rejected
}

/// Where a comment stands: waiting in the queue, or judged.
public enum CommentStatus: String, Sendable, Codable, CaseIterable {
    case queued, approved, held, rejected

    public init(_ verdict: Verdict) {
        self = CommentStatus(rawValue: verdict.rawValue)!
    }

    /// The verdict, or `nil` while queued.
    public var verdict: Verdict? { Verdict(rawValue: rawValue) }
}
