import Foundation
import ModerationStore
import ModeratoTestSupport
import Testing

/// The built `moderatod` and `modctl`, end to end over loopback HTTP and a real database file.
@Suite(.serialized) struct DaemonTests {
    @Test func forwardJudgeReviewAndFeed() async throws {
        let daemon = try await DaemonHarness.start()

        // A clean comment, a spammy one, and one that lands between the thresholds.
        var response = try await daemon.post("/v1/comments", json: commentJSON(id: "clean-1", body: "Good to see the harbour wall repaired at last."))
        #expect(response.status == 202)
        #expect(response.json["id"] as? String == "clean-1")
        #expect(response.json["status"] as? String == "queued")
        response = try await daemon.post("/v1/comments", json: commentJSON(id: "spam-1", author: "Spammer",
            body: "Check out my channel! Earn $500 a day at our online casino http://a.example.com http://b.example.com"))
        #expect(response.status == 202)
        response = try await daemon.post("/v1/comments", json: commentJSON(id: "held-1", article: "news-7", author: "Mallory",
            body: "Work from home and earn $400 a day, visit my website"))
        #expect(response.status == 202)

        #expect(try await daemon.waitForVerdict("clean-1")["status"] as? String == "approved")
        let spam = try await daemon.waitForVerdict("spam-1")
        #expect(spam["status"] as? String == "rejected")
        let reasons = try #require(spam["reasons"] as? [[String: Any]])
        #expect(reasons.contains { $0["signal"] as? String == "spam.self_promotion" })
        #expect(try await daemon.waitForVerdict("held-1")["status"] as? String == "held")

        // Re-sending an accepted id is idempotent.
        response = try await daemon.post("/v1/comments", json: commentJSON(id: "clean-1", body: "Good to see the harbour wall repaired at last."))
        #expect(response.status == 202)
        #expect(response.json["status"] as? String == "approved")

        // The moderator sees the held comment and approves it with the real modctl.
        let queue = try daemon.modctl(["queue", "--json"])
        #expect(queue.status == 0, "\(queue.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(queue.stdout.utf8)) as? [String: Any])
        let comments = try #require(listed["comments"] as? [[String: Any]])
        #expect(comments.map { $0["id"] as? String } == ["held-1"])
        #expect(comments.first?["status"] as? String == "held")

        let shown = try daemon.modctl(["show", "held-1"])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("«visit my website»"))
        #expect(shown.stdout.contains("spam.earn_money"))
        #expect(shown.stdout.contains("score 9 reached the hold threshold 5"))

        let approved = try daemon.modctl(["approve", "held-1", "--as", "alice"])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(approved.stdout == "approved held-1 (was held)\n")

        // The website learns of it from the feed.
        let feed = try await daemon.get("/v1/decisions?after=0&limit=1000")
        #expect(feed.status == 200)
        let decisions = try #require(feed.json["decisions"] as? [[String: Any]])
        let last = try #require(decisions.last)
        #expect(last["id"] as? String == "held-1")
        #expect(last["status"] as? String == "approved")
        #expect(last["actor"] as? String == "alice")
        #expect(decisions.count == 4)
        #expect((feed.json["next"] as? Int) == (last["seq"] as? Int))
        let page = try await daemon.get("/v1/decisions?after=\(last["seq"] as! Int)")
        #expect((page.json["decisions"] as? [Any])?.isEmpty == true)

