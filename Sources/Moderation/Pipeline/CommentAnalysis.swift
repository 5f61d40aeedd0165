import PCRE2

/// Per-comment facts computed once and shared by the rules and heuristics that need them.
///
/// Not thread-safe: one analysis per comment per worker.
public final class CommentAnalysis {
    public let comment: Comment
    /// What the store knows about the comment's surroundings (set once the history is read: the
    /// links found first tell the store which domains to look up).
    public var context: CommentContext
    let scratch: MatchScratch
    private var cachedLinks: [Link]?
    private var cachedTexts = [String?](repeating: nil, count: CommentField.allCases.count)
    private var cachedNormalized: [CommentField: NormalizedText] = [:]
    private var normalizedBody: NormalizedText?
    private let normalizer = TextNormalizer()

    public init(comment: Comment, context: CommentContext = .none, scratch: MatchScratch) {
        self.comment = comment
        self.context = context
        self.scratch = scratch
    }

    private var cachedWords: [Substring]?

    /// The words of the normalized body (letters, digits and inner apostrophes), in order.
    public var words: [Substring] {
        if let cachedWords { return cachedWords }
        let words = modelWords.map(\.text)
        cachedWords = words
        return words
    }

    private var cachedModelWords: [ModelWord]?

    /// The words of the normalized body with their places, as the model reads them.
    var modelWords: [ModelWord] {
        if let cachedModelWords { return cachedModelWords }
        let words = ModelFeatures.words(of: normalized(.body).text)
        cachedModelWords = words
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
        switch field {
        case .body: return comment.body
        case .author: return comment.author
        case .email: return comment.email ?? ""
        case .ip: return comment.ip ?? ""
        case .userAgent: return comment.userAgent ?? ""
        case .articleURL: return comment.articleURL ?? ""
        case .url:
            let slot = CommentField.allCases.firstIndex(of: .url)!
            if let text = cachedTexts[slot] { return text }
            let text = links.map(\.url).joined(separator: "\n")
            cachedTexts[slot] = text
            return text
        }
    }
}
