import Foundation
import GRDB
@testable import ModerationStore
import ModeratoTestSupport
import Testing

/// Only `moderatod` and `modctl migrate` change the schema: every other `modctl` command refuses a
/// schema older or newer than its own with what to do, and leaves the file as it was.
@Suite struct SchemaAccessTests {
    /// A database with every schema change but the newest, as the previous version left it.
    func olderDatabase() throws -> (path: String, directory: TemporaryDirectory) {
        let directory = TemporaryDirectory("schema")
        let path = directory.path("moderato.sqlite")
        let queue = try DatabaseQueue(path: path)
        let migrator = Schema.migrator
        try migrator.migrate(queue, upTo: migrator.migrations[migrator.migrations.count - 2])
        try queue.close()
        return (path, directory)
    }

    func appliedChanges(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM grdb_migrations") ?? 0 }
    }

    @Test func commandsRefuseAnOlderSchemaAndLeaveItAlone() throws {
        let (path, directory) = try olderDatabase()
        defer { withExtendedLifetime(directory) {} }
        let before = try appliedChanges(path)
        for arguments in [["queue"], ["status"], ["approve", "c1", "--as", "ed"], ["block", "add", "ip", "203.0.113.9", "--as", "ed"]] {
            let result = try CommandRunner.run("modctl", arguments + ["--database", path])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("has an older schema") && result.stderr.contains("modctl migrate"), "\(arguments): \(result.stderr)")
        }
        #expect(try appliedChanges(path) == before)

        let migrated = try CommandRunner.run("modctl", ["migrate", "--database", path])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("Migrated \(path) to schema \(ModerationDatabase.schemaVersion)"), "\(migrated.stdout)")
        #expect(try appliedChanges(path) == ModerationDatabase.schemaVersion)
        let again = try CommandRunner.run("modctl", ["migrate", "--database", path])
        #expect(again.status == 0 && again.stdout.contains("is up to date"), "\(again.stdout)")
        let queue = try CommandRunner.run("modctl", ["queue", "--database", path])
        #expect(queue.status == 0, "\(queue.stderr)")
    }

    @Test func commandsRefuseANewerSchema() throws {
        let directory = TemporaryDirectory("schema")
        let path = directory.path("moderato.sqlite")
        _ = try ModerationDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        for arguments in [["queue"], ["migrate"]] {
            let result = try CommandRunner.run("modctl", arguments + ["--database", path])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("written by a newer version of Moderato"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func readingCommandsCannotWrite() async throws {
        let directory = TemporaryDirectory("schema")
        let path = directory.path("moderato.sqlite")
        _ = try ModerationDatabase(path: path)
        var configuration = StoreConfiguration()
        configuration.schemaAccess = .readOnly
        let reader = try ModerationDatabase(path: path, configuration: configuration)
        await #expect(throws: StoreError.self) {
            try await reader.addListEntry(list: "block", kind: "ip", value: "203.0.113.9", reason: nil, by: "ed", expiresAt: nil, at: Date())
        }
        #expect(try await reader.listEntries(list: "block", at: Date()).isEmpty)
    }

    @Test func migrateRefusesWhileADaemonServesTheDatabase() async throws {
        let daemon = try await DaemonHarness.start()
        let result = try daemon.modctl(["migrate"])
        _ = try await daemon.stop()
        #expect(result.status == 1)
        #expect(result.stderr.contains("is serving \(daemon.databasePath); stop it before migrating"), "\(result.stderr)")
    }

    /// A backup of a live database, taken while comments arrive, is a consistent database that a
    /// daemon serves after a restore; a file that exists is never overwritten.
    @Test func backUpALiveDatabaseAndRestoreIt() async throws {
        let daemon = try await DaemonHarness.start()
        for index in 0..<20 {
            _ = try await daemon.post("/v1/comments", json: commentJSON(id: "b\(index)", author: "A\(index % 5)", body: "Comment number \(index)."))
        }
        _ = try await daemon.waitForVerdict("b19")
        let target = daemon.directory.path("backup.sqlite")
        async let arriving: Void = {
            for index in 20..<60 {
                _ = try? await daemon.post("/v1/comments", json: commentJSON(id: "b\(index)", author: "B", body: "Arriving during the backup \(index)."))
            }
        }()
        let backup = try daemon.modctl(["backup", target])
        await arriving
        #expect(backup.status == 0 && backup.stdout.contains("backed up"), "\(backup.stdout)\(backup.stderr)")
        #expect(backup.stderr.isEmpty, "no progress without a terminal: \(backup.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let again = try daemon.modctl(["backup", target])
        #expect(again.status == 1 && again.stderr.contains("exists already"), "\(again.stderr)")
        #expect(try await daemon.stop() == 0)

        // Restore: the copy in place of the database; the daemon serves what it held.
        let restored = TemporaryDirectory("restored")
        try FileManager.default.copyItem(atPath: target, toPath: restored.path("moderato.sqlite"))
        let second = try await DaemonHarness.start(directory: restored)
        for index in 0..<20 { #expect(try await second.waitForVerdict("b\(index)")["status"] as? String == "approved") }
        let check = try second.modctl(["status", "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(try await second.stop() == 0)
    }
}
