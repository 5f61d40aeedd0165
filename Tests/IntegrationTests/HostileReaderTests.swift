import Foundation
import Crypto
import ModerationStore
import ModeratoTestSupport
import Testing

/// What a reader who can only post comments can do to the daemon: nothing that stalls judging.
@Suite(.serialized) struct HostileReaderTests {
    /// A comment body as slow as a reader can make it, within the 10,000 characters and 64 KiB a
    /// body may have: dotted runs of single letters (`q.q.q.…`, `K.K.K.…` with the Kelvin sign that
    /// matches "k", which made link extraction quadratic), and, up to 60 KB, the shapes that tripped
    /// other scanners, carried by combining marks.
    static func worstCaseBody(_ index: Int) -> String {
        let marks = "\u{301}\u{302}\u{303}\u{304}\u{305}"
        let units = ["q.", "\u{212A}.", "w\(marks)ww.", "<a \(marks)", "co.", "x\(marks)@y.", "co\(marks)."]
        let unit = units[index % units.count]
        var body = "see http://example.com/\(index) "
        var characters = body.count
        let unitCharacters = unit.count
        while body.utf8.count + unit.utf8.count <= 60_000 && characters + unitCharacters <= 10_000 {
            body += unit
            characters += unitCharacters
        }
        return body
    }

    @Test func worstCaseCommentsDoNotStallJudging() async throws {
        // Queue 20 worst-case comments and then a normal one while judging is paused, so the normal one
        // waits behind all of them, then start judging.
        let paused = try await DaemonHarness.start(extraArguments: ["--pause-judging"])
        for index in 0..<20 {
            let result = try await paused.post("/v1/comments", json: commentJSON(id: "slow-\(index)", author: "Slow \(index)",
                                                                              body: Self.worstCaseBody(index)))
            #expect(result.status == 202, "\(result.text)")
        }
        #expect(try await paused.post("/v1/comments", json: commentJSON(id: "normal", author: "Ann",
                                                                       body: "Good to see the harbour wall repaired.")).status == 202)
        #expect(try await paused.stop() == 0)
        let daemon = try await paused.restart()
        // From when the daemon listens: its worker is judging the queue by then.
        let started = Date()
        let verdict = try await daemon.waitForVerdict("normal", timeout: 120)
        let delay = Date().timeIntervalSince(started)
        #expect(verdict["status"] as? String == "approved")
        #expect(delay <= 2, "a normal comment waited \(delay) s behind 20 worst-case comments")
        for index in 0..<20 { #expect(try await daemon.waitForVerdict("slow-\(index)")["status"] != nil) }
        #expect(try await daemon.stop() == 0)
    }
}

/// Files and folders the daemon owns cannot be swapped or planted, and one daemon serves a database.
@Suite(.serialized) struct OwnedFilesTests {
    /// Starts moderatod expecting it to refuse; a daemon that starts anyway is stopped after 5 s.
    func refusal(_ arguments: [String], environment: [String: String] = ["MODERATO_API_TOKEN": "test-token"]) throws -> CommandResult {
        try CommandRunner.run("moderatod", ["--listen", "127.0.0.1:0", "--rules", TestPaths.rulesDirectory.path] + arguments,
                              environment: environment, timeout: 5)
    }

