import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl purge --older-than 90d`
struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove IP addresses, emails and user agents from old comments, keeping verdict statistics.", discussion: "Example:\n  modctl purge --older-than 90d")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Comments received longer ago than this: 90d, 12w, ...")
    var olderThan: String

    func validate() throws {
        guard TimeArguments.duration(olderThan) != nil else { throw ValidationError("--older-than must be a length such as 90d") }
    }

    func run() async throws {
        try await reportingErrors {
            let cutoff = Date().addingTimeInterval(-TimeArguments.duration(olderThan)!)
            let progress = ProgressLine("purge", unit: "comments cleaned")
            let cleaned = try await store.open().purgePersonalData(receivedBefore: cutoff) { progress.update($0) }
            progress.finish()
            Output.line("removed personal data from \(cleaned) comment\(cleaned == 1 ? "" : "s") received before \(Output.timestamp(cutoff))")
        }
    }
}

/// Who a data-subject request is about: `--author NAME`, `--email ADDRESS`, or both.
struct SubjectOptions: ParsableArguments {
    @Option(help: "The author's display name, exactly.")
    var author: String?

    @Option(help: "The author's e-mail address (any case).")
    var email: String?

    func validate() throws {
        guard author != nil || email != nil else { throw ValidationError("say whose data: --author NAME, --email ADDRESS, or both") }
    }

    var subject: DataSubject { DataSubject(author: author, email: email) }
}

/// `modctl export --author A` or `--email E`
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print everything stored about a person as JSON (a data-subject access request), found by name or e-mail.", discussion: "Example:\n  modctl export --email ann@example.org > ann.json")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var who: SubjectOptions

    func run() async throws {
        try await reportingErrors {
            let export = try await store.open(.readOnly).export(who.subject)
            guard !export.comments.isEmpty || !export.listEntries.isEmpty else {
                throw CLIError("nothing is stored about \(Output.safe(who.subject.description))")
            }
            try Output.json(export)
        }
    }
}

/// `modctl forget --author A` or `--email E`
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Erase a person's personal data (a data-subject erasure request); verdicts stay as anonymous counts.", discussion: "Example:\n  modctl forget --author \"Ann Lee\" --yes")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var who: SubjectOptions

    @Flag(help: "Erase without asking.")
    var yes = false

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open()
            let subject = who.subject
            let count = try await database.export(subject).comments.count
            guard count > 0 else { throw CLIError("no comments by \(Output.safe(subject.description))") }
            let whose = Output.safe(subject.description)
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else { throw CLIError("\(count) comments by \(whose) would be erased; add --yes to confirm") }
                FileHandle.standardOutput.write(Data("Erase \(count) comments by \(whose)? This cannot be undone. [y/N] ".utf8))
                guard readLine()?.lowercased().hasPrefix("y") == true else { Output.line("Nothing erased."); return }
            }
            let erased = try await database.forget(subject)
            Output.line("erased the personal data of \(erased) comment\(erased == 1 ? "" : "s") by \(whose)")
        }
    }
}
