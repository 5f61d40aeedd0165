import Foundation
import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

/// The heuristics that read a comment's surroundings (and the text-only ones), each with a hand-made
/// `CommentContext`: fixed values, no clock and no database.
@Suite struct HistoryHeuristicsTests {
    let scratch = MatchScratch()

    func signals(_ heuristic: some Heuristic, body: String = "A thoughtful comment about the harbour plans.", rating: Int = 4,
                 author: String = "Reader", context: CommentContext = .none) -> [Signal] {
        let comment = Fixtures.comment(body: body, author: author, rating: rating)
        return heuristic.evaluate(CommentAnalysis(comment: comment, context: context, scratch: scratch))
    }

    // MARK: Duplicates

    @Test func noDuplicatesNoSignal() {
        #expect(signals(DuplicateHeuristic()).isEmpty)
    }

    @Test func campaignByOneOtherAuthorScoresFour() throws {
        var context = CommentContext()
        context.duplicates.otherAuthors = 1
        let found = signals(DuplicateHeuristic(), context: context)
        #expect(found.map(\.name) == ["duplicates.campaign"])
        let signal = try #require(found.first)
        #expect(signal.score == 4)
        #expect(signal.source == .heuristic)
        #expect(signal.explanation == "The same or nearly the same text was posted by 1 other author in the last 24 h: a campaign")
    }

    @Test func campaignByThreeOtherAuthorsScoresSix() throws {
        var context = CommentContext()
        context.duplicates.otherAuthors = 3
        let signal = try #require(signals(DuplicateHeuristic(), context: context).first)
        #expect(signal.name == "duplicates.campaign")
        #expect(signal.score == 6)
        #expect(signal.explanation.contains("3 other authors"))
    }

    @Test func campaignScoreIsCapped() throws {
        var context = CommentContext()
        context.duplicates.otherAuthors = 40
        let signal = try #require(signals(DuplicateHeuristic(), context: context).first)
        #expect(signal.score == 8)
    }

    @Test func sameAuthorRepeatScoresTwo() throws {
        var context = CommentContext()
        context.duplicates.sameAuthor = 2
        context.duplicates.otherArticles = 1
        let found = signals(DuplicateHeuristic(), context: context)
        #expect(found.map(\.name) == ["duplicates.repeated"])
        let signal = try #require(found.first)
        #expect(signal.score == 2)
        #expect(signal.explanation == "This author posted the same text 2 times before in the last 24 h, on 1 other article")
    }

    @Test func campaignAndRepeatTogether() {
        var context = CommentContext()
        context.duplicates.otherAuthors = 2
        context.duplicates.sameAuthor = 1
        let found = signals(DuplicateHeuristic(), context: context)
        #expect(found.map(\.name) == ["duplicates.campaign", "duplicates.repeated"])
        #expect(found.map(\.score) == [5, 2])
    }

    // MARK: Flood

    @Test func floodAtEveryLimitIsQuiet() {
        var context = CommentContext()
        context.flood.sameIP = 5
        context.flood.sameNetwork = 15
        context.flood.sameAuthor = 5
        context.flood.sameEmail = 5
        #expect(signals(FloodHeuristic(), context: context).isEmpty)
    }

    @Test(arguments: [
        (0, "this IP address", 5),
        (1, "this network", 15),
        (2, "this author", 5),
        (3, "this email address", 5),
    ])
    func floodOverEachLimitNamesTheSource(index: Int, source: String, limit: Int) throws {
        let paths: [WritableKeyPath<CommentContext.Flood, Int>] = [\.sameIP, \.sameNetwork, \.sameAuthor, \.sameEmail]
        var context = CommentContext()
        context.flood[keyPath: paths[index]] = limit + 1
        let found = signals(FloodHeuristic(), context: context)
        #expect(found.map(\.name) == ["flood.rate"])
        let signal = try #require(found.first)
        #expect(signal.score == 3)
        #expect(signal.explanation == "Too many comments in the last 10 minutes: \(limit + 1) from \(source) (limit \(limit))")

        // One under the limit: nothing.
        var under = CommentContext()
        under.flood[keyPath: paths[index]] = limit
        #expect(signals(FloodHeuristic(), context: under).isEmpty)
    }

