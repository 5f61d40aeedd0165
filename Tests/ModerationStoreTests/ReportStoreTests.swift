import Foundation
import GRDB
import Judging
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import Testing

/// Readers' reports, on both stores: when they hold an approved comment, how much each reporter
/// counts, and what moderators' decisions, undo, erasure and the reported queue make of them.
@Suite struct ReportStoreTests {
    static let base = Date(timeIntervalSince1970: 1_795_849_200)

    /// A store with comments `a1`…`a4` approved, `h1` held and `r1` rejected by the pipeline, and `q1` still queued.
    static func store(_ kind: TestStore) async throws -> (any CommentStore, TemporaryDirectory) {
        let directory = TemporaryDirectory("reports")
        let location = kind == .sqlite ? directory.path("moderato.sqlite") : try TestPostgres.freshDatabase("reports")
        let store = try await StoreLocation.open(location)
        let verdicts: [(String, Verdict)] = [("a1", .approved), ("a2", .approved), ("a3", .approved), ("a4", .approved),
                                             ("h1", .held), ("r1", .rejected)]
        for (id, _) in verdicts + [("q1", .approved)] {
            _ = try await store.accept([Arrival(Fixtures.comment(id, body: "Comment \(id) about the harbour wall and the ferry times."))], at: base)
        }
        let queued = try await store.claimQueued(limit: 10, after: nil, worker: "test", lease: 600, at: base)
        let judgements = queued.compactMap { item -> (key: Int64, judgement: Judgement)? in
            guard let verdict = verdicts.first(where: { $0.0 == item.comment.id })?.1 else { return nil }
            return (item.key, Judgement(verdict: verdict, score: 0, signals: [], reason: "test", rulesetVersion: "t1"))
        }
        try await store.record(judgements, at: base.addingTimeInterval(1))
        return (store, directory)
    }

    static func report(_ store: any CommentStore, _ id: String, by reporter: String, _ reason: ReportReason = .abuse,
                       minutes: Double = 1) async throws -> ReportReceipt {
        try await store.report(id, ReaderReport(reporter: reporter, reason: reason, note: "see \(id)", ip: "198.51.100.7"),
                               policy: .default, at: base.addingTimeInterval(minutes * 60))
    }

    @Test(arguments: TestStore.available)
    func threeReadersHoldAnApprovedCommentWithADecisionInTheFeed(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        let first = try await Self.report(store, "a1", by: "reader-1")
        #expect(first.counted && first.hold == nil && first.status == .approved && first.weight == 1)
        // The same reader again counts nothing.
        let again = try await Self.report(store, "a1", by: "reader-1", .spam)
        #expect(!again.counted && again.hold == nil)
        _ = try await Self.report(store, "a1", by: "reader-2", .spam)
        let third = try await Self.report(store, "a1", by: "reader-3")
        #expect(third.counted && third.status == .held)
        let hold = try #require(third.hold)
        #expect(hold.actorKind == .readers && hold.actor == "readers" && hold.previousStatus == .approved)
        #expect(hold.reason == "reported: abuse, spam")
        #expect(hold.note == "3 reports weighing 3.00: abuse 2, spam 1")
        let feed = try await store.decisions(after: 0, limit: 100)
        #expect(feed.last?.externalID == "a1" && feed.last?.status == .held && feed.last?.actorKind == .readers)
        // A fourth report on the held comment is kept, and holds nothing more.
        let fourth = try await Self.report(store, "a1", by: "reader-4")
        #expect(fourth.counted && fourth.hold == nil && fourth.status == .held)
        #expect(try await store.decisions(after: 0, limit: 100).count == feed.count)
        let details = try #require(try await store.details(of: "a1"))
        #expect(details.reports.map(\.reporter) == ["reader-1", "reader-2", "reader-3", "reader-4"])
        #expect(details.reports.allSatisfy { $0.outcome == nil && $0.note == "see a1" })
        // Readers' holds review nothing: the counts kept for reports agree with a recount.
        #expect(try await store.recount(onlyCheck: true) == [])
    }

    @Test(arguments: TestStore.available)
    func oneReportForAnUrgentReasonIsEnough(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        #expect(try await Self.report(store, "a1", by: "reader-1", .legal).status == .held)
        #expect(try await Self.report(store, "a2", by: "reader-1", .personalData).status == .held)
        #expect(try await Self.report(store, "a3", by: "reader-1", .offTopic).status == .approved)
    }

