import Foundation

/// Looks at the links in a comment: how many, how dense, whether there is anything but links, whether
/// a link's visible text names a different site than it goes to, and the site's own block and allow lists.
public struct LinkHeuristic: Heuristic {
    /// Settings for links.
    public struct Configuration: Sendable, Equatable {
        /// Links allowed before the count scores. The default is 1.
        public var freeLinks: Int = 1
        /// Score per link beyond the free ones. The default is 2.5.
        public var scorePerLink: Double = 2.5
        /// The highest score the count can add. The default is 10.
        public var maximumScore: Double = 10
        /// Score for a comment that is little more than a link. The default is 3.
        public var linkOnlyScore: Double = 3
        /// Score for link text that names another site than the link goes to. The default is 5.
        public var mismatchScore: Double = 5
        /// Domains whose links reject a comment (a site's own list; `modctl block add domain` adds more).
        public var blockedDomains: Set<String> = []
        /// Domains whose links never count against a comment (the site itself, gov.uk, ...).
        public var allowedDomains: Set<String> = ["gov.uk", "parliament.uk", "nhs.uk", "bbc.co.uk", "wikipedia.org"]
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    func matches(_ host: String, _ domains: Set<String>) -> Bool {
        LinkHost.domains(covering: host).contains { domains.contains($0) }
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let allLinks = analysis.links
        guard !allLinks.isEmpty else { return [] }
        var signals: [Signal] = []
        func span(_ link: Link) -> Span {
            Span(field: .body, utf8Start: link.utf8Range.lowerBound, utf8End: link.utf8Range.upperBound, text: link.url)
        }
        if let blocked = allLinks.first(where: { matches($0.host, configuration.blockedDomains) }) {
            signals.append(Signal(source: .heuristic, name: "links.blocked_domain", score: 0, action: .reject,
                                  explanation: "Links to \(blocked.host), a blocked domain", span: span(blocked)))
        }
        let links = allLinks.filter { !matches($0.host, configuration.allowedDomains) }
        guard !links.isEmpty else { return signals }
        if links.count > configuration.freeLinks {
            let extra = links.count - configuration.freeLinks
            let score = min(configuration.maximumScore, Double(extra) * configuration.scorePerLink)
            let hosts = Array(Set(links.map(\.host))).sorted().prefix(3).joined(separator: ", ")
            signals.append(Signal(source: .heuristic, name: "links.count", score: score,
                                  explanation: "Contains \(links.count) links (to \(hosts)); reader comments rarely need more than \(configuration.freeLinks)",
                                  span: span(links[configuration.freeLinks])))
        }
        // What is left when the links are taken out: a comment that is nothing but a link is an advert.
        let body = analysis.comment.body
        var remaining = body.utf8.count
        for link in allLinks { remaining -= link.utf8Range.count }
        let words = analysis.words.filter { $0.utf8.count >= 2 }.count
        if remaining < 25 || words <= links.count * 2 + 2 {
            signals.append(Signal(source: .heuristic, name: "links.link_only", score: configuration.linkOnlyScore,
                                  explanation: "Little more than a link: \(words) words around \(links.count) link\(links.count == 1 ? "" : "s")",
                                  span: span(links[0])))
        }
        if let mismatch = Self.mismatchedAnchor(in: body) {
            signals.append(Signal(source: .heuristic, name: "links.mismatched_text", score: configuration.mismatchScore,
                                  explanation: "A link shows “\(mismatch.shown)” but goes to \(mismatch.target): a common phishing trick"))
        }
        return signals
    }

    /// An HTML or Markdown link whose visible text is a different domain than its target.
    static func mismatchedAnchor(in body: String) -> (shown: String, target: String)? {
        for (href, text) in anchors(in: body) {
            let shown = LinkExtractor.links(in: text).first?.host
            let target = LinkExtractor.host(of: href)
            if let shown, !shown.isEmpty, !target.isEmpty, shown != target, !target.hasSuffix("." + shown), !shown.hasSuffix("." + target) {
                return (shown, target)
            }
        }
        return nil
    }

