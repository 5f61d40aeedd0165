import PCRE2

/// Per-comment facts computed once and shared by the rules and heuristics that need them.
///
/// Not thread-safe: one analysis per comment per worker.
public final class CommentAnalysis {
    public let comment: Comment
    /// What the store knows about the comment's surroundings.
    public let context: CommentContext
    let scratch: MatchScratch
    private var cachedLinks: [Link]?
    private var cachedTexts: [CommentField: String] = [:]
    private var cachedNormalized: [CommentField: NormalizedText] = [:]
    private var normalizedBody: NormalizedText?
    private let normalizer = TextNormalizer()

    public init(comment: Comment, context: CommentContext = .none, scratch: MatchScratch) {
        self.comment = comment
        self.context = context
        self.scratch = scratch
    }

    private var cachedWords: [Substring]?

    /// The words of the normalized body (letters and digits), in order.
    public var words: [Substring] {
        if let cachedWords { return cachedWords }
        let text = normalized(.body).text
        let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "\u{27}") })
        cachedWords = words
        return words
    }

    /// The links in the body.
    public var links: [Link] {
        if let cachedLinks { return cachedLinks }
        let links = LinkExtractor.links(in: comment.body, scratch: scratch)
        cachedLinks = links
        return links
    }

    /// The normalized text of a field, with its map back to the original.
    public func normalized(_ field: CommentField) -> NormalizedText {
        if field == .body {
            if let normalizedBody { return normalizedBody }
            let text = normalizer.normalize(comment.body)
            normalizedBody = text
            return text
        }
        if let text = cachedNormalized[field] { return text }
        let text = normalizer.normalize(self.text(of: field))
        cachedNormalized[field] = text
        return text
    }

    /// The original text of a field, as rules see it.
    public func text(of field: CommentField) -> String {
        if field == .body { return comment.body }
        if let text = cachedTexts[field] { return text }
        let text = field == .url ? links.map(\.url).joined(separator: "\n") : comment.text(of: field)
        cachedTexts[field] = text
        return text
    }
}