    @Test func floodScoreGrowsWithTheWorstSourceAndIsCapped() throws {
        var context = CommentContext()
        context.flood.sameIP = 8        // 3 over
        context.flood.sameAuthor = 6    // 1 over
        let signal = try #require(signals(FloodHeuristic(), context: context).first)
        #expect(signal.score == 4)  // 3 + 2 × 0.5
        #expect(signal.explanation == "Too many comments in the last 10 minutes: 8 from this IP address (limit 5), 6 from this author (limit 5)")

        var huge = CommentContext()
        huge.flood.sameNetwork = 500
        #expect(try #require(signals(FloodHeuristic(), context: huge).first).score == 8)
    }

    // MARK: Author history

    @Test func trustedAfterThreeApprovals() throws {
        var context = CommentContext()
        context.author.approved = 3
        context.author.total = 3
        let found = signals(AuthorHistoryHeuristic(), context: context)
        #expect(found.map(\.name) == ["history.trusted"])
        #expect(try #require(found.first).score == -2)

        var notYet = CommentContext()
        notYet.author.approved = 2
        notYet.author.total = 2
        #expect(signals(AuthorHistoryHeuristic(), context: notYet).isEmpty)
    }

    @Test func rejectionsCostTwoEachCappedAtSix() throws {
        for (rejected, expected) in [(1, 2.0), (2, 4.0), (3, 6.0), (7, 6.0)] {
            var context = CommentContext()
            context.author.rejected = rejected
            context.author.approved = 10  // approvals do not make up for a rejection
            context.author.total = rejected + 10
            let found = signals(AuthorHistoryHeuristic(), context: context)
            #expect(found.map(\.name) == ["history.rejected_before"])
            #expect(found.first?.score == expected, "rejected \(rejected)")
        }
        var one = CommentContext()
        one.author.rejected = 1
        one.author.total = 4
        #expect(signals(AuthorHistoryHeuristic(), context: one).first?.explanation == "1 of this author's 4 earlier comments was rejected")
    }

    @Test func newAuthorIsHeldOnlyWhenTheSiteAsks() throws {
        #expect(signals(AuthorHistoryHeuristic(), author: "Newbie", context: .none).isEmpty)
        var configuration = AuthorHistoryHeuristic.Configuration()
        configuration.holdFirstComments = true
        let found = signals(AuthorHistoryHeuristic(configuration: configuration), author: "Newbie", context: .none)
        #expect(found.map(\.name) == ["history.new_author"])
        let signal = try #require(found.first)
        #expect(signal.action == .hold)
        #expect(signal.score == 0)
        #expect(signal.explanation.contains("Newbie"))

        // Not new: no hold even with the setting on.
        var known = CommentContext()
        known.author.total = 1
        known.author.held = 1
        #expect(signals(AuthorHistoryHeuristic(configuration: configuration), context: known).isEmpty)
    }

    // MARK: Ratings

    @Test func emptyBodyAndOneWord() throws {
        let empty = signals(RatingHeuristic(), body: "", rating: 3)
        #expect(empty.map(\.name) == ["ratings.empty_body"])
        #expect(empty.first?.score == 0.5)
        #expect(empty.first?.explanation == "A 3-star rating with no text")

        let one = signals(RatingHeuristic(), body: "Great!", rating: 5)
        #expect(one.map(\.name) == ["ratings.empty_body"])
        #expect(one.first?.explanation == "A 5-star rating with one word")

        #expect(signals(RatingHeuristic(), body: "Fair enough", rating: 3).isEmpty)
    }

    @Test func fiveStarsWithANegativeText() throws {
        let found = signals(RatingHeuristic(), body: "This is a terrible decision by the council", rating: 5)
        #expect(found.map(\.name) == ["ratings.contradiction"])
        let signal = try #require(found.first)
        #expect(signal.score == 1.5)
        #expect(signal.explanation.contains("“terrible”"))
        #expect(signal.explanation.contains("strongly negative"))
    }

    @Test func oneStarWithPraise() throws {
        let found = signals(RatingHeuristic(), body: "Excellent reporting, thank you for covering this", rating: 1)
        #expect(found.map(\.name) == ["ratings.contradiction"])
        #expect(try #require(found.first).explanation.contains("full of praise"))
    }

