import Foundation
import ModeratoTestSupport
import Testing

/// Edits through the real daemon and `modctl`: a reader's edit is judged again and answered with the
/// new status, refused edits change nothing, and moderators' edits and redactions reach the website
/// through the feed with the text now.
@Suite struct EditTests {
    static func put(_ daemon: DaemonHarness, _ id: String, _ json: String) async throws -> HTTPResult {
        try await daemon.request("PUT", "/v1/comments/\(id)", body: Data(json.utf8))
    }

    static func feed(_ daemon: DaemonHarness) async throws -> [[String: Any]] {
        try await daemon.get("/v1/decisions?after=0").json["decisions"] as? [[String: Any]] ?? []
    }

    @Test(arguments: TestStore.available) func aReadersEditIsJudgedAgain(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("edits"))
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "c1", author: "Sam", body: "Good to see the harbour wall repaired.")).status == 202)
        #expect(try await daemon.waitForVerdict("c1")["status"] as? String == "approved")
        // The reader turns it into casino spam: judged at once, no longer published.
        let spam = "Good to see the harbour wall repaired. WIN BIG at the best online casino, free spins: http://casino-bonus.example/win"
        let edited = try await Self.put(daemon, "c1", commentJSON(id: "c1", author: "Sam", body: spam, rating: 5))
        #expect(edited.status == 200, "\(edited.text)")
        #expect(edited.json["status"] as? String != "approved" && edited.json["edited"] as? Bool == true && edited.json["body"] as? String == spam)
        let last = try #require(try await Self.feed(daemon).last)
        #expect(last["id"] as? String == "c1" && last["actor_kind"] as? String == "system" && last["previous"] as? String == "approved"
                && last["edited"] as? Bool == true && last["body"] as? String == spam)
        #expect((last["reason"] as? String)?.hasPrefix("edited by the reader: ") == true)
        // The same edit again is answered with the same status and changes nothing.
        let count = try await Self.feed(daemon).count
        #expect(try await Self.put(daemon, "c1", commentJSON(id: "c1", author: "Sam", body: spam, rating: 5)).status == 200)
        #expect(try await Self.feed(daemon).count == count)

        // Refused edits leave the comment as it is.
        let badRating = try await Self.put(daemon, "c1", commentJSON(id: "c1", author: "Sam", body: "Nice.", rating: 9))
        #expect(badRating.status == 400 && badRating.json.error?["field"] as? String == "rating")
        let otherID = try await Self.put(daemon, "c1", commentJSON(id: "c2", author: "Sam", body: "Nice."))
        #expect(otherID.status == 400 && otherID.json.error?["field"] as? String == "id")
        let otherAuthor = try await Self.put(daemon, "c1", commentJSON(id: "c1", author: "Someone Else", body: "Nice."))
        #expect(otherAuthor.status == 409 && otherAuthor.json.error?["field"] as? String == "author")
        let unknown = try await Self.put(daemon, "nope", commentJSON(id: "nope", author: "Sam", body: "Nice."))
        #expect(unknown.status == 404)
        #expect(try await daemon.get("/v1/comments/c1").json["body"] as? String == spam)
        #expect(try await Self.feed(daemon).count == count)

        // modctl shows the revision with the text it replaced.
        let shown = try daemon.modctl(["show", "c1"])
        #expect(shown.stdout.contains("edited (revision 1)") && shown.stdout.contains("edited by the reader")
                && shown.stdout.contains("was: Good to see the harbour wall repaired."), "\(shown.stdout)")
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func moderatorsEditAndRedactBeforeAndAfterPublishing(store: TestStore) async throws {
        let daemon = try await DaemonHarness.start(database: try store.database("redact"))
        // A comment the pipeline holds (a phone number), and one it publishes.
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "held", body: "Call me on 07700 900123 about the ferry.")).status == 202)
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "pub", body: "Jane Smith of Harbour Road says the ferry is late.")).status == 202)
        #expect(try await daemon.waitForVerdict("held")["status"] as? String == "held")
        #expect(try await daemon.waitForVerdict("pub")["status"] as? String == "approved")

        // Edit the held one in an "editor" (a sed script), then approve: the approval carries the new text.
        let edit = try daemon.modctl(["edit", "held", "--as", "ann", "--reason", "phone number"],
                                     environment: ["EDITOR": "sed -i s/07700.900123/[number]/"])
        #expect(edit.status == 0 && edit.stdout.contains("it is held: the website gets the new text when it is approved"), "\(edit.stdout)\(edit.stderr)")
        #expect(try daemon.modctl(["approve", "held", "--as", "ann"]).status == 0)
        let approval = try #require(try await Self.feed(daemon).last)
        #expect(approval["id"] as? String == "held" && approval["status"] as? String == "approved"
                && approval["body"] as? String == "Call me on [number] about the ferry.")

        // Redact a name from the published one: the website is told at once.
        let redact = try daemon.modctl(["redact", "pub", "--span", "0:10", "--reason", "a private person's name", "--as", "ann"])
        #expect(redact.status == 0 && redact.stdout.contains("it is published, so the website gets the new text"), "\(redact.stdout)\(redact.stderr)")
        let redaction = try #require(try await Self.feed(daemon).last)
        #expect(redaction["id"] as? String == "pub" && redaction["actor"] as? String == "ann" && redaction["edited"] as? Bool == true
                && redaction["body"] as? String == "[removed] of Harbour Road says the ferry is late."
                && redaction["reason"] as? String == "redacted: a private person's name")
        #expect(try await daemon.get("/v1/comments/pub").json["body"] as? String == "[removed] of Harbour Road says the ferry is late.")

        // Bad arguments change nothing.
        let outside = try daemon.modctl(["redact", "pub", "--span", "40:400", "--reason", "x", "--as", "ann"])
        #expect(outside.status == 1 && outside.stderr.contains("outside the text"), "\(outside.stderr)")
        let badSpan = try daemon.modctl(["redact", "pub", "--span", "9:3", "--reason", "x", "--as", "ann"])
        #expect(badSpan.status == 64 && badSpan.stderr.contains("--span must be START:END"), "\(badSpan.stderr)")
        let missing = try daemon.modctl(["edit", "pub", "--body-file", "/nonexistent/file", "--as", "ann"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read /nonexistent/file"))
        let failing = try daemon.modctl(["edit", "pub", "--as", "ann"], environment: ["EDITOR": "false"])
        #expect(failing.status == 1 && failing.stderr.contains("nothing changed"))
        #expect(try await daemon.get("/v1/comments/pub").json["body"] as? String == "[removed] of Harbour Road says the ferry is late.")
        #expect(try await daemon.stop() == 0)
    }
}
