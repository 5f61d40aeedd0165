import Foundation
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import Testing

/// The PostgreSQL store's own guarantees, on the server `Scripts/test.sh` starts: batch inserts keep
/// SQLite's outcomes, claims exclude other workers until their lease ends, and a verdict is recorded once.
@Suite(.enabled(if: TestPostgres.isAvailable, "needs the PostgreSQL server Scripts/test.sh starts"))
struct PostgresStoreTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)

    func store() async throws -> PostgresStore {
        try await PostgresStore(url: try TestPostgres.freshDatabase("store"))
    }

    /// A database at schema version 2 (before reports) upgrades: its decisions stay, readers' holds can
    /// be recorded, and the counts still agree with a recount.
    @Test func aVersion2DatabaseUpgrades() async throws {
        let url = try TestPostgres.freshDatabase("upgrade")
        for statement in PostgresSchema.versions[0...1].joined() { try TestPostgres.psql(url, statement) }
        try TestPostgres.psql(url, "INSERT INTO moderato_schema (version) VALUES (2)")
        do {
            _ = try await PostgresStore(url: url, access: .readWrite)
            Issue.record("a version 2 database opened without migrating")
        } catch {
            #expect(error.code == .olderSchema)
        }
        try TestPostgres.psql(url, """
            INSERT INTO comment (external_id, article_id, author, body, rating, received_at, status, judged_at)
            VALUES ('old', 'news-1', 'Ann', 'An old comment about the ferry.', 4, now(), 'approved', now())
            """)
        try TestPostgres.psql(url, "INSERT INTO decision (comment_key, status, actor, actor_kind, reason, at) VALUES (1, 'approved', 'moderato', 'system', 'ok', now())")
        let store = try await PostgresStore(url: url)
        #expect(try await store.history(of: "old").map(\.status) == [.approved])
        _ = try await store.recount(onlyCheck: false)
        let receipt = try await store.report("old", ReaderReport(reporter: "r-1", reason: .legal), policy: .default, at: Date())
        #expect(receipt.hold?.actorKind == .readers)
        try await store.settleCounts()
        #expect(try await store.recount(onlyCheck: true) == [])
        #expect(try TestPostgres.psql(url, "SELECT max(version) FROM moderato_schema") == "\(PostgresStore.schemaVersion)")
    }

    @Test func aBatchKeepsTheOutcomesOfOneByOne() async throws {
        let store = try await store()
        let x = Fixtures.comment("x", body: "First words.", author: "Ann")
        let outcomes = try await store.accept([Arrival(x), Arrival(x), Arrival(Fixtures.comment("y", body: "More words.", author: "Ann")),
                                               Arrival(Fixtures.comment("x", body: "Other words.", author: "Ann"))], at: now)
        #expect(outcomes == [.accepted, .duplicate(.queued), .accepted, .conflict])
        let queued = try await store.claimQueued(limit: 10, after: nil, worker: "a", lease: 60, at: now)
        #expect(queued.map(\.comment.id) == ["x", "y"])
        #expect(queued.map(\.stored.authorIsNew) == [true, false], "the second comment of a new author in one batch is not new")
        #expect(try await store.accept([Arrival(x)], at: now) == [.duplicate(.queued)])
    }

    @Test func claimsExcludeOtherWorkersUntilTheirLeaseEnds() async throws {
        let store = try await store()
        _ = try await store.accept((0..<5).map { Arrival(Fixtures.comment("c\($0)", author: "A\($0)")) }, at: now)
        // Leases run on the server's clock: one second here.
        let first = try await store.claimQueued(limit: 3, after: nil, worker: "a", lease: 1, at: now)
        let second = try await store.claimQueued(limit: 10, after: nil, worker: "b", lease: 1, at: now)
        #expect(first.map(\.comment.id) == ["c0", "c1", "c2"])
        #expect(second.map(\.comment.id) == ["c3", "c4"])
        #expect(try await store.claimQueued(limit: 10, after: nil, worker: "c", lease: 60, at: now).isEmpty)
        // Workers a and b die; after their leases, c takes their comments.
        try await Task.sleep(for: .seconds(1.2))
        let taken = try await store.claimQueued(limit: 10, after: nil, worker: "c", lease: 60, at: now)
        #expect(Set(taken.map(\.comment.id)) == ["c0", "c1", "c2", "c3", "c4"])
        let held = Judgement(verdict: .held, score: 5, signals: [], reason: "test", rulesetVersion: "t")
        #expect(try await store.record(taken.map { ($0.key, held) }, at: now) == 5)
        // The dead worker's late verdicts change nothing.
        let approved = Judgement(verdict: .approved, score: 0, signals: [], reason: "late", rulesetVersion: "t")
        #expect(try await store.record(first.map { ($0.key, approved) }, at: now) == 0)
        let feed = try await store.decisions(after: 0, limit: 100)
        #expect(feed.count == 5 && feed.allSatisfy { $0.status == .held })
        #expect(feed.map(\.seq) == feed.map(\.seq).sorted())
        #expect(try await store.queueDepth() == 0)
    }

    /// A confident verdict's lesson is learned with its verdict, and a moderator's later decision on the
    /// comment relabels it exactly.
    @Test func lessonsRecordedWithVerdictsAreRelabelledExactly() async throws {
        let store = try await store()
        _ = try await store.accept([Arrival(Fixtures.comment("s1", body: "Buy cheap watches online today", author: "Spammer"))], at: now)
        let claimed = try await store.claimQueued(limit: 1, after: nil, worker: "a", lease: 60, at: now)
        let rejected = Judgement(verdict: .rejected, score: 20, signals: [], reason: "test", rulesetVersion: "t")
        let tokens = SiteLayer.tokens(of: claimed[0].comment)
        #expect(try await store.record([(claimed[0].key, rejected)], at: now, lessons: [claimed[0].key: Lesson(tokens: tokens, unwanted: true)]) == 1)
        let learned = try await store.classifierStatistics()
        #expect(learned.unwantedDocuments == 1 && learned.fromAutomaticVerdicts == 1 && learned.tokens == tokens.count)
        try await store.decide("s1", verdict: .approved, actor: "ann", actorKind: .moderator, reason: nil, note: nil, force: false,
                               tokens: tokens, at: now)
        let relabelled = try await store.classifierModel().model
        #expect(relabelled.unwantedDocuments == 0 && relabelled.wantedDocuments == 1)
        #expect(relabelled.tokens.values.allSatisfy { $0.unwanted == 0 && $0.wanted == 1 })
    }
}
