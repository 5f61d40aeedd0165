import Foundation
import Judging
import Logging
import Moderation
import ModerationStore
@testable import ModeratoServer
import ModeratoTestSupport
import PCRE2
import Testing

/// The queue worker in process, against a real database another process locks.
@Suite(.serialized) struct QueueWorkerTests {
    /// Holds the database's write lock from another process (Python's sqlite3, as modctl or a backup
    /// tool would) for `seconds`.
    func lockFromAnotherProcess(_ path: String, seconds: Double) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            connection = sqlite3.connect(sys.argv[1], isolation_level=None)
            connection.execute('BEGIN IMMEDIATE')
            print('locked', flush=True)
            time.sleep(float(sys.argv[2]))
            connection.execute('COMMIT')
            """, path, "\(seconds)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Wait until the lock is taken.
        _ = output.fileHandleForReading.readData(ofLength: 7)
        return process
    }

    @Test func judgingWaitsForABusyDatabaseInsteadOfHolding() async throws {
        let directory = TemporaryDirectory("busy")
        var configuration = StoreConfiguration()
        configuration.busyTimeout = 0.2
        let path = directory.path("moderato.sqlite")
        let database = try ModerationDatabase(path: path, configuration: configuration)
        let comments = (0..<3).map { Fixtures.comment("b\($0)", body: "A thoughtful comment about the harbour, number \($0).", author: "A\($0)") }
        #expect(try await database.accept(comments, at: Date()) == [.accepted, .accepted, .accepted])

        let lock = try lockFromAnotherProcess(path, seconds: 1.5)
        let worker = QueueWorker(database: database, pipelines: PipelineController(Pipeline(ruleSet: try Fixtures.shippedRuleSet())),
                                 notifier: QueueNotifier(), batchSize: 10, logger: Logger(label: "test"))
        try await worker.drain(scratch: MatchScratch())
        lock.waitUntilExit()
        #expect(lock.terminationStatus == 0)
        for comment in comments {
            let details = try #require(try await database.details(of: comment.id))
            #expect(details.comment.status == .approved, "\(comment.id) was \(details.comment.status.rawValue)")
            #expect(!details.signals.contains { $0.name == "pipeline.error" }, "\(comment.id) was held by a pipeline error")
        }
    }
}
