/// Counts the links in a comment. Reader comments rarely need more than one; spam needs them.
public struct LinkHeuristic: Heuristic {
    /// Settings for the link count.
    public struct Configuration: Sendable, Equatable {
        /// Links allowed before the count scores. The default is 1.
        public var freeLinks: Int = 1
        /// Score per link beyond the free ones. The default is 2.5.
        public var scorePerLink: Double = 2.5
        /// The highest score the count can add. The default is 10.
        public var maximumScore: Double = 10
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let links = analysis.links
        guard links.count > configuration.freeLinks else { return [] }
        let extra = links.count - configuration.freeLinks
        let score = min(configuration.maximumScore, Double(extra) * configuration.scorePerLink)
        let hosts = Array(Set(links.map(\.host))).sorted().prefix(3).joined(separator: ", ")
        let first = links[configuration.freeLinks]
        let span = Span(field: .body, utf8Start: first.utf8Range.lowerBound, utf8End: first.utf8Range.upperBound, text: first.url)
        return [Signal(source: .heuristic, name: "links.count", score: score,
                       explanation: "Contains \(links.count) links (to \(hosts)); reader comments rarely need more than \(configuration.freeLinks)",
                       span: span)]
    }
}
