import Foundation

extension Digest {
    /// How many of the period's comments have one verdict.
    public struct VerdictCount: Sendable, Codable, Equatable {
        /// `approved`, `held`, `rejected` or `queued`.
        public var verdict: String
        /// Comments with the verdict.
        public var count: Int

        /// A verdict and its comments.
        public init(verdict: String, count: Int) {
            self.verdict = verdict
            self.count = count
        }
    }

    /// The decisions made by the pipeline or by one moderator.
    public struct DeciderCount: Sendable, Codable, Equatable {
        /// `pipeline`, or a moderator's name.
        public var decider: String
        /// Comments it approved.
        public var approved: Int
        /// Comments it held for a moderator.
        public var held: Int
        /// Comments it rejected.
        public var rejected: Int

        /// A decider and its decisions.
        public init(decider: String, approved: Int, held: Int, rejected: Int) {
            self.decider = decider
            self.approved = approved
            self.held = held
            self.rejected = rejected
        }

        /// All the decisions made.
        public var total: Int { approved + held + rejected }
    }

    /// The comments received in one hour and their current verdicts.
    public struct HourBucket: Sendable, Codable, Equatable {
        /// The start of the hour.
        public var hour: Date
        /// Comments received in the hour.
        public var received: Int
        /// Of those, comments approved now.
        public var approved: Int
        /// Of those, comments held now.
        public var held: Int
        /// Of those, comments rejected now.
        public var rejected: Int

        /// An hour and its comments.
        public init(hour: Date, received: Int, approved: Int, held: Int, rejected: Int) {
            self.hour = hour
            self.received = received
            self.approved = approved
            self.held = held
            self.rejected = rejected
        }
    }

    /// The comments on one article.
    public struct ArticleVolume: Sendable, Codable, Equatable {
        /// The website's id for the article.
        public var articleID: String
        /// Comments received on the article in the period.
        public var comments: Int
        /// Of those, comments held now.
        public var held: Int
        /// Of those, comments rejected now.
        public var rejected: Int
        /// The mean rating, or `nil` without ratings.
        public var averageRating: Double?
        /// Comments per rating, for 1 to 5 stars (five counts).
        public var ratingCounts: [Int]

        /// An article's volume; the average rating defaults to the mean of `ratingCounts`.
        public init(articleID: String, comments: Int, held: Int, rejected: Int, averageRating: Double? = nil,
                    ratingCounts: [Int]) {
            self.articleID = articleID
            self.comments = comments
            self.held = held
            self.rejected = rejected
            self.ratingCounts = ratingCounts
            self.averageRating = averageRating ?? Self.mean(of: ratingCounts)
        }

        /// The mean rating of a distribution of 1 to 5 stars, or `nil` when it is empty.
        static func mean(of counts: [Int]) -> Double? {
            let total = counts.reduce(0, +)
            guard total > 0 else { return nil }
            let sum = counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
            return Double(sum) / Double(total)
        }

        enum CodingKeys: String, CodingKey {
            case comments, held, rejected
            case articleID = "article_id"
            case averageRating = "average_rating"
            case ratingCounts = "rating_counts"
        }

        /// Writes the article's volume, with `average_rating` as `null` rather than absent.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(articleID, forKey: .articleID)
            try c.encode(comments, forKey: .comments)
            try c.encode(held, forKey: .held)
            try c.encode(rejected, forKey: .rejected)
            try c.encode(averageRating, forKey: .averageRating)  // null, not absent
            try c.encode(ratingCounts, forKey: .ratingCounts)
        }
    }

    /// A burst of extreme ratings on one article, which may be an organised campaign.
    public struct RatingAlert: Sendable, Codable, Equatable {
        /// The website's id for the article.
        public var articleID: String
        /// When the burst happened, as a reader says it: `last 6 hours`, `02:00–05:00`.
        public var window: String
        /// One- and five-star ratings in the window.
        public var extremeRatings: Int
        /// The share of those ratings from authors never seen before, from 0 to 1.
        public var shareFromNewAuthors: Double
        /// What was detected, in one sentence.
        public var message: String

        /// An alert about an article's ratings.
        public init(articleID: String, window: String, extremeRatings: Int, shareFromNewAuthors: Double,
                    message: String) {
            self.articleID = articleID
            self.window = window
            self.extremeRatings = extremeRatings
            self.shareFromNewAuthors = shareFromNewAuthors
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case window, message
            case articleID = "article_id"
            case extremeRatings = "extreme_ratings"
            case shareFromNewAuthors = "share_from_new_authors"
        }
    }
}
