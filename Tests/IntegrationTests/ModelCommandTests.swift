import Foundation
import ModeratoTestSupport
import Testing

/// The model as an operator meets it: a damaged model stops the daemon at start, `modctl model train`
/// refuses bad files with the reason, and a held insult is explained in `modctl show`.
@Suite struct ModelCommandTests {
    @Test func aDamagedModelStopsTheDaemonAtStart() throws {
        let directory = TemporaryDirectory("model")
        let shipped = try Data(contentsOf: TestPaths.packageRoot.appendingPathComponent("Models/moderato.model"))
        try shipped.prefix(shipped.count - 100).write(to: URL(fileURLWithPath: directory.path("cut.model")))
        let result = try CommandRunner.run("moderatod", ["--model", directory.path("cut.model"), "--database", directory.path("db.sqlite"),
                                                         "--listen", "127.0.0.1:0", "--rules", TestPaths.rulesDirectory.path],
                                           environment: ["MODERATO_API_TOKEN": "t"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("model file \(directory.path("cut.model")): fails its checksum"), "\(result.stderr)")
        let missing = try CommandRunner.run("moderatod", ["--model", directory.path("none.model"), "--database", directory.path("db.sqlite"),
                                                          "--listen", "127.0.0.1:0", "--rules", TestPaths.rulesDirectory.path],
                                            environment: ["MODERATO_API_TOKEN": "t"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("none.model: does not exist"), "\(missing.stderr)")
        let settings = directory.write("bad.yml", "model:\n  toxicity_hold: 1.5\n")
        let invalid = try CommandRunner.run("moderatod", ["--config", settings, "--database", directory.path("db.sqlite")],
                                            environment: ["MODERATO_API_TOKEN": "t"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("bad.yml:2: setting `model.toxicity_hold`"), "\(invalid.stderr)")
        let site = directory.write("site.yml", "model:\n  site_lean: 0.9\n  site_hold: 0.8\n")
        let unordered = try CommandRunner.run("moderatod", ["--config", site, "--database", directory.path("db.sqlite")],
                                              environment: ["MODERATO_API_TOKEN": "t"])
        #expect(unordered.status == 2)
        #expect(unordered.stderr.contains("setting `model.site_hold`") && unordered.stderr.contains("lean < hold < reject"), "\(unordered.stderr)")
        let eval = try CommandRunner.run("modctl", ["rules", "test", "--text", "hello", "--model", directory.path("cut.model")])
        #expect(eval.status == 1)
        #expect(eval.stderr.contains("fails its checksum"))
    }

    @Test func trainingRefusesBadFilesWithTheReason() throws {
        let directory = TemporaryDirectory("train")
        let cases: [(name: String, text: String, expected: String)] = [
            ("columns.csv", "comment,verdict\nhello,0\n", "unknown layout"),
            ("label.csv", "text,toxic\nhello,0\nyou idiot,maybe\n", "row 2 has the label \"maybe\" in column toxic"),
            ("one.csv", "text,toxic\nhello,0\nthanks,0\n", "no unwanted rows in column toxic"),
        ]
        for (name, text, expected) in cases {
            let path = directory.write(name, text)
            let result = try CommandRunner.run("modctl", ["model", "train", "--toxicity", path, "--output", directory.path("out.model")])
            #expect(result.status == 1, "\(name)")
            #expect(result.stderr.contains(expected), "\(name): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("out.model")))
    }

    @Test func trainingWritesAModelAndManifestThatLoad() throws {
        let directory = TemporaryDirectory("train")
        var rows = "text,toxic\n"
        for index in 0..<30 {
            rows += "\"You are an idiot, number \(index)\",1\n\"The harbour looks lovely today, photo \(index)\",0\n"
        }
        let path = directory.write("small.csv", rows)
        let result = try CommandRunner.run("modctl", ["model", "train", "--toxicity", path, "--output", directory.path("small.model"),
                                                      "--hash-bits", "14", "--dev", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("toxicity: ROC AUC 1.000"), "\(result.stdout)")
        let info = try CommandRunner.run("modctl", ["model", "info", directory.path("small.model")])
        #expect(info.status == 0 && info.stdout.contains("toxicity:"))
        let manifest = try String(contentsOfFile: directory.path("small.manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"command\" : \"modctl model train --toxicity"))
    }

    @Test func aHeldInsultIsExplainedInModeratorsWords() async throws {
        let daemon = try await DaemonHarness.start()
        _ = try await daemon.post("/v1/comments", json: commentJSON(id: "rude", author: "Troll", body: "Sue is an idiot, the council are morons"))
        let verdict = try await daemon.waitForVerdict("rude")
        #expect(verdict["status"] as? String != "approved")
        let shown = try daemon.modctl(["show", "rude"])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("model.toxicity"))
        #expect(shown.stdout.contains("The model reads as abuse: an insult, attack, obscenity or threat"), "\(shown.stdout)")
        #expect(shown.stdout.contains("«idiot»"))
        #expect(try await daemon.stop() == 0)
    }
}
