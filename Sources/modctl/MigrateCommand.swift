import ArgumentParser
import Foundation
import ModerationStore

/// Brings a database's schema up to this build's: the one `modctl` command that changes the schema
/// (`moderatod` does it too when it starts). Every other command refuses a schema older or newer
/// than its own, so a newer `modctl` never changes the schema under a running older daemon.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring the database's schema up to this version of Moderato.",
        discussion: """
        Stop moderatod and back the database up first; a running moderatod would keep using the old schema.

        Example:
          systemctl stop moderato && modctl migrate --database /var/lib/moderato/moderato.sqlite
        """
    )

    @OptionGroup var store: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let isServer = StoreLocation.isServer(store.path)
            if !isServer, let pid = DaemonLock.holder(forDatabase: store.path) {
                throw CLIError("moderatod (pid \(pid)) is serving \(store.path); stop it before migrating, then start the new moderatod")
            }
            var configuration = StoreConfiguration()
            configuration.createIfMissing = false
            configuration.schemaAccess = .readOnly
            do {
                _ = try await StoreLocation.open(store.path, configuration: configuration)
                Output.line("\(store.path) is up to date (schema \(isServer ? PostgresStore.schemaVersion : ModerationDatabase.schemaVersion)).")
                return
            } catch let error as StoreError where error.code == .olderSchema {
                configuration.schemaAccess = .migrate
                _ = try await StoreLocation.open(store.path, configuration: configuration)
            }
            Output.line("Migrated \(store.path) to schema \(isServer ? PostgresStore.schemaVersion : ModerationDatabase.schemaVersion).")
        }
    }
}
