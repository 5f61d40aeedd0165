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
    // (None starts with "k": `mayContainLink` relies on it.)
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
        // A cheap test first: most comments have nothing that could start a link.
        guard mayContainLink(text) else { return [] }
        let scratch = scratch ?? MatchScratch()
        guard let matches = try? pattern.allMatches(in: text, limit: 200, scratch: scratch) else { return [] }
        return matches.map { match in
            var url = String(text[match.range])
            while let last = url.last, ".,;:!?".contains(last) { url.removeLast() }
            let range = match.utf8Range.lowerBound..<(match.utf8Range.lowerBound + url.utf8.count)
            return Link(url: url, host: host(of: url), utf8Range: range)
        }
    }

    /// Whether the text has what every link needs: "://", "www." or a dot followed by a letter (a
    /// top-level domain, whose first letter may be ſ, which matches "s" caselessly). Full stops between
    /// sentences are followed by a space and do not count.
    static func mayContainLink(_ text: String) -> Bool {
        var previous: UInt8 = 0
        var ws = 0  // how many w's (either case) come just before the current byte
        var afterWWWDot = false
        for byte in text.utf8 {
            if afterWWWDot { return true }  // "www." and something after it
            let lower = byte | 0x20  // ASCII letters to lower case; nothing else lands in a...z
            if previous == 0x2E && lower >= 0x61 && lower <= 0x7A { return true }  // ".com"
            // ".ſhop": ſ (C5 BF) matches "s" caselessly; no other letter outside ASCII matches the first
            // letter of a top-level domain (the Kelvin sign matches "k", which starts none).
            if previous == 0x2E && byte == 0xC5 { return true }
            if previous == 0x2F && byte == 0x2F { return true }  // "//" of "://"
            if byte == 0x2E { afterWWWDot = ws >= 3 }
            ws = lower == 0x77 ? ws + 1 : 0
            previous = byte
        }
        return false
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
