import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl edit ID`: rewrite a comment's text before approving it (or after: the website is told).
struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit a comment's text; the original is kept for the audit log.",
        discussion: """
            Opens $VISUAL or $EDITOR (else vi) on the text, or reads it from --body-file (- for stdin). The edit is not judged \
            again. A published comment's new text reaches the website through the feed (as your approval of it); a held one's \
            with the decision that publishes it.

            Examples:
              modctl edit c-1002 --reason "removed a surname"
              modctl edit c-1002 --body-file fixed.txt --as alice
            """)

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The comment's id.")
    var id: String

    @Option(help: "Read the new text from this file (- for stdin) instead of opening an editor.")
    var bodyFile: String?

    @Option(help: "Why, kept with the revision (and, for a published comment, in the feed).")
    var reason: String?

    func run() async throws {
        try await reportingErrors {
            let moderator = try moderator.moderator()
            let database = try await store.open()
            guard let details = try await database.details(of: id) else { throw CLIError("no comment with id \(id)") }
            let body: String
            if let bodyFile {
                body = try Self.read(bodyFile)
            } else {
                body = try Self.editInEditor(details.comment.body)
            }
            try await Self.record(database, id: id, body: body, kind: .moderatorEdit, moderator: moderator, reason: reason,
                                  revision: details.comment.revision)
        }
    }

    /// Records an edit or redaction and says what it did.
    static func record(_ database: any CommentStore, id: String, body: String, kind: RevisionKind, moderator: String,
                       reason: String?, revision: Int) async throws {
        do {
            try CommentDecoder().validate(Comment(id: id, articleID: "a", author: "a", body: body, rating: 3))
        } catch {
            throw CLIError("the new text cannot be used: \(error.message); nothing changed")
        }
        let outcome = try await database.edit(id, body: body, kind: kind, actor: moderator, reason: reason, revision: revision, at: Date())
        guard outcome.changed else {
            Output.line("The text is unchanged; nothing recorded.")
            return
        }
        let what = kind == .redaction ? "Redacted" : "Edited"
        if let decision = outcome.decision {
            Output.line("\(what) \(Output.safe(id)) (revision \(outcome.revision)); it is published, so the website gets the new text "
                + "in the feed (decision #\(decision.seq!)).")
        } else {
            Output.line("\(what) \(Output.safe(id)) (revision \(outcome.revision)); it is \(outcome.status.rawValue): the website gets the new "
                + "text when it is approved.")
        }
    }

    static func read(_ path: String) throws -> String {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else { throw CLIError("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw CLIError("\(path) is not UTF-8 text") }
        // An editor's or a file's final newline is not part of the comment.
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Opens the editor on the text in a private temporary file and returns what it saved.
    static func editInEditor(_ text: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modctl-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("comment.txt")
        try Data((text + "\n").utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The editor may carry arguments (`code --wait`), as shells read $EDITOR.
        process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError("the editor (\(editor)) exited with status \(process.terminationStatus); nothing changed")
        }
        return try read(file.path)
    }
}

/// `modctl redact ID --span START:END --reason R`
struct Redact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace part of a comment's text with [removed]; the original is kept for the audit log.",
        discussion: """
            START:END counts characters from 0, END not included, as `modctl show --json` gives the body.

            Example:
              modctl redact c-1002 --span 31:52 --reason "phone number"
            """)

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The comment's id.")
    var id: String

    @Option(help: "The characters to remove, as START:END.")
    var span: String

    @Option(help: "Why (kept with the revision and shown in the feed for a published comment).")
    var reason: String

    func validate() throws {
        guard Self.range(span) != nil else { throw ValidationError("--span must be START:END with 0 ≤ START < END, such as 31:52") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
    }

    static func range(_ text: String) -> Range<Int>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]), let end = Int(parts[1]), start >= 0, start < end else { return nil }
        return start..<end
    }

    func run() async throws {
        try await reportingErrors {
            let moderator = try moderator.moderator()
            let database = try await store.open()
            guard let details = try await database.details(of: id) else { throw CLIError("no comment with id \(id)") }
            let body = details.comment.body
            guard let range = Self.range(span), let redacted = Redaction.apply(range, to: body) else {
                throw CLIError("--span \(span) is outside the text, which has \(body.count) characters")
            }
            try await Edit.record(database, id: id, body: redacted, kind: .redaction, moderator: moderator, reason: reason,
                                  revision: details.comment.revision)
        }
    }
}
