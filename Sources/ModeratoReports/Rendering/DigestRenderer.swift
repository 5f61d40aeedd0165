import Foundation

/// Writes a digest as text, Markdown, HTML or JSON.
///
/// ```swift
/// let digest = Digest(start: start, end: end, generatedAt: Date(), received: 0)
/// print(try DigestRenderer.render(digest, as: .text))
/// // Nothing happened between 28 Nov 07:00 and 29 Nov 07:00 UTC: no comments were received ...
/// ```
///
/// Every format is deterministic: times are in UTC and numbers are grouped by hand, whatever the
/// machine's locale. An empty digest (``Digest/isEmpty``) gives a short "Nothing happened" report.
public struct DigestRenderer: Sendable {
    /// The digest in `format`, ending with a newline.
    ///
    /// - Throws: ``DigestRenderingError`` when the JSON cannot be written, such as for a number that
    ///   is not finite.
    public static func render(_ digest: Digest, as format: DigestFormat) throws -> String {
        switch format {
        case .text: TextDigestRenderer(digest).render()
        case .markdown: MarkdownDigestRenderer(digest).render()
        case .html: HTMLDigestRenderer(digest).render()
        case .json: try JSONDigestRenderer(digest).render()
        }
    }

    /// The HTML digest's sections without the page around them or its stylesheet, to place inside
    /// another page (the browser queue's digest).
    public static func htmlFragment(_ digest: Digest) -> String {
        HTMLDigestRenderer(digest).sections()
    }
}

/// A digest that could not be written, with a message that says what to fix.
public struct DigestRenderingError: Error, Sendable, CustomStringConvertible {
    /// Stable reasons.
    public enum Code: String, Sendable {
        /// The digest holds a value the format cannot represent, such as an infinite number in JSON.
        case unrepresentableValue = "unrepresentable_value"
    }

    /// Why it failed.
    public var code: Code
    /// What went wrong and what to do about it, in one line.
    public var message: String
    /// The format that was being written.
    public var format: DigestFormat
    /// The underlying error, such as an `EncodingError`.
    public var cause: (any Error)?

    /// An error with its reason, message, format and cause.
    public init(_ code: Code, _ message: String, format: DigestFormat, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.format = format
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}
