import Foundation
import PCRE2

/// What the store knows about a comment's surroundings, gathered before it is judged: how busy its
/// sender has been, what its author did before, whether the same text was seen elsewhere, and how the
/// article's ratings are moving.
///
/// The pipeline reads only this value, never the database, so heuristics are tested with a fixed
/// clock and made-up history.
public struct CommentContext: Sendable, Equatable {
    /// Comments in the flood window (including this one) from the same source.
    public struct Flood: Sendable, Equatable {
        public var sameIP = 0
        public var sameNetwork = 0
        public var sameAuthor = 0
        public var sameEmail = 0
        public init() {}
    }

    /// The author's earlier comments and how they were judged in the end.
    public struct AuthorHistory: Sendable, Equatable {
        public var approved = 0
        public var rejected = 0
        public var held = 0
        /// All earlier comments, whatever their state.
        public var total = 0
        public init() {}
    }

    /// Earlier comments with the same or nearly the same text within the duplicate window.
    public struct Duplicates: Sendable, Equatable {
        /// By other authors (a campaign).
        public var otherAuthors = 0
        /// On other articles.
        public var otherArticles = 0
        /// By the same author.
        public var sameAuthor = 0
        public init() {}
    }

    /// Extreme ratings on the same article within the rating window.
    public struct RatingBurst: Sendable, Equatable {
        /// Comments on the article in the window with the same extreme rating as this one (1 or 5).
        public var sameExtremeRating = 0
        /// Of those, how many came from authors commenting for the first time.
        public var fromNewAuthors = 0
        /// Of those, how many came from this comment's network.
        public var fromSameNetwork = 0
        public init() {}
    }

    /// A block or allow-list entry that matched the comment.
    public struct ListMatch: Sendable, Equatable {
        public var kind: String
        public var value: String
        public var reason: String?
        public init(kind: String, value: String, reason: String? = nil) {
            self.kind = kind
            self.value = value
            self.reason = reason
        }
    }

    /// Block-list entries the comment matches (its IP, network, email, author or a linked domain).
    public var blocks: [ListMatch] = []
    /// Allow-list entries the comment matches (its author, email or a linked domain).
    public var allows: [ListMatch] = []
    /// How the article takes comments.
    public var articleMode: ArticleMode = .open

    public var flood = Flood()
    public var author = AuthorHistory()
    public var duplicates = Duplicates()
    public var ratings = RatingBurst()
    /// Whether the author has commented before.
    public var isNewAuthor: Bool { author.total == 0 }

    public init() {}

    /// No history at all: every author new, nothing seen before.
    public static let none = CommentContext()
}

/// How an article takes comments.
public enum ArticleMode: String, Sendable, Codable, CaseIterable {
    /// Comments are judged as usual.
    case open
    /// Every comment waits for a moderator (a live court case, a sensitive story).
    case premoderate
    /// New comments are refused.
    case closed
}

/// The comment whose surroundings are wanted, with what the store computed when it arrived.
public struct HistoryQuery: Sendable {
    public var comment: Comment
    public var receivedAt: Date
    /// The order of arrival; earlier comments have smaller sequence numbers.
    public var sequence: Int64
    public var fingerprint: TextFingerprint?
    public var network: String?
    /// The hosts the comment's links go to, for the site's domain lists (sorted, each once).
    public var linkHosts: [String]

    /// - Parameter links: The comment's links when already found (the pipeline's analysis finds them
    ///   once for both); nil finds them here.
    public init(comment: Comment, receivedAt: Date, sequence: Int64, fingerprint: TextFingerprint?, network: String?,
                links: [Link]? = nil, scratch: MatchScratch? = nil) {
        self.comment = comment
        self.receivedAt = receivedAt
        self.sequence = sequence
        self.fingerprint = fingerprint
        self.network = network
        linkHosts = Array(Set((links ?? LinkExtractor.links(in: comment.body, scratch: scratch)).map(\.host))).sorted()
    }
}

/// How far back each kind of history looks, in seconds.
public struct HistoryWindows: Sendable, Equatable {
    public var flood: Double
    public var duplicates: Double
    public var ratings: Double

    public init(_ configuration: HeuristicsConfiguration) {
        flood = configuration.flood.window
        duplicates = configuration.duplicates.window
        ratings = configuration.ratings.burstWindow
    }

    /// The longest of the windows.
    public var longest: Double { max(flood, duplicates, ratings) }
}

/// Where the pipeline's view of the past comes from. The store implements it with indexed window
/// queries; tests implement it with a fixed clock.
public protocol CommentHistoryProvider: Sendable {
    /// The context of a comment, looking back over the given windows from when it arrived.
    func context(for query: HistoryQuery, windows: HistoryWindows) async throws -> CommentContext
    /// The contexts of several comments (a provider may read them together).
    func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext]
}

extension CommentHistoryProvider {
    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        var contexts: [CommentContext] = []
        for query in queries { contexts.append(try await context(for: query, windows: windows)) }
        return contexts
    }
}
