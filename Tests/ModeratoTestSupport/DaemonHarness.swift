import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP response as tests see it.
public struct HTTPResult: Sendable {
    public var status: Int
    public var body: Data
    public var headers: [String: String]

    /// The body parsed as a JSON object.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs the built `moderatod` on 127.0.0.1 with an ephemeral port and a temporary database, talks to
/// it over HTTP, and stops it gracefully.
///
/// ```swift
/// let daemon = try await DaemonHarness.start()
/// let response = try await daemon.post("/v1/comments", json: #"{"id":"c1",...}"#)
/// let status = try await daemon.stop()
/// ```
public final class DaemonHarness: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let token: String
    public let databasePath: String
    public private(set) var port: Int = 0
    private let process = Process()
    private let logLock = NSLock()
    private var logText = ""

    /// The daemon's log so far.
    public var log: String {
        logLock.lock(); defer { logLock.unlock() }
        return logText
    }

    init(directory: TemporaryDirectory, token: String, databasePath: String) {
        self.directory = directory
        self.token = token
        self.databasePath = databasePath
    }

    /// Starts the daemon and waits until it listens.
    /// - Parameter database: The database (default: a new SQLite file in `directory`), such as a `postgres://` URL.
    /// - Parameter executable: The `moderatod` to run (default: the one this build made).
    public static func start(extraArguments: [String] = [], rules: [String]? = nil, token: String = "test-token",
                             environment: [String: String] = [:],
                             directory: TemporaryDirectory = TemporaryDirectory("moderatod"),
                             database: String? = nil, executable: URL = TestPaths.executable("moderatod")) async throws -> DaemonHarness {
        let databasePath = database ?? directory.path("moderato.sqlite")
        let harness = DaemonHarness(directory: directory, token: token, databasePath: databasePath)
        harness.process.executableURL = executable
        try await harness.launch(extraArguments: extraArguments, rules: rules ?? [TestPaths.rulesDirectory.path], environment: environment)
        return harness
    }

    /// Starts another daemon on the same database and folder (after this one stopped).
    public func restart(extraArguments: [String] = [], environment: [String: String] = [:]) async throws -> DaemonHarness {
        try await DaemonHarness.start(extraArguments: extraArguments, token: token, environment: environment, directory: directory,
                                      database: databasePath)
    }

    private func launch(extraArguments: [String], rules: [String], environment extra: [String: String]) async throws {
        process.arguments = ["--database", databasePath, "--listen", "127.0.0.1:0"]
            + rules.flatMap { ["--rules", $0] } + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["MODERATO_API_TOKEN"] = token
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.logLock.lock()
            self.logText += String(decoding: data, as: UTF8.self)
            self.logLock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            // `address=http://…` in text logs, `"address":"http://…"` in JSON ones.
            if let range = log.range(of: #"address"?[=:]"?http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                port = Int(log[range].split(separator: ":").last!)!
                return
            }
            if !process.isRunning {
                throw HarnessError("moderatod exited with status \(process.terminationStatus) before listening:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw HarnessError("moderatod did not start listening within 30 s:\n\(log)")
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            throw HarnessError("moderatod did not stop within 20 s of signal \(signal)")
        }
        return process.terminationStatus
    }

    public var isRunning: Bool { process.isRunning }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Sends a request; `token: nil` sends none, the default sends the daemon's token.
    public func request(_ method: String, _ path: String, body: Data? = nil, token: String?? = .none,
                        headers: [String: String] = [:]) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        let sent: String? = token ?? self.token
        if let sent { request.setValue("Bearer \(sent)", forHTTPHeaderField: "Authorization") }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                    return
                }
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers["\(key)".lowercased()] = "\(value)" }
                continuation.resume(returning: HTTPResult(status: http.statusCode, body: data ?? Data(), headers: headers))
            }.resume()
        }
    }

    /// POSTs a JSON text to a path.
    public func post(_ path: String, json: String, token: String?? = .none) async throws -> HTTPResult {
        try await request("POST", path, body: Data(json.utf8), token: token)
    }

    /// GETs a path.
    public func get(_ path: String, token: String?? = .none) async throws -> HTTPResult {
        try await request("GET", path, token: token)
    }

    /// Polls a comment until it leaves the queue; returns its status document.
    public func waitForVerdict(_ id: String, timeout: TimeInterval = 20) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let result = try await get("/v1/comments/\(id)")
            if result.status == 200, let status = result.json["status"] as? String, status != "queued" {
                return result.json
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HarnessError("comment \(id) was not judged within \(timeout) s")
    }

    /// Runs `modctl` against this daemon's database.
    public func modctl(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandRunner.run("modctl", arguments, environment: ["MODERATO_DB": databasePath].merging(environment) { $1 })
    }
}

/// A comment as JSON text, for tests.
public func commentJSON(id: String, article: String = "news-1", author: String = "Reader", body: String,
                        rating: Int = 4, extra: [String: Any] = [:]) -> String {
    var object: [String: Any] = ["id": id, "article_id": article, "author": author, "body": body, "rating": rating]
    for (key, value) in extra { object[key] = value }
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}
