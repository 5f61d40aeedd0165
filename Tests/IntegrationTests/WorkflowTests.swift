import Foundation
import ModerationStore
import ModeratoTestSupport
import Testing

/// Moderators' tools and decisions reaching the website, against the built binaries.
@Suite(.serialized) struct WorkflowTests {
    func status(_ daemon: DaemonHarness, _ id: String) async throws -> String {
        try await daemon.waitForVerdict(id)["status"] as? String ?? "?"
    }

    @Test(arguments: TestStore.available) func blocksAllowListsAndArticleModesChangeVerdicts(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("workflow"))
        #expect(try daemon.modctl(["block", "add", "author", "Troll", "--reason", "repeat abuse", "--as", "ann"]).status == 0)
        // Without "add", block and allow add.
        #expect(try daemon.modctl(["block", "domain", "spam.example", "--expires", "30d", "--as", "ann"]).status == 0)
        let badKind = try daemon.modctl(["block", "colour", "red"])
        #expect(badKind.status == 64)
        #expect(badKind.stderr.contains("colour"), "\(badKind.stderr)")
        #expect(try daemon.modctl(["article", "set", "court-1", "--mode", "premoderate", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["article", "set", "old-1", "--mode", "closed", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["allow", "author", "Councillor Jones", "--as", "ann"]).status == 0)

        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b1", author: "Troll", body: "A perfectly polite remark."))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b2", author: "Bea", body: "See www.shop.spam.example for more"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b3", article: "court-1", author: "Cal", body: "Sad story."))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b4", article: "old-1", author: "Dee", body: "Late to this."))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b5", author: "Councillor Jones", body: "Check out my website, details there"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b6", author: "Councillor Jones", body: "Ring me on 07700 900123"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b7", author: "Eve", body: "An ordinary comment."))
        #expect(try await status(daemon, "b1") == "rejected")
        #expect(try await status(daemon, "b2") == "rejected")
        #expect(try await status(daemon, "b3") == "held")
        #expect(try await status(daemon, "b4") == "rejected")
        #expect(try await status(daemon, "b5") == "approved")
        #expect(try await status(daemon, "b6") == "held", "an allow-listed author is still held when a rule forces it")
        #expect(try await status(daemon, "b7") == "approved")
        let reasons = try await daemon.waitForVerdict("b4")["reasons"] as? [[String: Any]] ?? []
        #expect(reasons.contains { ($0["explanation"] as? String) == "Comments on this article are closed" })

        let blocks = try daemon.modctl(["block", "list", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(blocks.stdout.utf8)) as? [String: [[String: Any]]])
        #expect(listed["blocks"]?.count == 2)
        #expect(try daemon.modctl(["block", "remove", "author", "Troll"]).status == 0)
        let missing = try daemon.modctl(["block", "remove", "author", "Troll"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "modctl: no block on author Troll; see modctl block list\n")
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b8", author: "Troll", body: "Another polite remark."))
        #expect(try await status(daemon, "b8") == "approved")
        let articles = try daemon.modctl(["article", "list"])
        #expect(articles.stdout.contains("court-1") && articles.stdout.contains("premoderate"))
        let badMode = try daemon.modctl(["article", "set", "x", "--mode", "sometimes"])
        #expect(badMode.status == 64)
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func undoLogAndBulkDecisions(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("workflow"))
        let bodies = ["Work from home and earn $400 a day, visit my website", "Visit my website for cheap deals, earn $500 a week",
                      "Follow my blog for betting tips and free spins", "Follow my page for free spins and betting tips"]
        for index in 0..<4 {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "h\(index)", author: "Author \(index)", body: bodies[index]))
        }
        for index in 0..<4 { #expect(try await status(daemon, "h\(index)") == "held") }

        #expect(try daemon.modctl(["approve", "h0", "--as", "alice"]).status == 0)
        let undone = try daemon.modctl(["undo", "h0", "--as", "alice"])
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(undone.stdout.contains("h0 is held again"))
        // After an undo, the comment can be decided again without --force.
        #expect(try daemon.modctl(["reject", "h0", "--reason", "spam", "--as", "bob"]).status == 0)
        // Undoing another moderator's decision is an override, like any other: it needs --force.
        let others = try daemon.modctl(["undo", "h0", "--as", "alice"])
        #expect(others.status == 1)
        #expect(others.stderr.contains("was made by bob") && others.stderr.contains("pass --force"), "\(others.stderr)")
        #expect(try daemon.modctl(["undo", "h0", "--as", "alice", "--force"]).status == 0)
        #expect(try daemon.modctl(["reject", "h0", "--reason", "spam", "--as", "bob"]).status == 0)
        let nothing = try daemon.modctl(["undo", "h3", "--as", "alice"])
        #expect(nothing.status == 1)
        #expect(nothing.stderr == "modctl: comment h3 has no moderator decision to undo\n")

        let log = try daemon.modctl(["log", "--actor", "alice", "--json"])
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: [[String: Any]]])["decisions"]
        #expect(entries?.map { $0["status"] as? String } == ["held", "held", "approved"], "alice: the forced undo, her undo, her approval")
        #expect(try daemon.modctl(["log", "--since", "1h"]).stdout.contains("bob"))

        let dry = try daemon.modctl(["reject", "--all", "--rule", "spam.self_promotion", "--reason", "spam", "--dry-run"])
        #expect(dry.stdout == "3 held comments would be rejected\n")
        let unconfirmed = try daemon.modctl(["reject", "--all", "--rule", "spam.self_promotion", "--reason", "spam"])
        #expect(unconfirmed.status == 1)
        #expect(unconfirmed.stderr.contains("add --yes"))
        let bulk = try daemon.modctl(["reject", "--all", "--rule", "spam.self_promotion", "--reason", "spam", "--yes", "--as", "carol"])
        #expect(bulk.status == 0)
        #expect(try daemon.modctl(["queue", "--json"]).stdout.contains("\"comments\" : [\n\n  ]"))
        let mixed = try daemon.modctl(["approve", "h1", "--all"])
        #expect(mixed.status == 64)
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func twoModeratorsAtOnceExactlyOneWins(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("workflow"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "race", author: "Racer", body: "Work from home and earn $400 a day, visit my website"))
        #expect(try await status(daemon, "race") == "held")
        async let first = Task.detached { try daemon.modctl(["approve", "race", "--as", "alice"]) }.value
        async let second = Task.detached { try daemon.modctl(["reject", "race", "--reason", "spam", "--as", "bob"]) }.value
        let results = try await [first, second]
        #expect(results.filter { $0.status == 0 }.count == 1)
        let loser = try #require(results.first { $0.status != 0 })
        #expect(loser.stderr.contains("was already"))
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func webhookDeliversEveryDecisionSignedInOrderAcrossRestarts(store: TestStore) async throws {
        let receiver = WebhookReceiver(secret: "hook-secret")
        try await receiver.start()
        defer { receiver.stop() }
        // A query can carry the site's own credentials: it is used, but never logged or shown.
        let arguments = ["--webhook", receiver.url + "?key=site-secret-key"]
        let environment = ["MODERATO_WEBHOOK_SECRET": "hook-secret"]
        var daemon = try await DaemonHarness.start(extraArguments: arguments, environment: environment, database: try store.database("workflow"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "w1", author: "W1", body: "A fine comment."))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "w2", author: "W2", body: "Work from home and earn $400 a day, visit my website"))
        try await receiver.wait(for: 2)
        #expect(receiver.deliveries.allSatisfy { $0.signatureValid })

        // The website is down: deliveries fail and are retried; the daemon restarts in the middle.
        receiver.fail(next: 3)
        #expect(try daemon.modctl(["approve", "w2", "--as", "alice"]).status == 0)
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "w3", author: "W3", body: "Another fine comment."))
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await daemon.stop() == 0)
        daemon = try await daemon.restart(extraArguments: arguments, environment: environment)
        try await receiver.wait(for: 4)
        try await Task.sleep(for: .milliseconds(500))
        let deliveries = receiver.deliveries
        #expect(deliveries.count == 4, "each decision exactly once")
        #expect(Set(deliveries.compactMap { $0.body["seq"] }).count == 4)
        #expect(deliveries.allSatisfy { $0.signatureValid })
        let w2 = deliveries.filter { $0.body["id"] == "w2" }
        #expect(w2.map { $0.body["status"] } == ["held", "approved"], "in order for each comment")
        #expect(w2.last?.body["actor"] == "alice")
        let status = try daemon.modctl(["status"])
        #expect(status.stdout.contains("moderatod is running"))
        #expect(status.stdout.contains("webhook: http://127.0.0.1:\(receiver.port)/… — 0 to deliver, 0 given up"), "\(status.stdout)")
        #expect(!status.stdout.contains("site-secret-key"))
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("delivering decisions to the webhook"))
        #expect(!daemon.log.contains("site-secret-key"))
        let stopped = try daemon.modctl(["status", "--json"])
        #expect(stopped.stdout.contains("\"running\" : false"))
    }

    @Test(arguments: TestStore.available) func reviewWithKeypressesOnATerminal(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("workflow"))
        let bodies = ["Work from home and earn $400 a day, visit my website", "Visit my website for cheap deals, earn $500 a week",
                      "Follow my page for free spins and betting tips"]
        for index in 0..<3 {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "r\(index)", author: "Reviewed \(index)", body: bodies[index]))
            #expect(try await status(daemon, "r\(index)") == "held")
        }
        let session = try PseudoTerminalSession("modctl", ["review", "--as", "morgan"], environment: ["MODERATO_DB": daemon.databasePath])
        try session.waitFor("Comment r0")
        session.send("a")
        try session.waitFor("Approved r0.")
        try session.waitFor("Comment r1")
        session.send("r")
        try session.waitFor("Reason:")
        session.send("1")
        try session.waitFor("Note (Enter to skip):")
        session.send("obvious promotion\r")
        try session.waitFor("Rejected r1.")
        session.send("u")
        try session.waitFor("Undid your decision on r1")
        session.send("s")
        session.send("s")
        try session.waitFor("No more held comments")
        #expect(try session.waitForExit() == 0)
        #expect(session.screen.contains("Review done: 1 approved, 1 rejected, 2 skipped, 1 undone."))
        #expect(try await status(daemon, "r0") == "approved")
        #expect(try await status(daemon, "r1") == "held")
        let notATerminal = try daemon.modctl(["review", "--as", "morgan"])
        #expect(notATerminal.status == 1)
        #expect(notATerminal.stderr == "modctl: review needs an interactive terminal; in scripts use modctl approve and modctl reject\n")
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func feedPagesOverHTTP(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("workflow"))
        for index in 0..<5 {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "f\(index)", author: "F\(index)", body: "Comment number \(index) here."))
            _ = try await daemon.waitForVerdict("f\(index)")
        }
        var after = 0
        var seen: [String] = []
        for _ in 0..<5 {
            let page = try await daemon.get("/v1/decisions?after=\(after)&limit=2")
            let decisions = page.json["decisions"] as? [[String: Any]] ?? []
            if decisions.isEmpty { break }
            seen += decisions.compactMap { $0["id"] as? String }
            after = page.json["next"] as? Int ?? after
        }
        #expect(seen == ["f0", "f1", "f2", "f3", "f4"])
        #expect(try await daemon.stop() == 0)
    }
}
