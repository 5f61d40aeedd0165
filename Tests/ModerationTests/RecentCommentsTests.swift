import Foundation
import Moderation
import ModeratoTestSupport
import Testing

/// The in-memory windows: counts at their edges, arrival order at the same instant, out-of-order
/// clocks, near-duplicates through every band, forgetting, capacity and compaction.
@Suite struct RecentCommentsTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)  // 2026-11-29 07:30 UTC
    let windows = HistoryWindows(HeuristicsConfiguration())  // flood 10 min, ratings 1 h, duplicates 24 h

    func at(_ seconds: Double) -> Date { now.addingTimeInterval(seconds) }

    func entry(_ sequence: Int64, _ seconds: Double, author: String = "Ann", article: String = "news-1", rating: Int = 3,
               ip: String? = "203.0.113.7", network: String? = "203.0.113.0/24", email: String? = nil,
               fingerprint: UInt64? = nil, isNew: Bool = false) -> RecentComments.Entry {
        RecentComments.Entry(sequence: sequence, receivedAt: at(seconds), author: author, articleID: article, rating: rating, ip: ip,
                             network: network, email: email, fingerprint: fingerprint.map(TextFingerprint.init(value:)), authorIsNew: isNew)
    }

    func context(_ recent: RecentComments, for entry: RecentComments.Entry, cap: Int = 50) -> CommentContext {
        let comment = Comment(id: "q\(entry.sequence)", articleID: entry.articleID, author: entry.author, body: "", rating: entry.rating,
                              email: entry.email, ip: entry.ip)
        let query = HistoryQuery(comment: comment, receivedAt: entry.receivedAt, sequence: entry.sequence,
                                 fingerprint: entry.fingerprint, network: entry.network)
        var context = CommentContext()
        recent.fill(&context, for: query, windows: windows, cap: cap)
        return context
    }

    // MARK: Floods

    @Test func floodCountsTheWindowUpToAndIncludingTheComment() {
        var recent = RecentComments()
        recent.reset(coveringSince: at(-86_400))
        let entries = [
            entry(1, -700),  // before the 10-minute window
            entry(2, -599), entry(3, -300),
            entry(4, -60, author: "Bob", ip: "203.0.113.8"),  // same network, another address and author
            entry(5, 0), entry(6, 0),  // the same instant: 5 counts for 6, 6 does not count for 5
            entry(7, 30),  // after
        ]
        for item in entries { recent.append(item) }
        let sixth = context(recent, for: entries[5])
        #expect(sixth.flood.sameIP == 4)  // 2, 3, 5, 6
        #expect(sixth.flood.sameNetwork == 5)
        #expect(sixth.flood.sameAuthor == 4)
        #expect(sixth.flood.sameEmail == 0)
        #expect(context(recent, for: entries[4]).flood.sameIP == 3)
        #expect(context(recent, for: entries[1]).flood.sameIP == 2)  // its own window reaches back to 1
    }

    @Test func floodCountsStopAtTheCap() {
        var recent = RecentComments()
        recent.reset(coveringSince: at(-86_400))
        for sequence in 1...80 { recent.append(entry(Int64(sequence), Double(sequence) - 100, email: "spam@example.com")) }
        let last = context(recent, for: entry(80, -20, email: "spam@example.com"), cap: 50)
        #expect(last.flood.sameIP == 50)
        #expect(last.flood.sameEmail == 50)
        #expect(context(recent, for: entry(30, -70, email: "spam@example.com")).flood.sameIP == 30)
    }

    @Test func receiptTimesOutOfOrderAreStillCountedExactly() {
        // A clock stepped back: slot 3 was received before slots 1 and 2 in time, after them in order.
        var recent = RecentComments()
        recent.reset(coveringSince: at(-86_400))
        recent.append(entry(1, -100))
        recent.append(entry(2, -5_000))  // long before the window: skipped, but the walk goes on past it
        recent.append(entry(3, -200))
        recent.append(entry(4, -7_200))
        recent.append(entry(5, 0))
        #expect(context(recent, for: entry(5, 0)).flood.sameIP == 3)  // 1, 3, 5
    }

    // MARK: Duplicates

    @Test func nearDuplicatesAreFoundThroughEveryBand() {
        let base: UInt64 = 0x9E37_79B9_7F4A_7C15
        // Five bits apart, placed so that only one band differs by at most one bit: band 0 (bits
        // 0–21), band 1 (22–42) and band 2 (43–63) in turn.
        let shapes: [[Int]] = [[3, 25, 30, 50, 60], [1, 2, 30, 50, 60], [1, 2, 25, 30, 50]]
        for (offset, bits) in shapes.enumerated() {
            let near = bits.reduce(base) { $0 ^ (1 << UInt64($1)) }
            #expect(TextFingerprint(value: near).distance(to: TextFingerprint(value: base)) == 5)
            var recent = RecentComments()
            recent.reset(coveringSince: at(-86_400))
            recent.append(entry(1, -3_600, author: "Carol", article: "news-2", fingerprint: near))
            recent.append(entry(2, -60, author: "Dan", fingerprint: base))
            let found = context(recent, for: entry(2, -60, author: "Dan", fingerprint: base)).duplicates
            #expect(found.otherAuthors == 1, "shape \(offset)")
        }
    }

    @Test func sixBitsApartIsNotADuplicate() {
        let base: UInt64 = 0x0123_4567_89AB_CDEF
        let far = [0, 1, 22, 23, 43, 44].reduce(base) { $0 ^ (1 << UInt64($1)) }
        var recent = RecentComments()
        recent.reset(coveringSince: at(-86_400))
        recent.append(entry(1, -60, author: "Carol", fingerprint: far))
        recent.append(entry(2, 0, author: "Dan", fingerprint: base))
        #expect(context(recent, for: entry(2, 0, author: "Dan", fingerprint: base)).duplicates == CommentContext.Duplicates())
    }

    @Test func duplicatesCountAuthorsArticlesAndTheWindow() {
        let text: UInt64 = 0xDEAD_BEEF_0BAD_F00D
        var recent = RecentComments()
        recent.reset(coveringSince: at(-200_000))
        let entries = [
            entry(1, -90_000, author: "Old", fingerprint: text),  // more than 24 h before
            entry(2, -7_200, author: "Carol", article: "news-1", fingerprint: text),
            entry(3, -3_600, author: "Carol", article: "news-3", fingerprint: text ^ 1),  // Carol again: one author
            entry(4, -1_800, author: "Eve", article: "news-2", fingerprint: text),  // the author judged, elsewhere
            entry(5, -900, author: "Eve", article: "news-4", fingerprint: text ^ 0b11),
            entry(6, -600, author: "Frank", fingerprint: ~text),  // another text
            entry(7, 0, author: "Eve", article: "news-1", fingerprint: text),
            entry(8, 60, author: "Zed", fingerprint: text),  // later
            entry(9, 120, author: "Yan", fingerprint: nil),  // too short for a fingerprint
        ]
        for item in entries { recent.append(item) }
        let found = context(recent, for: entries[6]).duplicates
        #expect(found.otherAuthors == 1)  // Carol
        #expect(found.sameAuthor == 2)
        #expect(found.otherArticles == 2)  // news-2 and news-4
        #expect(context(recent, for: entries[8]).duplicates == CommentContext.Duplicates())
    }

    @Test func bandProbesMeetForEveryPairWithinTheDistance() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = UInt64.random(in: .min ... .max, using: &generator)
            var other = value
            for bit in (0..<64).shuffled(using: &generator).prefix(Int.random(in: 0...TextFingerprint.nearDuplicateDistance, using: &generator)) {
                other ^= 1 << UInt64(bit)
            }
            let probes = Set(TextFingerprint(value: value).bandProbes)
            #expect(TextFingerprint(value: other).bands.contains(where: probes.contains))
        }
    }

    // MARK: Ratings

    @Test func ratingBurstCountsTheArticlesSameExtremeRating() {
        var recent = RecentComments()
        recent.reset(coveringSince: at(-86_400))
        recent.append(entry(1, -4_000, rating: 1, isNew: true))  // before the hour
        recent.append(entry(2, -3_000, author: "B", rating: 1, network: "198.51.100.0/24", isNew: true))
        recent.append(entry(3, -2_000, author: "C", rating: 1, isNew: false))
        recent.append(entry(4, -1_000, author: "D", rating: 5, isNew: true))  // the other extreme
        recent.append(entry(5, -500, author: "E", article: "news-2", rating: 1, isNew: true))  // another article
        recent.append(entry(6, 0, author: "F", rating: 1, isNew: true))
        let burst = context(recent, for: entry(6, 0, author: "F", rating: 1, isNew: true)).ratings
        #expect(burst.sameExtremeRating == 3)
        #expect(burst.fromNewAuthors == 2)
        #expect(burst.fromSameNetwork == 2)
        #expect(context(recent, for: entry(7, 0, rating: 3)).ratings == CommentContext.RatingBurst())
    }

    // MARK: Forgetting

    @Test func forgettingMovesTheCoverageAndCompactsWithoutChangingAnswers() {
        var recent = RecentComments()
        recent.reset(coveringSince: at(-100_000))
        // 10,000 comments a second apart from one address, then forget the first 9,000 seconds.
        for sequence in 1...10_000 { recent.append(entry(Int64(sequence), Double(sequence) - 10_000)) }
        #expect(recent.count == 10_000)
        recent.forget(receivedUpTo: at(-1_000))
        #expect(recent.count == 1_000)
        #expect(recent.coveredSince == at(-1_000))
        #expect(recent.lastSequence == 10_000)
        let last = entry(10_000, 0)
        #expect(context(recent, for: last).flood.sameIP == 50)
        var query = HistoryQuery(comment: Comment(id: "x", articleID: "news-1", author: "Ann", body: "", rating: 3),
                                 receivedAt: at(0), sequence: 10_000, fingerprint: nil, network: nil)
        #expect(recent.covers(query, windows: windows) == false)  // its 24 h go back further than kept
        query.receivedAt = at(90_000)
        #expect(recent.covers(query, windows: windows))
        // Comments appended after the compaction still chain to the kept ones.
        recent.append(entry(10_001, 1))
        #expect(context(recent, for: entry(10_001, 1)).flood.sameIP == 50)
        recent.forget(receivedUpTo: at(0.5))
        #expect(context(recent, for: entry(10_001, 1)).flood.sameIP == 1)
    }

    @Test func capacityKeepsTheNewestAndSaysSo() {
        var recent = RecentComments(capacity: 100)
        recent.reset(coveringSince: at(-86_400))
        for sequence in 1...250 { recent.append(entry(Int64(sequence), Double(sequence) - 300, ip: "203.0.113.\(sequence % 2)")) }
        #expect(recent.count == 100)
        #expect(recent.isTruncated)
        // 150 slots from address .0 would be in the window; only the 50 kept count.
        #expect(context(recent, for: entry(250, -50, ip: "203.0.113.0"), cap: 1_000).flood.sameIP == 50)
        #expect(recent.lastSequence == 250)
        recent.append(entry(200, 0))  // in the past of what is kept: ignored
        #expect(recent.lastSequence == 250)
        recent.reset(coveringSince: at(0))
        #expect(recent.count == 0 && !recent.isTruncated && recent.lastSequence == nil)
        recent.reset(coveringSince: at(0), isTruncated: true)
        #expect(recent.isTruncated)
    }
}
