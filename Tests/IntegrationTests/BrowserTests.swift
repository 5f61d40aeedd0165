import Foundation
import ModeratoTestSupport
import Testing

/// The review queue in a real browser: headless Chromium from the distribution's packages, driven by
/// Selenium (`browser_check.py`), against the real daemon. `Scripts/test.sh` installs both and sets
/// `MODERATO_BROWSER_PYTHON`; `MODERATO_SCREENSHOTS=DIR` keeps the screenshots (the README's).
@Suite struct BrowserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("browser_check.py").path

    @Test func aModeratorWorksTheQueueInChromium() async throws {
        let environment = ProcessInfo.processInfo.environment
        let python = try #require(environment["MODERATO_BROWSER_PYTHON"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil },
                                  "set MODERATO_BROWSER_PYTHON to a Python with selenium (Scripts/test.sh installs Chromium and makes one)")
        let daemon = try await DaemonHarness.start(extraArguments: ["--ui"])
        try ReviewQueueTests.addModerator(daemon, "ann")
        #expect(try daemon.modctl(["article", "set", "harbour-2026", "--mode", "premoderate", "--as", "ann"]).status == 0)
        let comments = [
            ("c1", "Mo", "What a load of rubbish, the harbour master is a clown and so are his friends.", 1),
            ("c2", "Kit", "You are a complete idiot Sue, the council is a bunch of clowns.", 1),
            ("c3", "Lee", "Councillor Dean answered none of the questions. Call me on 07700 900123 to hear more.", 2),
            ("c4", "Ash", "Lovely photos of the harbour wall, thank you for the report.", 5),
            ("c5", "Ren", "The ferry timetable changed again without notice; when will the council fix it?", 3),
        ]
        for (id, author, body, rating) in comments {
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: id, article: "harbour-2026", author: author, body: body,
                                                                            rating: rating, extra: ["ip": "198.51.100.\(rating)"])).status == 202)
            #expect(try await daemon.waitForVerdict(id)["status"] as? String == "held")
        }
        var arguments = [Self.script, "http://127.0.0.1:\(daemon.port)", "ann", ReviewQueueTests.password]
        if let shots = environment["MODERATO_SCREENSHOTS"] { arguments.append(shots) }
        let run = try CommandRunner.runProgram(python, arguments, timeout: 120)
        let line = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let seen = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(seen["queue_rows"] as? Int == 5)
        #expect(seen["scripts_and_styles_loaded"] as? Bool == true)
        #expect((seen["marked"] as? [String])?.contains("clown") == true, "\(seen)")
        #expect(seen["after_approve"] as? String == "Approved c1.")
        #expect(seen["after_reject"] as? String == "Rejected c2 (abuse).")
        #expect((seen["after_edit"] as? String)?.hasPrefix("Edited c3 (revision 1).") == true)
        #expect(seen["after_key"] as? String == "Approved c4.")
        #expect(seen["digest_charts"] as? Int ?? 0 >= 2)
        #expect((seen["console_errors"] as? [String])?.isEmpty == true, "the Content-Security-Policy refused something: \(seen)")

        // Each decision reached the website's feed under the moderator's name.
        let feed = (try await daemon.get("/v1/decisions?after=0").json["decisions"] as? [[String: Any]] ?? [])
            .filter { $0["actor_kind"] as? String == "moderator" }
        func decision(_ id: String) -> [String: Any]? { feed.first { $0["id"] as? String == id } }
        #expect(feed.count == 4 && feed.allSatisfy { $0["actor"] as? String == "ann" })
        #expect(decision("c1")?["status"] as? String == "approved" && decision("c4")?["status"] as? String == "approved")
        #expect(decision("c2")?["status"] as? String == "rejected" && decision("c2")?["reason"] as? String == "abuse")
        #expect(decision("c3")?["status"] as? String == "approved" && decision("c3")?["edited"] as? Bool == true
                && decision("c3")?["body"] as? String == "Councillor Dean answered none of the questions.")
        #expect(try daemon.modctl(["show", "c3"]).stdout.contains("edited by ann"))
        #expect(try await daemon.stop() == 0)
    }
}