    @Test func spoolFoldersThatAreLinksOrSharedAreRefused() throws {
        let directory = TemporaryDirectory("owned-spool")
        let elsewhere = directory.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        for folder in ["processing", "bad"] {
            let spool = directory.path("spool-\(folder)")
            try FileManager.default.createDirectory(atPath: spool + "/incoming", withIntermediateDirectories: true)
            #expect(symlink(elsewhere, spool + "/" + folder) == 0)
            let result = try refusal(["--database", directory.path("db.sqlite"), "--spool", spool])
            #expect(result.status == 2, "started with \(folder)/ a link")
            #expect(result.stderr.contains("the spool's \(folder) folder \(spool)/\(folder) is a symbolic link"), "\(result.stderr)")
        }
        // A working folder others can write to.
        let shared = directory.path("spool-shared")
        try FileManager.default.createDirectory(atPath: shared + "/processing", withIntermediateDirectories: true)
        chmod(shared + "/processing", 0o777)
        let result = try refusal(["--database", directory.path("db.sqlite"), "--spool", shared])
        #expect(result.status == 2)
        #expect(result.stderr.contains("can be written by other users (mode 777)"), "\(result.stderr)")
        // Created fresh, the folders are private.
        let fresh = directory.path("spool-fresh")
        let daemon = try CommandRunner.run("moderatod", ["--listen", "127.0.0.1:0", "--database", directory.path("fresh.sqlite"), "--spool", fresh,
                                                         "--rules", TestPaths.rulesDirectory.path],
                                           environment: ["MODERATO_API_TOKEN": "test-token"], timeout: 3)
        #expect(daemon.stderr.contains("listening"), "\(daemon.stderr)")
        for folder in ["incoming", "processing", "bad"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: fresh + "/" + folder)
            #expect((attributes[.posixPermissions] as? Int) == 0o700, "\(folder)")
        }
    }

    @Test func databaseFolderAndTokenMustBeTheDaemonsOwn() throws {
        let directory = TemporaryDirectory("owned-var")
        // A database folder anyone can write to.
        let open = directory.path("open")
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o777)
        let shared = try refusal(["--database", open + "/db.sqlite"])
        #expect(shared.status == 2)
        #expect(shared.stderr.contains("the database folder \(open) can be written by other users"), "\(shared.stderr)")
        // A development token others can read, a link, or one belonging to another user is not adopted.
        let private_ = directory.path("private")
        try FileManager.default.createDirectory(atPath: private_, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        directory.write("private/api-token", "planted-token\n")
        chmod(private_ + "/api-token", 0o644)
        let readable = try refusal(["--database", private_ + "/db.sqlite"], environment: [:])
        #expect(readable.status == 2)
        #expect(readable.stderr.contains("the development token \(private_)/api-token can be read or written by other users (mode 644)"),
                "\(readable.stderr)")
        try FileManager.default.removeItem(atPath: private_ + "/api-token")
        directory.write("planted", "planted-token\n")
        chmod(directory.path("planted"), 0o600)
        #expect(symlink(directory.path("planted"), private_ + "/api-token") == 0)
        let linked = try refusal(["--database", private_ + "/db.sqlite"], environment: [:])
        #expect(linked.status == 2)
        #expect(linked.stderr.contains("is a symbolic link"), "\(linked.stderr)")
        if geteuid() == 0 {
            try FileManager.default.removeItem(atPath: private_ + "/api-token")
            directory.write("private/api-token", "planted-token\n")
            chmod(private_ + "/api-token", 0o600)
            chown(private_ + "/api-token", 65534, 65534)
            let foreign = try refusal(["--database", private_ + "/db.sqlite"], environment: [:])
            #expect(foreign.status == 2)
            #expect(foreign.stderr.contains("belongs to another user"), "\(foreign.stderr)")
        }
        // The lock file cannot be a link either.
        let locked = directory.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(symlink(directory.path("planted"), locked + "/db.sqlite.pid") == 0)
        let lockLink = try refusal(["--database", locked + "/db.sqlite"])
        #expect(lockLink.status == 2)
        #expect(lockLink.stderr.contains("the lock file \(locked)/db.sqlite.pid is a symbolic link"), "\(lockLink.stderr)")
        #expect(try String(contentsOfFile: directory.path("planted"), encoding: .utf8) == "planted-token\n")
    }

    @Test func oneDaemonPerDatabaseAndOnlyItIsSignalled() async throws {
        let daemon = try await DaemonHarness.start()
        let second = try refusal(["--database", daemon.databasePath])
        #expect(second.status == 2, "a second daemon started on the same database")
        #expect(second.stderr.contains("another moderatod (pid "), "\(second.stderr)")
        #expect(try await daemon.waitForVerdict(try await { () async throws -> String in
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "still", body: "Still served."))
            return "still"
        }())["status"] as? String == "approved")
        #expect(try await daemon.stop() == 0)
        // No daemon: a process id planted in the lock file (or the old pid file) is not signalled.
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate() }
        let pid = "\(bystander.processIdentifier)\n"
        try pid.write(toFile: daemon.databasePath + ".pid", atomically: true, encoding: .utf8)
        try pid.write(toFile: daemon.directory.path("moderatod.pid"), atomically: true, encoding: .utf8)
        let reload = try daemon.modctl(["rules", "reload"])
        #expect(reload.status == 1)
        #expect(reload.stderr.contains("no moderatod is running"), "\(reload.stderr)")
        try await Task.sleep(for: .milliseconds(200))
        #expect(bystander.isRunning, "modctl signalled a process that holds no lock")
    }
}

