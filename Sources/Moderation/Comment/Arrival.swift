/// A comment as it is queued: with the facts the history checks look it up by, worked out before it
/// reaches the store (which only writes them).
public struct Arrival: Sendable {
    public var comment: Comment
    /// The /24 or /48 network of the comment's IP address.
    public var network: String?
    /// The fingerprint of the normalized body, if it is long enough to have one.
    public var fingerprint: TextFingerprint?
    /// A worker that judges the comment itself at once (an Akismet check), and for how many seconds
    /// others leave it alone; a store several daemons share records this claim with the comment.
    public var claim: (worker: String, lease: Double)?

    public init(_ comment: Comment) {
        self.comment = comment
        network = comment.ip.flatMap(IPAddress.init)?.network
        fingerprint = TextFingerprint(normalizedText: TextNormalizer().normalize(comment.body).text)
    }
}
