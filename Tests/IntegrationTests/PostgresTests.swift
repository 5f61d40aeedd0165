import Foundation
import ModeratoTestSupport
import Testing

/// Moderato on PostgreSQL, with the real server `Scripts/test.sh` starts (`MODERATO_TEST_POSTGRES`):
/// one daemon end to end with modctl, and several daemons sharing one database while they are killed.
@Suite(.serialized, .enabled(if: TestPostgres.isAvailable, "needs the PostgreSQL server Scripts/test.sh starts"))
struct PostgresTests {
    /// A URL that cannot work is an error at once, with the server's reason.
    @Test func aWrongURLIsAClearErrorAtOnce() throws {
        let server = try #require(TestPostgres.url.flatMap { URLComponents(string: $0) })
        var missing = server
        missing.path = "/no_such_database"
        var refused = server
        refused.port = 1
        for (url, reason) in [(missing.string!, "database \"no_such_database\" does not exist"), (refused.string!, "Connection refused")] {
            let started = Date()
            let modctl = try CommandRunner.run("modctl", ["queue", "--database", url])
            #expect(modctl.status == 1 && modctl.stderr.contains("cannot connect to PostgreSQL at") && modctl.stderr.contains(reason), "\(modctl.stderr)")
            let daemon = try CommandRunner.run("moderatod", ["--database", url, "--listen", "127.0.0.1:0", "--rules", TestPaths.rulesDirectory.path],
                                               environment: ["MODERATO_API_TOKEN": "t"], timeout: 30)
            #expect(daemon.status == 2 && daemon.stderr.contains(reason), "\(daemon.stderr)")
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }

    @Test func aDaemonOnPostgresJudgesAndModctlDecides() async throws {
        let url = try TestPostgres.freshDatabase("one")
        // Nothing is created by a command that only reads.
        let early = try CommandRunner.run("modctl", ["queue", "--database", url])
        #expect(early.status == 1 && early.stderr.contains("is not a Moderato database yet"), "\(early.stderr)")

        // modctl migrate creates the schema explicitly; the daemon then finds it current.
        let migrated = try CommandRunner.run("modctl", ["migrate", "--database", url])
        #expect(migrated.status == 0 && migrated.stdout.contains("Migrated"), "\(migrated.stdout)\(migrated.stderr)")
        let current = try CommandRunner.run("modctl", ["migrate", "--database", url])
        #expect(current.status == 0 && current.stdout.contains("is up to date"), "\(current.stdout)\(current.stderr)")
        try TestPostgres.psql(url, "INSERT INTO moderato_schema (version) VALUES (99)")
        let newer = try CommandRunner.run("modctl", ["queue", "--database", url])
        #expect(newer.status == 1 && newer.stderr.contains("written by a newer version of Moderato"), "\(newer.stderr)")
        try TestPostgres.psql(url, "DELETE FROM moderato_schema WHERE version = 99")

        let daemon = try await DaemonHarness.start(database: url)
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "p1", body: "Lovely photos of the harbour.")).status == 202)
        #expect(try await daemon.post("/v1/comments", json: commentJSON(
            id: "p2", author: "Spammer", body: "Work from home and earn $400 a day, visit my website")).status == 202)
        #expect(try await daemon.waitForVerdict("p1")["status"] as? String == "approved")
        #expect(try await daemon.waitForVerdict("p2")["status"] as? String == "held")
        // The same id again is idempotent; other content under it is a conflict.
        let duplicate = try await daemon.post("/v1/comments", json: commentJSON(id: "p1", body: "Lovely photos of the harbour."))
        #expect(duplicate.status == 202 && duplicate.json["status"] as? String == "approved")
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "p1", body: "Something else")).status == 409)

        let queue = try daemon.modctl(["queue"])
        #expect(queue.status == 0 && queue.stdout.contains("p2"), "\(queue.stdout)\(queue.stderr)")
        let show = try daemon.modctl(["show", "p2"])
        #expect(show.status == 0 && show.stdout.contains("Work from home"), "\(show.stderr)")
        let reject = try daemon.modctl(["reject", "p2", "--reason", "spam", "--as", "ed"])
        #expect(reject.status == 0, "\(reject.stderr)")
        let again = try daemon.modctl(["approve", "p2", "--as", "kim"])
        #expect(again.status == 1 && again.stderr.contains("already rejected by ed"), "\(again.stderr)")
        #expect(try daemon.modctl(["undo", "p2", "--as", "ed"]).status == 0)
        let status = try daemon.modctl(["status"])
        #expect(status.status == 0 && status.stdout.contains("1 moderatod is running"), "\(status.stdout)\(status.stderr)")
        let reload = try daemon.modctl(["rules", "reload"])
        #expect(reload.status == 0 && reload.stdout.contains("reloaded"), "\(reload.stdout)\(reload.stderr)")

        let feed = try await daemon.get("/v1/decisions?after=0")
        let decisions = try #require(feed.json["decisions"] as? [[String: Any]])
        #expect(decisions.map { $0["id"] as? String } == ["p1", "p2", "p2", "p2"] || decisions.map { $0["id"] as? String } == ["p2", "p1", "p2", "p2"])
        #expect(decisions.compactMap { $0["seq"] as? Int } == decisions.compactMap { $0["seq"] as? Int }.sorted())
        let digest = try daemon.modctl(["digest", "--since", "1h", "--format", "json"])
        #expect(digest.status == 0, "\(digest.stderr)")
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(digest.stdout.utf8)) as? [String: Any])
        #expect(figures["received"] as? Int == 2, "\(digest.stdout)")
        #expect(try await daemon.stop() == 0)
    }

    /// Two daemons on one database under load, each killed at random moments and restarted: every
    /// comment that got a 202 is judged exactly once, and the feed read from either daemon shows every
    /// decision once, in order.
    @Test func twoDaemonsShareOneDatabaseThroughCrashes() async throws {
        let url = try TestPostgres.freshDatabase("two")
        var generator = SystemRandomNumberGenerator()
        // Short leases, so the killed daemons' claims pass to the others within the test.
        let settings = TemporaryDirectory("lease")
        let leases = ["--config", settings.write("lease.yml", "claim_lease_seconds: 3\n")]
        var daemons = [try await DaemonHarness.start(extraArguments: leases, database: url),
                       try await DaemonHarness.start(extraArguments: leases, database: url)]
        var accepted: Set<String> = []
        for cycle in 0..<3 {
            let deadline = Date().addingTimeInterval(Double.random(in: 1.0...2.0, using: &generator))
            let victim = cycle % 2
            await withTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    let harness = daemons[worker % 2]
                    group.addTask {
                        var mine: [String] = []
                        var index = 0
                        while Date() < deadline {
                            let id = "c\(cycle)-\(worker)-\(index)"
                            index += 1
                            guard let result = try? await harness.post("/v1/comments", json: commentJSON(
                                id: id, author: "Load \(worker)", body: "Shared load comment \(index) from \(worker) in cycle \(cycle).")) else { break }
                            if result.status == 202 { mine.append(id) }
                        }
                        return mine
                    }
                }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 150...500, using: &generator)))
                _ = try? await daemons[victim].stop(signal: SIGKILL)
                for await ids in group { accepted.formUnion(ids) }
            }
            daemons[victim] = try await daemons[victim].restart(extraArguments: leases)
        }
        #expect(accepted.count > 50, "the load was too small to mean anything: \(accepted.count)")
        // The claims of the killed daemons expire after their lease; then the survivors judge them.
        let drainDeadline = Date().addingTimeInterval(120)
        while try TestPostgres.psql(url, "SELECT count(*) FROM comment WHERE status = 'queued'") != "0" && Date() < drainDeadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        let rows = try TestPostgres.psql(url, """
            SELECT c.external_id || ' ' || c.status || ' ' || (SELECT count(*) FROM decision d WHERE d.comment_key = c.key AND d.actor_kind = 'system')
            FROM comment c
            """).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        var byID: [String: (status: String, decisions: Int)] = [:]
        for row in rows where row.count == 3 { byID[row[0]] = (row[1], Int(row[2]) ?? -1) }
        let lost = accepted.filter { byID[$0] == nil }
        #expect(lost.isEmpty, "accepted but lost: \(lost.prefix(5))")
        let unjudged = byID.filter { $0.value.status == "queued" }
        #expect(unjudged.isEmpty, "never judged: \(unjudged.keys.prefix(5))")
        let doubled = byID.filter { $0.value.decisions != 1 }
        #expect(doubled.isEmpty, "not exactly one system decision: \(doubled.prefix(5))")

        // The feed, paged through each daemon in turn, gives every decision once and in order.
        let total = Int(try TestPostgres.psql(url, "SELECT count(*) FROM decision")) ?? -1
        var seen: [Int] = []
        var after = 0
        var turn = 0
        while true {
            let page = try await daemons[turn % 2].get("/v1/decisions?after=\(after)&limit=100")
            turn += 1
            let entries = try #require(page.json["decisions"] as? [[String: Any]])
            if entries.isEmpty { break }
            seen += entries.compactMap { $0["seq"] as? Int }
            after = seen.last!
        }
        #expect(seen.count == total)
        #expect(seen == seen.sorted() && Set(seen).count == seen.count)
        for daemon in daemons { #expect(try await daemon.stop() == 0) }
    }

    /// Two daemons, one database: a text posted through one daemon counts in the other's duplicate
    /// check from the next batch, and every decision reaches the webhook once, whichever daemon made it.
    @Test func twoDaemonsShareHistoryAndTheWebhook() async throws {
        let url = try TestPostgres.freshDatabase("shared")
        let receiver = WebhookReceiver(secret: "hook-secret")
        try await receiver.start()
        defer { receiver.stop() }
        let arguments = ["--webhook", receiver.url]
        let environment = ["MODERATO_WEBHOOK_SECRET": "hook-secret"]
        let first = try await DaemonHarness.start(extraArguments: arguments, environment: environment, database: url)
        let second = try await DaemonHarness.start(extraArguments: arguments, environment: environment, database: url)
        let text = "Get the new Harbour Bingo app today and claim your welcome bonus of fifty free spins"
        let posts: [(DaemonHarness, String, String)] = [(first, "d1", "Ann"), (second, "d2", "Bob"), (first, "d3", "Cat"), (second, "d4", "Dan")]
        var verdicts: [String: [String: Any]] = [:]
        for (daemon, id, author) in posts {
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: id, author: author, body: text)).status == 202)
            verdicts[id] = try await daemon.waitForVerdict(id)
        }
        func signals(_ id: String) -> [String] {
            (verdicts[id]?["reasons"] as? [[String: Any]] ?? []).compactMap { $0["signal"] as? String }
        }
        #expect(!signals("d1").contains("duplicates.campaign"))
        #expect(signals("d2").contains("duplicates.campaign"), "\(signals("d2"))")
        #expect(signals("d4").contains("duplicates.campaign"))
        #expect(verdicts["d4"]?["status"] as? String != "approved", "four authors posting one text is a campaign")

        try await receiver.wait(for: 4)
        #expect(try first.modctl(["approve", "d4", "--force", "--as", "ed"]).status == 0)
        try await receiver.wait(for: 5)
        try await Task.sleep(for: .seconds(1))
        let delivered = receiver.deliveries.compactMap { $0.body["seq"] }
        #expect(delivered.count == 5 && Set(delivered).count == 5, "each decision exactly once: \(delivered)")
        #expect(receiver.deliveries.allSatisfy { $0.signatureValid })
        #expect(try await first.stop() == 0)
        #expect(try await second.stop() == 0)
    }

    /// An Akismet check is claimed for the request that judges it, so no worker judges it first without
    /// the check's own evidence (a filled honeypot rejects, every time).
    @Test func akismetChecksAreJudgedByTheirRequest() async throws {
        let url = try TestPostgres.freshDatabase("akismet")
        let daemon = try await DaemonHarness.start(database: url)
        for index in 0..<15 {
            let check = try await daemon.request("POST", "/1.1/comment-check", body: Data(
                "api_key=\(daemon.token)&blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&comment_author=Bot\(index)&comment_content=Hello%20number%20\(index)&honeypot_field_name=hp&hp=filled".utf8),
                token: .some(nil), headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(check.status == 200 && check.text == "true", "check \(index): \(check.status) \(check.text)")
        }
        #expect(try await daemon.stop() == 0)
    }
}