    @Test func negatedWordsAndMixedTextsAreNotContradictions() {
        // "not bad" with one star: nothing positive is said.
        #expect(signals(RatingHeuristic(), body: "Honestly not bad at all", rating: 1).isEmpty)
        // A positive word after a negation.
        #expect(signals(RatingHeuristic(), body: "The service was not great at all", rating: 1).isEmpty)
        // A negative word after a negation, with five stars.
        #expect(signals(RatingHeuristic(), body: "Honestly it was never terrible here", rating: 5).isEmpty)
        // Both moods at once: no contradiction.
        #expect(signals(RatingHeuristic(), body: "Great article about a terrible situation", rating: 5).isEmpty)
        // Middle ratings never contradict.
        #expect(signals(RatingHeuristic(), body: "This is a terrible decision by the council", rating: 3).isEmpty)
    }

    @Test func ratingBombingByNewAuthorShare() throws {
        var context = CommentContext()
        context.ratings.sameExtremeRating = 10
        context.ratings.fromNewAuthors = 6
        let found = signals(RatingHeuristic(), body: "Completely one sided coverage of the vote", rating: 1, context: context)
        #expect(found.map(\.name) == ["ratings.bombing"])
        let signal = try #require(found.first)
        #expect(signal.score == 5)
        #expect(signal.explanation == "Part of a burst of 10 1-star ratings on this article in 60 minutes, 60% from first-time commenters: rating bombing")

        var fewer = context
        fewer.ratings.fromNewAuthors = 5
        #expect(signals(RatingHeuristic(), body: "Completely one sided coverage of the vote", rating: 1, context: fewer).isEmpty)
    }

    @Test func ratingBombingBySameNetwork() throws {
        var context = CommentContext()
        context.ratings.sameExtremeRating = 12
        context.ratings.fromSameNetwork = 5
        let found = signals(RatingHeuristic(), body: "Best news site in the county by far", rating: 5, context: context)
        #expect(found.map(\.name) == ["ratings.bombing"])
        #expect(try #require(found.first).explanation.contains("5 from this network"))

        var fewer = context
        fewer.ratings.fromSameNetwork = 4
        #expect(signals(RatingHeuristic(), body: "Best news site in the county by far", rating: 5, context: fewer).isEmpty)
    }

    @Test func noBombingBelowTheMinimumOrForMiddleRatings() {
        var context = CommentContext()
        context.ratings.sameExtremeRating = 9
        context.ratings.fromNewAuthors = 9
        context.ratings.fromSameNetwork = 9
        #expect(signals(RatingHeuristic(), body: "Completely one sided coverage of the vote", rating: 1, context: context).isEmpty)

        var burst = CommentContext()
        burst.ratings.sameExtremeRating = 30
        burst.ratings.fromNewAuthors = 30
        #expect(signals(RatingHeuristic(), body: "Completely one sided coverage of the vote", rating: 3, context: burst).isEmpty)
    }

    // MARK: Lists and article modes

    @Test func blockListRejects() throws {
        var context = CommentContext()
        context.blocks = [CommentContext.ListMatch(kind: "ip", value: "203.0.113.7", reason: "flooder")]
        context.allows = [CommentContext.ListMatch(kind: "author", value: "Reader")]
        let found = signals(ModerationListsHeuristic(), context: context)
        // A block wins: the allow-list entry says nothing.
        #expect(found.map(\.name) == ["block.ip"])
        let signal = try #require(found.first)
        #expect(signal.action == .reject)
        #expect(signal.source == .policy)
        #expect(signal.explanation == "Blocked ip 203.0.113.7: flooder")
    }

    @Test func anAllowLowersTheScoreAndNeverOverridesARule() throws {
        var context = CommentContext()
        context.allows = [CommentContext.ListMatch(kind: "author", value: "Reader")]
        let found = signals(ModerationListsHeuristic(), context: context)
        #expect(found.map(\.name) == ["allow.author"])
        let allow = try #require(found.first)
        #expect(allow.action == nil)
        #expect(allow.score == -5)
        let policy = Policy()
        // A borderline comment from a trusted name is approved…
        #expect(policy.decide(found + [Signal(source: .rule, name: "profanity.mild", score: 6, explanation: "")]).verdict == .approved)
        // …but spam that scores high is still held or rejected, and a rule that forces an outcome wins.
        #expect(policy.decide(found + [Signal(source: .rule, name: "spam.casino", score: 12, explanation: "")]).verdict == .held)
        #expect(policy.decide(found + [Signal(source: .rule, name: "spam.casino", score: 20, explanation: "")]).verdict == .rejected)
        #expect(policy.decide(found + [Signal(source: .rule, name: "personal.phone", score: 0, action: .hold, explanation: "")]).verdict == .held)
        #expect(policy.decide(found + [Signal(source: .rule, name: "slurs.x", score: 0, action: .reject, explanation: "")]).verdict == .rejected)
    }

