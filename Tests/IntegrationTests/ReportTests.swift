import Foundation
import ModeratoTestSupport
import Testing

/// Readers' reports through the real daemon and `modctl`: the threshold takes a published comment
/// down with a decision in the feed, bad reports are refused with the field at fault, floods are
/// rate-limited, reports on queued comments count after the verdict, and moderators see them.
@Suite struct ReportTests {
    static func report(_ daemon: DaemonHarness, _ id: String, reporter: String, reason: String = "abuse", note: String? = nil,
                       ip: String? = nil) async throws -> HTTPResult {
        var object: [String: Any] = ["reporter": reporter, "reason": reason]
        if let note { object["note"] = note }
        if let ip { object["ip"] = ip }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return try await daemon.post("/v1/comments/\(id)/reports", json: body)
    }

    @Test(arguments: TestStore.available) func thirdReportTakesAPublishedCommentDownAtOnce(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("reports"))
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "c1", body: "The new ferry timetable is a joke, honestly.")).status == 202)
        #expect(try await daemon.waitForVerdict("c1")["status"] as? String == "approved")
        let first = try await Self.report(daemon, "c1", reporter: "reader-1", note: "rude")
        #expect(first.status == 202 && first.json["counted"] as? Bool == true && first.json["held"] as? Bool == false)
        // The same reader twice counts once.
        let twice = try await Self.report(daemon, "c1", reporter: "reader-1", reason: "spam")
        #expect(twice.status == 202 && twice.json["counted"] as? Bool == false)
        #expect(try await Self.report(daemon, "c1", reporter: "reader-2").json["status"] as? String == "approved")
        let third = try await Self.report(daemon, "c1", reporter: "reader-3", reason: "spam")
        #expect(third.status == 202 && third.json["status"] as? String == "held" && third.json["held"] as? Bool == true)
        // When the third report is answered, the feed already says so.
        let feed = try await daemon.get("/v1/decisions?after=0").json["decisions"] as? [[String: Any]] ?? []
        let last = try #require(feed.last)
        #expect(last["id"] as? String == "c1" && last["status"] as? String == "held" && last["previous"] as? String == "approved")
        #expect(last["actor_kind"] as? String == "readers" && last["reason"] as? String == "reported: abuse, spam")
        #expect(try await daemon.get("/v1/comments/c1").json["status"] as? String == "held")

        // Moderators see the reports with reasons and trust, in the reported queue and on the comment.
        let queue = try daemon.modctl(["queue", "--reported"])
        #expect(queue.status == 0 && queue.stdout.contains("c1") && queue.stdout.contains("⚑3 abuse,spam"), "\(queue.stdout)")
        let shown = try daemon.modctl(["show", "c1"])
        #expect(shown.stdout.contains("Reports (3; 3 open, weighing 3.00)") && shown.stdout.contains("by reader-1 (counts 1.00; trust now 1.00")
                && shown.stdout.contains("“rude”"), "\(shown.stdout)")
        #expect(shown.stdout.contains("approved → held  by readers: reported: abuse, spam"), "\(shown.stdout)")
        // A moderator approves it again (no --force needed over readers): the reports are dismissed.
        #expect(try daemon.modctl(["approve", "c1", "--as", "ann"]).status == 0)
        let json = try daemon.modctl(["show", "c1", "--json"]).stdout
        let reports = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["reports"] as? [[String: Any]] ?? []
        #expect(reports.count == 3 && reports.allSatisfy { $0["outcome"] as? String == "dismissed" && $0["trust"] as? Double == 0.5 })
        #expect(try daemon.modctl(["queue", "--reported"]).stdout.contains("No reported comments"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func badReportsAreRefusedWithTheFieldAtFault() async throws {
        let daemon = try await DaemonHarness.start()
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "c1", body: "Good to see the harbour wall repaired.")).status == 202)
        _ = try await daemon.waitForVerdict("c1")
        let unknown = try await Self.report(daemon, "no-such-comment", reporter: "r")
        #expect(unknown.status == 404 && unknown.text.contains("not_found"))
        let reason = try await Self.report(daemon, "c1", reporter: "r", reason: "boring")
        #expect(reason.status == 400 && reason.json.error?["field"] as? String == "reason"
                && (reason.json.error?["message"] as? String)?.contains("spam, abuse, personal-data, legal, off-topic, other") == true)
        let note = try await Self.report(daemon, "c1", reporter: "r", note: String(repeating: "n", count: 1_001))
        #expect(note.status == 400 && note.json.error?["code"] as? String == "too_long" && note.json.error?["field"] as? String == "note")
        let huge = try await Self.report(daemon, "c1", reporter: "r", note: String(repeating: "n", count: 9_000))
        #expect(huge.status == 413)
        let missing = try await daemon.post("/v1/comments/c1/reports", json: #"{"reason":"spam"}"#)
        #expect(missing.status == 400 && missing.json.error?["field"] as? String == "reporter")
        let extra = try await daemon.post("/v1/comments/c1/reports", json: #"{"reporter":"r","reason":"spam","severity":9}"#)
        #expect(extra.status == 400 && extra.json.error?["code"] as? String == "unknown_field")
        let site = try await Self.report(daemon, "c1", reporter: "site:example.org")
        #expect(site.status == 400 && site.json.error?["field"] as? String == "reporter")
        let ip = try await Self.report(daemon, "c1", reporter: "r", ip: "not-an-address")
        #expect(ip.status == 400 && ip.json.error?["field"] as? String == "ip")
        let form = try await daemon.request("POST", "/v1/comments/c1/reports", body: Data("reporter=r".utf8),
                                            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415)
        let anonymous = try await daemon.post("/v1/comments/c1/reports", json: #"{"reporter":"r","reason":"spam"}"#, token: .some(nil))
        #expect(anonymous.status == 401)
        // None of them was recorded.
        #expect(!(try daemon.modctl(["show", "c1"]).stdout.contains("Reports")))
        #expect(try await daemon.stop() == 0)
    }

    @Test func floodsAreLimitedPerReporterAndPerNetwork() async throws {
        let directory = TemporaryDirectory("report-limits")
        let config = directory.write("moderato.yml", "reports: {per_reporter_per_hour: 3, per_network_per_hour: 5}\n")
        let daemon = try await DaemonHarness.start(extraArguments: ["--config", config], directory: directory)
        for index in 0..<8 {
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "c\(index)", body: "Comment \(index) on the ferry timetable.")).status == 202)
        }
        for index in 0..<3 { #expect(try await Self.report(daemon, "c\(index)", reporter: "flooder").status == 202) }
        let limited = try await Self.report(daemon, "c3", reporter: "flooder")
        #expect(limited.status == 429 && limited.json.error?["code"] as? String == "rate_limited")
        let wait = Int(limited.headers["retry-after"] ?? "") ?? 0
        #expect((1...1_200).contains(wait), "Retry-After: \(limited.headers)")
        // Fresh reporter ids from one network run into the network's limit.
        for index in 0..<5 { #expect(try await Self.report(daemon, "c\(index)", reporter: "sock-\(index)", ip: "198.51.100.\(index)").status == 202) }
        let network = try await Self.report(daemon, "c6", reporter: "sock-6", ip: "198.51.100.77")
        #expect(network.status == 429 && (network.json.error?["message"] as? String)?.contains("198.51.100.0/24") == true, "\(network.text)")
        // Another network is not affected.
        #expect(try await Self.report(daemon, "c6", reporter: "sock-7", ip: "203.0.113.8").status == 202)
        #expect(try await daemon.stop() == 0)
    }

    @Test func aReportOnAQueuedCommentCountsAfterItsVerdict() async throws {
        let paused = try await DaemonHarness.start(extraArguments: ["--pause-judging"])
        #expect(try await paused.post("/v1/comments", json: commentJSON(id: "c1", body: "Here is my neighbour's phone number, call her.")).status == 202)
        let early = try await Self.report(paused, "c1", reporter: "reader-1", reason: "personal-data")
        #expect(early.status == 202 && early.json["status"] as? String == "queued" && early.json["held"] as? Bool == false)
        #expect(try await paused.stop() == 0)
        let daemon = try await paused.restart()
        // Judged: approved by the pipeline, then held by the report made while it waited.
        var status = ""
        for _ in 0..<100 {
            status = try await daemon.get("/v1/comments/c1").json["status"] as? String ?? ""
            if status == "held" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status == "held")
        let feed = try await daemon.get("/v1/decisions?after=0").json["decisions"] as? [[String: Any]] ?? []
        #expect(feed.map { $0["actor_kind"] as? String ?? "" } == ["system", "readers"])
        #expect(try await daemon.stop() == 0)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The `error` object of an API error.
    var error: [String: Any]? { self["error"] as? [String: Any] }
}
