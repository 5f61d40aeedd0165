import ArgumentParser
import Foundation
import Judging
import Moderation
import ModerationStore

@main
struct Modctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modctl",
        abstract: "Review and decide held comments, and inspect the Moderato database.",
        discussion: "The database is found with --database PATH or the MODERATO_DB environment variable.\n\nExamples:\n  modctl queue\n  modctl show c-1002\n  modctl review --as alice",
        subcommands: [Queue.self, Show.self, Review.self, Approve.self, Reject.self, Edit.self, Redact.self, Undo.self, Log.self, Block.self, Allow.self, Article.self, Status.self, Rules.self, DigestCommand.self, Train.self, ModelCommand.self, Eval.self, Bench.self, Purge.self, Export.self, Forget.self, Migrate.self, Backup.self, Recount.self, ModeratorCommand.self]
    )
}

/// Options every command that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The Moderato database: a SQLite file or a postgres:// URL (default: $MODERATO_DB, else var/moderato.sqlite).")
    var database: String?

    var path: String {
        database ?? ProcessInfo.processInfo.environment["MODERATO_DB"] ?? "var/moderato.sqlite"
    }

    /// Opens the database (a SQLite file or a `postgres://` URL), never creating it and never changing
    /// its schema: a schema older or newer than this build's is refused with what to do (only
    /// `moderatod` and `modctl migrate` migrate). Commands that only read pass ``SchemaAccess/readOnly``.
    func open(_ access: SchemaAccess = .readWrite) async throws -> any CommentStore {
        var configuration = StoreConfiguration()
        configuration.createIfMissing = false
        configuration.schemaAccess = access
        do {
            return try await StoreLocation.open(path, configuration: configuration)
        } catch {
            throw CLIError(error.message)
        }
    }
}

/// Who is deciding: `--as NAME`, or the login name.
struct ModeratorOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "Your name, recorded on each decision (default: $USER).")
    var name: String?

    func moderator() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        // Under sudo (`sudo -u moderato modctl …`) the person deciding is the one who ran sudo.
        let candidates = [name, environment["SUDO_USER"], environment["USER"], environment["LOGNAME"]]
        guard let name = candidates.compactMap({ $0 }).first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw CLIError("say who you are with --as NAME (or set USER)")
        }
        guard name != Decision.systemActor && name != Decision.readersActor else {
            throw CLIError("decisions by \(name) would read as the pipeline's own; say who you are with --as NAME")
        }
        return name
    }
}

/// A failure shown as one line on stderr with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

extension AsyncParsableCommand {
    /// Runs a command body, turning ``CLIError`` and store errors into one line on stderr and exit 1.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try Output.checkTimeZone()
            try await body()
        } catch let error as CLIError {
            Output.error(error.message)
            throw ExitCode.failure
        } catch let error as StoreError {
            Output.error(error.message)
            throw ExitCode.failure
        } catch let error as JudgingError {
            Output.error(error.message)
            throw ExitCode.failure
        }
    }
}
