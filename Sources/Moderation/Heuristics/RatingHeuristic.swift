/// Uses the star rating that comes with every comment: a rating with nothing to say, a rating that
/// contradicts the text, and bursts of extreme ratings on one article (rating bombing).
public struct RatingHeuristic: Heuristic {
    /// Settings for ratings.
    public struct Configuration: Sendable, Equatable {
        /// Score for a rating with an empty or one-word body. The default is 0.5.
        public var emptyBodyScore: Double = 0.5
        /// Score for a rating that contradicts the text. The default is 1.5.
        public var contradictionScore: Double = 1.5
        /// The window for rating bursts, in seconds. The default is 1 hour.
        public var burstWindow: Double = 3_600
        /// Extreme ratings (same value) on one article within the window that make a burst. The default is 10.
        public var burstMinimum: Int = 10
        /// The share of the burst from first-time authors that marks it as bombing. The default is 0.6.
        public var newAuthorShare: Double = 0.6
        /// How many of the burst from this comment's network mark it as bombing. The default is 5.
        public var sameNetworkMinimum: Int = 5
        /// Score for taking part in rating bombing. The default is 5 (held).
        public var bombingScore: Double = 5
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    static let negative: Set<Substring> = ["terrible", "awful", "worst", "disgusting", "appalling", "shameful", "disgrace",
                                           "disgraceful", "useless", "rubbish", "pathetic", "horrible", "hate", "hated", "dreadful",
                                           "abysmal", "atrocious", "scandalous", "shocking", "incompetent", "joke", "garbage"]
    static let positive: Set<Substring> = ["excellent", "brilliant", "great", "fantastic", "wonderful", "superb", "love", "loved",
                                           "amazing", "best", "perfect", "outstanding", "lovely", "marvellous", "delighted",
                                           "thank", "thanks", "congratulations", "fabulous", "informative"]
    static let negations: Set<Substring> = ["not", "never", "no", "isn't", "wasn't", "hardly", "nothing", "don't", "didn't"]

    public func evaluate(_ analysis: CommentAnalysis) -> [Signal] {
        var signals: [Signal] = []
        let rating = analysis.comment.rating
        let words = analysis.words
        if words.count <= 1 {
            let what = words.isEmpty ? "no text" : "one word"
            signals.append(Signal(source: .heuristic, name: "ratings.empty_body", score: configuration.emptyBodyScore,
                                  explanation: "A \(rating)-star rating with \(what)"))
        } else if rating == 5 || rating == 1 {
            let lexicon = rating == 5 ? Self.negative : Self.positive
            var found: Substring?
            // Every lexicon word has 4 to 15 letters: checking the length first spares most hashing.
            func listed(_ word: Substring, in lexicon: Set<Substring>) -> Bool {
                let length = word.utf8.count
                return length >= 4 && length <= 15 && lexicon.contains(word)
            }
            for (index, word) in words.enumerated() where listed(word, in: lexicon) {
                let before = words[max(0, index - 3)..<index]
                if before.contains(where: { Self.negations.contains($0) }) { continue }
                found = word
                break
            }
            let opposite = rating == 5 ? Self.positive : Self.negative
            let hasOpposite = words.contains { listed($0, in: opposite) }
            if let found, !hasOpposite {
                let mood = rating == 5 ? "strongly negative" : "full of praise"
                signals.append(Signal(source: .heuristic, name: "ratings.contradiction", score: configuration.contradictionScore,
                                      explanation: "\(rating) star\(rating == 1 ? "" : "s") but the text is \(mood) (“\(found)”): a mistaken or mischievous rating"))
            }
        }
        let burst = analysis.context.ratings
        if (rating == 1 || rating == 5), burst.sameExtremeRating >= configuration.burstMinimum {
            let newShare = Double(burst.fromNewAuthors) / Double(burst.sameExtremeRating)
            if newShare >= configuration.newAuthorShare || burst.fromSameNetwork >= configuration.sameNetworkMinimum {
                let minutes = Int(configuration.burstWindow / 60)
                let why = burst.fromSameNetwork >= configuration.sameNetworkMinimum
                    ? "\(burst.fromSameNetwork) from this network" : "\(Int((newShare * 100).rounded()))% from first-time commenters"
                signals.append(Signal(source: .heuristic, name: "ratings.bombing", score: configuration.bombingScore,
                                      explanation: "Part of a burst of \(burst.sameExtremeRating) \(rating)-star ratings on this article in \(minutes) minutes, \(why): rating bombing"))
            }
        }
        return signals
    }
}
