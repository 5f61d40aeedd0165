import ArgumentParser
import Foundation
import ModerationStore

/// `modctl purge --older-than 90d`
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove IP addresses, emails and user agents from old comments, keeping verdict statistics.")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Comments received longer ago than this: 90d, 12w, ...")
    var olderThan: String

    func validate() throws {
        guard TimeArguments.duration(olderThan) != nil else { throw ValidationError("--older-than must be a length such as 90d") }
    }

    func run() async throws {
        try await reportingErrors {
            let cutoff = Date().addingTimeInterval(-TimeArguments.duration(olderThan)!)
            let cleaned = try await store.open().purgePersonalData(receivedBefore: cutoff)
            Output.line("removed personal data from \(cleaned) comment\(cleaned == 1 ? "" : "s") received before \(ModerationDatabase.timestamp(cutoff))")
        }
    }
}

/// `modctl export --author A`
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print everything stored about an author as JSON (a data-subject access request).")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "The author's display name, exactly.")
    var author: String

    func run() async throws {
        try await reportingErrors {
            let export = try await store.open().export(author: author)
            guard !export.comments.isEmpty || !export.listEntries.isEmpty else {
                throw CLIError("nothing is stored about an author named \(author)")
            }
            try Output.json(export)
        }
    }
}

/// `modctl forget --author A`
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase an author's personal data (a data-subject erasure request); verdicts stay as anonymous counts.")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "The author's display name, exactly.")
    var author: String

    @Flag(help: "Erase without asking.")
    var yes = false

    func run() async throws {
        try await reportingErrors {
            let database = try store.open()
            let count = try await database.export(author: author).comments.count
            guard count > 0 else { throw CLIError("no comments by an author named \(author)") }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else { throw CLIError("\(count) comments by \(author) would be erased; add --yes to confirm") }
                FileHandle.standardOutput.write(Data("Erase \(count) comments by \(author)? This cannot be undone. [y/N] ".utf8))
                guard readLine()?.lowercased().hasPrefix("y") == true else { Output.line("Nothing erased."); return }
            }
            let erased = try await database.forget(author: author)
            Output.line("erased the personal data of \(erased) comment\(erased == 1 ? "" : "s") by \(author)")
        }
    }
}