/// Nothing a reader writes can drive a moderator's terminal or hide part of itself from them.
@Suite(.serialized) struct TerminalSafetyTests {
    static let author = "Eve\u{1B}]0;pwned\u{07}\u{9B}8m"
    static let body = "call 07700 900123\u{1B}[2J\u{1B}[8mhidden\u{9B}31m\r\u{202E}exe.txt\u{2066}"
    /// Bytes no output may carry raw: ESC, BEL, CR, the 8-bit CSI (UTF-8 C2 9B), RLO and LRI.
    static let forbidden: [String] = ["\u{1B}", "\u{07}", "\r", "\u{9B}", "\u{202E}", "\u{2066}"]

    func expectSafe(_ output: String, _ command: String) {
        for sequence in Self.forbidden {
            #expect(!output.unicodeScalars.contains(sequence.unicodeScalars.first!),
                    "\(command) printed U+\(String(sequence.unicodeScalars.first!.value, radix: 16, uppercase: true)) raw")
        }
    }

    @Test func everyCommandShowsControlsAndBidiAsVisibleMarks() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "evil1", article: "news\u{9B}1", author: Self.author,
                                                                  body: Self.body, extra: ["email": "eve\u{1B}[31m@example.org"]))
        #expect(try await daemon.waitForVerdict("evil1")["status"] as? String == "held")
        for arguments in [["queue"], ["show", "evil1"], ["queue", "--json"], ["show", "evil1", "--json"]] {
            let result = try daemon.modctl(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            expectSafe(result.stdout, arguments.joined(separator: " "))
        }
        let shown = try daemon.modctl(["show", "evil1"]).stdout
        #expect(shown.contains("Eve␛]0;pwned␇[U+009B]8m"), "\(shown)")
        #expect(shown.contains("␛[2J␛[8mhidden[U+009B]31m"), "\(shown)")
        #expect(shown.contains("[U+202E]exe.txt[U+2066]"))
        // Decisions, with a note that carries the same tricks, in the log and its JSON.
        #expect(try daemon.modctl(["reject", "evil1", "--reason", "spam", "--note", "per \u{1B}[8mEve\u{202E}", "--as", "ann"]).status == 0)
        for arguments in [["log"], ["log", "--json"], ["export", "--author", Self.author]] {
            let result = try daemon.modctl(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            expectSafe(result.stdout, arguments.joined(separator: " "))
        }
        // The JSON keeps the data: a JSON reader gets the original text back.
        let export = try daemon.modctl(["export", "--author", Self.author]).stdout
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(export.utf8)) as? [String: Any])
        let comment = try #require((parsed["comments"] as? [[String: Any]])?.first)
        #expect(comment["body"] as? String == Self.body.replacingOccurrences(of: "\r", with: "\r"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func reviewOnATerminalShowsTheTricksWithoutRunningThem() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "r-evil", author: Self.author, body: Self.body))
        #expect(try await daemon.waitForVerdict("r-evil")["status"] as? String == "held")
        let session = try PseudoTerminalSession("modctl", ["review", "--as", "morgan"], environment: ["MODERATO_DB": daemon.databasePath])
        try session.waitFor("Comment r-evil")
        try session.waitFor("hidden")
        session.send("s")
        try session.waitFor("No more held comments")
        #expect(try session.waitForExit() == 0)
        // Styling is modctl's own (colour codes); the reader's sequences arrive as visible marks.
        for sequence in ["\u{1B}]0;pwned", "\u{1B}[2J\u{1B}[8m", "\u{1B}[8m", "\u{9B}", "\u{202E}", "\u{07}"] {
            #expect(!session.screen.contains(sequence), "review printed a reader's \(sequence.debugDescription)")
        }
        #expect(session.screen.contains("␛[2J␛[8mhidden"))
        #expect(try await daemon.stop() == 0)
    }
}