    @Test func articleModes() throws {
        #expect(signals(ModerationListsHeuristic(), context: .none).isEmpty)

        var premoderated = CommentContext()
        premoderated.articleMode = .premoderate
        let held = signals(ModerationListsHeuristic(), context: premoderated)
        #expect(held.map(\.name) == ["article.premoderate"])
        #expect(held.first?.action == .hold)

        var closed = CommentContext()
        closed.articleMode = .closed
        let refused = signals(ModerationListsHeuristic(), context: closed)
        #expect(refused.map(\.name) == ["article.closed"])
        #expect(refused.first?.action == .reject)

        // Allow-listed on a premoderated article: both signals; the article's hold wins.
        premoderated.allows = [CommentContext.ListMatch(kind: "author", value: "Reader")]
        let both = signals(ModerationListsHeuristic(), context: premoderated)
        #expect(both.map(\.name) == ["article.premoderate", "allow.author"])
        #expect(Policy().decide(both).verdict == .held)
    }

    // MARK: Links

    @Test func linkOnlyComment() throws {
        let found = signals(LinkHeuristic(), body: "http://cheap-deals.example.com/offer")
        #expect(found.map(\.name) == ["links.link_only"])
        let signal = try #require(found.first)
        #expect(signal.score == 3)
        #expect(signal.span?.text == "http://cheap-deals.example.com/offer")
    }

    @Test func oneLinkInARealCommentIsFree() {
        let body = "The planning documents are on the council site at https://www.cornwall.example.com/plans if anyone wants to read them before Thursday's meeting."
        #expect(signals(LinkHeuristic(), body: body).isEmpty)
    }

    @Test func mismatchedAnchorText() throws {
        let body = #"Please check your account details here today <a href="http://evil.example.net/login">www.mybank.co.uk</a> before it is closed"#
        let found = signals(LinkHeuristic(), body: body)
        let signal = try #require(found.first { $0.name == "links.mismatched_text" })
        #expect(signal.score == 5)
        #expect(signal.explanation == "A link shows “mybank.co.uk” but goes to evil.example.net: a common phishing trick")

        // The same site in text and target: no mismatch.
        let honest = #"Please check your account details here today <a href="https://www.mybank.co.uk/login">www.mybank.co.uk</a> before it is closed"#
        #expect(!signals(LinkHeuristic(), body: honest).contains { $0.name == "links.mismatched_text" })
    }

    @Test func allowListedLinksDoNotCount() {
        let govOnly = "https://www.gov.uk/government/statistics"
        #expect(signals(LinkHeuristic(), body: govOnly).isEmpty)
        // Two links, one of them to gov.uk (a subdomain): only one counts, so it is free.
        let body = "The figures at https://assets.publishing.service.gov.uk/report.pdf disagree with https://blog.example.com/post and I would like to know which one the council actually used."
        let found = signals(LinkHeuristic(), body: body)
        #expect(!found.contains { $0.name == "links.count" })
        #expect(found.isEmpty)
        // Without the allow-list both count.
        var configuration = LinkHeuristic.Configuration()
        configuration.allowedDomains = []
        #expect(signals(LinkHeuristic(configuration: configuration), body: body).map(\.name) == ["links.count"])
    }

    @Test func blockedDomainRejects() throws {
        var configuration = LinkHeuristic.Configuration()
        configuration.blockedDomains = ["spam.example"]
        let body = "Read this before anyone else does, it is all explained properly at http://mail.spam.example/deal for everyone."
        let found = signals(LinkHeuristic(configuration: configuration), body: body)
        let signal = try #require(found.first { $0.name == "links.blocked_domain" })
        #expect(signal.action == .reject)
        #expect(signal.explanation == "Links to mail.spam.example, a blocked domain")
        #expect(signal.span?.text == "http://mail.spam.example/deal")
    }

    // MARK: Shape