        // A second moderator cannot silently overturn it.
        let late = try daemon.modctl(["reject", "held-1", "--reason", "spam", "--as", "bob"])
        #expect(late.status == 1)
        #expect(late.stderr.hasPrefix("modctl: comment held-1 was already approved by alice at "))
        #expect(late.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)

        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("queue worker stopped"))
        #expect(!daemon.log.contains("harbour wall"), "comment bodies must not reach the info log")
    }

    @Test func badRequestsGetClearErrors() async throws {
        let daemon = try await DaemonHarness.start()
        func error(_ result: HTTPResult) -> [String: Any] { result.json["error"] as? [String: Any] ?? [:] }

        var result = try await daemon.post("/v1/comments", json: commentJSON(id: "c1", body: "x"), token: .some(nil))
        #expect(result.status == 401)
        #expect(error(result)["code"] as? String == "unauthorized")
        result = try await daemon.post("/v1/comments", json: commentJSON(id: "c1", body: "x"), token: "wrong")
        #expect(result.status == 401)
        result = try await daemon.get("/v1/decisions", token: .some(nil))
        #expect(result.status == 401)

        for (rating, code) in [(0, "invalid_value"), (6, "invalid_value")] {
            result = try await daemon.post("/v1/comments", json: commentJSON(id: "r\(rating)", body: "x", rating: rating))
            #expect(result.status == 400)
            #expect(error(result)["code"] as? String == code)
            #expect(error(result)["field"] as? String == "rating")
        }
        result = try await daemon.post("/v1/comments", json: #"{"id":"c","article_id":"a","author":"A","body":"b","rating":"five"}"#)
        #expect(result.status == 400)
        #expect(error(result)["code"] as? String == "wrong_type")
        result = try await daemon.post("/v1/comments", json: #"{"id":"c","article_id":"a","author":"A","rating":3}"#)
        #expect(error(result)["field"] as? String == "body")
        result = try await daemon.post("/v1/comments", json: "{nope")
        #expect(result.status == 400)
        #expect(error(result)["code"] as? String == "invalid_json")
        result = try await daemon.request("POST", "/v1/comments", body: Data([0x7B, 0x22, 0xFF, 0x22, 0x7D]))
        #expect(result.status == 400)
        #expect(error(result)["code"] as? String == "invalid_utf8")
        result = try await daemon.post("/v1/comments", json: commentJSON(id: "big", body: String(repeating: "a", count: 10_001)))
        #expect(result.status == 400)
        #expect(error(result)["code"] as? String == "too_long")
        result = try await daemon.post("/v1/comments", json: commentJSON(id: "huge", body: String(repeating: "a", count: 70_000)))
        #expect(result.status == 413)
        #expect(error(result)["code"] as? String == "too_large")
        result = try await daemon.request("POST", "/v1/comments", body: Data("x".utf8), headers: ["Content-Type": "text/plain"])
        #expect(result.status == 415)

        result = try await daemon.post("/v1/comments", json: commentJSON(id: "dup", body: "first"))
        #expect(result.status == 202)
        result = try await daemon.post("/v1/comments", json: commentJSON(id: "dup", body: "second, different"))
        #expect(result.status == 409)
        #expect(error(result)["code"] as? String == "id_conflict")

        result = try await daemon.get("/v1/comments/nope")
        #expect(result.status == 404)
        // An id with any characters comes back through its percent-encoded path.
        let oddID = "ça/va?#%20ünï"
        result = try await daemon.post("/v1/comments", json: commentJSON(id: oddID, body: "An odd id."))
        #expect(result.status == 202)
        let encoded = oddID.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        result = try await daemon.get("/v1/comments/\(encoded)")
        #expect(result.status == 200 && result.json["id"] as? String == oddID, "\(result.text)")
        #expect(try await daemon.get("/v1/comments/%FF").status == 400, "broken percent-encoding")
        // A path that exists with another method: 405 and Allow.
        result = try await daemon.request("DELETE", "/v1/comments")
        #expect(result.status == 405 && result.headers["allow"] == "POST", "\(result.headers)")
        result = try await daemon.request("PUT", "/v1/decisions")
        #expect(result.status == 405 && result.headers["allow"] == "GET, HEAD")
        result = try await daemon.get("/v1/decisions?limit=5000")
        #expect(result.status == 400)
        #expect(error(result)["field"] as? String == "limit")
        result = try await daemon.get("/v1/decisions?after=-3")
        #expect(result.status == 400)
        result = try await daemon.get("/healthz", token: .some(nil))
        #expect(result.status == 200)
        #expect(result.json["status"] as? String == "ok")

        // Nothing accepted was lost along the way: exactly the one good comment is stored.
        _ = try await daemon.waitForVerdict("dup")
        let log = try daemon.modctl(["show", "dup", "--json"])
        #expect(log.status == 0)
        #expect(try await daemon.stop() == 0)
    }

    @Test func brokenRulesStopTheDaemonWithFileAndLine() async throws {
        let directory = TemporaryDirectory("rules")
        directory.write("rules/bad.yml", "rules:\n  - id: bad.one\n    description: x\n    pattern: 'a(b'\n    score: 1\n")
        do {
            _ = try await DaemonHarness.start(rules: [directory.path("rules")])
            Issue.record("the daemon started with a broken rule pack")
        } catch let error as HarnessError {
            #expect(error.description.contains("exited with status 2"))
            #expect(error.description.contains("bad.yml:4: rule bad.one: pattern error at offset 3: missing closing parenthesis"))
        }
    }

    @Test func refusesNonLoopbackWithoutFlag() throws {
        let directory = TemporaryDirectory()
        let result = try CommandRunner.run("moderatod", ["--database", directory.path("db.sqlite"), "--listen", "0.0.0.0:0"],
                                           environment: ["MODERATO_API_TOKEN": "t"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing to listen on 0.0.0.0"))
        let short = try CommandRunner.run("moderatod", ["--database", directory.path("db.sqlite"), "--listen", "0.0.0.0:0", "--allow-remote"],
                                          environment: ["MODERATO_API_TOKEN": "short-token"])
        #expect(short.status == 2)
        #expect(short.stderr.contains("the API token is too short to face a network (11 characters; at least 20)"), "\(short.stderr)")
        let bad = try CommandRunner.run("moderatod", ["--listen", "nonsense"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--listen must be HOST:PORT"))
    }
}

/// `modctl` on its own: arguments and databases it cannot use.
/// Every `modctl` command, found by walking the command tree the program itself reports, shows an
/// example in its `--help`.
@Suite struct ModctlHelpTests {
    @Test func everyCommandsHelpHasAnExample() throws {
        let dump = try CommandRunner.run("modctl", ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(tool["command"] as? [String: Any]), [])
        #expect(paths.count >= 35, "\(paths.count) commands")
        for path in paths {
            let help = try CommandRunner.run("modctl", path + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("Example"), "modctl \(path.joined(separator: " ")) --help has no example")
        }
    }
}

@Suite struct ModctlErrorTests {
    @Test func missingDatabaseIsOneLine() throws {
        let result = try CommandRunner.run("modctl", ["queue", "--database", "/nonexistent/moderato.sqlite"])
        #expect(result.status == 1)
        #expect(result.stderr == "modctl: no database at /nonexistent/moderato.sqlite; start moderatod first, or pass --database or set MODERATO_DB\n")
    }

    @Test func notADatabaseIsOneLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("junk.sqlite", String(repeating: "junk", count: 1000))
        let result = try CommandRunner.run("modctl", ["queue", "--database", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("modctl: cannot open the database"))
        #expect(result.stderr.components(separatedBy: "\n").count == 2)
    }

    @Test func unknownIDAndBadArguments() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("db.sqlite")
        _ = try ModerationDatabase(path: path)
        let environment = ["MODERATO_DB": path]
        let missing = try CommandRunner.run("modctl", ["approve", "nope", "--as", "ann"], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr == "modctl: no comment with id nope\n")
        let shown = try CommandRunner.run("modctl", ["show", "nope"], environment: environment)
        #expect(shown.status == 1)
        #expect(shown.stderr == "modctl: no comment with id nope\n")
        let empty = try CommandRunner.run("modctl", ["queue"], environment: environment)
        #expect(empty.status == 0)
        #expect(empty.stdout == "No held comments. The queue is clear.\n")
        let noName = try CommandRunner.run("modctl", ["approve", "x"], environment: ["MODERATO_DB": path, "USER": "", "LOGNAME": "", "SUDO_USER": ""])
        #expect(noName.status == 1)
        #expect(noName.stderr == "modctl: say who you are with --as NAME (or set USER)\n")
        // Run as the service's user (`sudo -u moderato modctl …`): the name would be the pipeline's.
        let asService = try CommandRunner.run("modctl", ["approve", "x"], environment: ["MODERATO_DB": path, "USER": "moderato", "SUDO_USER": ""])
        #expect(asService.status == 1 && asService.stderr.contains("would read as the pipeline's own; say who you are with --as NAME"))
        // Under sudo, the person who ran sudo decides.
        let underSudo = try CommandRunner.run("modctl", ["approve", "x"], environment: ["MODERATO_DB": path, "USER": "moderato", "SUDO_USER": "alice"])
        #expect(underSudo.stderr == "modctl: no comment with id x\n")
        let noReason = try CommandRunner.run("modctl", ["reject", "x"], environment: environment)
        #expect(noReason.status == 64)
        #expect(noReason.stderr.contains("Missing expected argument '--reason <reason>'"))
        let badReason = try CommandRunner.run("modctl", ["reject", "x", "--reason", "because"], environment: environment)
        #expect(badReason.status == 64)
        let unknown = try CommandRunner.run("modctl", ["frobnicate"])
        #expect(unknown.status == 64)
    }
}

/// `moderatod --config FILE`: defaults < file < environment < flags.
@Suite(.serialized) struct ConfigFileTests {
    @Test func settingsFileAppliesAndFlagsOverrideIt() async throws {
        let directory = TemporaryDirectory("config")
        let config = directory.write("moderato.yml", """
            listen: 127.0.0.1:9                    # overridden by the harness's --listen
            hold_first_comments: true
            policy: {hold_threshold: 5, reject_threshold: 10}
            api_token: from-the-file               # overridden by MODERATO_API_TOKEN
            """)
        let daemon = try await DaemonHarness.start(extraArguments: ["--config", config])
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "n1", author: "Newcomer", body: "My first comment here."))
        let verdict = try await daemon.waitForVerdict("n1")
        #expect(verdict["status"] as? String == "held")
        #expect((verdict["reasons"] as? [[String: Any]])?.first?["signal"] as? String == "history.new_author")
        #expect(try await daemon.stop() == 0)
    }

    @Test func badSettingsFileIsOneClearError() throws {
        let directory = TemporaryDirectory("config")
        let config = directory.write("bad.yml", "listen: 127.0.0.1:0\nhold_frist_comments: true\n")
        let result = try CommandRunner.run("moderatod", ["--config", config, "--database", directory.path("db.sqlite")],
                                           environment: ["MODERATO_API_TOKEN": "t"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yml:2: unknown setting `hold_frist_comments`"))
        let wrongType = directory.write("type.yml", "max_queue: lots\n")
        let typed = try CommandRunner.run("moderatod", ["--config", wrongType, "--database", directory.path("db.sqlite")],
                                          environment: ["MODERATO_API_TOKEN": "t"])
        #expect(typed.status == 2)
        #expect(typed.stderr.contains("type.yml:1: setting `max_queue` must be a whole number"), "\(typed.stderr)")
        // Values go through the same checks as the flags, each reported with its line; nested maps are
        // checked key by key.
        let cases: [(file: String, expected: [String])] = [
            ("max_connections: 0\n", ["zero.yml:1: setting `max_connections` must be at least 1; got 0"]),
            ("listen: 127.0.0.1:0\nbatch_size: 0\nmax_queue: -5\n",
             ["zero.yml:2: setting `batch_size` must be from 1 to 10000; got 0", "zero.yml:3: setting `max_queue` must be at least 1; got -5"]),
            ("policy:\n  hold_threshold: 5\n  hold_treshold: 3\n",
             ["zero.yml:3: unknown setting `policy.hold_treshold`; `policy` takes hold_threshold, reject_threshold"]),
            ("auto_shadow: {share: 2}\n", ["zero.yml:1: setting `auto_shadow.share` must be from 0 to 1; got 2.0"]),
            ("retention_days: -1\n", ["zero.yml:1: setting `retention_days` must be a positive number of days; got -1"]),
            ("policy: {hold_threshold: 12}\n", ["zero.yml:1: setting `policy.hold_threshold` must be below policy.reject_threshold"]),
        ]
        for (text, expected) in cases {
            let zero = directory.write("zero.yml", text)
            let refused = try CommandRunner.run("moderatod", ["--config", zero, "--database", directory.path("db.sqlite")],
                                                environment: ["MODERATO_API_TOKEN": "t"])
            #expect(refused.status == 2, "\(text)")
            for line in expected { #expect(refused.stderr.contains(line), "\(refused.stderr)") }
        }
        // The same check for a flag names the flag.
        let flag = try CommandRunner.run("moderatod", ["--batch-size", "0", "--database", directory.path("db.sqlite")],
                                         environment: ["MODERATO_API_TOKEN": "t"])
        #expect(flag.status == 64)
        #expect(flag.stderr.contains("--batch-size must be from 1 to 10000; got 0"))
    }
}
