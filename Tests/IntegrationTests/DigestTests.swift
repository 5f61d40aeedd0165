import Foundation
import Moderation
import ModerationStore
import ModeratoTestSupport
import Testing

/// `modctl digest` against a database seeded through the store API with a fixed clock, compared with
/// golden reports. Set `MODERATO_DIGEST_GOLDENS=DIR` to have the actual reports written to DIR.
@Suite(.serialized) struct DigestTests {
    static let since = "2026-11-28T07:00:00Z"
    static let until = "2026-11-29T07:00:00Z"
    /// "Now" for the backlog and the footer: the end of the period, as a 07:00 cron run sees it.
    static let now = "2026-11-29T07:00:00Z"

    /// 2026-11-28T07:00:00Z plus `minutes`.
    static func time(_ minutes: Double) -> Date {
        Date(timeIntervalSince1970: 1_795_849_200 + minutes * 60)
    }

    // MARK: The seed

    struct Seed {
        var id: String
        var minute: Double
        var article: String
        var author: String
        var body: String
        var rating: Int
        var ip: String?
        /// `nil` leaves the comment queued.
        var verdict: Verdict?
        var signals: [Signal] = []
        /// Seconds from receipt to the pipeline's verdict.
        var latency: Double = 0.25
    }

    static func gambling(_ score: Double) -> Signal {
        Signal(source: .rule, name: "spam.gambling", score: score, explanation: "Promotes casinos, betting or gambling offers")
    }

    static func links(_ score: Double) -> Signal {
        Signal(source: .heuristic, name: "links.count", score: score, explanation: "Contains links")
    }

    static let adultShadow = Signal(source: .rule, name: "spam.adult", score: 6, explanation: "Adult content or dating spam",
                                    isShadow: true)

    /// Nine comments in the period and one the day before:
    /// - approved by the pipeline: c01, c02 (one link, score 1), c08 (a shadow hit only);
    /// - rejected by the pipeline: c03, c04, same author, same /24, same link domain;
    /// - held, then approved by alice (overturning spam.gambling): c05;
    /// - held and still waiting (the backlog): c06, received 09:20, 21h 40m before "now";
    /// - held, then rejected by bob (upholding spam.gambling): c07;
    /// - still queued: c10; before the period: c09.
    static let seeds: [Seed] = [
        Seed(id: "c09", minute: -30, article: "news-0", author: "Early", body: "Yesterday's news, still good.", rating: 3,
             ip: nil, verdict: .approved),
        Seed(id: "c01", minute: 0, article: "news-1", author: "Ann", body: "Good to see the harbour wall repaired at last.",
             rating: 5, ip: "203.0.113.7", verdict: .approved),
        Seed(id: "c02", minute: 25, article: "news-1", author: "Ben", body: "Minutes at https://council.example.org/minutes",
             rating: 4, ip: "203.0.113.8", verdict: .approved, signals: [links(1)], latency: 0.5),
        Seed(id: "c03", minute: 70, article: "news-1", author: "Casino Carl",
             body: "Best online casino, free spins at https://casino.example.com/bonus", rating: 1, ip: "198.51.100.20",
             verdict: .rejected, signals: [gambling(8), links(2)], latency: 1.5),
        Seed(id: "c04", minute: 75, article: "news-2", author: "Casino Carl",
             body: "Free spins tonight https://casino.example.com/tonight", rating: 1, ip: "198.51.100.21",
             verdict: .rejected, signals: [gambling(8), links(2)], latency: 1.5),
        Seed(id: "c05", minute: 130, article: "news-2", author: "Dora", body: "My betting tips: the home side wins 2-1.",
             rating: 4, ip: "192.0.2.10", verdict: .held, signals: [gambling(5)]),
        Seed(id: "c06", minute: 140, article: "news-2", author: "Eve",
             body: "See https://a.example.net https://b.example.net https://c.example.net", rating: 2, ip: "192.0.2.11",
             verdict: .held, signals: [links(5)], latency: 3),
        Seed(id: "c07", minute: 200, article: "news-2", author: "Finn", body: "Online casino bonus codes, DM me", rating: 1,
             ip: "192.0.2.12", verdict: .held, signals: [gambling(5)], latency: 0.5),
        Seed(id: "c08", minute: 610, article: "news-3", author: "Gus", body: "Lovely photos of the lifeboat launch.", rating: 5,
             ip: "192.0.2.13", verdict: .approved, signals: [adultShadow]),
        Seed(id: "c10", minute: 1425, article: "news-3", author: "Hana", body: "Just arrived, not judged yet.", rating: 3,
             ip: nil, verdict: nil),
    ]

