import ArgumentParser
import Foundation
import ModerationStore

/// `modctl recount`: rebuilds the hourly counts the digest and `rules list` read.
struct Recount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the hourly counts the digest and rules list read, from the comments and decisions.",
        discussion: """
            The counts are kept up to date as comments, verdicts and decisions are recorded, so this is \
            only needed after the database was edited by hand (with the sqlite3 shell, say) or restored \
            in part. It runs in one transaction while moderatod keeps running (holding the write lock: \
            new comments wait, about 35 s for 500,000 comments), and says which counts it corrected. \
            With --check it changes nothing and exits 3 when a count is wrong.

            Example:
              modctl recount --check || modctl recount
            """)

    @OptionGroup var store: DatabaseOptions

    @Flag(help: "Only compare the counts with a recount; exit 3 if they differ.")
    var check = false

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open()
            let started = Date()
            let differing = try await database.recount(onlyCheck: check)
            let took = String(format: "%.1f", Date().timeIntervalSince(started))
            switch (differing.isEmpty, check) {
            case (true, _):
                Output.line("The hourly counts match the comments and decisions (\(took) s).")
            case (false, true):
                Output.line("These hourly counts differ from the comments and decisions: \(differing.joined(separator: ", ")). "
                            + "Run `modctl recount` to correct them.")
                throw ExitCode(3)
            case (false, false):
                Output.line("Recounted in \(took) s; corrected: \(differing.joined(separator: ", ")).")
            }
        }
    }
}
