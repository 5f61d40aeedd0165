import Foundation
import Moderation
import ModerationStore

/// Small builders for tests.
public enum Fixtures {
    /// A comment with sensible defaults.
    public static func comment(_ id: String = "c1", body: String = "A thoughtful comment about the harbour plans.",
                               author: String = "Reader", article: String = "news-1", rating: Int = 4,
                               email: String? = nil, ip: String? = nil) -> Comment {
        Comment(id: id, articleID: article, author: author, body: body, rating: rating, email: email, ip: ip)
    }

    /// The shipped rule packs.
    public static func shippedRuleSet() throws -> RuleSet {
        try RuleLoader().load(directories: [TestPaths.rulesDirectory])
    }

    /// A fresh database in a temporary folder (kept alive by the returned folder).
    public static func database() throws -> (ModerationDatabase, TemporaryDirectory) {
        let directory = TemporaryDirectory("store")
        let database = try ModerationDatabase(path: directory.path("moderato.sqlite"))
        return (database, directory)
    }
}

extension Fixtures {
    /// A few comments of every kind, for tests that need a corpus without the shared data.
    public static let sampleTexts: [String] = [
        "Good to see the harbour wall repaired at last.",
        "Check out my channel for music covers!",
        "Earn $500 a day working from home, contact me on WhatsApp",
        "The council meeting ran late; the vote on the bypass is next week.",
        "Best online casino, free spins, no deposit bonus",
        "Subscribe to my channel please, like and subscribe",
        "I can't believe the state of the A30 again.",
        "Buy cheap pills without a prescription http://pills.example.com",
        "Lovely photos of the lifeboat launch.",
        "Hot singles in your area! www.dating.example.net",
    ]
}