    @Test(arguments: TestStore.available)
    func reportsOnHeldRejectedAndUnknownComments(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        let before = try await store.decisions(after: 0, limit: 100).count
        for reporter in ["x", "y", "z"] {
            #expect(try await Self.report(store, "h1", by: reporter, .legal).status == .held)
            #expect(try await Self.report(store, "r1", by: reporter, .legal).status == .rejected)
        }
        #expect(try await store.decisions(after: 0, limit: 100).count == before)
        await #expect(throws: StoreError.self) { _ = try await Self.report(store, "nope", by: "x") }
    }

    @Test(arguments: TestStore.available)
    func aReportOnAQueuedCommentCountsOnceThePipelineApprovesIt(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        let receipt = try await Self.report(store, "q1", by: "reader-1", .legal)
        #expect(receipt.counted && receipt.status == .queued && receipt.hold == nil)
        let item = try #require(try await store.queuedComment(externalID: "q1"))
        try await store.record([(key: item.key, judgement: Judgement(verdict: .approved, score: 0, signals: [], reason: "ok", rulesetVersion: "t1"))],
                               at: Self.base.addingTimeInterval(120))
        #expect(try await store.holdReported(keys: [999_999], policy: .default, at: Self.base).isEmpty)
        let holds = try await store.holdReported(keys: [item.key], policy: .default, at: Self.base.addingTimeInterval(121))
        #expect(holds.count == 1 && holds.first?.actorKind == .readers)
        #expect(try await store.details(of: "q1")?.comment.status == .held)
        // Applied once: the comment is no longer approved.
        #expect(try await store.holdReported(keys: [item.key], policy: .default, at: Self.base.addingTimeInterval(122)).isEmpty)
    }

    @Test(arguments: TestStore.available)
    func moderatorsRulingsSetEachReportersTrust(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        let decider = Decider(store: store)
        for reporter in ["crank", "good-1", "good-2"] { _ = try await Self.report(store, "a1", by: reporter) }
        #expect(try await store.details(of: "a1")?.comment.status == .held)
        // A moderator approves the readers' hold without --force: the reports are dismissed.
        let approval = try await decider.decide("a1", verdict: .approved, actor: "ann", reason: "fair comment", at: Self.base.addingTimeInterval(600))
        #expect(approval.previousStatus == .held)
        let ruled = try await store.reports(of: "a1")
        #expect(ruled.allSatisfy { $0.report.outcome == .dismissed })
        #expect(ruled.first { $0.report.reporter == "crank" }?.standing == ReporterStanding(upheld: 0, dismissed: 1))
        // The crank reports again, and counts half.
        #expect(try await Self.report(store, "a2", by: "crank", minutes: 20).weight == 0.5)
        // Two reporters report a comment a moderator then rejects: upheld. One of them was dismissed before.
        _ = try await Self.report(store, "a3", by: "good-1", minutes: 21)
        _ = try await Self.report(store, "a3", by: "good-2", minutes: 21)
        try await decider.decide("a3", verdict: .rejected, actor: "ann", reason: "abuse", at: Self.base.addingTimeInterval(1_800))
        let standing = try #require(try await store.reports(of: "a3").first?.standing)
        #expect(standing == ReporterStanding(upheld: 1, dismissed: 1) && abs(standing.trust - 2.0 / 3) < 1e-9)
        // Undo reopens the reports the undone decision ruled on.
        try await store.undo("a3", actor: "ann", at: Self.base.addingTimeInterval(1_900))
        #expect(try await store.reports(of: "a3").allSatisfy { $0.report.outcome == nil })
        #expect(try await store.reports(of: "a3").first?.standing == ReporterStanding(upheld: 0, dismissed: 1))
        // Reports made after a moderator's approval count again, but twice as many are needed: three are not enough, six are.
        for reporter in ["new-1", "new-2", "new-3"] { _ = try await Self.report(store, "a1", by: reporter, minutes: 40) }
        #expect(try await store.details(of: "a1")?.comment.status == .approved)
        for reporter in ["new-4", "new-5", "new-6"] { _ = try await Self.report(store, "a1", by: reporter, minutes: 41) }
        #expect(try await store.details(of: "a1")?.comment.status == .held)
        // A crank alone with dismissed reports cannot hold a comment with an urgent reason.
        #expect(try await Self.report(store, "a4", by: "crank", .legal, minutes: 50).status == .approved)
        #expect(try await store.recount(onlyCheck: true) == [])
    }

