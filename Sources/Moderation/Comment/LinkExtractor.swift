import PCRE2

/// A link found in comment text.
public struct Link: Sendable, Equatable {
    /// The link as written.
    public var url: String
    /// The host a browser would go to (see ``LinkHost``): lower case, Unicode form, without `www.`.
    public var host: String
    /// Where it stands in the text, in UTF-8 offsets.
    public var utf8Range: Range<Int>
}

/// Finds links in text: `http(s)://` URLs, `www.` addresses and bare domains such as `bit.ly/x`.
///
/// One pass over the text's bytes, so the time is linear in its length whatever it holds (a regular
/// expression for bare domains retried the same dotted run from every label, which made a comment of
/// `q.q.q.…` quadratic). A match starts at a word boundary, as `\b` would; a bare domain is the
/// longest run of dot-separated labels that ends in a known top-level domain, so "e.g." and "3.5" are
/// not links.
public enum LinkExtractor {
    /// Top-level domains that make a bare dotted name a link.
    static let topLevelDomains: Set<String> = [
        "com", "net", "org", "info", "biz", "io", "co", "uk", "us", "ru", "cn", "de", "fr", "eu", "me", "ly", "gl", "gd", "to",
        "tk", "ml", "ga", "cf", "gq", "xyz", "top", "club", "online", "site", "shop", "store", "live", "click", "link", "win",
        "bid", "loan", "vip", "pw", "cc", "ws", "tv", "in", "app", "dev", "page", "news", "blog",
    ]

    /// The most links reported for one text.
    static let maximumLinks = 200

    /// Every link in the text, left to right.
    public static func links(in text: String, scratch: MatchScratch? = nil) -> [Link] {
        // A cheap test first: most comments have nothing that could start a link.
        guard mayContainLink(text) else { return [] }
        var scanner = Scanner(text)
        return scanner.links()
    }

    /// Whether the text has what every link needs: "://", "www." or a dot followed by a letter (a
    /// top-level domain, whose first letter may be written in another form, such as ſ or a fullwidth
    /// letter). Full stops between sentences are followed by a space and do not count.
    static func mayContainLink(_ text: String) -> Bool {
        var previous: UInt8 = 0
        var ws = 0  // how many w's (either case) come just before the current byte
        var afterWWWDot = false
        for byte in text.utf8 {
            if afterWWWDot { return true }  // "www." and something after it
            let lower = byte | 0x20  // ASCII letters to lower case; nothing else lands in a...z
            if previous == 0x2E && lower >= 0x61 && lower <= 0x7A { return true }  // ".com"
            if previous == 0x2E && byte >= 0xC0 { return true }  // ".ſhop", ".ｃom": a letter outside ASCII
            if previous == 0x2F && byte == 0x2F { return true }  // "//" of "://"
            if byte == 0x2E { afterWWWDot = ws >= 3 }
            ws = lower == 0x77 ? ws + 1 : 0
            previous = byte
        }
        return false
    }

    /// The host of a URL or bare domain, as a browser would read it (see ``LinkHost``).
    public static func host(of url: String) -> String {
        LinkHost.of(url)
    }

    /// The single pass over a text's UTF-8 bytes.
    struct Scanner {
        let text: String
        let bytes: [UInt8]
        /// Where bare-domain runs already known to hold no top-level domain end: starts inside one are
        /// skipped, which keeps the pass linear.
        var noDomainBefore = 0

        init(_ text: String) {
            self.text = text
            self.bytes = Array(text.utf8)
        }

        mutating func links() -> [Link] {
            var found: [Link] = []
            var position = 0
            var previousIsWord = false
            while position < bytes.count, found.count < LinkExtractor.maximumLinks {
                let (scalar, width) = decode(at: position)
                let isWord = Self.isWordCharacter(scalar)
                if !previousIsWord, isWord, let end = match(at: position) {
                    found.append(link(position..<end))
                    position = end
                    // The character before the next start is the last one of the link.
                    previousIsWord = end > 0 && Self.isWordCharacter(scalarEnding(at: end))
                    continue
                }
                previousIsWord = isWord
                position += width
            }
            return found
        }

        /// The end of a link starting at a word boundary at `start`, if one does.
        mutating func match(at start: Int) -> Int? {
            if let afterScheme = scheme(at: start), afterScheme < bytes.count, !isURLStop(at: afterScheme) {
                return trimmed(urlEnd(from: afterScheme), start: start)
            }
            if hasPrefix("www.", at: start), start + 4 < bytes.count, !isURLStop(at: start + 4) {
                return trimmed(urlEnd(from: start + 4), start: start)
            }
            guard start >= noDomainBefore else { return nil }
            guard let domainEnd = bareDomain(at: start) else { return nil }
            var end = domainEnd
            if end < bytes.count, bytes[end] == 0x2F { end = urlEnd(from: end) }
            return trimmed(end, start: start)
        }

        /// After `http://` or `https://` (any case) at `start`.
        func scheme(at start: Int) -> Int? {
            if hasPrefix("http://", at: start) { return start + 7 }
            if hasPrefix("https://", at: start) { return start + 8 }
            return nil
        }