    @Test func repeatedCharacterRun() throws {
        func body(_ run: Int) -> String { "N" + String(repeating: "o", count: run) + " way, that cannot be right" }
        let found = signals(ShapeHeuristic(), body: body(10))
        #expect(found.map(\.name) == ["shape.repeated_characters"])
        #expect(found.first?.score == 1)
        #expect(found.first?.explanation == "“o” repeated 10 times in a row")
        #expect(signals(ShapeHeuristic(), body: body(8)).map(\.name) == ["shape.repeated_characters"])
        #expect(signals(ShapeHeuristic(), body: body(7)).isEmpty)
    }

    @Test func repeatedWords() throws {
        let found = signals(ShapeHeuristic(), body: "spam spam spam spam")
        #expect(found.map(\.name) == ["shape.repeated_words"])
        #expect(found.first?.score == 2)
        #expect(found.first?.explanation == "The word “spam” makes up 4 of 4 words")
        #expect(signals(ShapeHeuristic(), body: "spam spam spam eggs").isEmpty)
    }

    @Test func gibberish() throws {
        let found = signals(ShapeHeuristic(), body: "asdfghjkl qwrtzpxv")
        #expect(found.map(\.name) == ["shape.gibberish"])
        #expect(found.first?.score == 2)
        #expect(found.first?.explanation.contains("2 strings of letters that are not words") == true)
        #expect(signals(ShapeHeuristic(), body: "Wonderful photographs of the lifeboat launch yesterday").isEmpty)
    }

    @Test func emojiFlood() throws {
        // Twelve different emoji, so no run of one character.
        let emoji = "😀😃😄😁😆😅😂🤣😊😇🙂🙃"
        #expect(emoji.count == 12)
        let found = signals(ShapeHeuristic(), body: emoji)
        #expect(found.map(\.name) == ["shape.symbol_flood"])
        #expect(found.first?.score == 2)
        #expect(found.first?.explanation == "Mostly emoji or symbols (12 of 12 characters)")
        #expect(signals(ShapeHeuristic(), body: String(emoji.prefix(11))).isEmpty)
        // Twelve emoji in a long text are not most of it.
        #expect(signals(ShapeHeuristic(), body: "What a lovely day for the regatta in the harbour " + emoji).isEmpty)
    }

    @Test func longBody() throws {
        let sentence = "The council has published its plans for the harbour and the bypass. "
        let body = String(repeating: sentence, count: 3_100 / sentence.count + 1)
        #expect(body.count > 3_000)
        let found = signals(ShapeHeuristic(), body: body)
        let signal = try #require(found.first { $0.name == "shape.long_body" })
        #expect(signal.score == 1)
        #expect(!signals(ShapeHeuristic(), body: String(body.prefix(3_000))).contains { $0.name == "shape.long_body" })
    }

    // MARK: Fingerprints

    func fingerprint(_ text: String) -> TextFingerprint? {
        TextFingerprint(normalizedText: TextNormalizer().normalize(text).text)
    }

    @Test func sameTextHasTheSameFingerprint() throws {
        let text = "The new bus timetable is a real improvement for everyone living in Redruth and Camborne."
        let a = try #require(fingerprint(text))
        let b = try #require(fingerprint(text.uppercased()))
        #expect(a.distance(to: b) == 0)
        #expect(a == b)
    }

    @Test func oneChangedWordIsNearAndUnrelatedTextIsFar() throws {
        let words = "the council finally agreed to repair the harbour wall after years of complaints from fishermen and local residents about flooding".split(separator: " ")
        #expect(words.count == 20)
        var changed = words
        changed[10] = "protests"
        let original = try #require(fingerprint(words.joined(separator: " ")))
        let edited = try #require(fingerprint(changed.joined(separator: " ")))
        let unrelated = try #require(fingerprint("buy cheap watches online today with free shipping and huge discounts on every single brand we stock"))
        let near = original.distance(to: edited)
        let far = original.distance(to: unrelated)
        // Much closer than unrelated text (12 bits against 27 for these texts). Not within
        // `nearDuplicateDistance` (3), though: see StoreHistoryTests.oneWordEditCountsAsANearDuplicate.
        #expect(near > 0)
        #expect(near * 2 < far, "one word changed: \(near) bits apart; unrelated: \(far)")
        #expect(far > TextFingerprint.nearDuplicateDistance)
    }

    @Test func tooShortTextHasNoFingerprint() {
        #expect(fingerprint("Too short to say") == nil)
        #expect(fingerprint("a b c d e f g h i j") == nil)  // one-letter words do not count
        #expect(fingerprint("Six words are just about enough") != nil)
    }
}