    /// The (target, visible text) of `<a href="...">text</a>` and `[text](url)` links.
    ///
    /// One forward pass for each kind: every search starts where the last one stopped, so a comment
    /// of unclosed `<a ` tags costs a pass, not a pass per tag.
    static func anchors(in body: String) -> [(href: String, text: String)] {
        let bytes = Array(body.utf8)
        // Most comments have neither "<a" nor "](": look at the bytes before anything else.
        var hasTag = false
        var hasMarkdown = false
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == 0x3C && (byte == 0x61 || byte == 0x41) { hasTag = true }
            if previous == 0x5D && byte == 0x28 { hasMarkdown = true }
            previous = byte
        }
        guard hasTag || hasMarkdown else { return [] }
        var found: [(String, String)] = []
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        if hasTag {
            var nextClose = ForwardSearch(bytes, for: [0x3E])                      // ">"
            var nextEnd = ForwardSearch(bytes, for: Array("</a>".utf8), caseless: true)
            var nextOpen = ForwardSearch(bytes, for: Array("<a ".utf8), caseless: true)
            var position = 0
            while let open = nextOpen.first(from: position) {
                let afterOpen = open + 3
                guard let close = nextClose.first(from: afterOpen), let end = nextEnd.first(from: afterOpen) else { break }
                guard close < end else {
                    position = afterOpen
                    continue
                }
                if let target = Self.hrefValue(in: bytes[afterOpen..<close]) {
                    found.append((text(target), text((close + 1)..<end)))
                }
                position = end + 4
            }
        }
        if hasMarkdown {
            var nextMiddle = ForwardSearch(bytes, for: [0x5D, 0x28])  // "]("
            var nextParenthesis = ForwardSearch(bytes, for: [0x29])   // ")"
            var position = 0
            while let middle = nextMiddle.first(from: position) {
                // The "[" that opens the text, after where the previous link ended.
                guard let textStart = bytes[position..<middle].lastIndex(of: 0x5B),
                      let close = nextParenthesis.first(from: middle + 2) else { break }
                let href = (middle + 2)..<close
                if bytes[href].starts(with: Array("http".utf8)) { found.append((text(href), text((textStart + 1)..<middle))) }
                position = close
            }
        }
        return found
    }

    /// The value of an `href=` attribute among a tag's attributes, quoted or not.
    static func hrefValue(in attributes: ArraySlice<UInt8>) -> Range<Int>? {
        var search = ForwardSearch(Array(attributes), for: Array("href=".utf8), caseless: true)
        guard let found = search.first(from: 0) else { return nil }
        var start = attributes.startIndex + found + 5
        while start < attributes.endIndex, attributes[start] == 0x20 { start += 1 }
        var quote: UInt8?
        if start < attributes.endIndex, attributes[start] == 0x22 || attributes[start] == 0x27 {
            quote = attributes[start]
            start += 1
        }
        var end = start
        while end < attributes.endIndex {
            let byte = attributes[end]
            if let quote { if byte == quote { break } } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { break }
            end += 1
        }
        return start..<end
    }
}

/// Finds a byte sequence in a text, moving only forward: each search starts at or after the last,
/// and a match found earlier is reused while it is still ahead, so many searches cost one pass.
struct ForwardSearch {
    let bytes: [UInt8]
    let needle: [UInt8]
    let caseless: Bool
    /// The last match found, or `bytes.count` when there is none from `searchedFrom` on.
    private var found: Int?
    private var searchedFrom = 0

    init(_ bytes: [UInt8], for needle: [UInt8], caseless: Bool = false) {
        self.bytes = bytes
        self.needle = needle
        self.caseless = caseless
    }

    /// The first match at or after `position`.
    mutating func first(from position: Int) -> Int? {
        if let found, position >= searchedFrom, position <= found {
            return found < bytes.count ? found : nil
        }
        var index = position
        let last = bytes.count - needle.count
        while index <= last {
            if matches(at: index) { break }
            index += 1
        }
        searchedFrom = position
        found = index <= last ? index : bytes.count
        return found! < bytes.count ? found : nil
    }

    private func matches(at index: Int) -> Bool {
        for offset in 0..<needle.count {
            var byte = bytes[index + offset]
            if caseless, byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != needle[offset] { return false }
        }
        return true
    }
}