        func hasPrefix(_ prefix: StaticString, at start: Int) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard start + count <= bytes.count else { return false }
            let expected = prefix.utf8Start
            for offset in 0..<count {
                let byte = bytes[start + offset]
                let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if lower != expected[offset] { return false }
            }
            return true
        }

        /// Where a URL's characters end: at white space, `<`, `>`, quotes, `)` or `]`.
        func urlEnd(from start: Int) -> Int {
            var position = start
            while position < bytes.count, !isURLStop(at: position) {
                position += bytes[position] < 0x80 ? 1 : decode(at: position).width
            }
            return position
        }

        func isURLStop(at position: Int) -> Bool {
            let byte = bytes[position]
            if byte < 0x80 {
                switch byte {
                case 0x3C, 0x3E, 0x22, 0x27, 0x29, 0x5D: return true
                default: return byte <= 0x20 || byte == 0x7F
                }
            }
            return decode(at: position).scalar.properties.isWhitespace
        }

        /// A URL loses the punctuation that ends its sentence: `see bit.ly/x.` links `bit.ly/x`.
        func trimmed(_ end: Int, start: Int) -> Int {
            var end = end
            while end > start, [0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F].contains(bytes[end - 1]) { end -= 1 }
            return end
        }

        /// A bare domain at `start`: the longest run of labels `label(.label)*` that ends in a known
        /// top-level domain, with at least two labels. A run without one is remembered, so no later start
        /// inside it scans it again.
        mutating func bareDomain(at start: Int) -> Int? {
            var position = start
            var lastDomainEnd: Int?
            var labels = 0
            while true {
                let labelStart = position
                while position < bytes.count, let width = labelCharacterWidth(at: position, isFirst: position == labelStart && labels == 0) {
                    position += width
                }
                guard position > labelStart else { break }
                labels += 1
                if labels >= 2, isTopLevelDomain(labelStart..<position), !continuesWord(at: position) {
                    lastDomainEnd = position
                }
                guard position + 1 < bytes.count, bytes[position] == 0x2E,
                      labelCharacterWidth(at: position + 1, isFirst: false) != nil else { break }
                position += 1
            }
            if lastDomainEnd == nil { noDomainBefore = max(noDomainBefore, position) }
            return lastDomainEnd
        }

        /// The width of a label character at `position` (ASCII letters, digits and `-`, which may not
        /// start a domain, and letters of any script), or nil.
        func labelCharacterWidth(at position: Int, isFirst: Bool) -> Int? {
            let byte = bytes[position]
            if byte < 0x80 {
                let lower = byte | 0x20
                if (lower >= 0x61 && lower <= 0x7A) || (byte >= 0x30 && byte <= 0x39) { return 1 }
                return byte == 0x2D && !isFirst ? 1 : nil
            }
            let (scalar, width) = decode(at: position)
            return scalar.properties.isAlphabetic ? width : nil
        }

        /// Whether a word character follows, so the label before it is not a whole word (`\b` fails).
        func continuesWord(at position: Int) -> Bool {
            guard position < bytes.count else { return false }
            return Self.isWordCharacter(decode(at: position).scalar)
        }

        func isTopLevelDomain(_ range: Range<Int>) -> Bool {
            guard range.count <= 24 else { return false }
            let label = String(decoding: bytes[range], as: UTF8.self)
            if LinkExtractor.topLevelDomains.contains(label.lowercased()) { return true }
            // Written in another form that browsers fold: "ſhop", "ｃｏｍ".
            return !label.utf8.allSatisfy({ $0 < 0x80 }) && LinkExtractor.topLevelDomains.contains(LinkHost.mappedForIDNA(label))
        }

        func link(_ range: Range<Int>) -> Link {
            let url = String(decoding: bytes[range], as: UTF8.self)
            return Link(url: url, host: LinkHost.of(url), utf8Range: range)
        }

        /// The scalar at a byte offset (always the start of one) and its width in bytes.
        func decode(at position: Int) -> (scalar: Unicode.Scalar, width: Int) {
            let byte = bytes[position]
            if byte < 0x80 { return (Unicode.Scalar(byte), 1) }
            let width = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            var value = UInt32(byte) & (width == 4 ? 0x07 : width == 3 ? 0x0F : 0x1F)
            for offset in 1..<width where position + offset < bytes.count {
                value = value << 6 | UInt32(bytes[position + offset] & 0x3F)
            }
            return (Unicode.Scalar(value) ?? "\u{FFFD}", width)
        }

        /// The scalar that ends just before byte offset `end`.
        func scalarEnding(at end: Int) -> Unicode.Scalar {
            var start = end - 1
            while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            return decode(at: start).scalar
        }

        /// A character of a word, as `\b` sees it in Unicode mode: a letter, a digit or `_`.
        static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.isASCII {
                let value = scalar.value
                return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A) || value == 0x5F
            }
            let properties = scalar.properties
            return properties.isAlphabetic || properties.numericType == .decimal
                || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
        }
    }
}
