import PCRE2

/// A link found in comment text.
public struct Link: Sendable, Equatable {
    /// The link as written.
    public var url: String
    /// The host name, lower-cased, without `www.`.
    public var host: String
    /// Where it stands in the text, in UTF-8 offsets.
    public var utf8Range: Range<Int>
}

/// Finds links in text: `http(s)://` URLs, `www.` addresses and bare domains such as `bit.ly/x`.
public enum LinkExtractor {
    // Bare domains are recognised only with a known top-level domain, so "e.g." or "3.5" are not links.
    // The label runs are possessive: a label cannot contain the dot that must follow it, so giving
    // characters back could never help, and on ordinary words it costs a retry per letter.
    private static let pattern: Pattern = {
        let tlds = "com|net|org|info|biz|io|co|uk|us|ru|cn|de|fr|eu|me|ly|gl|gd|to|tk|ml|ga|cf|gq|xyz|top|club|online|site|shop|store|live|click|link|win|bid|loan|vip|pw|cc|ws|tv|in|app|dev|page|news|blog"
        let source = #"(?:\bhttps?://[^\s<>"'\)\]]+|\bwww\.[^\s<>"'\)\]]+|\b[a-z0-9][a-z0-9-]*+(?:\.[a-z0-9-]++)*\.(?:"# + tlds
            + #")\b(?:/[^\s<>"'\)\]]*)?)"#
        return try! Pattern(source, options: .caseless)
    }()

    /// Every link in the text, left to right.
    public static func links(in text: String, scratch: MatchScratch? = nil) -> [Link] {
        // A cheap test first: nearly all comments have no dot, and without one there is no link.
        guard text.utf8.contains(UInt8(ascii: ".")) else { return [] }
        let scratch = scratch ?? MatchScratch()
        guard let matches = try? pattern.allMatches(in: text, limit: 200, scratch: scratch) else { return [] }
        return matches.map { match in
            var url = String(text[match.range])
            while let last = url.last, ".,;:!?".contains(last) { url.removeLast() }
            let range = match.utf8Range.lowerBound..<(match.utf8Range.lowerBound + url.utf8.count)
            return Link(url: url, host: host(of: url), utf8Range: range)
        }
    }

    /// The lower-cased host of a URL or bare domain, without a leading `www.`.
    public static func host(of url: String) -> String {
        var rest = Substring(url.lowercased())
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") { rest = rest[rest.index(colon, offsetBy: 3)...] }
        if let end = rest.firstIndex(where: { "/?#:".contains($0) }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("www.") { rest = rest.dropFirst(4) }
        return String(rest)
    }
}
