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
        let missing = try CommandRunner.run("modctl", ["eval", "--csv", directory.path("nope.csv"), "--text-column", "text",
                                                       "--label-column", "label", "--unwanted-label", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.csv"), "\(missing.stderr)")
    }
}
