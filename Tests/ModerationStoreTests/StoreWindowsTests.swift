import Foundation
import GRDB
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import Testing

/// The windows the store keeps in memory: loaded from the file on first use, kept up to date as
/// comments arrive, the same after a restart, and the migration that dropped their indexes.
@Suite struct StoreWindowsTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)  // 2026-11-29 07:30 UTC
    let windows = HistoryWindows(HeuristicsConfiguration())

    func at(_ seconds: Double) -> Date { now.addingTimeInterval(seconds) }

    func flood(_ id: String, ip: String = "203.0.113.7") -> Moderation.Comment {
        Fixtures.comment(id, body: "The same campaign text about the harbour, posted again and again by one sender", author: "Spammer", ip: ip)
    }

    func context(_ database: ModerationDatabase, of id: String) async throws -> CommentContext {
        let queued = try await database.queuedComments(limit: 1_000)
        let item = try #require(queued.first { $0.comment.id == id }, "\(id) is not queued")
        return try await StoreHistory(database: database).context(for: item.historyQuery, windows: windows)
    }

    @Test func windowsFollowNewCommentsAndSurviveARestart() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        for index in 1...3 { _ = try await database.accept([flood("f\(index)")], at: at(Double(index) * 10)) }
        #expect(try await context(database, of: "f3").flood.sameIP == 3)
        // Comments accepted after the windows were loaded are seen at the next lookup.
        for index in 4...6 { _ = try await database.accept([flood("f\(index)")], at: at(Double(index) * 10)) }
        let sixth = try await context(database, of: "f6")
        #expect(sixth.flood.sameIP == 6)
        #expect(sixth.duplicates.sameAuthor == 5)
        // A new process has nothing in memory: it loads the same history from the file.
        let restarted = try ModerationDatabase(path: database.path)
        #expect(try await context(restarted, of: "f6") == sixth)
        // And a comment judged long after the others (older than what is kept) reloads them.
        #expect(try await context(restarted, of: "f1").flood.sameIP == 1)
        #expect(try await context(restarted, of: "f6") == sixth)
    }

    @Test func showFindsTheSameNetworkAmongNearbyCommentsWithoutAnIndex() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        _ = try await database.accept([
            Fixtures.comment("a1", author: "Ann", ip: "203.0.113.7"),
            Fixtures.comment("b1", author: "Bob", ip: "203.0.113.99"),  // same /24, another author
            Fixtures.comment("a2", author: "Ann", ip: "203.0.113.8"),  // the same author: listed as hers, not the network's
            Fixtures.comment("c1", author: "Cy", ip: "198.51.100.1"),  // another network
        ], at: now)
        let shown = try #require(try await database.details(of: "a1")).comment
        let related = try await database.relatedComments(to: shown, limit: 8)
        #expect(related.byNetwork.map(\.externalID) == ["b1"])
        #expect(related.byAuthor.map(\.externalID) == ["a2"])
    }

    @Test func aDatabaseWithFingerprintBandColumnsIsMigrated() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v5.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v5-six-fingerprint-bands")
            let fingerprint = try #require(StoredComment(Arrival(flood("old")), receivedAt: at(-60)).fingerprint)
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO comment (external_id, article_id, author, body, rating, received_at, ip, network, fingerprint,
                                         fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5)
                    VALUES ('old', 'news-1', 'Spammer', 'The same campaign text about the harbour, posted again and again by one sender',
                            4, ?, '203.0.113.7', '203.0.113.0/24', ?, 1, 2, 3, 4, 5, 6)
                    """, arguments: [at(-60), fingerprint])
            }
        }
        let database = try ModerationDatabase(path: path)
        let indexes = try await database.pool.read { try $0.indexes(on: "comment").map(\.name) }
        #expect(!indexes.contains("comment_by_ip") && !indexes.contains("comment_by_band0") && indexes.contains("comment_by_author"))
        _ = try await database.accept([flood("new")], at: now)
        let context = try await context(database, of: "new")
        #expect(context.flood.sameIP == 2)
        #expect(context.duplicates.sameAuthor == 1)
        // The old band columns stay (dropping a column needs SQLite 3.35), empty in new rows.
        let bands = try await database.pool.read { try Int64.fetchAll($0, sql: "SELECT fp_band0 FROM comment WHERE fp_band0 IS NOT NULL") }
        #expect(bands == [1])
    }

    @Test func aBacklogWaitsOutsideTheWindowsUntilItsTurn() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        // 5,000 copies of one text from one author queue up after the comment judged; none may use up
        // the lookup's steps before it reaches the earlier copy by another author.
        let text = "The same campaign text about the harbour, posted again and again by a whole crowd"
        _ = try await database.accept([Fixtures.comment("early", body: text, author: "Bob")], at: at(-60))
        _ = try await database.accept([Fixtures.comment("judged", body: text, author: "Ann")], at: now)
        let backlog = (0..<5_000).map { Fixtures.comment("b\($0)", body: text, author: "Crowd") }
        _ = try await database.accept(backlog, at: at(10))
        let queued = try await database.queuedComments(limit: 2)
        let contexts = try await StoreHistory(database: database).contexts(for: queued.map(\.historyQuery), windows: windows)
        #expect(contexts[1].duplicates.otherAuthors == 1)
        #expect(database.recentComments.withLock { $0.count } == 2)
        #expect(database.takeWindowsTruncationNotice() == false)
    }

    @Test func duplicatesAtTheSameInstantCountOnlyEarlierArrivals() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        let text = "The same campaign text about the harbour, posted again and again by a whole crowd"
        _ = try await database.accept([Fixtures.comment("d1", body: text, author: "Ann"), Fixtures.comment("d2", body: text, author: "Bob"),
                                       Fixtures.comment("d3", body: text, author: "Cy")], at: now)
        #expect(try await context(database, of: "d1").duplicates.otherAuthors == 0)
        #expect(try await context(database, of: "d3").duplicates.otherAuthors == 2)
    }
}