/// A data-subject erasure leaves nothing of the person in the database's files.
@Suite(.serialized) struct ErasureTests {
    /// The database file and its write-ahead log, as bytes.
    func files(_ daemon: DaemonHarness) -> [(String, Data)] {
        [daemon.databasePath, daemon.databasePath + "-wal"].compactMap { path in
            FileManager.default.contents(atPath: path).map { (path, $0) }
        }
    }

    @Test func forgetErasesSignalsNotesListsAndFileBytes() async throws {
        let daemon = try await DaemonHarness.start()
        let secrets = ["07700 900123", "pat.quill@example.org", "Pat Quill", "203.0.113.77", "PQ Campaign", "posted her number"]
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "e1", author: "Pat Quill",
            body: "Ring me on 07700 900123 about the bypass", extra: ["email": "pat.quill@example.org", "ip": "203.0.113.77"]))
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "e2", author: "PQ Campaign", body: "Another view on the bypass",
                                                                  extra: ["email": "Pat.Quill@example.org"]))
        #expect(try await daemon.waitForVerdict("e1")["status"] as? String == "held")
        _ = try await daemon.waitForVerdict("e2")
        #expect(try daemon.modctl(["reject", "e1", "--reason", "personal-data", "--note", "Pat Quill posted her number again", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["block", "ip", "203.0.113.77", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["block", "email", "pat.quill@example.org", "--as", "ann"]).status == 0)
        #expect(try daemon.modctl(["allow", "author", "PQ Campaign", "--as", "ann"]).status == 0)
        // Found by e-mail as well as by name.
        let export = try daemon.modctl(["export", "--email", "PAT.QUILL@example.org"])
        #expect(export.status == 0)
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        #expect((exported["comments"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["e1", "e2"])
        #expect((exported["list_entries"] as? [String])?.count == 3)

        let forgotten = try daemon.modctl(["forget", "--email", "pat.quill@example.org", "--yes"])
        #expect(forgotten.status == 0, "\(forgotten.stderr)")
        #expect(forgotten.stdout.contains("erased the personal data of 2 comments"))
        // Nothing of the person is left in the files, while the daemon still runs.
        for (path, bytes) in files(daemon) {
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is still in \(path)")
            }
        }
        // The verdicts stay, as anonymous records whose signals still name their rules.
        let database = try ModerationDatabase(path: daemon.databasePath)
        let e1 = try #require(try await database.details(of: "e1"))
        #expect(e1.comment.status == .rejected && e1.history.count == 2)
        #expect(e1.history.allSatisfy { $0.note == nil })
        #expect(e1.signals.contains { $0.name == "personal.uk_mobile" || $0.name.hasPrefix("personal.") })
        #expect(e1.signals.allSatisfy { $0.span == nil && !$0.explanation.contains("07700") })
        #expect(try daemon.modctl(["block", "list"]).stdout.contains("No blocks."))
        #expect(try await daemon.stop() == 0)
    }

    @Test func purgeErasesAddressesFromSignals() async throws {
        let daemon = try await DaemonHarness.start()
        #expect(try daemon.modctl(["block", "ip", "198.51.100.23", "--as", "ann"]).status == 0)
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "u1", author: "Una", body: "Write to una@example.org",
                                                                  extra: ["ip": "198.51.100.23"]))
        let verdict = try await daemon.waitForVerdict("u1")
        #expect((verdict["reasons"] as? [[String: Any]])?.contains { ($0["explanation"] as? String)?.contains("198.51.100.23") == true } == true)
        try await Task.sleep(for: .seconds(1.2))
        #expect(try daemon.modctl(["purge", "--older-than", "1s"]).status == 0)
        let after = try await daemon.get("/v1/comments/u1").json
        let reasons = try #require(after["reasons"] as? [[String: Any]])
        #expect(reasons.contains { $0["signal"] as? String == "block.ip" })
        #expect(!reasons.contains { ($0["explanation"] as? String)?.contains("198.51.100.23") == true })
        #expect(!reasons.contains { ($0["explanation"] as? String)?.contains("una@example.org") == true })
        #expect(try await daemon.stop() == 0)
    }
}

