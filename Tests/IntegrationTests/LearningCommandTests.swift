import Foundation
import ModeratoTestSupport
import Testing

/// The real `modctl eval` binary on a small labelled file.
@Suite struct EvalCommandTests {
    let directory = TemporaryDirectory("eval")

    init() {
        directory.write("comments.csv", """
            text,label,author
            "Check out my channel for free spins at the online casino! subscribe!!",1,a
            "Lovely piece about the harbour, thank you",0,b
            "The new bus timetable is much better for the school run",0,c
            "Email me at someone@example.com or call 07700 900123",1,d
            "I agree, the lifeboat crew deserve every bit of praise",0,e
            """)
    }

    func run(_ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run("modctl", ["eval", "--csv", directory.path("comments.csv"), "--text-column", "text",
                                         "--label-column", "label", "--unwanted-label", "1", "--author-column", "author",
                                         "--rules", TestPaths.rulesDirectory.path] + arguments)
    }

    @Test func jsonReportWithTheThresholdSweep() throws {
        let result = try run(["--json", "--thresholds", "--max-wanted-rejected", "1", "--max-unwanted-approved", "50"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 5)
        let confusion = try #require(json["confusion"] as? [String: [String: Int]])
        #expect(confusion["wanted"].map { $0.values.reduce(0, +) } == 3)
        #expect(confusion["unwanted"].map { $0.values.reduce(0, +) } == 2)
        for key in ["precision", "recall", "f1", "wanted_rejected_rate", "unwanted_approved_rate", "hold_rate"] {
            #expect(json[key] is Double, "\(key) missing")
        }
        let sweep = try #require(json["thresholds"] as? [String: Any])
        let limits = try #require(sweep["limits"] as? [String: Double])
        #expect(limits["wanted_rejected_rate"] == 0.01 && limits["unwanted_approved_rate"] == 0.5)
        let current = try #require(sweep["current"] as? [String: Double])
        #expect(current["hold"] == 5 && current["reject"] == 10)
        #expect(current["f1"] == json["f1"] as? Double)
        #expect(current["hold_rate"] == json["hold_rate"] as? Double)
        #expect((sweep["points"] as? [Any])?.isEmpty == false)
        #expect((sweep["by_hold"] as? [Any])?.count == 9)
    }

    @Test func thresholdsInUseComeFromTheOptions() throws {
        let result = try run(["--json", "--thresholds", "--hold-threshold", "2.5", "--reject-threshold", "20"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let current = try #require((json["thresholds"] as? [String: Any])?["current"] as? [String: Double])
        #expect(current["hold"] == 2.5 && current["reject"] == 20)
        #expect(json["thresholds"] != nil)

        let text = try run(["--thresholds"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("5 comments"))
        #expect(text.stdout.contains("Other thresholds with the same scores"))
        #expect(text.stdout.contains("in use"))
        #expect(text.stdout.contains("hold_threshold"))
        let plain = try run([])
        #expect(!plain.stdout.contains("Other thresholds"))
    }

    @Test func evaluatesTheSitesOwnDecisions() async throws {
        let daemon = try await DaemonHarness.start()
        let empty = try daemon.modctl(["eval", "--decisions"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("no comments in"), "\(empty.stderr)")
        #expect(empty.stderr.contains("decide some first, or evaluate with --csv"))

        let held = ["Work from home and earn $400 a day, visit my website", "Visit my website for cheap deals, earn $500 a week",
                    "Follow my blog for betting tips and free spins"]
        for (index, body) in held.enumerated() {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "d\(index)", author: "Author \(index)", body: body))
        }
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "ok", author: "Ann", body: "Good to see the harbour wall mended."))
        for id in ["d0", "d1", "d2", "ok"] { _ = try await daemon.waitForVerdict(id) }
        #expect(try daemon.modctl(["reject", "d0", "d1", "--reason", "spam", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["approve", "d2", "--as", "ann"]).status == 0)

        // Two rejected and one approved by a moderator; "ok" was only approved by the pipeline.
        let result = try daemon.modctl(["eval", "--decisions", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 3)
        let confusion = try #require(json["confusion"] as? [String: [String: Int]])
        #expect(confusion["unwanted"].map { $0.values.reduce(0, +) } == 2)
        #expect(confusion["wanted"].map { $0.values.reduce(0, +) } == 1)

        let text = try daemon.modctl(["eval", "--decisions", "--since", "1h"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("3 comments decided by people"))
        let future = try daemon.modctl(["eval", "--decisions", "--since", "2099-01-01"])
        #expect(future.status == 1)
        #expect(future.stderr.contains("since 2099-01-01"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func badArgumentsSayWhatIsWrong() throws {
        let inverted = try run(["--hold-threshold", "10", "--reject-threshold", "5"])
        #expect(inverted.status == 64)
        #expect(inverted.stderr.contains("must be below the reject threshold"), "\(inverted.stderr)")
        let percent = try run(["--thresholds", "--max-unwanted-approved", "150"])
        #expect(percent.status == 64)
        #expect(percent.stderr.contains("--max-unwanted-approved is a percentage from 0 to 100"), "\(percent.stderr)")
        let column = try CommandRunner.run("modctl", ["eval", "--csv", directory.path("comments.csv"), "--text-column", "body",
                                                      "--label-column", "label", "--unwanted-label", "1"])
        #expect(column.status == 1)
        #expect(column.stderr.contains("body"), "\(column.stderr)")
        let both = try run(["--decisions"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give either --csv FILE or --decisions"))
        let noColumns = try CommandRunner.run("modctl", ["eval", "--csv", directory.path("comments.csv")])
        #expect(noColumns.status == 64)
        #expect(noColumns.stderr.contains("need --text-column, --label-column and --unwanted-label"))
        let stray = try run(["--since", "1d"])
        #expect(stray.status == 64)
        #expect(stray.stderr.contains("--since goes with --decisions"))
        let missing = try CommandRunner.run("modctl", ["eval", "--csv", directory.path("nope.csv"), "--text-column", "text",
                                                       "--label-column", "label", "--unwanted-label", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.csv"), "\(missing.stderr)")
    }
}

/// The real `modctl train` binary against a daemon's database.
@Suite struct TrainCommandTests {
    @Test func trainsShowsAndResets() async throws {
        let daemon = try await DaemonHarness.start()
        daemon.directory.write("history.csv", """
            text,verdict,who
            "Cheap watches at my shop, buy now",rejected,spammer
            "Earn money from home, visit my site",rejected,spammer
            "Thank you for covering the lifeboat launch",approved,ann
            """)
        let csv = daemon.directory.path("history.csv")
        let trained = try daemon.modctl(["train", "--csv", csv, "--text-column", "text", "--label-column", "verdict",
                                         "--unwanted-label", "rejected", "--author-column", "who"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("learned 3 comments: 2 unwanted, 1 wanted"))
        #expect(trained.stdout.contains("It stays silent until it has learned at least 10 of each."))

        let stats = try daemon.modctl(["train", "--stats", "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Int])
        #expect(json["unwanted_documents"] == 2 && json["wanted_documents"] == 1)
        #expect((json["tokens"] ?? 0) > 10)
        #expect(json["from_decisions"] == 0)

        let reset = try daemon.modctl(["train", "--reset"])
        #expect(reset.status == 0)
        #expect(reset.stdout.contains("forgotten everything"))
        let after = try daemon.modctl(["train", "--stats", "--json"])
        let cleared = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Int])
        #expect(cleared["unwanted_documents"] == 0 && cleared["wanted_documents"] == 0 && cleared["tokens"] == 0)

        let nothing = try daemon.modctl(["train"])
        #expect(nothing.status == 64)
        #expect(nothing.stderr.contains("give exactly one of --csv FILE, --stats or --reset"))
        let noColumns = try daemon.modctl(["train", "--csv", csv])
        #expect(noColumns.status == 64)
        #expect(noColumns.stderr.contains("need --text-column, --label-column and --unwanted-label"))
        let wrongColumn = try daemon.modctl(["train", "--csv", csv, "--text-column", "body", "--label-column", "verdict",
                                             "--unwanted-label", "rejected"])
        #expect(wrongColumn.status == 1)
        #expect(wrongColumn.stderr.contains("body"), "\(wrongColumn.stderr)")
        #expect(try await daemon.stop() == 0)
    }
}

/// Long operations show their progress on a terminal and nothing otherwise.
@Suite struct ProgressTests {
    @Test func evalShowsProgressOnATerminalOnly() throws {
        let directory = TemporaryDirectory("progress")
        var rows = "text,label\n"
        for index in 0..<450 {
            rows += "\"A friendly comment about the harbour, number \(index)\",0\n\"Visit my channel for free spins, number \(index)\",1\n"
        }
        let csv = directory.write("rows.csv", rows)
        let arguments = ["eval", "--csv", csv, "--text-column", "text", "--label-column", "label", "--unwanted-label", "1", "--no-model"]
        let session = try PseudoTerminalSession("modctl", arguments, environment: ["TERM": "xterm", "MODERATO_TIME_ZONE": "UTC"])
        #expect(try session.waitForExit(timeout: 120) == 0)
        #expect(session.screen.contains("eval: 900 of 900 comments (100%)"), "\(session.screen.suffix(400))")
        let piped = try CommandRunner.run("modctl", arguments)
        #expect(piped.status == 0 && piped.stderr.isEmpty && !piped.stdout.contains("eval:"), "\(piped.stderr)")
    }
}
