import ArgumentParser
import Foundation
import ModerationStore

/// `modctl backup FILE`: a consistent copy of a live SQLite database.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database into a new file while moderatod keeps running (SQLite's online backup).",
        discussion: """
            The copy is consistent (as of the moment it finished) and private (mode 0600). To restore: stop \
            moderatod, put the copy in place of the database, start moderatod. PostgreSQL databases are \
            backed up with pg_dump.

            Example:
              modctl backup /var/backups/moderato-$(date +%F).sqlite
            """)

    @OptionGroup var store: DatabaseOptions

    @Argument(help: "The new file to write (it must not exist).")
    var file: String

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open(.readOnly)
            let started = Date()
            // Progress on a terminal only; cron and scripts see nothing but the result.
            try await database.backup(to: file) { fraction in
                if Output.isTerminal {
                    FileHandle.standardError.write(Data("\rbacking up: \(Int(fraction * 100))%".utf8))
                }
            }
            if Output.isTerminal { FileHandle.standardError.write(Data("\r".utf8)) }
            Output.line("backed up \(store.path) to \(file) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
