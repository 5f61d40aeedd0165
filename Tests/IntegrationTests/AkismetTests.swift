import Foundation
import ModerationStore
import ModeratoTestSupport
import Testing

/// The Akismet-compatible endpoint, driven by the real `akismet` client from PyPI.
@Suite(.serialized) struct AkismetTests {
    /// A Python with the `akismet` package: `MODERATO_AKISMET_PYTHON` (Scripts/test.sh makes one), or a
    /// throwaway virtual environment made here.
    static func python() throws -> (String, TemporaryDirectory?) {
        if let python = ProcessInfo.processInfo.environment["MODERATO_AKISMET_PYTHON"], FileManager.default.fileExists(atPath: python) {
            return (python, nil)
        }
        let directory = TemporaryDirectory("akismet-venv")
        for command in [["python3", "-m", "venv", directory.path("venv")],
                        [directory.path("venv/bin/pip"), "install", "--quiet", "akismet==25.10.1"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = command
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw HarnessError("could not prepare the akismet client: \(command.joined(separator: " "))") }
        }
        return (directory.path("venv/bin/python"), directory)
    }

    @Test func unmodifiedPythonClientTalksToModerato() async throws {
        let (python, venv) = try Self.python()
        defer { _ = venv }
        let daemon = try await DaemonHarness.start()
        let script = TestPaths.packageRoot.appendingPathComponent("Tests/IntegrationTests/akismet_client.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "\(daemon.port)", daemon.token]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(stderr)")
        #expect(results["verify_good"] as? Bool == true)
        #expect(results["verify_bad"] as? Bool == false)
        #expect(results["clean"] as? Int == 0, "ham")
        #expect((results["spam"] as? Int ?? 0) >= 1, "spam or discard")
        #expect(results["blatant"] as? [String] == ["true", "discard"])
        #expect(results["submit_spam"] as? Bool == true)
        #expect(results["submit_ham"] as? Bool == true)
        #expect(results["bad_key_error"] as? String == "APIKeyError")
        #expect(results["missing_blog"] as? [String] == ["Missing required field: blog.", "Empty \"blog\" value"])
        #expect(results["missing_ip"] as? [String] == ["Missing required field: user_ip.", "Empty \"user_ip\" value"])
        #expect((results["usage"] as? [String: Any])?["limit"] as? String == "none")

        // The checked comments are stored like any other: the site's spam report overturned the clean one.
        let log = try daemon.modctl(["log", "--json", "--actor", "https://news.example.org/"])
        #expect(log.stdout.contains("\"status\" : \"rejected\"") && log.stdout.contains("\"status\" : \"approved\""))
        let digest = try daemon.modctl(["digest", "--since", "1h", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(digest.stdout.utf8)) as? [String: Any])
        #expect((json["received"] as? Int ?? 0) >= 4)
        #expect(try await daemon.stop() == 0)
    }
}