/// The webhook cannot be replayed or redirected.
@Suite(.serialized) struct WebhookSafetyTests {
    @Test func signatureCoversATimestampAndRedirectsAreNotFollowed() async throws {
        let receiver = WebhookReceiver(secret: "hook-secret")
        try await receiver.start()
        defer { receiver.stop() }
        let environment = ["MODERATO_WEBHOOK_SECRET": "hook-secret"]
        let daemon = try await DaemonHarness.start(extraArguments: ["--webhook", receiver.url], environment: environment)
        let before = Int(Date().timeIntervalSince1970)
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "t1", body: "A fine comment."))
        try await receiver.wait(for: 1)
        let delivery = try #require(receiver.deliveries.first)
        #expect(delivery.signatureValid, "the signature must be the HMAC of TIMESTAMP.BODY")
        #expect((delivery.timestamp ?? 0) >= before && (delivery.timestamp ?? .max) <= Int(Date().timeIntervalSince1970))
        #expect(try await daemon.stop() == 0)

        // An answer that redirects is a failed delivery, not a new destination.
        let moved = try await daemon.restart(extraArguments: ["--webhook", "http://127.0.0.1:\(receiver.port)/moved"], environment: environment)
        _ = try await moved.post("/v1/comments", json: commentJSON(id: "t2", author: "T2", body: "Another fine comment."))
        let deadline = Date().addingTimeInterval(10)
        while receiver.redirectsAnswered == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(receiver.redirectsAnswered >= 1)
        #expect(receiver.deliveries.count == 1, "a redirect was followed to the receiver")
        #expect(moved.log.contains("redirects are not followed"), "\(moved.log)")
        #expect(try await moved.stop() == 0)
    }
}

/// A request head trickled in byte by byte is cut off like a slow body, and does not hold a place
/// under the connection cap for longer. (Hummingbird's connection handler already did so before the
/// hostile-reader review; this pins the behaviour.)
@Suite(.serialized) struct SlowHeaderTests {
    @Test func aTrickledRequestHeadIsClosedAndFreesItsPlace() async throws {
        let directory = TemporaryDirectory("slow-headers")
        directory.write("settings.yml", "idle_timeout_seconds: 1\nmax_connections: 1\n")
        let daemon = try await DaemonHarness.start(extraArguments: ["--config", directory.path("settings.yml")])
        let slow = try RawConnection(port: daemon.port)
        let started = Date()
        // One byte every 0.3 s: never silent long enough for the idle timeout.
        let head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + String(repeating: "a", count: 200)
        var closedAfter: TimeInterval?
        for character in head {
            guard slow.send(String(character)) else { closedAfter = Date().timeIntervalSince(started); break }
            try await Task.sleep(for: .milliseconds(300))
            if Date().timeIntervalSince(started) > 8 { break }
        }
        let after = try #require(closedAfter, "the trickled head was still accepted after 8 s; the daemon's log:\n\(daemon.log)")
        #expect(after < 6, "closed after \(after) s")
        // The place it held under the cap is free again.
        let next = try RawConnection(port: daemon.port)
        next.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(next.readToEnd().hasPrefix("HTTP/1.1 200"))
        #expect(try await daemon.stop() == 0)
    }
}

/// Akismet comment ids are keyed per installation, and an id taken by another comment never gives
/// away that comment's verdict.
@Suite(.serialized) struct AkismetIdTests {
    static let form = ["blog": "https://site.example", "user_ip": "203.0.113.9", "permalink": "https://site.example/news/7",
                       "comment_author": "Ann", "comment_author_email": "ann@example.org", "comment_content": "Good to see the harbour wall repaired."]

