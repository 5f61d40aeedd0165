import Foundation
@testable import ModerationStore
import GRDB
import ModeratoTestSupport
import Testing

/// Nothing lost, nothing let in: backpressure, spool, retention, metrics and crashes.
@Suite(.serialized) struct HardeningTests {
    @Test func backpressureAnswers503WithRetryAfter() async throws {
        let daemon = try await DaemonHarness.start(extraArguments: ["--max-queue", "3", "--pause-judging"])
        var statuses: [Int] = []
        var retryAfter: String?
        for index in 0..<5 {
            let result = try await daemon.post("/v1/comments", json: commentJSON(id: "q\(index)", author: "Q\(index)", body: "Comment \(index)."))
            statuses.append(result.status)
            if result.status == 503 {
                retryAfter = result.headers["retry-after"]
                #expect((result.json["error"] as? [String: Any])?["code"] as? String == "queue_full")
            }
        }
        #expect(statuses == [202, 202, 202, 503, 503])
        #expect(retryAfter == "5")
        // The Akismet check is turned away the same way.
        let check = try await daemon.request("POST", "/1.1/comment-check", body: Data(
            "api_key=\(daemon.token)&blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&comment_content=Full%20queue".utf8),
            token: .some(nil), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(check.status == 503)
        #expect(check.headers["retry-after"] == "5")
        #expect(try await daemon.stop() == 0)
        // With judging paused and room in the queue, a check (which needs a verdict now) is still turned away.
        let paused = try await daemon.restart(extraArguments: ["--pause-judging"])
        let pausedCheck = try await paused.request("POST", "/1.1/comment-check", body: Data(
            "api_key=\(paused.token)&blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&comment_content=Paused".utf8),
            token: .some(nil), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(pausedCheck.status == 503)
        #expect(try await paused.stop() == 0)
        // Nothing accepted was lost: restarted with judging on, the three are judged.
        let second = try await daemon.restart()
        for index in 0..<3 { #expect(try await second.waitForVerdict("q\(index)")["status"] as? String == "approved") }
        #expect(try await second.stop() == 0)
    }

    @Test func spoolClaimsFilesRefusesBadOnesAndRecoversAfterACrash() async throws {
        let directory = TemporaryDirectory("spool")
        let spool = directory.path("spool")
        // A file claimed before a crash waits in processing/.
        directory.write("spool/processing/left-over.json", commentJSON(id: "s0", author: "S0", body: "Claimed before the crash."))
        let daemon = try await DaemonHarness.start(extraArguments: ["--spool", spool])
        // Written elsewhere and renamed in, as the website should.
        directory.write("spool/tmp/s1.json", commentJSON(id: "s1", author: "S1", body: "From the spool."))
        #expect(rename(directory.path("spool/tmp/s1.json"), directory.path("spool/incoming/s1.json")) == 0)
        directory.write("spool/tmp/bad.json", #"{"id":"s2","article_id":"a","author":"B","body":"x","rating":9}"#)
        #expect(rename(directory.path("spool/tmp/bad.json"), directory.path("spool/incoming/bad.json")) == 0)
        #expect(try await daemon.waitForVerdict("s0")["status"] as? String == "approved")
        #expect(try await daemon.waitForVerdict("s1")["status"] as? String == "approved")
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: directory.path("spool/bad/bad.json.error")) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let why = try String(contentsOfFile: directory.path("spool/bad/bad.json.error"), encoding: .utf8)
        #expect(why.hasPrefix("invalid_value: rating: rating must be from 1 to 5"))
        #expect(FileManager.default.fileExists(atPath: directory.path("spool/bad/bad.json")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("spool/incoming")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("spool/processing")).isEmpty)
        #expect(try await daemon.stop() == 0)
    }

    @Test func spoolRefusesLinksPipesAndOversizedFiles() async throws {
        let directory = TemporaryDirectory("spool-files")
        let spool = directory.path("spool")
        let daemon = try await DaemonHarness.start(extraArguments: ["--spool", spool])
        directory.write("secret.txt", "not a comment")
        #expect(symlink(directory.path("secret.txt"), directory.path("spool/incoming/link.json")) == 0)
        #expect(mkfifo(directory.path("spool/incoming/pipe.json"), 0o600) == 0)
        directory.write("spool/tmp/big.json", commentJSON(id: "big", author: "B", body: String(repeating: "x", count: 70_000)))
        #expect(rename(directory.path("spool/tmp/big.json"), directory.path("spool/incoming/big.json")) == 0)
        let expected = ["link.json": "the file is a symbolic link", "pipe.json": "not a regular file",
                        "big.json": "too_large: the file is larger than 65536 bytes"]
        let deadline = Date().addingTimeInterval(10)
        while expected.keys.contains(where: { !FileManager.default.fileExists(atPath: directory.path("spool/bad/\($0).error")) }),
              Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        for (name, reason) in expected {
            let why = try String(contentsOfFile: directory.path("spool/bad/\(name).error"), encoding: .utf8)
            #expect(why == reason + "\n", "\(name): \(why)")
        }
        #expect(daemon.isRunning)
        #expect(try await daemon.stop() == 0)
    }

    @Test func bodiesWithoutALengthAreStillBounded() async throws {
        let daemon = try await DaemonHarness.start()
        // A chunked comment that grows past 64 KiB: 413, not 500.
        let chunk = String(repeating: "x", count: 16_384)
        let connection = try RawConnection(port: daemon.port)
        connection.send("POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(daemon.token)\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for _ in 0..<5 { connection.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") }
        connection.send("0\r\n\r\n")
        let answer = connection.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
        #expect(answer.contains("too_large"))

        // The Akismet routes: an announced oversized form is refused before it is read.
        let akismet = try RawConnection(port: daemon.port)
        akismet.send("POST /1.1/comment-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 1000000\r\nConnection: close\r\n\r\nblog=x")
        let refused = akismet.readToEnd()
        #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused.prefix(200))")

        // The key is read from the form only, never from the address (where proxies log it).
        let inQuery = try await daemon.request("POST", "/1.1/comment-check?api_key=\(daemon.token)",
                                               body: Data("blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&comment_content=hello".utf8),
                                               token: .some(nil), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(inQuery.text == "invalid")
        #expect(daemon.isRunning)
        #expect(try await daemon.stop() == 0)
    }

    @Test func idleConnectionsAreClosedAndConnectionsCapped() async throws {
        let directory = TemporaryDirectory("connections")
        directory.write("settings.yml", "idle_timeout_seconds: 2\nmax_connections: 1\n")
        let daemon = try await DaemonHarness.start(extraArguments: ["--config", directory.path("settings.yml")])
        // A request that stops halfway (slowloris) is dropped once it has been silent for two seconds.
        let started = Date()
        let stalled = try RawConnection(port: daemon.port)
        stalled.send("POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try await Task.sleep(for: .milliseconds(200))
        // With one connection allowed, a second waits while the first is open (the cap stops accepting;
        // connections already accepted together are served)…
        let waiting = try RawConnection(port: daemon.port)
        waiting.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        try await Task.sleep(for: .milliseconds(400))
        #expect(waiting.availableNow().isEmpty, "served past the connection limit")
        _ = stalled.readToEnd()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.9 && elapsed < 10, "closed after \(elapsed) s")
        // …and is served once it closes.
        #expect(waiting.readToEnd().hasPrefix("HTTP/1.1 200"))

        // A body trickled a byte at a time never goes silent, but must arrive within the same time.
        let trickle = try RawConnection(port: daemon.port)
        trickle.send("POST /v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(daemon.token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n")
        let trickleStarted = Date()
        var answer = ""
        for _ in 0..<60 where answer.isEmpty {
            trickle.send("{")
            try await Task.sleep(for: .milliseconds(100))
            answer = trickle.availableNow()
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(120))")
        #expect(Date().timeIntervalSince(trickleStarted) < 5.5)
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func purgeExportAndForget(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("privacy"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "p1", author: "Pat", body: "My view on the bypass.",
                                                                  extra: ["email": "pat@example.org", "ip": "203.0.113.9", "user_agent": "UA"]))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "p2", author: "Sam", body: "Another view.", extra: ["ip": "198.51.100.4"]))
        _ = try await daemon.waitForVerdict("p1")
        _ = try await daemon.waitForVerdict("p2")
        #expect(try await daemon.stop() == 0)

        let export = try daemon.modctl(["export", "--author", "Pat"])
        #expect(export.status == 0)
        #expect(export.stdout.contains("pat@example.org") && export.stdout.contains("My view on the bypass."))
        let nobody = try daemon.modctl(["export", "--author", "Nobody"])
        #expect(nobody.status == 1)

        // Purging "older than 1 second" after a pause removes personal data but keeps the verdicts.
        try await Task.sleep(for: .seconds(1.2))
        let purged = try daemon.modctl(["purge", "--older-than", "1s"])
        #expect(purged.stdout.hasPrefix("removed personal data from 2 comments"), "\(purged.stdout)\(purged.stderr)")
        let database = try await StoreLocation.open(daemon.databasePath)
        let p1 = try #require(try await database.details(of: "p1"))
        #expect(p1.comment.email == nil && p1.comment.ip == nil && p1.comment.userAgent == nil && p1.comment.network == nil)
        #expect(p1.comment.status == .approved && p1.history.count == 1)

        let refused = try daemon.modctl(["forget", "--author", "Sam"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("add --yes"))
        let forgotten = try daemon.modctl(["forget", "--author", "Sam", "--yes"])
        #expect(forgotten.status == 0)
        #expect(try await database.export(author: "Sam").comments.isEmpty)
        let p2 = try #require(try await database.details(of: "p2"))
        #expect(p2.comment.body.isEmpty && p2.comment.author.hasPrefix("forgotten-"))
        #expect(p2.history.count == 1, "the verdict stays as an anonymous record")
    }

    /// Every exported metric follows Prometheus's naming guide: the `moderato_` prefix, HELP and TYPE
    /// for each family, `_total` on counters only, durations in `_seconds`, snake_case labels; the
    /// backlog gauges are there; the raw request path never becomes a label.
    @Test func metricsFollowPrometheusNamingBehindTheToken() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "m1", author: "M", body: "Counting this."))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "m2", author: "N", body: "Work from home and earn $400 a day, visit my website"))
        _ = try await daemon.waitForVerdict("m1")
        _ = try await daemon.waitForVerdict("m2")
        _ = try await daemon.get("/v1/comments/m1")
        _ = try await daemon.get("/v1/comments/no-such-comment")
        #expect(try await daemon.get("/metrics", token: .some(nil)).status == 401)
        let metrics = try await daemon.get("/metrics")
        #expect(metrics.status == 200)
        let lines = metrics.text.split(separator: "\n").map(String.init)
        var help: Set<String> = []
        var types: [String: String] = [:]
        for line in lines where line.hasPrefix("# ") {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if parts[1] == "HELP" { help.insert(parts[2]); #expect(parts.count == 4 && !parts[3].isEmpty, "\(line)") }
            if parts[1] == "TYPE" { types[parts[2]] = parts[3] }
        }
        #expect(help == Set(types.keys), "every family has HELP and TYPE")
        for (family, type) in types {
            #expect(family.range(of: #"^moderato_[a-z][a-z0-9_]*$"#, options: .regularExpression) != nil, "\(family)")
            #expect(family.hasSuffix("_total") == (type == "counter"), "\(family) is a \(type)")
            if family.contains("duration") || family.contains("age") || family.contains("receipt_to") {
                #expect(family.hasSuffix("_seconds"), "\(family) measures time")
            }
        }
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "\(line)")
            let family = String(parts[0].prefix { $0 != "{" })
            let known = types.keys.contains { family == $0 || family == $0 + "_bucket" || family == $0 + "_sum" || family == $0 + "_count" }
            #expect(known, "\(family) has no TYPE")
            for label in line.matches(of: /([a-zA-Z_]+)="/) { #expect(label.1.range(of: "^[a-z_]+$", options: .regularExpression) != nil) }
        }
        let required = ["moderato_comments_received_total", "moderato_verdicts_total", "moderato_queue_depth", "moderato_held_comments",
                        "moderato_oldest_held_age_seconds", "moderato_receipt_to_verdict_seconds", "moderato_http_requests_total",
                        "moderato_http_request_duration_seconds"]
        #expect(Set(required).isSubset(of: types.keys), "\(Set(required).subtracting(types.keys))")
        #expect(lines.contains("moderato_verdicts_total{status=\"approved\"} 1"))
        #expect(lines.contains { $0.hasPrefix("moderato_held_comments ") && Double($0.split(separator: " ")[1]) == 1 })
        // Requests are labelled by route pattern, never by the path a client sent.
        #expect(lines.contains { $0.hasPrefix("moderato_http_requests_total{method=\"GET\",route=\"/v1/comments/{id}\",status=\"404\"} ") })
        #expect(lines.contains { $0.hasPrefix("moderato_http_requests_total{method=\"POST\",route=\"/v1/comments\",status=\"202\"} 2") })
        #expect(!metrics.text.contains("no-such-comment") && !metrics.text.contains("hb_"))
        #expect(try await daemon.stop() == 0)
    }

    /// With `--log-format json` every line is one JSON object with time, level, logger and a constant
    /// message, values in their own keys; a bad format is refused like any bad flag.
    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let daemon = try await DaemonHarness.start(extraArguments: ["--log-format", "json", "--log-level", "debug"])
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "j1", author: "J", body: "Logged as JSON."))
        _ = try await daemon.waitForVerdict("j1")
        #expect(try await daemon.stop() == 0)
        let lines = daemon.log.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 5)
        var messages: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["time"] is String && object["level"] is String && object["logger"] is String, "\(line)")
            messages.append(object["message"] as? String ?? "")
            if object["message"] as? String == "listening" { #expect((object["address"] as? String)?.hasPrefix("http://127.0.0.1:") == true) }
        }
        #expect(messages.contains("listening") && messages.contains("rules loaded") && messages.contains("judged"), "\(messages)")
        #expect(!daemon.log.contains("Logged as JSON."), "comment text never reaches the log")
        let bad = try CommandRunner.run("moderatod", ["--log-format", "xml"], environment: ["MODERATO_API_TOKEN": "t"])
        #expect(bad.status == 64 && bad.stderr.contains("--log-format must be text or json; got xml"), "\(bad.status) \(bad.stderr)")
    }

    /// An Akismet check is committed, counted and judged as the API's comments are: it shows in the
    /// accepted and verdict counters, and the queue depth returns to zero.
    @Test func akismetChecksCountAsComments() async throws {
        let daemon = try await DaemonHarness.start()
        let check = try await daemon.request("POST", "/1.1/comment-check", body: Data(
            "api_key=\(daemon.token)&blog=https%3A%2F%2Fsite.example&user_ip=203.0.113.9&comment_author=Ann&comment_content=Lovely%20harbour%20photos".utf8),
            token: .some(nil), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(check.status == 200 && check.text == "false", "\(check.status) \(check.text)")
        let lines = try await daemon.get("/metrics").text.split(separator: "\n")
        #expect(lines.contains("moderato_comments_received_total 1"), "\(lines.filter { $0.hasPrefix("moderato") })")
        #expect(lines.contains("moderato_verdicts_total{status=\"approved\"} 1"), "\(lines.filter { $0.hasPrefix("moderato") })")
        #expect(lines.contains { $0.hasPrefix("moderato_queue_depth ") && Double($0.split(separator: " ")[1]) == 0 }, "\(lines.filter { $0.hasPrefix("moderato") })")
        #expect(try await daemon.stop() == 0)
    }

    /// Bounded load, SIGKILL at random moments, restarts: every comment that got a 202 ends with exactly
    /// one verdict and one system decision. `MODERATO_CRASH_CYCLES` makes it longer (Scripts/crash-test.sh).
    @Test func crashesLoseNothingAndJudgeNothingTwice() async throws {
        let cycles = ProcessInfo.processInfo.environment["MODERATO_CRASH_CYCLES"].flatMap(Int.init) ?? 3
        var generator = SystemRandomNumberGenerator()
        let directory = TemporaryDirectory("crash")
        var accepted: Set<String> = []
        var daemon = try await DaemonHarness.start(directory: directory)
        for cycle in 0..<cycles {
            let deadline = Date().addingTimeInterval(Double.random(in: 0.3...1.2, using: &generator))
            var sent = 0
            await withTaskGroup(of: String?.self) { group in
                for worker in 0..<8 {
                    let harness = daemon
                    group.addTask {
                        var mine: [String] = []
                        var index = 0
                        while Date() < deadline {
                            let id = "c\(cycle)-\(worker)-\(index)"
                            index += 1
                            guard let result = try? await harness.post("/v1/comments", json: commentJSON(
                                id: id, author: "Crash \(worker)", body: "Load comment \(index) from \(worker) in cycle \(cycle).")) else { break }
                            if result.status == 202 { mine.append(id) }
                        }
                        return mine.joined(separator: ",")
                    }
                }
                // Kill in the middle of the load, at a random moment.
                try? await Task.sleep(for: .milliseconds(Int.random(in: 100...600, using: &generator)))
                _ = try? await daemon.stop(signal: SIGKILL)
                for await ids in group {
                    for id in (ids ?? "").split(separator: ",") where !id.isEmpty {
                        accepted.insert(String(id))
                        sent += 1
                    }
                }
            }
            #expect(sent > 0, "cycle \(cycle) accepted nothing")
            daemon = try await daemon.restart()
        }
        // Let the last daemon drain the queue, then count.
        let database = try ModerationDatabase(path: daemon.databasePath)
        let drainDeadline = Date().addingTimeInterval(60)
        while try await database.queueDepth() > 0 && Date() < drainDeadline { try await Task.sleep(for: .milliseconds(100)) }
        let status = try await daemon.stop()
        #expect(status == 0)
        let counts = try database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.external_id, c.status, (SELECT count(*) FROM decision d WHERE d.comment_key = c.key AND d.actor_kind = 'system') AS n
                FROM comment c
                """)
        }
        var byID: [String: (String, Int)] = [:]
        for row in counts { byID[row["external_id"]] = (row["status"], row["n"]) }
        let lost = accepted.filter { byID[$0] == nil }
        #expect(lost.isEmpty, "accepted but lost: \(lost.prefix(5))")
        let unjudged = byID.filter { $0.value.0 == "queued" }
        #expect(unjudged.isEmpty, "never judged: \(unjudged.keys.prefix(5))")
        let doubled = byID.filter { $0.value.1 != 1 && $0.value.0 != "queued" }
        #expect(doubled.isEmpty, "not exactly one system decision: \(doubled.prefix(5))")
        #expect(accepted.count > 50, "the load was too small to mean anything: \(accepted.count)")
    }
}
