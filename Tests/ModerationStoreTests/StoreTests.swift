import Foundation
import GRDB
import Judging
import Moderation
@testable import ModerationStore
import ModeratoTestSupport
import Testing

@Suite struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_795_937_400)

    func judgement(_ verdict: Verdict, score: Double = 0, signals: [Signal] = []) -> Judgement {
        Judgement(verdict: verdict, score: score, signals: signals, reason: "test", rulesetVersion: "v1")
    }

    @Test func acceptIsIdempotentAndDetectsConflicts() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        let comment = Fixtures.comment("c1")
        #expect(try await database.accept([comment], at: now) == [.accepted])
        #expect(try await database.accept([comment], at: now) == [.duplicate(.queued)])
        var changed = comment
        changed.body = "something else"
        #expect(try await database.accept([changed], at: now) == [.conflict])
        #expect(try await database.queueDepth() == 1)
    }

    @Test func schemaEnforcesConstraints() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        try await database.pool.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO comment (external_id, article_id, author, body, rating, received_at) VALUES ('x','a','b','c',6,'2026-01-01')")
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO comment (external_id, article_id, author, body, rating, received_at, status) VALUES ('x','a','b','c',3,'2026-01-01','maybe')")
            }
        }
    }

    @Test func verdictsAreRecordedOnceWithSignalsAndADecision() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1"), Fixtures.comment("c2")], at: now)
        let queued = try await database.queuedComments(limit: 10)
        #expect(queued.map(\.comment.id) == ["c1", "c2"])
        let signal = Signal(source: .rule, name: "spam.x", score: 6, explanation: "because",
                            span: Span(field: .body, utf8Start: 2, utf8End: 5, text: "abc"))
        let batch = [(key: queued[0].key, judgement: judgement(.held, score: 6, signals: [signal])),
                     (key: queued[1].key, judgement: judgement(.approved))]
        #expect(try await database.record(batch, at: now) == 2)
        // A second attempt (as after a crash and replay) changes nothing.
        #expect(try await database.record(batch, at: now) == 0)
        let details = try #require(try await database.details(of: "c1"))
        #expect(details.comment.status == .held)
        #expect(details.comment.score == 6)
        #expect(details.comment.rulesetVersion == "v1")
        #expect(details.signals == [signal])
        #expect(details.history.count == 1)
        #expect(details.history[0].actorKind == .system)
        #expect(try await database.queueDepth() == 0)
        // Foreign keys are still enforced after recording.
        try await database.pool.write { db in
            let enforced = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys")
            #expect(enforced == true)
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: """
                    INSERT INTO decision (comment_key, status, actor, actor_kind, at) VALUES (999, 'approved', 'x', 'moderator', '2026-01-01')
                    """)
            }
        }
        // A record for a comment that was never stored writes nothing, signals included.
        #expect(try await database.record([(key: 999, judgement: judgement(.held, score: 6, signals: [signal]))], at: now) == 0)
        #expect(try await database.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM signal WHERE comment_key = 999") } == 0)
    }

    @Test func aLargeBatchKeepsEachCommentsSignalsAndDecisionsInOrder() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        // More rows than one multi-row statement takes, with 0 to 3 signals a comment, and comments
        // already judged in the middle of the batch.
        _ = try await database.accept((0..<150).map { Fixtures.comment("c\($0)") }, at: now)
        let queued = try await database.queuedComments(limit: 200)
        func signals(_ index: Int) -> [Signal] {
            (0..<(index % 4)).map { Signal(source: .heuristic, name: "h.\(index).\($0)", score: Double($0), explanation: "signal \($0) of c\(index)") }
        }
        let early = queued.indices.filter { $0 % 7 == 3 }.map { (key: queued[$0].key, judgement: judgement(.rejected, signals: signals($0))) }
        #expect(try await database.record(early, at: now) == early.count)
        let batch = queued.indices.map { (key: queued[$0].key, judgement: judgement($0 % 2 == 0 ? .approved : .held, signals: signals($0))) }
        #expect(try await database.record(batch, at: now) == 150 - early.count)
        for index in [0, 3, 63, 64, 65, 128, 149] {
            let details = try #require(try await database.details(of: "c\(index)"))
            #expect(details.signals == signals(index))
            #expect(details.history.count == 1)
            #expect(details.comment.status == (index % 7 == 3 ? .rejected : index % 2 == 0 ? .approved : .held))
        }
        let order = try await database.pool.read { try Int64.fetchAll($0, sql: "SELECT comment_key FROM decision ORDER BY seq") }
        #expect(order == early.map(\.key) + queued.indices.filter { $0 % 7 != 3 }.map { queued[$0].key })
        let signalCount = try await database.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM signal") }
        #expect(signalCount == queued.indices.map { $0 % 4 }.reduce(0, +))
    }

    @Test func aVerdictWithManySignalsKeepsThemAllInOrder() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1"), Fixtures.comment("c2")], at: now)
        let queued = try await database.queuedComments(limit: 2)
        // Quotes, newlines, backslashes and non-ASCII text survive the JSON, in order.
        let many = (0..<19).map { index in
            Signal(source: index % 2 == 0 ? .rule : .heuristic, name: "s.\(index)", score: Double(index) / 4,
                   action: index == 3 ? .reject : nil, explanation: "\"quoted\"\nline \(index) — café",
                   isShadow: index == 5, span: index % 3 == 0 ? Span(field: .body, utf8Start: index, utf8End: index + 2, text: "é\\") : nil,
                   isRuleError: index == 7)
        }
        let batch = [(key: queued[0].key, judgement: judgement(.rejected, signals: many)),
                     (key: queued[1].key, judgement: judgement(.approved, signals: [many[1]]))]
        #expect(try await database.record(batch, at: now) == 2)
        #expect(try await database.details(of: "c1")?.signals == many)
        #expect(try await database.details(of: "c2")?.signals == [many[1]])
        // Recording again changes nothing.
        #expect(try await database.record(batch, at: now) == 0)
        #expect(try await database.details(of: "c1")?.signals.count == 19)
    }

    @Test func anOlderDatabasesSignalsMoveIntoTheirComments() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("v7.sqlite")
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v7-author-index-covers-status")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO comment (key, external_id, article_id, author, body, rating, received_at, status, score)
                    VALUES (1, 'old', 'news-1', 'Ann', 'Buy cheap pills now', 1, '2026-11-01 10:00:00.000', 'held', 6),
                           (2, 'plain', 'news-1', 'Bob', 'Nice', 5, '2026-11-01 10:00:01.000', 'approved', 0);
                    INSERT INTO signal (comment_key, source, name, score, action, explanation, is_shadow, field, span_start, span_end,
                                        matched_text, is_error)
                    VALUES (1, 'rule', 'spam.pills', 4, NULL, 'Sells pills', 0, 'body', 10, 15, 'pills', 0),
                           (1, 'rule', 'spam.shadowed', 1.5, 'hold', 'A rule on trial', 1, NULL, NULL, NULL, NULL, 0),
                           (1, 'heuristic', 'links.count', -0.5, NULL, 'No links', 0, NULL, NULL, NULL, NULL, 1);
                    """)
            }
        }
        let database = try ModerationDatabase(path: path)
        let old = try #require(try await database.details(of: "old"))
        #expect(old.signals == [
            Signal(source: .rule, name: "spam.pills", score: 4, explanation: "Sells pills", span: Span(field: .body, utf8Start: 10, utf8End: 15, text: "pills")),
            Signal(source: .rule, name: "spam.shadowed", score: 1.5, action: .hold, explanation: "A rule on trial", isShadow: true),
            Signal(source: .heuristic, name: "links.count", score: -0.5, explanation: "No links", isRuleError: true),
        ])
        #expect(try await database.details(of: "plain")?.signals == [])
        #expect(try await database.comments(matching: CommentFilter()).first?.reasons == ["spam.pills", "links.count"])
        let tables = try await database.pool.read { try String.fetchAll($0, sql: "SELECT type FROM sqlite_master WHERE name = 'signal'") }
        #expect(tables == ["view"])
    }

    @Test func forgettingAnAuthorKeepsTheirSignalsWithoutTheMatchedText() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1", author: "Sam")], at: now)
        let queued = try await database.queuedComments(limit: 1)
        let signals = [Signal(source: .rule, name: "spam.x", score: 6, explanation: "because", span: Span(field: .body, utf8Start: 2, utf8End: 5, text: "abc")),
                       Signal(source: .heuristic, name: "links.count", score: 1, explanation: "one link")]
        try await database.record([(key: queued[0].key, judgement: judgement(.held, score: 7, signals: signals))], at: now)
        #expect(try await database.forget(author: "Sam") == 1)
        let details = try #require(try await database.details(of: "c1"))
        #expect(details.signals.map(\.name) == ["spam.x", "links.count"])
        #expect(details.signals.allSatisfy { $0.span == nil })
        let stored = try await database.pool.read { try String.fetchOne($0, sql: "SELECT signals FROM comment") }
        #expect(stored?.contains("abc") == false)
    }

    @Test func theAuthorsRecordIsReadFromTheIndexAlone() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        let plan = try await database.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + StoreHistory.authorRecord, arguments: ["Ann", now, 1]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("COVERING INDEX comment_by_author") }, "\(plan)")
    }

    @Test func moderatorDecisionsAreCompareAndSet() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1"), Fixtures.comment("c2")], at: now)
        await #expect { try await database.decide("c1", verdict: .approved, actor: "ann", reason: nil, at: now) } throws: {
            ($0 as? StoreError)?.code == .stillQueued
        }
        let queued = try await database.queuedComments(limit: 10)
        try await database.record(queued.map { (key: $0.key, judgement: judgement(.held)) }, at: now)

        let decision = try await database.decide("c1", verdict: .approved, actor: "ann", reason: nil, at: now)
        #expect(decision.previousStatus == .held)
        await #expect { try await database.decide("c1", verdict: .rejected, actor: "bob", reason: "spam", at: now) } throws: {
            guard let error = $0 as? StoreError else { return false }
            return error.code == .alreadyDecided && error.message == "comment c1 was already approved by ann at 2026-11-29 07:30 UTC; pass --force to override"
        }
        let forced = try await database.decide("c1", verdict: .rejected, actor: "bob", reason: "spam", force: true, at: now)
        #expect(forced.previousStatus == .approved)
        await #expect { try await database.decide("nope", verdict: .approved, actor: "ann", reason: nil, at: now) } throws: {
            ($0 as? StoreError)?.code == .notFound
        }
        // A moderator may overturn an automatic verdict either way.
        #expect(try await database.decide("c2", verdict: .rejected, actor: "ann", reason: "spam", at: now).status == .rejected)
        let history = try await database.history(of: "c1")
        #expect(history.map(\.status) == [.held, .approved, .rejected])
        #expect(history.map(\.actor) == ["moderato", "ann", "bob"])
    }

    /// Rejecting and blocking the author is one transaction: when the rejection is refused (another
    /// moderator decided first), the author is not blocked either.
    @Test func rejectAndBlockIsAllOrNothing() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1", author: "Sam"), Fixtures.comment("c2", author: "Kim")], at: now)
        let queued = try await database.queuedComments(limit: 10)
        try await database.record(queued.map { (key: $0.key, judgement: judgement(.held)) }, at: now)
        try await database.decide("c1", verdict: .approved, actor: "ann", reason: nil, at: now)
        let decider = Decider(store: database)
        await #expect { try await decider.rejectAndBlockAuthor("c1", actor: "bob", reason: "abuse", note: nil, at: now) } throws: {
            ($0 as? StoreError)?.code == .alreadyDecided
        }
        #expect(try await database.listEntries(list: "block", at: now).isEmpty)
        let decision = try await decider.rejectAndBlockAuthor("c2", actor: "bob", reason: "abuse", note: "author blocked", at: now)
        #expect(decision.status == .rejected)
        #expect(try await database.listEntries(list: "block", at: now).map(\.value) == ["Kim"])
    }

    @Test func concurrentModeratorsExactlyOneWins() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1")], at: now)
        let queued = try await database.queuedComments(limit: 1)
        try await database.record([(key: queued[0].key, judgement: judgement(.held))], at: now)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    (try? await database.decide("c1", verdict: index % 2 == 0 ? .approved : .rejected, actor: "m\(index)",
                                                reason: nil, at: now)) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
    }

    @Test func decisionFeedPages() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        let comments = (1...5).map { Fixtures.comment("c\($0)") }
        _ = try await database.accept(comments, at: now)
        let queued = try await database.queuedComments(limit: 10)
        try await database.record(queued.map { (key: $0.key, judgement: judgement(.approved)) }, at: now)
        let first = try await database.decisions(after: 0, limit: 2)
        #expect(first.map(\.externalID) == ["c1", "c2"])
        let second = try await database.decisions(after: first.last!.seq, limit: 2)
        #expect(second.map(\.externalID) == ["c3", "c4"])
        let rest = try await database.decisions(after: second.last!.seq, limit: 100)
        #expect(rest.map(\.externalID) == ["c5"])
        #expect(try await database.decisions(after: rest.last!.seq, limit: 100).isEmpty)
    }

    @Test func decisionsAreAppendOnly() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1")], at: now)
        let queued = try await database.queuedComments(limit: 1)
        try await database.record([(key: queued[0].key, judgement: judgement(.approved))], at: now)
        try await database.pool.write { db in
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE decision SET status = 'rejected'") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM decision") }
        }
    }

    @Test func heldListingFiltersAndReasons() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        _ = try await database.accept([Fixtures.comment("c1", article: "a1"), Fixtures.comment("c2", author: "Zed", article: "a2")], at: now)
        let queued = try await database.queuedComments(limit: 10)
        let signals = [Signal(source: .heuristic, name: "links.count", score: 2, explanation: "x"),
                       Signal(source: .rule, name: "spam.x", score: 4, explanation: "y")]
        try await database.record(queued.map { (key: $0.key, judgement: judgement(.held, signals: signals)) }, at: now)
        #expect(try await database.comments(matching: CommentFilter()).first?.reasons == ["spam.x", "links.count"])
        var filter = CommentFilter()
        filter.articleID = "a2"
        #expect(try await database.comments(matching: filter).map(\.comment.externalID) == ["c2"])
        filter = CommentFilter()
        filter.author = "Zed"
        #expect(try await database.comments(matching: filter).count == 1)
        filter = CommentFilter()
        filter.signalName = "nope"
        #expect(try await database.comments(matching: filter).isEmpty)
    }

    @Test func theWriterCommitsDurably() async throws {
        let (database, _dir) = try Fixtures.database()
        _ = _dir
        // A 202 means the comment survives a power loss: the WAL is synced at every commit (FULL = 2).
        let settings = try await database.pool.writeWithoutTransaction { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
             try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        #expect(settings.0 == "wal" && settings.1 == 2 && settings.2 == 8_000)
    }

    @Test func databaseFileIsPrivate() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("sub/moderato.sqlite")
        _ = try ModerationDatabase(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func missingDatabaseIsNotCreatedWhenAskedNotTo() {
        var configuration = StoreConfiguration()
        configuration.createIfMissing = false
        #expect {
            _ = try ModerationDatabase(path: "/tmp/does-not-exist-\(UUID()).sqlite", configuration: configuration)
        } throws: { ($0 as? StoreError)?.code == .missingDatabase }
    }

    @Test func notADatabaseAndNewerSchemaAreReported() async throws {
        let directory = TemporaryDirectory()
        let junk = directory.write("junk.sqlite", String(repeating: "this is not sqlite\n", count: 100))
        #expect { _ = try ModerationDatabase(path: junk) } throws: { ($0 as? StoreError)?.code == .cannotOpen }

        let path = directory.path("newer.sqlite")
        let database = try ModerationDatabase(path: path)
        try await database.pool.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-from-the-future')") }
        #expect { _ = try ModerationDatabase(path: path) } throws: {
            guard let error = $0 as? StoreError else { return false }
            return error.code == .newerSchema && error.message.contains("newer version of Moderato")
        }
    }
}

@Suite struct OutboxTests {
    @Test func finishedDeliveriesArePrunedAfterTheirRetention() async throws {
        let (database, directory) = try Fixtures.database()
        defer { _ = directory }
        try await database.setDaemonStatus(["webhook_url": "http://127.0.0.1:9/hook"])
        let long = Date().addingTimeInterval(-30 * 86_400)
        for id in ["o1", "o2", "o3"] {
            #expect(try await database.accept([Fixtures.comment(id, author: id)], at: long) == [.accepted])
        }
        let queued = try await database.queuedComments(limit: 10)
        let judgements = queued.map { (key: $0.key, judgement: Judgement(verdict: .approved, score: 0, signals: [], reason: "t", rulesetVersion: "t")) }
        _ = try await database.record(judgements, at: long)
        let due = try await database.dueDeliveries(at: Date(), limit: 10)
        #expect(due.count == 3)
        try await database.markDelivered(due[0].entry.seq, at: long)
        try await database.markAttemptFailed(due[1].entry.seq, error: "HTTP 500", retryAt: nil, at: long)
        #expect(try await database.pruneOutbox(finishedBefore: Date().addingTimeInterval(-7 * 86_400)) == 2)
        // The one still waiting stays.
        #expect(try await database.dueDeliveries(at: Date(), limit: 10).map(\.entry.seq) == [due[2].entry.seq])
        #expect(try await database.pruneOutbox(finishedBefore: Date()) == 0)
    }
}