    /// A database holding ``seeds``, judged and decided at fixed times; the folder keeps it alive.
    static func seededDatabase(seeds: [Seed] = seeds, decide: Bool = true) async throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory("digest")
        let path = directory.path("moderato.sqlite")
        let database = try ModerationDatabase(path: path)
        for seed in seeds {
            let comment = Moderation.Comment(id: seed.id, articleID: seed.article, author: seed.author, body: seed.body, rating: seed.rating,
                                  ip: seed.ip)
            #expect(try await database.accept([comment], at: time(seed.minute)) == [.accepted])
        }
        for item in try await database.queuedComments(limit: 100) {
            guard let seed = seeds.first(where: { $0.id == item.comment.id }), let verdict = seed.verdict else { continue }
            let score = seed.signals.filter { !$0.isShadow }.reduce(0) { $0 + $1.score }
            let judgement = Judgement(verdict: verdict, score: score, signals: seed.signals,
                                      reason: "score \(Int(score)) for the test", rulesetVersion: "test-rules-1")
            #expect(try await database.record([(key: item.key, judgement: judgement)],
                                              at: item.receivedAt.addingTimeInterval(seed.latency)) == 1)
        }
        if decide {
            // alice overturns a hold two hours after it arrived; bob upholds one after half an hour.
            try await database.decide("c05", verdict: .approved, actor: "alice", reason: "a football forecast, not gambling",
                                      at: time(130 + 120))
            try await database.decide("c07", verdict: .rejected, actor: "bob", reason: "spam", at: time(200 + 30))
        }
        return (directory, path)
    }

    /// `modctl digest` over the fixed period, with a fixed "now": the 24 hours before 2026-11-29T07:00Z.
    ///
    /// The goldens use the relative form (`--since 24h --now ...`); ``absoluteTimesGiveTheSameReport()``
    /// checks that `--since 2026-11-28T07:00:00Z --until 2026-11-29T07:00:00Z` gives the same report.
    static func digest(_ path: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandRunner.run("modctl", ["digest", "--database", path, "--since", "24h", "--now", now] + extra,
                              environment: environment)
    }

    /// `modctl digest` with the period given as ISO 8601 times, as the cron examples do.
    static func absoluteDigest(_ path: String, _ extra: [String] = []) throws -> CommandResult {
        try CommandRunner.run("modctl", ["digest", "--database", path, "--since", since, "--until", until, "--now", now] + extra)
    }

    /// Writes a report to `MODERATO_DIGEST_GOLDENS/name` when that folder is set, to review or refresh goldens.
    static func dump(_ report: String, _ name: String) {
        if let folder = ProcessInfo.processInfo.environment["MODERATO_DIGEST_GOLDENS"] {
            try? report.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
    }

    /// Compares a report with its golden, writing the actual one to `MODERATO_DIGEST_GOLDENS` when set.
    static func expectGolden(_ actual: String, _ golden: String, _ name: String,
                             sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        dump(actual, name)
        if actual != golden {
            let a = actual.components(separatedBy: "\n")
            let g = golden.components(separatedBy: "\n")
            let line = (0..<min(a.count, g.count)).first { a[$0] != g[$0] } ?? min(a.count, g.count)
            let got = line < a.count ? a[line] : "<end>"
            let wanted = line < g.count ? g[line] : "<end>"
            Issue.record("\(name) differs from its golden at line \(line + 1):\n  got:    \(got)\n  wanted: \(wanted)\n--- actual ---\n\(actual)",
                         sourceLocation: sourceLocation)
        }
    }

    // MARK: Goldens

    @Test func textReportMatchesItsGolden() async throws {
        let (directory, path) = try await Self.seededDatabase()
        // A far system time zone and a German locale change nothing when MODERATO_TIME_ZONE (which the
        // runner sets) says UTC: the report groups and formats by hand.
        let result = try Self.digest(path, ["--format", "text"], environment: ["TZ": "Pacific/Auckland", "LANG": "de_DE.UTF-8",
                                                                              "LC_ALL": "de_DE.UTF-8"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        Self.expectGolden(result.stdout, Self.goldenText, "digest.txt")
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "longer than 80 columns: \(line)")
        }
        _ = directory
    }

    /// Times in a configured zone, labelled with it; the JSON stays in UTC; an unknown zone is refused.
    @Test func timesAreShownInTheConfiguredZone() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let local = try Self.digest(path, ["--format", "text", "--time-zone", "Asia/Kolkata"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout.contains("28 Nov 2026 12:30 to 29 Nov 2026 12:30 GMT+5:30"), "\(local.stdout.prefix(400))")
        #expect(!local.stdout.contains("UTC"))
        let fromEnvironment = try Self.digest(path, ["--format", "markdown"], environment: ["MODERATO_TIME_ZONE": "Asia/Kolkata"])
        #expect(fromEnvironment.stdout.contains("GMT+5:30") && !fromEnvironment.stdout.contains("UTC"))
        let json = try Self.digest(path, ["--format", "json", "--time-zone", "Asia/Kolkata"])
        #expect(json.stdout.contains("\"end\" : \"2026-11-29T07:00:00Z\"") || json.stdout.contains("\"end\":\"2026-11-29T07:00:00Z\""), "\(json.stdout.prefix(300))")
        let show = try CommandRunner.run("modctl", ["show", "c05", "--database", path], environment: ["MODERATO_TIME_ZONE": "Asia/Kolkata"])
        #expect(show.status == 0 && show.stdout.contains("GMT+5:30"), "\(show.stdout)\(show.stderr)")
        let bad = try Self.digest(path, ["--time-zone", "Mars/Olympus"])
        #expect(bad.status == 64 && bad.stderr.contains("names no time zone"), "\(bad.stderr)")
        let badEnvironment = try CommandRunner.run("modctl", ["queue", "--database", path], environment: ["MODERATO_TIME_ZONE": "Nowhere"])
        #expect(badEnvironment.status == 1 && badEnvironment.stderr.contains("MODERATO_TIME_ZONE is Nowhere"), "\(badEnvironment.stderr)")
        _ = directory
    }

    @Test func markdownReportMatchesItsGolden() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let result = try Self.digest(path, ["--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectGolden(result.stdout, Self.goldenMarkdown, "digest.md")
        _ = directory
    }

    /// `--since 2026-11-28T07:00:00Z` means 07:00, not midnight: the report must be the golden one.
    @Test func absoluteTimesGiveTheSameReport() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let text = try Self.absoluteDigest(path, ["--format", "text"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC"),
                "the period is not 07:00 to 07:00: \(text.stdout.split(separator: "\n").prefix(2).joined(separator: " / "))")
        Self.expectGolden(text.stdout, Self.goldenText, "digest-absolute.txt")
        let json = try Self.absoluteDigest(path, ["--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["start"] as? String == Self.since)
        #expect(object["end"] as? String == Self.until)
        #expect(object["received"] as? Int == 9)
        _ = directory
    }

    @Test func jsonReportMatchesItsGoldenAndItsFigures() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let result = try Self.digest(path, ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectGolden(result.stdout, Self.goldenJSON, "digest.json")

        // The figures, checked one by one against the seed, so a golden regenerated by mistake is caught.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["received"] as? Int == 9)
        let verdicts = try #require(json["by_verdict"] as? [[String: Any]])
        let counts = Dictionary(uniqueKeysWithValues: verdicts.map { ($0["verdict"] as? String ?? "?", $0["count"] as? Int ?? -1) })
        #expect(counts == ["approved": 4, "held": 1, "rejected": 3, "queued": 1])
        #expect(json["held_now"] as? Int == 1)
        #expect(json["oldest_held_age"] as? Double == 78_000)  // 09:20 to 07:00 next day: 21h 40m
        #expect(json["start"] as? String == Self.since && json["end"] as? String == Self.until)
        #expect(json["over_sla"] as? Int == 1)
        // Decisions after 30 minutes and 2 hours: the median of two is their mean.
        #expect(json["median_time_to_decision"] as? Double == 4_500)
        #expect(json["rating_distribution"] as? [Int] == [3, 1, 1, 2, 2])
        #expect(json["is_empty"] as? Bool == false)
        let deciders = try #require(json["by_decider"] as? [[String: Any]])
        let pipeline = try #require(deciders.first { $0["decider"] as? String == "pipeline" })
        #expect(pipeline["approved"] as? Int == 3 && pipeline["held"] as? Int == 3 && pipeline["rejected"] as? Int == 2)
        #expect(deciders.contains { $0["decider"] as? String == "alice" && $0["approved"] as? Int == 1 })
        #expect(deciders.contains { $0["decider"] as? String == "bob" && $0["rejected"] as? Int == 1 })
        let rules = try #require(json["rule_stats"] as? [[String: Any]])
        let gambling = try #require(rules.first { $0["rule_id"] as? String == "spam.gambling" })
        #expect(gambling["kind"] as? String == "rule" && gambling["mode"] as? String == "active")
        #expect(gambling["hits"] as? Int == 4 && gambling["reviewed"] as? Int == 2 && gambling["overturned"] as? Int == 1)
        #expect(gambling["estimated_precision"] as? Double == 0.5)
        let links = try #require(rules.first { $0["rule_id"] as? String == "links.count" })
        #expect(links["kind"] as? String == "heuristic" && links["hits"] as? Int == 4 && links["reviewed"] as? Int == 0)
        #expect(links["estimated_precision"] is NSNull)
        let adult = try #require(rules.first { $0["rule_id"] as? String == "spam.adult" })
        #expect(adult["mode"] as? String == "shadow" && adult["hits"] as? Int == 1)
        func offenders(_ key: String) -> [String: Int] {
            let list = json[key] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: list.map { ($0["value"] as? String ?? "?", $0["rejected"] as? Int ?? -1) })
        }
        #expect(offenders("top_authors") == ["Casino Carl": 2])
        #expect(offenders("top_networks") == ["198.51.100.0/24": 2])
        #expect(offenders("top_domains") == ["casino.example.com": 2])
        _ = directory
    }

    // MARK: HTML

    @Test func htmlReportIsSelfContainedWithSectionsAndCharts() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let result = try Self.digest(path, ["--format", "html"])
        #expect(result.status == 0, "\(result.stderr)")
        let html = result.stdout
        Self.dump(html, "digest.html")
        #expect(html.hasPrefix("<!DOCTYPE html>"))

        // Well-formed: every element closed in order (void elements aside), every & an entity.
        let structure = Self.htmlStructure(html)
        #expect(structure.problems.isEmpty, "\(structure.problems)")
        #expect(structure.sectionIDs == ["summary", "volume", "ratings", "backlog", "rules", "offenders", "health"])
        // Three charts, each an image with a text alternative, inside the sections.
        #expect(structure.svgs.count == 3)
        for svg in structure.svgs {
            #expect(svg.attributes.contains("role=\"img\""), "\(svg.attributes)")
            #expect(svg.attributes.contains("aria-label=\"") || svg.hasTitle, "a chart without a text alternative")
            #expect(svg.section != nil, "a chart outside the sections")
        }

        // The same, on the text, for what a parser would forgive.
        for id in ["summary", "volume", "backlog", "rules", "offenders", "health"] {
            #expect(html.contains("<section id=\"\(id)\">"))
        }
        let svgTags = html.components(separatedBy: "<svg").dropFirst().map { $0.prefix { $0 != ">" } }
        #expect(svgTags.count == 3)
        #expect(svgTags.allSatisfy { $0.contains("role=\"img\"") })
        #expect(html.components(separatedBy: "</svg>").count - 1 == 3)
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "http://", "https://"] {
            #expect(!html.lowercased().contains(forbidden), "the report loads or links something: \(forbidden)")
        }
        // Data is escaped: the seed's author and rule ids are there, no raw markup from the data.
        #expect(html.contains("Casino Carl"))
        #expect(html.contains("spam.gambling"))
        _ = directory
    }

    struct SVGElement {
        var attributes: String
        var section: String?
        var hasTitle: Bool
    }

    /// A small HTML checker: tags balanced and nested (void elements aside), bare `&`s, the ids of the
    /// `<section>`s in order, and the `<svg>` elements with the section they are in.
    static func htmlStructure(_ html: String) -> (problems: [String], sectionIDs: [String], svgs: [SVGElement]) {
        let void: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
        var problems: [String] = []
        var stack: [(name: String, id: String?)] = []
        var sections: [String] = []
        var svgs: [SVGElement] = []
        let tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"]|"[^"]*")*?)(\/?)>/
        for match in html.matches(of: tag) {
            let closing = !match.1.isEmpty
            let name = match.2.lowercased()
            let attributes = String(match.3)
            if closing {
                guard let last = stack.popLast(), last.name == name else {
                    problems.append("unexpected </\(name)> (open: \(stack.map(\.name)))")
                    continue
                }
            } else if match.4.isEmpty && !void.contains(name) {
                let id = attributes.firstMatch(of: /\bid="([^"]*)"/).map { String($0.1) }
                if name == "section" { sections.append(id ?? "") }
                if name == "svg" {
                    svgs.append(SVGElement(attributes: attributes, section: stack.last { $0.name == "section" }?.id, hasTitle: false))
                }
                if name == "title", stack.last?.name == "svg" { svgs[svgs.count - 1].hasTitle = true }
                stack.append((name, id))
            }
        }
        if !stack.isEmpty { problems.append("never closed: \(stack.map(\.name))") }
        for bare in html.matches(of: /&(?![a-zA-Z]+;|#[0-9]+;|#x[0-9a-fA-F]+;)/) {
            problems.append("a bare & at \(html.distance(from: html.startIndex, to: bare.range.lowerBound))")
        }
        return (problems, sections, svgs)
    }

    // MARK: Cron

    /// Runs `modctl` with an empty environment from `/`, as cron does: no PATH, HOME, TERM, USER, LANG or TZ.
    static func runBare(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = TestPaths.executable("modctl")
        process.arguments = arguments
        process.environment = [:]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func runsUnderCronsBareEnvironment() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let text = try Self.runBare(["digest", "--database", path, "--since", "24h", "--now", Self.now])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.isEmpty)
        #expect(!text.stdout.contains("\u{1B}"), "ANSI escape codes in cron mail")
        Self.expectGolden(text.stdout, Self.goldenText, "digest-bare.txt")

        // Relative periods and the real clock work too, and an HTML file is written where asked.
        let file = directory.path("report.html")
        let html = try Self.runBare(["digest", "--database", path, "--since", "7d", "--format", "html", "--output", file])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.isEmpty && html.stderr.isEmpty)
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.hasPrefix("<!DOCTYPE html>") && written.hasSuffix("</html>\n"))
        #expect(!written.contains("\u{1B}"))

        // Without --database and MODERATO_DB, cron's working folder has no var/moderato.sqlite: one clear line.
        let missing = try Self.runBare(["digest"])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("no database at var/moderato.sqlite"))
    }

    @Test func failIfBacklogExitsThreeWhenMoreAreHeld() async throws {
        let (directory, path) = try await Self.seededDatabase()
        // One comment (c06) is held.
        let over = try Self.digest(path, ["--fail-if-backlog", "0"])
        #expect(over.status == 3)
        #expect(over.stderr.split(separator: "\n").count == 1, "\(over.stderr)")
        #expect(over.stderr.hasPrefix("modctl: 1 "))
        #expect(over.stderr.contains("held, more than 0"))
        #expect(over.stdout.contains("Backlog"), "the report is still written")
        let at = try Self.digest(path, ["--fail-if-backlog", "1"])
        #expect(at.status == 0, "\(at.stderr)")
        #expect(at.stderr.isEmpty)
        let under = try Self.digest(path, ["--fail-if-backlog", "50", "--format", "json"])
        #expect(under.status == 0)
        #expect(under.stderr.isEmpty)

        // Bare, as the hourly cron alert runs it (the crontab sends stdout to /dev/null with the shell;
        // never pass `--output /dev/null`: the atomic write would replace the device when run as root).
        let bare = try Self.runBare(["digest", "--database", path, "--since", "1h", "--fail-if-backlog", "0", "--format", "json"])
        #expect(bare.status == 3)
        #expect(!bare.stdout.isEmpty)
        #expect(bare.stderr.split(separator: "\n").count == 1, "\(bare.stderr)")
        _ = directory
    }

    // MARK: Nothing happened

    @Test func emptyDatabaseSaysNothingHappened() async throws {
        let directory = TemporaryDirectory("digest-empty")
        let path = directory.path("moderato.sqlite")
        _ = try ModerationDatabase(path: path)
        let text = try Self.digest(path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.isEmpty)
        Self.expectGolden(text.stdout, Self.goldenEmptyText, "digest-empty.txt")
        #expect(text.stdout.contains("Nothing happened"))

        let json = try Self.digest(path, ["--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["is_empty"] as? Bool == true)
        #expect(object["received"] as? Int == 0)
        #expect(object["held_now"] as? Int == 0)
        #expect(object["oldest_held_age"] is NSNull)
        #expect(object["average_rating"] is NSNull)
        #expect(object["rule_stats"] as? [Any] != nil && (object["rule_stats"] as? [Any])?.isEmpty == true)
        #expect((object["summary"] as? String)?.contains("Nothing happened") == true)

        for format in ["markdown", "html"] {
            let result = try Self.digest(path, ["--format", format])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(result.stdout.contains("Nothing happened"), "\(format)")
        }

        // Comments before the period only: still nothing happened in it.
        let (oldDirectory, oldPath) = try await Self.seededDatabase(seeds: Self.seeds.filter { $0.id == "c09" }, decide: false)
        let old = try Self.digest(oldPath)
        #expect(old.status == 0)
        #expect(old.stdout.contains("Nothing happened"))
        _ = (directory, oldDirectory)
    }

    // MARK: Bad arguments

    /// The counts the digest reads, edited behind the store's back: `recount --check` finds it (exit 3),
    /// `recount` corrects it, and the digest reads the right figures again.
    @Test func recountFindsAndCorrectsCountsEditedByHand() async throws {
        let (directory, path) = try await Self.seededDatabase()
        _ = directory
        let before = try Self.digest(path, ["--format", "json"])
        #expect(try CommandRunner.run("modctl", ["recount", "--check", "--database", path]).status == 0)
        _ = try CommandRunner.runProgram("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE hourly_comments SET received = received + 5"); db.commit()
            """, path])
        #expect(try Self.digest(path, ["--format", "json"]).stdout != before.stdout, "the digest reads the counts")
        let check = try CommandRunner.run("modctl", ["recount", "--check", "--database", path])
        #expect(check.status == 3 && check.stdout.contains("hourly_comments") && check.stdout.contains("modctl recount"), "\(check.stdout)")
        let recount = try CommandRunner.run("modctl", ["recount", "--database", path])
        #expect(recount.status == 0 && recount.stdout.contains("corrected: hourly_comments"), "\(recount.stdout)")
        #expect(try Self.digest(path, ["--format", "json"]).stdout == before.stdout)
        #expect(try CommandRunner.run("modctl", ["recount", "--check", "--database", path]).status == 0)
    }

    @Test func badArgumentsAreRefusedClearly() async throws {
        let (directory, path) = try await Self.seededDatabase()
        let since = try CommandRunner.run("modctl", ["digest", "--database", path, "--since", "yesterdayish"])
        #expect(since.status == 64)
        #expect(since.stdout.isEmpty)
        #expect(since.stderr.contains("--since must be a period ago such as 24h, 7d or 90m"), "\(since.stderr)")

        let format = try CommandRunner.run("modctl", ["digest", "--database", path, "--format", "pdf"])
        #expect(format.status == 64)
        #expect(format.stderr.contains("--format must be text, markdown, html or json"), "\(format.stderr)")

        let now = try CommandRunner.run("modctl", ["digest", "--database", path, "--now", "soon"])
        #expect(now.status == 64)

        let reversed = try CommandRunner.run("modctl", ["digest", "--database", path, "--since", Self.until, "--until", Self.since])
        #expect(reversed.status == 1)
        #expect(reversed.stderr.split(separator: "\n").count == 1)
        #expect(reversed.stderr.contains("the period is empty"))

        let output = try Self.digest(path, ["--format", "html", "--output", "/nonexistent/dir/x.html"])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(output.stderr)")
        #expect(output.stderr.contains("cannot write /nonexistent/dir/x.html"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/dir/x.html"))
        _ = directory
    }
}

// MARK: - Golden reports

extension DigestTests {
    static let goldenText = """
        Moderation digest
        28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

        Summary
        -------
        9 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 4 approved (44%),
        1 held, 3 rejected, 1 still queued. 1 comment is waiting for a moderator; it has
        waited 21h 40m, and 1 is over the 12h SLA.

        Volume
        ------
          Verdict   Comments  Share
          approved         4    44%
          held             1    11%
          rejected         3    33%
          queued           1    11%

          Decided by  Approved  Held  Rejected
          pipeline           3     3         2
          alice              1     0         0
          bob                0     0         1

          Hour (UTC)  Received  Held  Rejected
          07:00              2     0         0  ########################################
          08:00              2     0         2  ########################################
          09:00              2     1         0  ########################################
          10:00              1     0         1  ####################
          11:00              0     0         0
          12:00              0     0         0
          13:00              0     0         0
          14:00              0     0         0
          15:00              0     0         0
          16:00              0     0         0
          17:00              1     0         0  ####################
          18:00              0     0         0
          19:00              0     0         0
          20:00              0     0         0
          21:00              0     0         0
          22:00              0     0         0
          23:00              0     0         0
          00:00              0     0         0
          01:00              0     0         0
          02:00              0     0         0
          03:00              0     0         0
          04:00              0     0         0
          05:00              0     0         0
          06:00              1     0         0  ####################
          Busiest hour: 2 comments at 07:00; quietest: 0 at 11:00.

        Busiest articles
        ----------------
          Article  Comments  Held  Rejected  Rating
          news-2          4     1         2     2.0
          news-1          3     0         1     3.3
          news-3          2     0         0     4.0

        Ratings
        -------
          Rating   Comments  Share
          5 stars         2    22%  ###########################
          4 stars         2    22%  ###########################
          3 stars         1    11%  #############
          2 stars         1    11%  #############
          1 star          3    33%  ########################################
          Average 2.9 stars from 9 ratings.

        Backlog
        -------
          Held now                       1
          Oldest waiting           21h 40m
          Over the 12h SLA               1
          Median time to decision   1h 15m

          Waiting  Held
          <1h         0
          1–4h        0
          4–12h       0
          12–24h      1  ########################################
          >24h        0

        Rules
        -----
        Noisiest first: the lowest share of hits upheld by moderators.
          1.  spam.gambling (rule)
              4 hits, precision 50% (1 of 2 overturned)
          2.  links.count (heuristic)
              4 hits, not reviewed
          3.  spam.adult (rule, shadow)
              1 hit, not reviewed

          Shadow rules against moderators
          - spam.adult: 1 hit, none decided by a moderator.

        Offenders
        ---------
          Author       Rejected
          Casino Carl         2

          Network          Rejected
          198.51.100.0/24         2

          Domain              Rejected
          casino.example.com         2

          Blocks: 0 added, 0 expired.

        Pipeline health
        ---------------
          Time to verdict  p50 500 ms, p95 2.5 s, p99 2.9 s
          Throughput       0.3 comments/hour
          Pipeline errors  0
          Webhooks         0 failed, none waiting

        Generated 29 Nov 2026 07:00 UTC by Moderato.

        """

    static let goldenMarkdown = """
        # Moderation digest

        28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

        ## Summary

        9 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 4 approved (44%), 1 held, 3 rejected, 1 still queued. 1 comment is waiting for a moderator; it has waited 21h 40m, and 1 is over the 12h SLA.

        ## Volume

        | Verdict | Comments | Share |
        | :-- | --: | --: |
        | approved | 4 | 44% |
        | held | 1 | 11% |
        | rejected | 3 | 33% |
        | queued | 1 | 11% |

        | Decided by | Approved | Held | Rejected |
        | :-- | --: | --: | --: |
        | pipeline | 3 | 3 | 2 |
        | alice | 1 | 0 | 0 |
        | bob | 0 | 0 | 1 |

        Comments per hour, 07:00 to 06:00 UTC: `███▅▁▁▁▁▁▁▅▁▁▁▁▁▁▁▁▁▁▁▁▅`  
        Busiest hour: 2 comments at 07:00; quietest: 0 at 11:00.

        ## Busiest articles

        | Article | Comments | Held | Rejected | Rating |
        | :-- | --: | --: | --: | --: |
        | `news-2` | 4 | 1 | 2 | 2.0 |
        | `news-1` | 3 | 0 | 1 | 3.3 |
        | `news-3` | 2 | 0 | 0 | 4.0 |

        ## Ratings

        | Rating | Comments | Share |
        | :-- | --: | --: |
        | ★★★★★ | 2 | 22% |
        | ★★★★☆ | 2 | 22% |
        | ★★★☆☆ | 1 | 11% |
        | ★★☆☆☆ | 1 | 11% |
        | ★☆☆☆☆ | 3 | 33% |

        Average **2.9** stars from 9 ratings.

        ## Backlog

        - Held now: **1**
        - Oldest waiting: 21h 40m
        - Over the 12h SLA: 1
        - Median time to decision: 1h 15m

        | Waiting | Held |
        | :-- | --: |
        | \\<1h | 0 |
        | 1–4h | 0 |
        | 4–12h | 0 |
        | 12–24h | 1 |
        | \\>24h | 0 |

        ## Rules

        Noisiest first: the lowest share of hits upheld by moderators.

        | Rule | Kind | Hits | Precision |
        | :-- | :-- | --: | :-- |
        | `spam.gambling` | rule | 4 | 50% (1 of 2 overturned) |
        | `links.count` | heuristic | 4 | not reviewed |
        | `spam.adult` | rule, shadow | 1 | not reviewed |

        **Shadow rules against moderators**

        - `spam.adult`: 1 hit, none decided by a moderator.

        ## Offenders

        | Author | Rejected |
        | :-- | --: |
        | `Casino Carl` | 2 |

        | Network | Rejected |
        | :-- | --: |
        | `198.51.100.0/24` | 2 |

        | Domain | Rejected |
        | :-- | --: |
        | `casino.example.com` | 2 |

        Blocks: 0 added, 0 expired.

        ## Pipeline health

        - Time to verdict: p50 500 ms, p95 2.5 s, p99 2.9 s
        - Throughput: 0.3 comments/hour
        - Pipeline errors: 0
        - Webhooks: 0 failed, none waiting

        _Generated 29 Nov 2026 07:00 UTC by Moderato._

        """

    static let goldenJSON = """
        {
          "auto_shadowed" : [],
          "average_rating" : 2.888888888888889,
          "backlog_ages" : [
            {
              "count" : 0,
              "label" : "<1h"
            },
            {
              "count" : 0,
              "label" : "1–4h"
            },
            {
              "count" : 0,
              "label" : "4–12h"
            },
            {
              "count" : 1,
              "label" : "12–24h"
            },
            {
              "count" : 0,
              "label" : ">24h"
            }
          ],
          "blocks_added" : 0,
          "blocks_expired" : 0,
          "busiest_articles" : [
            {
              "article_id" : "news-2",
              "average_rating" : 2,
              "comments" : 4,
              "held" : 1,
              "rating_counts" : [
                2,
                1,
                0,
                1,
                0
              ],
              "rejected" : 2
            },
            {
              "article_id" : "news-1",
              "average_rating" : 3.3333333333333335,
              "comments" : 3,
              "held" : 0,
              "rating_counts" : [
                1,
                0,
                0,
                1,
                1
              ],
              "rejected" : 1
            },
            {
              "article_id" : "news-3",
              "average_rating" : 4,
              "comments" : 2,
              "held" : 0,
              "rating_counts" : [
                0,
                0,
                1,
                0,
                1
              ],
              "rejected" : 0
            }
          ],
          "by_decider" : [
            {
              "approved" : 3,
              "decider" : "pipeline",
              "held" : 3,
              "rejected" : 2
            },
            {
              "approved" : 1,
              "decider" : "alice",
              "held" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "decider" : "bob",
              "held" : 0,
              "rejected" : 1
            }
          ],
          "by_verdict" : [
            {
              "count" : 4,
              "verdict" : "approved"
            },
            {
              "count" : 1,
              "verdict" : "held"
            },
            {
              "count" : 3,
              "verdict" : "rejected"
            },
            {
              "count" : 1,
              "verdict" : "queued"
            }
          ],
          "end" : "2026-11-29T07:00:00Z",
          "generated_at" : "2026-11-29T07:00:00Z",
          "held_now" : 1,
          "hourly" : [
            {
              "approved" : 2,
              "held" : 0,
              "hour" : "2026-11-28T07:00:00Z",
              "received" : 2,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T08:00:00Z",
              "received" : 2,
              "rejected" : 2
            },
            {
              "approved" : 1,
              "held" : 1,
              "hour" : "2026-11-28T09:00:00Z",
              "received" : 2,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T10:00:00Z",
              "received" : 1,
              "rejected" : 1
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T11:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T12:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T13:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T14:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T15:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T16:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 1,
              "held" : 0,
              "hour" : "2026-11-28T17:00:00Z",
              "received" : 1,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T18:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T19:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T20:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T21:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T22:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-28T23:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T00:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T01:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T02:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T03:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T04:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T05:00:00Z",
              "received" : 0,
              "rejected" : 0
            },
            {
              "approved" : 0,
              "held" : 0,
              "hour" : "2026-11-29T06:00:00Z",
              "received" : 1,
              "rejected" : 0
            }
          ],
          "is_empty" : false,
          "latency_p50" : 0.5,
          "latency_p95" : 2.475,
          "latency_p99" : 2.895,
          "median_time_to_decision" : 4500,
          "oldest_held_age" : 78000,
          "over_sla" : 1,
          "pipeline_errors" : 0,
          "rating_alerts" : [],
          "rating_distribution" : [
            3,
            1,
            1,
            2,
            2
          ],
          "received" : 9,
          "rule_errors" : [],
          "rule_stats" : [
            {
              "estimated_precision" : null,
              "hits" : 4,
              "kind" : "heuristic",
              "mode" : "active",
              "overturned" : 0,
              "reviewed" : 0,
              "rule_id" : "links.count"
            },
            {
              "estimated_precision" : null,
              "hits" : 1,
              "kind" : "rule",
              "mode" : "shadow",
              "overturned" : 0,
              "reviewed" : 0,
              "rule_id" : "spam.adult"
            },
            {
              "estimated_precision" : 0.5,
              "hits" : 4,
              "kind" : "rule",
              "mode" : "active",
              "overturned" : 1,
              "reviewed" : 2,
              "rule_id" : "spam.gambling"
            }
          ],
          "shadow_agreement" : [
            {
              "agreed_with_moderators" : 0,
              "disagreed" : 0,
              "hits" : 1,
              "rule_id" : "spam.adult"
            }
          ],
          "site_name" : null,
          "sla_hours" : 12,
          "start" : "2026-11-28T07:00:00Z",
          "summary" : "9 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 4 approved (44%), 1 held, 3 rejected, 1 still queued. 1 comment is waiting for a moderator; it has waited 21h 40m, and 1 is over the 12h SLA.",
          "throughput_per_hour" : 0.3,
          "top_authors" : [
            {
              "rejected" : 2,
              "value" : "Casino Carl"
            }
          ],
          "top_domains" : [
            {
              "rejected" : 2,
              "value" : "casino.example.com"
            }
          ],
          "top_networks" : [
            {
              "rejected" : 2,
              "value" : "198.51.100.0/24"
            }
          ],
          "webhook_backlog" : 0,
          "webhook_failures" : 0
        }

        """

    static let goldenEmptyText = """
        Moderation digest
        28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

        Nothing happened between 28 Nov 07:00 and 29 Nov 07:00 UTC: no comments were
        received and nothing is waiting.

        Generated 29 Nov 2026 07:00 UTC by Moderato.

        """
}
