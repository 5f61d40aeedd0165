/// Size limits for submitted comments, enforced before anything is stored.
public struct CommentLimits: Sendable, Equatable {
    /// The largest request body in bytes. The default is 64 KiB.
    public var maxRequestBytes: Int = 64 * 1024
    /// The longest comment body in characters. The default is 10,000.
    public var maxBodyCharacters: Int = 10_000
    /// The longest author name in characters. The default is 100.
    public var maxAuthorCharacters: Int = 100
    /// The longest `id` or `article_id` in characters. The default is 200.
    public var maxIdentifierCharacters: Int = 200
    /// The longest `article_url` in characters. The default is 2,048.
    public var maxURLCharacters: Int = 2_048
    /// The longest email address in characters. The default is 254 (RFC 5321).
    public var maxEmailCharacters: Int = 254
    /// The longest user agent in characters. The default is 512.
    public var maxUserAgentCharacters: Int = 512

    public init() {}

    /// The defaults described above.
    public static let `default` = CommentLimits()
}
