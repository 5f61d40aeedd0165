import Foundation

/// The PostgreSQL server the test script starts (`Scripts/postgres.sh`, through `Scripts/test.sh`),
/// named by `MODERATO_TEST_POSTGRES`; each test gets a database of its own on it.
public enum TestPostgres {
    /// The server's URL, when one runs for the tests.
    public static var url: String? {
        ProcessInfo.processInfo.environment["MODERATO_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static var isAvailable: Bool { url != nil }

    /// Creates an empty database and returns its URL.
    public static func freshDatabase(_ label: String) throws -> String {
        guard let url, var components = URLComponents(string: url) else { throw HarnessError("MODERATO_TEST_POSTGRES is not set") }
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(url, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return components.string!
    }

    /// Runs one statement with `psql` and returns its unaligned output.
    @discardableResult
    public static func psql(_ url: String, _ statement: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-Atqc", statement]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("psql failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The stores a test can run against: SQLite always, PostgreSQL when the test script started one.
public enum TestStore: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    /// The stores available here.
    public static var available: [TestStore] { TestPostgres.isAvailable ? [.sqlite, .postgres] : [.sqlite] }

    /// The `database` argument for ``DaemonHarness/start(extraArguments:rules:token:environment:directory:database:)``:
    /// nil for a new SQLite file, a new database's URL for PostgreSQL.
    public func database(_ label: String) throws -> String? {
        switch self {
        case .sqlite: return nil
        case .postgres: return try TestPostgres.freshDatabase(label)
        }
    }

    public var description: String { rawValue }
}
