import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ModeratoTestSupport
import Testing

/// The website examples in `examples/` run against a live daemon with the distribution's `php` and
/// `node`: each submits comments and follows the feed until their verdicts arrive, and each one's
/// webhook endpoint receives the daemon's signed deliveries and refuses forged ones.
@Suite(.serialized) struct ExampleClientsTests {
    enum Language: String, CaseIterable, Sendable, CustomStringConvertible {
        case php
        case node
        var description: String { rawValue }
        var executable: String { "/usr/bin/\(rawValue)" }
        var folder: URL { TestPaths.packageRoot.appendingPathComponent("examples/\(rawValue)") }

        func receiverArguments(port: Int) -> [String] {
            switch self {
            case .php: return ["-S", "127.0.0.1:\(port)", folder.appendingPathComponent("webhook.php").path]
            case .node: return [folder.appendingPathComponent("webhook.mjs").path]
            }
        }

        var submitScript: String { folder.appendingPathComponent(self == .php ? "submit.php" : "submit.mjs").path }
    }

    /// A free port on 127.0.0.1, for a server that must be told its port.
    static func freePort() throws -> Int {
        let probe = try CommandRunner.runPython("import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
        return Int(probe.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    @Test(arguments: Language.allCases) func theWebsiteExampleSubmitsFollowsAndVerifiesWebhooks(language: Language) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: language.executable), "\(language.executable) is missing; Scripts/test.sh installs it")
        let directory = TemporaryDirectory("example-\(language)")
        let log = directory.path("decisions.log")
        let port = try Self.freePort()
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: language.executable)
        receiver.arguments = language.receiverArguments(port: port)
        receiver.environment = ProcessInfo.processInfo.environment.merging(
            ["MODERATO_WEBHOOK_SECRET": "example-secret", "MODERATO_EXAMPLE_LOG": log, "PORT": "\(port)"]) { $1 }
        receiver.standardOutput = FileHandle.nullDevice
        receiver.standardError = FileHandle.nullDevice
        try receiver.run()
        defer { receiver.terminate() }
        try await Task.sleep(for: .milliseconds(500))

        let daemon = try await DaemonHarness.start(extraArguments: ["--webhook", "http://127.0.0.1:\(port)/"],
                                                   environment: ["MODERATO_WEBHOOK_SECRET": "example-secret"])
        let comments = directory.write("comments.json", """
            [{"id": "\(language)-1", "article_id": "news-42", "author": "Ann", "body": "Lovely photos of the harbour.", "rating": 5},
             {"id": "\(language)-2", "article_id": "news-42", "author": "Sam",
              "body": "Work from home and earn $400 a day, visit my website", "rating": 1}]
            """)
        let submitted = try CommandRunner.runProgram(language.executable, [language.submitScript, comments],
                                                     environment: ["MODERATO_URL": "http://127.0.0.1:\(daemon.port)",
                                                                   "MODERATO_API_TOKEN": daemon.token])
        #expect(submitted.status == 0, "\(submitted.stdout)\(submitted.stderr)")
        #expect(submitted.stdout.contains("\(language)-1 approved") && submitted.stdout.contains("\(language)-2 held"), "\(submitted.stdout)")

        // The daemon's signed deliveries reach the example's endpoint, which accepts them.
        let deadline = Date().addingTimeInterval(20)
        var received = ""
        while Date() < deadline {
            received = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if received.contains("\(language)-1 approved") && received.contains("\(language)-2 held") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(received.contains("\(language)-1 approved") && received.contains("\(language)-2 held"), "\(received)")

        // A forged delivery and a replayed old one are refused and not recorded.
        let now = Int(Date().timeIntervalSince1970)
        let forged = #"{"seq":99,"id":"forged","status":"approved"}"#
        for (timestamp, signature) in [("\(now)", "sha256=" + String(repeating: "0", count: 64)), ("\(now - 3600)", "sha256=whatever")] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
            request.httpMethod = "POST"
            request.httpBody = Data(forged.utf8)
            request.setValue(timestamp, forHTTPHeaderField: "X-Moderato-Timestamp")
            request.setValue(signature, forHTTPHeaderField: "X-Moderato-Signature")
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 401)
        }
        #expect(!(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("forged")))
        #expect(try await daemon.stop() == 0)
    }
}
