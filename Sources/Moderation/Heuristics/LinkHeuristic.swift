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
        if domains.contains(host) { return true }
        var rest = Substring(host)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            if domains.contains(String(rest)) { return true }
        }
        return false
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
    static func anchors(in body: String) -> [(href: String, text: String)] {
        // Most comments have neither "<a" nor "](": look at the bytes before asking Foundation.
        var hasTag = false
        var hasMarkdown = false
        var previous: UInt8 = 0
        for byte in body.utf8 {
            if previous == 0x3C && (byte == 0x61 || byte == 0x41) { hasTag = true }
            if previous == 0x5D && byte == 0x28 { hasMarkdown = true }
            previous = byte
        }
        guard hasTag || hasMarkdown else { return [] }
        var found: [(String, String)] = []
        var rest = body[...]
        while let open = rest.range(of: "<a ", options: .caseInsensitive) {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ">"), let end = rest.range(of: "</a>", options: .caseInsensitive),
                  close < end.lowerBound else { continue }
            let attributes = rest[..<close]
            if let href = attributes.range(of: "href=", options: .caseInsensitive) {
                var value = attributes[href.upperBound...].drop { $0 == " " }
                let quote = value.first.flatMap { $0 == "\"" || $0 == "'" ? $0 : nil }
                if let quote { value = value.dropFirst() }
                let target = value.prefix { character in quote.map { character != $0 } ?? !character.isWhitespace }
                found.append((String(target), String(rest[rest.index(after: close)..<end.lowerBound])))
            }
            rest = rest[end.upperBound...]
        }
        rest = body[...]
        while let middle = rest.range(of: "](") {
            guard let textStart = rest[..<middle.lowerBound].lastIndex(of: "["),
                  let close = rest[middle.upperBound...].firstIndex(of: ")") else { break }
            let href = rest[middle.upperBound..<close]
            if href.hasPrefix("http") { found.append((String(href), String(rest[rest.index(after: textStart)..<middle.lowerBound]))) }
            rest = rest[close...]
        }
        return found
    }
}
