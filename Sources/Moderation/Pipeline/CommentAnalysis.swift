import PCRE2

/// Per-comment facts computed once and shared by the rules and heuristics that need them.
///
/// Not thread-safe: one analysis per comment per worker.
public final class CommentAnalysis {
    public let comment: Comment
    let scratch: MatchScratch
    private var cachedLinks: [Link]?
    private var cachedTexts: [CommentField: String] = [:]

    public init(comment: Comment, scratch: MatchScratch) {
        self.comment = comment
        self.scratch = scratch
    }

    /// The links in the body.
    public var links: [Link] {
        if let cachedLinks { return cachedLinks }
        let links = LinkExtractor.links(in: comment.body, scratch: scratch)
        cachedLinks = links
        return links
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
