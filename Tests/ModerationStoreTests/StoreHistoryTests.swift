import Foundation
import GRDB
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import PCRE2
import Testing

/// The store's history provider on a seeded database with a fixed clock: every comment is accepted at
/// a chosen time, and contexts are read for the queued comments' own history queries.
@Suite struct StoreHistoryTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)  // 2026-11-29 07:30 UTC
    let windows = HistoryWindows(HeuristicsConfiguration())

    func at(_ seconds: Double) -> Date { now.addingTimeInterval(seconds) }

    func judgement(_ verdict: Verdict) -> Judgement {
        Judgement(verdict: verdict, score: verdict == .held ? 5 : 0, signals: [], reason: "test", rulesetVersion: "t")
    }

    /// Accepts comments one by one, each at its own time.
    func seed(_ database: ModerationDatabase, _ comments: [(Moderation.Comment, Date)]) async throws {
        for (comment, date) in comments {
            #expect(try await database.accept([comment], at: date) == [.accepted])
        }
    }

    /// Records a verdict for queued comments by id.
    func record(_ database: ModerationDatabase, _ verdicts: [String: Verdict], at date: Date) async throws {
        let queued = try await database.queuedComments(limit: 1_000)
        let batch = queued.compactMap { item in verdicts[item.comment.id].map { (key: item.key, judgement: judgement($0)) } }
        #expect(batch.count == verdicts.count)
        #expect(try await database.record(batch, at: date) == verdicts.count)
    }

    /// The context of a queued comment, read through its own history query.
    func context(_ database: ModerationDatabase, of id: String) async throws -> CommentContext {
        let queued = try await database.queuedComments(limit: 1_000)
        let item = try #require(queued.first { $0.comment.id == id }, "\(id) is not queued")
        return try await StoreHistory(database: database).context(for: item.historyQuery, windows: windows)
    }

    func analysis(_ database: ModerationDatabase, of id: String) async throws -> CommentAnalysis {
        let queued = try await database.queuedComments(limit: 1_000)
        let item = try #require(queued.first { $0.comment.id == id })
        let context = try await StoreHistory(database: database).context(for: item.historyQuery, windows: windows)
        return CommentAnalysis(comment: item.comment, context: context, scratch: MatchScratch())
    }

    // MARK: Flood

    @Test func floodCountsOnlyTheWindowUpToThisComment() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        func flood(_ id: String, author: String = "Spammer", ip: String = "203.0.113.7") -> Moderation.Comment {
            Fixtures.comment(id, body: "Comment \(id) about something", author: author, email: author == "Spammer" ? "spam@example.com" : nil, ip: ip)
        }
        var seeded: [(Moderation.Comment, Date)] = [(flood("old"), at(-1_200))]  // 20 minutes earlier: outside the window
        for index in 1...6 { seeded.append((flood("f\(index)"), at(Double(index - 6) * 90))) }  // 7.5 minutes to now
        seeded.append((flood("neighbour", author: "Other", ip: "203.0.113.99"), at(-60)))  // same /24, another address
        seeded.append((flood("later"), at(60)))  // after the comment judged: not counted
        // Stored in order of receipt, as the daemon stores them.
        try await seed(database, seeded.sorted { $0.1 < $1.1 })

        let last = try await context(database, of: "f6")
        #expect(last.flood.sameIP == 6)
        #expect(last.flood.sameNetwork == 7)
        #expect(last.flood.sameAuthor == 6)
        #expect(last.flood.sameEmail == 6)

        // The first of the six: "old" is 12.5 minutes before it, so only itself counts.
        let first = try await context(database, of: "f1")
        #expect(first.flood.sameIP == 1)
        #expect(first.flood.sameAuthor == 1)

        // And the flood heuristic reads it: 6 from the IP, author and email, over the limit of 5.
        let signals = FloodHeuristic().evaluate(try await analysis(database, of: "f6"))
        #expect(signals.map(\.name) == ["flood.rate"])
        #expect(signals.first?.score == 3)
        #expect(signals.first?.explanation.contains("6 from this IP address (limit 5)") == true)
    }

    @Test func commentsAtTheSameInstantCountInArrivalOrder() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let batch = (1...3).map { Fixtures.comment("s\($0)", body: "Same second \($0)", author: "Burst", ip: "198.51.100.4") }
        _ = try await database.accept(batch, at: now)
        #expect(try await context(database, of: "s1").flood.sameIP == 1)
        #expect(try await context(database, of: "s2").flood.sameIP == 2)
        #expect(try await context(database, of: "s3").flood.sameIP == 3)
        #expect(try await context(database, of: "s3").author.total == 2)
    }

    // MARK: Author history

    @Test func authorHistoryAfterVerdictsAndAModeratorDecision() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await seed(database, [
            (Fixtures.comment("a1", body: "First thoughts on the harbour", author: "Ann"), at(-4 * 86_400)),
            (Fixtures.comment("a2", body: "Second thoughts on the harbour", author: "Ann"), at(-3 * 86_400)),
            (Fixtures.comment("a3", body: "Third thoughts on the harbour", author: "Ann"), at(-2 * 86_400)),
            (Fixtures.comment("a4", body: "Fourth thoughts on the harbour", author: "Ann"), at(-86_400)),
            (Fixtures.comment("b1", body: "Someone else entirely", author: "Bob"), at(-3_600)),
            (Fixtures.comment("a5", body: "Fifth thoughts on the harbour", author: "Ann"), now),
            (Fixtures.comment("a6", body: "Sixth thoughts, after the one judged", author: "Ann"), at(600)),
        ])
        // Before any verdict: four earlier comments, all still queued.
        let queuedOnly = try await context(database, of: "a5")
        #expect(queuedOnly.author.total == 4)
        #expect(queuedOnly.author.approved == 0)
        #expect(!queuedOnly.isNewAuthor)
        #expect(try await context(database, of: "a1").isNewAuthor)

        try await record(database, ["a1": .approved, "a2": .approved, "a3": .held, "a4": .rejected, "b1": .approved], at: at(-60))
        var history = try await context(database, of: "a5")
        #expect(history.author.total == 4)
        #expect(history.author.approved == 2)
        #expect(history.author.held == 1)
        #expect(history.author.rejected == 1)

        // A moderator approves the held one and overturns the rejection.
        try await database.decide("a3", verdict: .approved, actor: "ann", reason: nil, at: at(-30))
        history = try await context(database, of: "a5")
        #expect(history.author.approved == 3)
        #expect(history.author.held == 0)
        #expect(history.author.rejected == 1)
        #expect(AuthorHistoryHeuristic().evaluate(try await analysis(database, of: "a5")).map(\.score) == [2])

        try await database.decide("a4", verdict: .approved, actor: "ann", reason: nil, at: at(-20))
        history = try await context(database, of: "a5")
        #expect(history.author.approved == 4)
        #expect(history.author.rejected == 0)
        let trusted = AuthorHistoryHeuristic().evaluate(try await analysis(database, of: "a5"))
        #expect(trusted.map(\.name) == ["history.trusted"])
        #expect(trusted.first?.score == -2)
    }

    // MARK: Duplicates

    static let campaignText = "Make thousands every week from home with this one simple trick that the banks do not want you to know about"

    @Test func duplicatesByOtherAuthorsWithinADay() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let text = Self.campaignText
        // Case and punctuation differ; the normalized words are the same.
        let edited = "MAKE thousands every week, from home, with this one simple trick that the banks do not want you to know about."
        let original = try #require(TextFingerprint(normalizedText: TextNormalizer().normalize(text).text))
        let near = try #require(TextFingerprint(normalizedText: TextNormalizer().normalize(edited).text))
        #expect(original.distance(to: near) <= TextFingerprint.nearDuplicateDistance)

        try await seed(database, [
            (Fixtures.comment("old", body: text, author: "Bob", article: "news-1"), at(-25 * 3_600)),  // older than 24 h
            (Fixtures.comment("d1", body: text, author: "Carol", article: "news-1"), at(-2 * 3_600)),
            (Fixtures.comment("d2", body: edited, author: "Dave", article: "news-3"), at(-3_600)),
            (Fixtures.comment("d3", body: text.uppercased(), author: "Carol", article: "news-4"), at(-1_800)),  // Carol again: one author
            (Fixtures.comment("e1", body: text, author: "Eve", article: "news-1"), at(-900)),  // Eve herself, another article
            (Fixtures.comment("other", body: "The harbour wall repairs are finally finished and the fishermen are delighted with it", author: "Frank"), at(-600)),
            (Fixtures.comment("q", body: text, author: "Eve", article: "news-2"), now),
            (Fixtures.comment("after", body: text, author: "Zed", article: "news-2"), at(60)),  // later: not counted
        ])
        let duplicates = try await context(database, of: "q").duplicates
        #expect(duplicates.otherAuthors == 2)  // Carol and Dave; not Bob (too old), not Zed (later)
        #expect(duplicates.sameAuthor == 1)
        #expect(duplicates.otherArticles == 1)

        let signals = DuplicateHeuristic().evaluate(try await analysis(database, of: "q"))
        #expect(signals.map(\.name) == ["duplicates.campaign", "duplicates.repeated"])
        #expect(signals.map(\.score) == [5, 2])

        // Bob's copy is too old for "q", but was within the first copy's own window.
        let first = try await context(database, of: "d1").duplicates
        #expect(first.otherAuthors == 1)  // Bob, 23 hours before it
        #expect(first.sameAuthor == 0)

        // A comment too short for a fingerprint has no duplicates.
        try await seed(database, [(Fixtures.comment("short", body: "Great stuff", author: "Yan"), at(120)),
                                  (Fixtures.comment("short2", body: "Great stuff", author: "Xi"), at(180))])
        #expect(try await context(database, of: "short2").duplicates == CommentContext.Duplicates())
    }

    /// "Nearly the same text" (CommentContext.Duplicates, TextFingerprint's documentation: "texts that
    /// differ by a word or two have fingerprints that differ in a few bits"): a copy with one word
    /// added is part of the same campaign.
    @Test func oneWordEditCountsAsANearDuplicate() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let edited = "Make thousands every week from home with this one simple trick that the banks really do not want you to know about"
        let original = try #require(TextFingerprint(normalizedText: TextNormalizer().normalize(Self.campaignText).text))
        let near = try #require(TextFingerprint(normalizedText: TextNormalizer().normalize(edited).text))
        #expect(original.distance(to: near) <= TextFingerprint.nearDuplicateDistance)

        try await seed(database, [
            (Fixtures.comment("d1", body: Self.campaignText, author: "Carol"), at(-3_600)),
            (Fixtures.comment("q", body: edited, author: "Dave"), now),
        ])
        #expect(try await context(database, of: "q").duplicates.otherAuthors == 1)
    }

    // MARK: Ratings

    @Test func ratingBurstCountsNewAuthorsAndTheSameNetwork() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        func rated(_ id: String, author: String, rating: Int = 1, article: String = "rated", ip: String? = nil) -> Moderation.Comment {
            Fixtures.comment(id, body: "Rating \(id)", author: author, article: article, rating: rating, ip: ip)
        }
        var seeded: [(Moderation.Comment, Date)] = [
            (rated("reg0", author: "Regular", rating: 4, article: "other"), at(-2 * 86_400)),
            (rated("old", author: "Old"), at(-2 * 3_600)),  // outside the hour
        ]
        for index in 1...8 {
            let ip = index <= 5 ? "198.51.100.\(index)" : "192.0.2.\(index)"
            seeded.append((rated("r\(index)", author: "New\(index)", ip: ip), at(Double(-50 + index) * 60)))
        }
        seeded += [
            (rated("reg1", author: "Regular", ip: "203.0.113.5"), at(-600)),  // not a new author
            (rated("five", author: "Five", rating: 5, ip: "198.51.100.50"), at(-300)),  // another rating
            (rated("elsewhere", author: "Else", article: "other", ip: "198.51.100.51"), at(-300)),  // another article
            (rated("q", author: "Query", ip: "198.51.100.200"), now),
            (rated("later", author: "Later", ip: "198.51.100.201"), at(60)),
            (rated("middle", author: "Middle", rating: 3, ip: "198.51.100.202"), at(120)),
        ]
        try await seed(database, seeded)

        let ratings = try await context(database, of: "q").ratings
        #expect(ratings.sameExtremeRating == 10)  // r1…r8, reg1 and q itself
        #expect(ratings.fromNewAuthors == 9)  // all but Regular
        #expect(ratings.fromSameNetwork == 6)  // r1…r5 and q

        let signals = RatingHeuristic().evaluate(try await analysis(database, of: "q"))
        #expect(signals.map(\.name) == ["ratings.bombing"])
        #expect(signals.first?.explanation.contains("6 from this network") == true)

        // A middle rating is never part of a burst.
        #expect(try await context(database, of: "middle").ratings == CommentContext.RatingBurst())
        // One comment earlier, the burst is one short of the minimum.
        #expect(try await context(database, of: "reg1").ratings.sameExtremeRating == 9)
        #expect(RatingHeuristic().evaluate(try await analysis(database, of: "reg1")).isEmpty)
    }

    // MARK: Lists and article modes

    /// Short lists are read once per batch; a very long one (past 10,000 entries) is queried per comment.
    @Test(arguments: [0, 10_001])
    func blockAndAllowMatchesWithExpiry(fillerEntries: Int) async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        if fillerEntries > 0 {
            try await database.pool.write { db in
                let insert = try db.makeStatement(sql: "INSERT INTO block (list, kind, value, reason, created_by, created_at) VALUES ('block', 'ip', ?, NULL, 'ann', ?)")
                for index in 0..<fillerEntries { try insert.execute(arguments: ["192.0.2.\(index % 250).\(index)", at(-7_200)]) }
            }
        }
        try await database.addListEntry(list: "block", kind: "ip", value: "203.0.113.7", reason: "flooder", by: "ann",
                                        expiresAt: at(3_600), at: at(-3_600))
        try await database.addListEntry(list: "block", kind: "email", value: "Bad@Example.com", reason: nil, by: "ann",
                                        expiresAt: nil, at: at(-3_600))
        try await database.addListEntry(list: "block", kind: "domain", value: "spam.example", reason: "phishing", by: "ann",
                                        expiresAt: nil, at: at(-3_600))
        try await database.addListEntry(list: "block", kind: "network", value: "198.51.100.0/24", reason: "botnet", by: "ann",
                                        expiresAt: at(-60), at: at(-3_600))
        try await database.addListEntry(list: "allow", kind: "author", value: "Trusted", reason: "staff", by: "ann",
                                        expiresAt: nil, at: at(-3_600))

        var blocked = Fixtures.comment("blocked", body: "See http://mail.spam.example/deal for details", author: "Trusted",
                                       email: "BAD@example.com", ip: "203.0.113.7")
        blocked.articleID = "news-1"
        try await seed(database, [
            (blocked, now),
            (Fixtures.comment("early", body: "From the botnet, early", author: "Bot", ip: "198.51.100.9"), at(-120)),
            (Fixtures.comment("late", body: "From the botnet, late", author: "Bot2", ip: "198.51.100.9"), now),
            (Fixtures.comment("expired", body: "From the flooder, much later", author: "Flood", ip: "203.0.113.7"), at(2 * 3_600)),
            (Fixtures.comment("friend", body: "A staff member's comment", author: "Trusted"), now),
        ])

        let blockedContext = try await context(database, of: "blocked")
        #expect(blockedContext.blocks == [
            CommentContext.ListMatch(kind: "ip", value: "203.0.113.7", reason: "flooder"),
            CommentContext.ListMatch(kind: "email", value: "bad@example.com", reason: nil),
            CommentContext.ListMatch(kind: "domain", value: "spam.example", reason: "phishing"),
        ])
        #expect(blockedContext.allows == [CommentContext.ListMatch(kind: "author", value: "Trusted", reason: "staff")])
        let listSignals = ModerationListsHeuristic().evaluate(try await analysis(database, of: "blocked"))
        #expect(listSignals.map(\.name) == ["block.ip", "block.email", "block.domain"])
        #expect(listSignals.allSatisfy { $0.action == .reject })

        // The network block expired a minute before "late" arrived, but not before "early".
        #expect(try await context(database, of: "early").blocks == [CommentContext.ListMatch(kind: "network", value: "198.51.100.0/24", reason: "botnet")])
        #expect(try await context(database, of: "late").blocks.isEmpty)
        // The IP block expired an hour before "expired" arrived.
        #expect(try await context(database, of: "expired").blocks.isEmpty)

        let friend = try await context(database, of: "friend")
        #expect(friend.blocks.isEmpty)
        #expect(friend.allows.map(\.kind) == ["author"])
        // An allow counts in the comment's favour; it forces nothing.
        let allowed = ModerationListsHeuristic().evaluate(try await analysis(database, of: "friend"))
        #expect(allowed.map(\.action) == [nil])
        #expect(allowed.map(\.score) == [-5])
    }

    @Test func aDomainAllowNeedsEveryLinkAndHostsAreReadAsBrowsersReadThem() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await database.addListEntry(list: "allow", kind: "domain", value: "Council.Example.", reason: "the council", by: "ann",
                                        expiresAt: nil, at: at(-60))
        try await database.addListEntry(list: "block", kind: "domain", value: "malware.example", reason: "malware", by: "ann",
                                        expiresAt: nil, at: at(-60))
        try await database.addListEntry(list: "block", kind: "domain", value: "xn--exmple-cua.example", reason: "idn", by: "ann",
                                        expiresAt: nil, at: at(-60))
        try await seed(database, [
            (Fixtures.comment("only-allowed", body: "See https://www.council.example/minutes and http://council.example./agenda"), now),
            (Fixtures.comment("mixed", body: "See https://council.example/minutes and https://cheap-pills.shop/buy", author: "R2"), now),
            // A browser goes to malware.example: the backslash ends the host, the rest is a path.
            (Fixtures.comment("backslash", body: "Minutes: http://malware.example\\@council.example/minutes", author: "R3"), now),
            // The user information before "@" is not the host.
            (Fixtures.comment("userinfo", body: "Minutes: http://council.example@malware.example/", author: "R4"), now),
            (Fixtures.comment("encoded", body: "Minutes: http://malw%61re.example/", author: "R5"), now),
            (Fixtures.comment("idn", body: "Read https://exämple.example/ now", author: "R6"), now),
            (Fixtures.comment("fullwidth", body: "Read https://ｍａｌｗａｒｅ.example/ now", author: "R7"), now),
        ])
        #expect(try await context(database, of: "only-allowed").allows == [
            CommentContext.ListMatch(kind: "domain", value: "council.example", reason: "the council"),
        ])
        #expect(try await context(database, of: "mixed").allows.isEmpty, "an allowed link carried another past the lists")
        for id in ["backslash", "userinfo", "encoded", "fullwidth"] {
            let found = try await context(database, of: id)
            #expect(found.blocks.map(\.value) == ["malware.example"], "\(id)")
            #expect(found.allows.isEmpty, "\(id)")
        }
        #expect(try await context(database, of: "idn").blocks.map(\.value) == ["exämple.example"])
    }

    @Test func articleModes() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await database.setArticleMode("court-case", mode: .premoderate, by: "ann", at: at(-60))
        try await database.setArticleMode("old-story", mode: .closed, by: "ann", at: at(-60))
        try await database.setArticleMode("reopened", mode: .closed, by: "ann", at: at(-60))
        try await database.setArticleMode("reopened", mode: .open, by: "ann", at: at(-30))
        try await seed(database, [
            (Fixtures.comment("p", article: "court-case"), now),
            (Fixtures.comment("c", author: "R2", article: "old-story"), now),
            (Fixtures.comment("r", author: "R3", article: "reopened"), now),
            (Fixtures.comment("n", author: "R4", article: "never-set"), now),
        ])
        #expect(try await context(database, of: "p").articleMode == .premoderate)
        #expect(try await context(database, of: "c").articleMode == .closed)
        #expect(try await context(database, of: "r").articleMode == .open)
        #expect(try await context(database, of: "n").articleMode == .open)
        #expect(ModerationListsHeuristic().evaluate(try await analysis(database, of: "c")).map(\.name) == ["article.closed"])
    }

    @Test func batchContextsMatchSingleContexts() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        var seeded: [(Moderation.Comment, Date)] = []
        for index in 0..<8 {
            seeded.append((Fixtures.comment("m\(index)", body: "Comment number \(index) on the bypass plans", author: index % 2 == 0 ? "Even" : "Odd",
                                            rating: index % 3 == 0 ? 5 : 2, ip: "203.0.113.\(index % 3)"), at(Double(index) * 30)))
        }
        try await seed(database, seeded)
        let queries = try await database.queuedComments(limit: 100).map(\.historyQuery)
        let history = StoreHistory(database: database)
        let together = try await history.contexts(for: queries, windows: windows)
        var oneByOne: [CommentContext] = []
        for query in queries { oneByOne.append(try await history.context(for: query, windows: windows)) }
        #expect(together == oneByOne)
        #expect(together.last?.flood.sameNetwork == 8)
    }
}
