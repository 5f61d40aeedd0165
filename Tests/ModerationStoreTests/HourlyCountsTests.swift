import Foundation
import GRDB
import Moderation
@testable import ModerationStore
import ModeratoReports
import ModeratoTestSupport
import Testing

/// The hourly counts reports read: kept by triggers as the store changes, they must equal a recount
/// from the comments and decisions after every kind of change, and a report over a period that starts
/// and ends inside hours must count exactly the comments of the period.
@Suite struct HourlyCountsTests {
    /// 2026-11-28T07:00:00Z.
    static let base = Date(timeIntervalSince1970: 1_795_849_200)

    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
        static var available: [Kind] { TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite] }
    }

    static func signals(_ index: Int) -> [Signal] {
        var signals: [Signal] = []
        if index % 3 == 0 { signals.append(Signal(source: .rule, name: "spam.gambling", score: 8, explanation: "Gambling")) }
        if index % 4 == 1 { signals.append(Signal(source: .heuristic, name: "links.count", score: 2, explanation: "Links")) }
        if index % 5 == 2 { signals.append(Signal(source: .rule, name: "spam.adult", score: 6, explanation: "Adult", isShadow: true)) }
        if index % 7 == 3 { signals.append(Signal(source: .rule, name: "spam.slow", score: 0, explanation: "Hit a limit", isRuleError: true)) }
        if index % 11 == 4 { signals.append(Signal(source: .pipeline, name: "pipeline.timeout", score: 0, explanation: "Timed out")) }
        if index % 6 == 5 { signals.append(Signal(source: .heuristic, name: "ratings.bombing", score: 3, explanation: "Rating burst")) }
        if index % 8 == 6 { signals.append(Signal(source: .heuristic, name: "author.trusted", score: -3, explanation: "Trusted")) }
        // The same rule twice in one comment counts the comment once.
        if index % 9 == 7 {
            signals.append(Signal(source: .rule, name: "spam.gambling", score: 8, explanation: "Gambling"))
            signals.append(Signal(source: .rule, name: "spam.gambling", score: 8, explanation: "Gambling again"))
        }
        return signals
    }

    /// A store that saw every kind of change: arrivals over four hours, verdicts, decisions, undo, bulk
    /// decisions, a block, an erasure and a purge; some comments still queued.
    static func busyStore(_ kind: Kind) async throws -> (any CommentStore, TemporaryDirectory, String) {
        let directory = TemporaryDirectory("hourly")
        let location = kind == .sqlite ? directory.path("moderato.sqlite") : try TestPostgres.freshDatabase("hourly")
        let store = try await StoreLocation.open(location)
        for index in 0..<60 {
            let comment = Fixtures.comment("c\(index)", body: "Comment number \(index) about the harbour.", author: "A\(index % 13)",
                                           article: "news-\(index % 4)", rating: 1 + index % 5, email: "a\(index % 13)@example.org",
                                           ip: "203.0.113.\(index % 9)")
            _ = try await store.accept([Arrival(comment)], at: base.addingTimeInterval(Double(index) * 4 * 60 + 17))
        }
        let queued = try await store.claimQueued(limit: 100, after: nil, worker: "test", lease: 600, at: base)
        for item in queued where item.comment.id != "c58" && item.comment.id != "c59" {
            let index = Int(item.comment.id.dropFirst())!
            let signals = Self.signals(index)
            let score = signals.filter { !$0.isShadow }.reduce(0) { $0 + $1.score }
            let verdict: Verdict = score >= 8 ? .rejected : score >= 2 ? .held : .approved
            let judgement = Judgement(verdict: verdict, score: score, signals: signals, reason: "score \(score)", rulesetVersion: "t1")
            #expect(try await store.record([(key: item.key, judgement: judgement)],
                                           at: item.receivedAt.addingTimeInterval(0.0371 * Double(index % 17 + 1))) == 1)
        }
        let later = base.addingTimeInterval(5 * 3600)
        try await store.decide("c1", verdict: .approved, actor: "alice", reason: "fine", tokens: nil, at: later)    // overturns links.count
        try await store.decide("c14", verdict: .rejected, actor: "bob", reason: "spam", tokens: nil, at: later)      // overturns author.trusted
        try await store.decide("c3", verdict: .approved, actor: "alice", reason: "fine", force: true, tokens: nil, at: later)
        try await store.undo("c3", actor: "alice", at: later.addingTimeInterval(60))
        try await store.decide("c9", verdict: .approved, actor: "bob", reason: "ok", tokens: nil, at: later.addingTimeInterval(90))
        _ = try await store.decide(["c5", "c13", "c17"], verdict: .rejected, actor: "carol", reason: "spam", note: nil, force: true,
                                   tokens: [:], at: later.addingTimeInterval(120))
        try await store.rejectAndBlockAuthor("c21", actor: "carol", reason: "abuse", note: nil, force: true, tokens: nil,
                                             at: later.addingTimeInterval(180))
        if let postgres = store as? PostgresStore { try await postgres.settleCounts() }
        try await store.decide("c25", verdict: .rejected, actor: "dave", reason: "spam", force: true, tokens: nil, at: later.addingTimeInterval(200))
        #expect(try await store.forget(author: "A4") > 0)
        _ = try await store.purgePersonalData(receivedBefore: base.addingTimeInterval(3600))
        return (store, directory, location)
    }

    /// Partial hours derive the smaller part: what is inside the period, or what is outside it taken away
    /// from the whole hour.
    @Test func aPeriodIsCutIntoWholeHoursAndTheSmallerPartsOfItsEdges() {
        typealias Split = HourlyCounts.Split
        let hour = Int64(Self.base.timeIntervalSince1970 / 3600)
        func at(_ minutes: Double) -> Date { Self.base.addingTimeInterval(minutes * 60) }
        // 07:25–09:48: most of 07:00 and 09:00 are inside, so both are read whole, less what is outside.
        var split = Split(start: at(25), end: at(168))
        #expect(split.hours == hour..<hour + 3)
        #expect(split.edges == [.init(start: at(0), end: at(25), sign: -1), .init(start: at(168), end: at(180), sign: -1)])
        // 07:50–09:10: little of either edge hour is inside, so those parts are derived.
        split = Split(start: at(50), end: at(130))
        #expect(split.hours == hour + 1..<hour + 2)
        #expect(split.edges == [.init(start: at(50), end: at(60), sign: 1), .init(start: at(120), end: at(130), sign: 1)])
        // Whole hours only; a few minutes inside one hour; most of one hour; an open end.
        #expect(Split(start: at(0), end: at(120)) == Split(start: at(0), end: at(120)))
        #expect(Split(start: at(0), end: at(120)).edges.isEmpty && Split(start: at(0), end: at(120)).hours == hour..<hour + 2)
        split = Split(start: at(10), end: at(15))
        #expect(split.hours == nil && split.edges == [.init(start: at(10), end: at(15), sign: 1)])
        split = Split(start: at(5), end: at(55))
        #expect(split.hours == hour..<hour + 1)
        #expect(split.edges == [.init(start: at(0), end: at(5), sign: -1), .init(start: at(55), end: at(60), sign: -1)])
        split = Split(start: at(40), end: nil)
        #expect(split.hours == hour + 1..<Int64.max && split.edges == [.init(start: at(40), end: at(60), sign: 1)])
        #expect(Split(start: at(30), end: at(30)).hours == nil && Split(start: at(30), end: at(30)).edges.isEmpty)
    }

    @Test(arguments: Kind.available) func countsKeptAsTheStoreChangesEqualARecount(kind: Kind) async throws {
        let (store, directory, location) = try await Self.busyStore(kind)
        _ = directory
        #expect(try await store.recount(onlyCheck: true) == [], "every table agrees with the comments and decisions")

        // Edited behind the triggers' back: the check finds it, a recount corrects it.
        if kind == .sqlite {
            let queue = try DatabaseQueue(path: location)
            try await queue.write { try $0.execute(sql: "UPDATE hourly_comments SET received = received + 1 WHERE hour = (SELECT min(hour) FROM hourly_comments)") }
        } else {
            try TestPostgres.psql(location, "UPDATE hourly_signals SET hits = hits + 1 WHERE name = 'spam.gambling'")
        }
        let broken = kind == .sqlite ? "hourly_comments" : "hourly_signals"
        #expect(try await store.recount(onlyCheck: true) == [broken])
        #expect(try await store.recount(onlyCheck: true) == [broken], "a check changes nothing")
        #expect(try await store.recount(onlyCheck: false) == [broken])
        #expect(try await store.recount(onlyCheck: true) == [])
    }

    /// A period from 07:25:40 to 09:48:10 has partial hours at both ends: the digest and the rule
    /// statistics count exactly the comments received in it.
    @Test(arguments: Kind.available) func periodsInsideHoursCountExactly(kind: Kind) async throws {
        let (store, directory, _) = try await Self.busyStore(kind)
        _ = directory
        let periods: [(Double, Double)] = [(25 * 60 + 40, 2 * 3600 + 48 * 60 + 10), (0, 4 * 3600), (3600 + 5, 3600 + 50), (-3600, 10 * 3600)]
        for (from, to) in periods {
            let start = Self.base.addingTimeInterval(from), end = Self.base.addingTimeInterval(to)
            let digest = try await DigestBuilder(database: store).build(from: start, to: end)
            // The comments of the period, worked out here from how busyStore made them.
            let indices = (0..<60).filter {
                let received = Self.base.addingTimeInterval(Double($0) * 4 * 60 + 17)
                return received >= start && received < end
            }
            #expect(digest.received == indices.count, "\(from)–\(to)")
            #expect(digest.ratingDistribution == (1...5).map { star in indices.filter { 1 + $0 % 5 == star }.count })
            #expect(digest.byVerdict.first { $0.verdict == "queued" }?.count == indices.filter { $0 >= 58 }.count)
            let gambling = indices.filter { $0 < 58 && ($0 % 3 == 0 || $0 % 9 == 7) }.count
            #expect(digest.ruleStats.first { $0.ruleID == "spam.gambling" }?.hits ?? 0 == gambling, "\(from)–\(to)")
            #expect(digest.ruleErrors.first { $0.ruleID == "spam.slow" }?.count ?? 0 == indices.filter { $0 < 58 && $0 % 7 == 3 }.count)
            #expect(digest.pipelineErrors == indices.filter { $0 < 58 && ($0 % 7 == 3 || $0 % 11 == 4) }.count)
            #expect(digest.hourly.reduce(0) { $0 + $1.received } == indices.count)
            if indices.contains(where: { $0 < 58 }) {
                #expect(digest.latencyP50 != nil && digest.latencyP99! <= 0.0371 * 17 * 1.005)
            }
            let statistics = try await store.signalStatistics(since: start)
            let since = (0..<58).filter { Self.base.addingTimeInterval(Double($0) * 4 * 60 + 17) >= start }
            #expect(statistics["links.count"]?.hits ?? 0 == since.filter { $0 % 4 == 1 }.count)
        }
        let all = try await DigestBuilder(database: store).build(from: Self.base.addingTimeInterval(-3600), to: Self.base.addingTimeInterval(10 * 3600))
        let links = all.ruleStats.first { $0.ruleID == "links.count" }
        #expect(links?.overturned == 2, "alice approved c1, held for its links; bob approved c9, rejected for gambling and links")
        #expect(all.ruleStats.first { $0.ruleID == "author.trusted" }?.overturned == 1, "bob rejected c14, approved for a trusted author")
        #expect(all.shadowAgreement.first?.ruleID == "spam.adult")
        #expect(Set(all.byDecider.map(\.decider)) == ["pipeline", "alice", "bob", "carol", "dave"])
    }
}
