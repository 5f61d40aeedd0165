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
