/// The same or nearly the same text seen recently: from other authors it is a campaign, from the same
/// author it is repetition.
public struct DuplicateHeuristic: Heuristic {
    /// Settings for duplicates.
    public struct Configuration: Sendable, Equatable {
        /// How far back to look, in seconds. The default is 24 hours.
        public var window: Double = 86_400
        /// Score for the first other author posting the same text. The default is 4.
        public var campaignScore: Double = 4
        /// Added per further author, up to `maximumScore`. The default is 1.
        public var scorePerExtraAuthor: Double = 1
        /// The default is 8.
        public var maximumScore: Double = 8
        /// Score when the same author posted the text before. The default is 2.
        public var repeatScore: Double = 2
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let duplicates = analysis.context.duplicates
        var signals: [Signal] = []
        let hours = Int(configuration.window / 3600)
        if duplicates.otherAuthors > 0 {
            let score = min(configuration.maximumScore,
                            configuration.campaignScore + Double(duplicates.otherAuthors - 1) * configuration.scorePerExtraAuthor)
            signals.append(Signal(source: .heuristic, name: "duplicates.campaign", score: score,
                                  explanation: "The same or nearly the same text was posted by \(duplicates.otherAuthors) other author\(duplicates.otherAuthors == 1 ? "" : "s") in the last \(hours) h: a campaign"))
        }
        if duplicates.sameAuthor > 0 {
            let where_ = duplicates.otherArticles > 0 ? ", on \(duplicates.otherArticles) other article\(duplicates.otherArticles == 1 ? "" : "s")" : ""
            signals.append(Signal(source: .heuristic, name: "duplicates.repeated", score: configuration.repeatScore,
                                  explanation: "This author posted the same text \(duplicates.sameAuthor) time\(duplicates.sameAuthor == 1 ? "" : "s") before in the last \(hours) h\(where_)"))
        }
        return signals
    }
}

/// Too many comments from one source in a short time.
public struct FloodHeuristic: Heuristic {
    /// Settings for floods: comments allowed per source within the window, this comment included.
    public struct Configuration: Sendable, Equatable {
        /// The window, in seconds. The default is 10 minutes.
        public var window: Double = 600
        /// The default is 5.
        public var perIP: Int = 5
        /// Per /24 (IPv4) or /48 (IPv6) network. The default is 15.
        public var perNetwork: Int = 15
        /// The default is 5.
        public var perAuthor: Int = 5
        /// The default is 5.
        public var perEmail: Int = 5
        /// Score for the first source over its limit. The default is 3.
        public var score: Double = 3
        /// Added per further comment over a limit, up to `maximumScore`. The default is 0.5.
        public var scorePerExtra: Double = 0.5
        /// The default is 8.
        public var maximumScore: Double = 8
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let flood = analysis.context.flood
        let minutes = Int(configuration.window / 60)
        let checks: [(count: Int, limit: Int, what: String)] = [
            (flood.sameIP, configuration.perIP, "this IP address"),
            (flood.sameNetwork, configuration.perNetwork, "this network"),
            (flood.sameAuthor, configuration.perAuthor, "this author"),
            (flood.sameEmail, configuration.perEmail, "this email address"),
        ]
        let over = checks.filter { $0.count > $0.limit }
        guard let worst = over.max(by: { $0.count - $0.limit < $1.count - $1.limit }) else { return [] }
        let score = min(configuration.maximumScore, configuration.score + Double(worst.count - worst.limit - 1) * configuration.scorePerExtra)
        let detail = over.map { "\($0.count) from \($0.what) (limit \($0.limit))" }.joined(separator: ", ")
        return [Signal(source: .heuristic, name: "flood.rate", score: score,
                       explanation: "Too many comments in the last \(minutes) minutes: \(detail)")]
    }
}

/// What the author did before: earlier approvals earn trust, earlier rejections cost it, and a site can
/// hold every newcomer's first comment.
public struct AuthorHistoryHeuristic: Heuristic {
    /// Settings for author history.
    public struct Configuration: Sendable, Equatable {
        /// Hold the first comment of an author never seen before. The default is false.
        public var holdFirstComments: Bool = false
        /// Approved comments, with no rejection, that make an author trusted. The default is 3.
        public var trustedAfter: Int = 3
        /// Score for a trusted author (negative: it counts in their favour). The default is -2.
        public var trustedScore: Double = -2
        /// Score per earlier rejected comment, up to `maximumScore`. The default is 2.
        public var scorePerRejection: Double = 2
        /// The default is 6.
        public var maximumScore: Double = 6
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        let author = analysis.context.author
        if author.total == 0 {
            guard configuration.holdFirstComments else { return [] }
            return [Signal(source: .heuristic, name: "history.new_author", score: 0, action: .hold,
                           explanation: "First comment by \(analysis.comment.author); this site checks newcomers' first comments")]
        }
        if author.rejected > 0 {
            let score = min(configuration.maximumScore, Double(author.rejected) * configuration.scorePerRejection)
            return [Signal(source: .heuristic, name: "history.rejected_before", score: score,
                           explanation: "\(author.rejected) of this author's \(author.total) earlier comments \(author.rejected == 1 ? "was" : "were") rejected")]
        }
        if author.approved >= configuration.trustedAfter {
            return [Signal(source: .heuristic, name: "history.trusted", score: configuration.trustedScore,
                           explanation: "A regular: \(author.approved) earlier comments approved and none rejected")]
        }
        return []
    }
}