    func check(_ daemon: DaemonHarness, _ fields: [String: String]) async throws -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = (fields.merging(["api_key": daemon.token]) { $1 }).map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
        return try await daemon.request("POST", "/1.1/comment-check", body: Data(body.utf8), token: .some(nil),
                                        headers: ["Content-Type": "application/x-www-form-urlencoded"]).text
    }

    func ids(_ daemon: DaemonHarness) throws -> [String] {
        let log = try daemon.modctl(["log", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any])
        return (json["decisions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func idsDependOnTheInstallationsKey() async throws {
        let one = try await DaemonHarness.start()
        let two = try await DaemonHarness.start()
        #expect(try await check(one, Self.form) == "false")
        #expect(try await check(two, Self.form) == "false")
        let first = try #require(try ids(one).first)
        let second = try #require(try ids(two).first)
        #expect(first.hasPrefix("akismet-") && second.hasPrefix("akismet-"))
        #expect(first != second, "the same form gave the same id on two installations: ids can be predicted")
        // The same installation gives the same id every time (a later submit-spam finds the comment).
        #expect(try await check(one, Self.form) == "false")
        #expect(try ids(one).count == 1)
        #expect(try await one.stop() == 0)
        #expect(try await two.stop() == 0)
    }

    @Test func aTakenIdNeverGivesAwayAnotherCommentsVerdict() async throws {
        let daemon = try await DaemonHarness.start()
        // Compute the id the form will get, as only someone with the installation's key could.
        let database = try ModerationDatabase(path: daemon.databasePath)
        let key = SymmetricKey(data: try await database.installationSecret(named: "akismet-ids"))
        var message = Data()
        for name in ["blog", "permalink", "comment_author", "comment_author_email", "comment_content"] {
            message.append(Data(Self.form[name]!.utf8))
            message.append(0)
        }
        let id = "akismet-" + HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(16).map { String(format: "%02x", $0) }.joined()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: id, author: "Spammer", body: "Follow my blog for betting tips and free spins"))
        #expect(try await daemon.waitForVerdict(id)["status"] as? String == "held")
        #expect(try await check(daemon, Self.form) == "false", "the check answered with the other comment's verdict")
        #expect(try await daemon.waitForVerdict(id)["status"] as? String == "held")
        #expect(try await daemon.stop() == 0)
    }
}

/// Whatever passes validation fits the database: no valid request gets a 5xx, no spool file is retried forever.
@Suite(.serialized) struct ValidationFitsTheStoreTests {
    /// 200 characters, each with a combining mark: 200 characters to a reader, 400 to the database.
    static let markedID = String(repeating: "e\u{301}", count: 200)

    @Test func anIdOfMarkedCharactersIsRefusedUpFront() async throws {
        let directory = TemporaryDirectory("fits")
        let spool = directory.path("spool")
        let daemon = try await DaemonHarness.start(extraArguments: ["--spool", spool])
        let answer = try await daemon.post("/v1/comments", json: commentJSON(id: Self.markedID, body: "Fine."))
        #expect(answer.status == 413 || answer.status == 400 || answer.status == 422, "\(answer.status) \(answer.text)")
        #expect((answer.json["error"] as? [String: Any])?["field"] as? String == "id")
        // The same comment as a spool file goes to bad/ at once instead of circling between folders.
        directory.write("spool/tmp/marked.json", commentJSON(id: Self.markedID, body: "Fine."))
        #expect(rename(directory.path("spool/tmp/marked.json"), directory.path("spool/incoming/marked.json")) == 0)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: directory.path("spool/bad/marked.json.error")) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let why = try String(contentsOfFile: directory.path("spool/bad/marked.json.error"), encoding: .utf8)
        #expect(why.hasPrefix("too_long: id"), "\(why)")
        #expect(daemon.isRunning)
        #expect(try await daemon.stop() == 0)
    }
}
