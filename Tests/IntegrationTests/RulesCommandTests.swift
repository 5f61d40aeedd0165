import Foundation
import ModerationStore
import ModeratoTestSupport
import Testing

/// `modctl rules` and live rule reloads against the built binaries.
@Suite(.serialized) struct RulesCommandTests {
    static let goodPack = """
        rules:
          - id: site.harbour
            description: Mentions the harbour
            pattern: '\\bharbour\\b'
            score: 6
            examples:
              match: ["the harbour wall"]
              no_match: ["harbourside"]
        """

    @Test func checkReportsEveryErrorAndPassesTheShippedPacks() throws {
        let shipped = try CommandRunner.run("modctl", ["rules", "check", TestPaths.rulesDirectory.path])
        #expect(shipped.status == 0, "\(shipped.stderr)")
        #expect(shipped.stdout.hasPrefix("ok: "))
        let directory = TemporaryDirectory("rules")
        directory.write("bad/a.yml", "rules:\n  - id: a.one\n    description: x\n    pattern: 'a(b'\n    score: 1\n  - id: a.two\n    description: x\n    pattern: 'x'\n")
        let broken = try CommandRunner.run("modctl", ["rules", "check", directory.path("bad")])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("a.yml:4: rule a.one: pattern error at offset 3: missing closing parenthesis"))
        #expect(broken.stderr.contains("a.yml:6: rule a.two: missing `score` or `action`"))
        #expect(broken.stderr.contains("modctl: 2 errors in the rule packs"))
    }

    @Test func testExplainsAVerdictAsJSON() throws {
        let result = try CommandRunner.run("modctl", ["rules", "test", "--rules", TestPaths.rulesDirectory.path, "--json",
                                                      "--text", "Best ｏｎｌｉｎｅ c4s1n0, free spins!"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["verdict"] as? String == "held")
        let hits = try #require(json["hits"] as? [[String: Any]])
        let gambling = try #require(hits.first { $0["rule"] as? String == "spam.gambling" })
        #expect(gambling["text"] as? String == "ｏｎｌｉｎｅ c4s1n0")
        #expect(gambling["start"] as? Int == 5)
        let plain = try CommandRunner.run("modctl", ["rules", "test", "--rules", TestPaths.rulesDirectory.path, "--text", "lovely day"])
        #expect(plain.stdout.contains("Verdict: approved"))
        let usage = try CommandRunner.run("modctl", ["rules", "test"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("give exactly one of --text or --file"))
    }

    @Test func reloadSwapsGoodRulesAndRefusesBrokenOnes() async throws {
        let directory = TemporaryDirectory("reload")
        let rules = directory.path("rules")
        directory.write("rules/site.yml", Self.goodPack)
        let daemon = try await DaemonHarness.start(rules: [rules])
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "h1", body: "the harbour at dawn"))
        #expect(try await daemon.waitForVerdict("h1")["status"] as? String == "held")

        // A broken edit is refused and the old rules keep working.
        directory.write("rules/site.yml", Self.goodPack.replacingOccurrences(of: "'\\bharbour\\b'", with: "'harbour('"))
        let refused = try daemon.modctl(["rules", "reload"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("reload refused; the previous rules stay active"))
        #expect(refused.stderr.contains("site.yml:4: rule site.harbour: pattern error at offset 8: missing closing parenthesis"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "h2", body: "the harbour at noon"))
        #expect(try await daemon.waitForVerdict("h2")["status"] as? String == "held")

        // A good edit takes effect, and verdicts record the new version.
        directory.write("rules/site.yml", Self.goodPack.replacingOccurrences(of: "score: 6", with: "score: 1"))
        let reloaded = try daemon.modctl(["rules", "reload"])
        #expect(reloaded.status == 0, "\(reloaded.stderr)")
        #expect(reloaded.stdout.hasPrefix("reloaded: rules "))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "h3", body: "the harbour at dusk"))
        #expect(try await daemon.waitForVerdict("h3")["status"] as? String == "approved")
        let database = try ModerationDatabase(path: daemon.databasePath)
        let first = try #require(try await database.details(of: "h1")).comment.rulesetVersion
        let third = try #require(try await database.details(of: "h3")).comment.rulesetVersion
        #expect(first != nil && third != nil && first != third)
        #expect(try await daemon.stop() == 0)
        let gone = try daemon.modctl(["rules", "reload"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no moderatod is running"))
    }

    @Test func onlyModeratorsOverturningARuleSwitchItToShadow() async throws {
        let directory = TemporaryDirectory("runaway")
        directory.write("rules/site.yml", """
            rules:
              - id: site.everything
                description: A broken rule that matches nearly everything
                pattern: '\\b(?:the|a)\\b'
                score: 6
                tags: [spam]
              - id: site.forced
                description: A rule a moderator set to hold
                pattern: '\\bpetition\\b'
                action: hold
            """)
        directory.write("settings.yml", "auto_shadow: {share: 0.5, window: 20, minimum: 10, reviews: 10, recheck_seconds: 0}\n")
        let daemon = try await DaemonHarness.start(extraArguments: ["--config", directory.path("settings.yml")],
                                                   rules: [directory.path("rules")])
        let words = ["harbour", "council", "weather", "traffic", "school", "market"]
        func post(_ id: String, _ index: Int, _ body: String) async throws -> String? {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: id, author: "Reader \(index)", body: body,
                                                                      extra: ["ip": "198.51.\(index).7"]))
            return try await daemon.waitForVerdict(id)["status"] as? String
        }
        func mode(_ id: String) throws -> [String: Any] {
            let listed = try daemon.modctl(["rules", "list", "--rules", directory.path("rules"), "--json"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
            return try #require((json["rules"] as? [[String: Any]])?.first { $0["id"] as? String == id })
        }
        // Readers alone, from many networks and names, hitting the rule in every comment: it stays active.
        for index in 0..<12 {
            #expect(try await post("r\(index)", index, "the \(words[index % 6]) and \(words[(index / 6) % 6]), take \(index)") == "held")
        }
        #expect(try mode("site.everything")["mode"] as? String == "active")
        // A rule that forces a hold is never switched, even when moderators overturn it every time.
        for index in 0..<12 {
            #expect(try await post("p\(index)", index, "sign my petition number \(index)") == "held")
            #expect(try daemon.modctl(["approve", "p\(index)", "--as", "ann"]).status == 0)
        }
        for index in 12..<16 { _ = try await post("p\(index)", index, "another petition \(index)") }
        #expect(try mode("site.forced")["mode"] as? String == "active")
        // Moderators overturning the scored rule's verdicts (its precision is low): then, once it hits
        // most sources of the window again, it is switched.
        for index in 0..<12 { #expect(try daemon.modctl(["approve", "r\(index)", "--as", "ann"]).status == 0) }
        var rule = try mode("site.everything")
        var index = 12
        while rule["mode"] as? String != "shadow" && index < 40 {
            _ = try await post("r\(index)", index, "the \(words[index % 6]) again, take \(index)")
            // The worker looks at the rule's reviews once the verdict is on its way; give it a moment.
            try await Task.sleep(for: .milliseconds(200))
            rule = try mode("site.everything")
            index += 1
        }
        #expect(index > 13, "switched before the rule hit most sources again")
        #expect(rule["mode"] as? String == "shadow")
        let reason = try #require(rule["mode_reason"] as? String)
        #expect(reason.hasPrefix("switched to shadow automatically"))
        #expect(reason.contains("moderators overturned 12 of its 12 verdicts"), "\(reason)")
        #expect(daemon.log.contains("rule switched to shadow"))
        #expect(try await post("r-after", 50, "the harbour again, take 50") == "approved")
        let shown = try daemon.modctl(["rules", "list", "--rules", directory.path("rules")])
        #expect(shown.stdout.contains("moderators overturned 12 of its 12 verdicts"))
        // It stays in shadow across a restart, until a moderator re-activates it.
        #expect(try await daemon.stop() == 0)
        let activated = try daemon.modctl(["rules", "activate", "site.everything"])
        #expect(activated.status == 0)
    }

    @Test func backtestShowsWhatWouldChange() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b1", body: "the harbour wall at dawn"))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b2", body: "a quiet day"))
        _ = try await daemon.waitForVerdict("b1")
        _ = try await daemon.waitForVerdict("b2")
        #expect(try await daemon.stop() == 0)
        let candidate = TemporaryDirectory("candidate")
        candidate.write("site/site.yml", Self.goodPack)
        let result = try daemon.modctl(["rules", "backtest", TestPaths.rulesDirectory.path, candidate.path("site"), "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["comments"] as? Int == 2)
        let changes = try #require(json["changes"] as? [String: [[String: Any]]])
        #expect(changes["newly_held"]?.map { $0["id"] as? String } == ["b1"])
        #expect(changes["released"]?.isEmpty == true)
    }

    /// The backtest judges as the daemon would now: with the site's lists (a blocked author's comment
    /// would now be rejected) and the comment's history, not with the rules alone.
    @Test func backtestJudgesWithTheSitesListsAndHistory() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "l1", author: "Mallory", body: "the harbour wall at dawn"))
        #expect(try await daemon.waitForVerdict("l1")["status"] as? String == "approved")
        #expect(try await daemon.stop() == 0)
        #expect(try daemon.modctl(["block", "author", "Mallory", "--as", "ed"]).status == 0)
        let result = try daemon.modctl(["rules", "backtest", TestPaths.rulesDirectory.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let changes = try #require(json["changes"] as? [String: [[String: Any]]])
        #expect(changes["newly_rejected"]?.map { $0["id"] as? String } == ["l1"], "\(result.stdout)")
    }
}

/// `modctl bench`: the figures it prints, the rules it ranks, and its refusals.
@Suite struct BenchCommandTests {
    @Test func benchReportsFiguresAndTheCostliestRules() throws {
        let directory = TemporaryDirectory("bench")
        directory.write("comments.csv", """
            text,label
            "Check out my channel for free spins at the online casino!",1
            "Lovely piece about the harbour, thank you",0
            "Email me at someone@example.com or call 07700 900123",1
            """)
        let result = try CommandRunner.run("modctl", ["bench", "--csv", directory.path("comments.csv"), "--text-column", "text",
                                                      "--repeat", "4", "--rules", TestPaths.rulesDirectory.path, "--top-rules", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["comments"] as? Int == 12)
        #expect((json["comments_per_second"] as? Double ?? 0) > 0)
        #expect((json["p99_us"] as? Double ?? -1) >= (json["p50_us"] as? Double ?? 0))
        #expect((json["rules"] as? Int ?? 0) > 50)
        let top = try #require(json["top_rules"] as? [[String: Any]])
        #expect(top.count == 3)
        let costs = top.compactMap { $0["total_us"] as? Double }
        #expect(costs == costs.sorted(by: >), "costliest first")
        for rule in top {
            #expect((rule["runs"] as? Int ?? 0) >= 1 && (rule["runs"] as? Int ?? 0) <= 3, "each comment once: \(rule)")
            #expect((rule["hits"] as? Int ?? -1) <= (rule["runs"] as? Int ?? 0))
        }

        let text = try CommandRunner.run("modctl", ["bench", "--csv", directory.path("comments.csv"), "--text-column", "text",
                                                    "--rules", TestPaths.rulesDirectory.path, "--top-rules", "2"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("3 comments"))
        #expect(text.stdout.contains("Costliest rules over 3 comments"))

        let noColumn = try CommandRunner.run("modctl", ["bench", "--csv", directory.path("comments.csv"), "--text-column", "body"])
        #expect(noColumn.status == 1)
        #expect(noColumn.stderr.contains("body"), "\(noColumn.stderr)")
        let badRepeat = try CommandRunner.run("modctl", ["bench", "--csv", directory.path("comments.csv"), "--text-column", "text", "--repeat", "0"])
        #expect(badRepeat.status == 64)
        #expect(badRepeat.stderr.contains("--repeat must be at least 1"))
        let badTop = try CommandRunner.run("modctl", ["bench", "--csv", directory.path("comments.csv"), "--text-column", "text", "--top-rules", "-1"])
        #expect(badTop.status == 64)
    }

    @Test func checkNamesTheRulesThatRunOnEveryComment() throws {
        let directory = TemporaryDirectory("unfiltered")
        directory.write("rules/site.yml", """
            rules:
              - id: site.harbour
                description: Mentions the harbour
                pattern: '\\bharbour\\b'
                score: 1
              - id: site.long_number
                description: A long number
                pattern: '\\d{9}'
                score: 1
              - id: site.any_word
                description: Any long word
                pattern: '\\b\\w{25,}\\b'
                score: 1
            """)
        let result = try CommandRunner.run("modctl", ["rules", "check", directory.path("rules")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1 rules prefiltered"))
        #expect(result.stdout.contains("run on every comment with a digit: site.long_number"))
        #expect(result.stdout.contains("run on every comment: site.any_word"))
    }
}