    @Test(arguments: TestStore.available)
    func aModeratorsDecisionOnAReportedCommentTeachesTheLearningLayer(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        for reporter in ["r-1", "r-2", "r-3"] { _ = try await Self.report(store, "a2", by: reporter, .spam) }
        let before = try await store.classifierStatistics()
        try await Decider(store: store).decide("a2", verdict: .rejected, actor: "ann", reason: "spam", at: Self.base.addingTimeInterval(600))
        let after = try await store.classifierStatistics()
        #expect(after.unwantedDocuments == before.unwantedDocuments + 1)
    }

    @Test(arguments: TestStore.available)
    func theReportedQueueListsOpenReportsMostWeightedFirst(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        _ = try await Self.report(store, "a3", by: "r-1", .spam)
        for reporter in ["r-1", "r-2"] { _ = try await Self.report(store, "a2", by: reporter, .abuse) }
        _ = try await Self.report(store, "r1", by: "r-1", .abuse)
        var filter = CommentFilter()
        filter.reportedOnly = true
        let listed = try await store.comments(matching: filter)
        #expect(listed.map(\.comment.externalID) == ["a2", "a3"])
        #expect(listed.first?.reports == ReportTally(count: 2, weight: 2, reasons: ["abuse"]))
        // The held queue shows reports too.
        _ = try await Self.report(store, "h1", by: "r-9", .legal)
        #expect(try await store.comments(matching: CommentFilter(status: .held)).first { $0.comment.externalID == "h1" }?.reports?.count == 1)
    }

    @Test(arguments: TestStore.available)
    func erasureTakesTheReportsNotesAndNetworks(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind)
        _ = directory
        _ = try await Self.report(store, "a1", by: "r-1")
        #expect(try await store.forget(author: "Reader") > 0)
        let report = try #require(try await store.reports(of: "a1").first?.report)
        #expect(report.note == nil && report.reporter == "r-1")
    }
}

/// A database of schema 14 (before reports) migrates: decisions keep their rows, triggers and
/// constraints, and readers' holds are recorded after.
@Suite struct ReportMigrationTests {
    @Test func aVersion14DatabaseKeepsItsDecisionsAndTriggers() async throws {
        let directory = TemporaryDirectory("migrate15")
        let path = directory.path("moderato.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v14-hourly-counts")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO daemon_status (key, value, updated_at) VALUES ('webhook_url', 'http://127.0.0.1:9/hook', '2026-11-01 09:00:00.000')")
                try db.execute(sql: """
                    INSERT INTO comment (external_id, article_id, author, body, rating, received_at, status)
                    VALUES ('old', 'news-1', 'Ann', 'An old comment about the ferry.', 4, '2026-11-01 10:00:00.000', 'approved');
                    INSERT INTO decision (comment_key, status, actor, actor_kind, reason, at)
                    VALUES (1, 'approved', 'moderato', 'system', 'ok', '2026-11-01 10:00:01.000');
                    """)
            }
        }
        let store = try ModerationDatabase(path: path)
        #expect(try await store.history(of: "old").map(\.status) == [.approved])
        // The rows above were written by hand, not counted: count them, so the check below sees the readers' hold.
        _ = try await store.recount(onlyCheck: false)
        let receipt = try await store.report("old", ReaderReport(reporter: "r-1", reason: .legal), policy: .default, at: Date())
        #expect(receipt.hold?.actorKind == .readers)
        let (outbox, triggers) = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'decision' AND type = 'trigger'"))
        }
        // The outbox trigger came back with the table (both decisions are queued for the webhook).
        #expect(outbox == 2)
        #expect(triggers == 4)
        // Still append-only.
        await #expect(throws: (any Error).self) { try await store.pool.write { try $0.execute(sql: "DELETE FROM decision") } }
        #expect(try await store.recount(onlyCheck: true) == [])
    }
}
