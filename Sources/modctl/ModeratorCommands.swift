import ArgumentParser
import Foundation
import Moderation
import ModerationStore
import ModeratoWeb

/// `modctl moderator`: the accounts that sign in to the browser review queue.
struct ModeratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderator",
        abstract: "Manage the accounts that sign in to the browser review queue (moderatod --ui).",
        discussion: """
            Examples:
              modctl moderator add alice                 # prints a password alice changes at her first sign-in
              printf '%s\\n' "$PASSWORD" | modctl moderator add bob --password-stdin
              modctl moderator list
              modctl moderator reset-password alice
              modctl moderator remove bob
            """,
        subcommands: [Add.self, List.self, Remove.self, ResetPassword.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a moderator; prints a one-time password (changed at the first sign-in) unless one comes on stdin.",
            discussion: "Example:\n  modctl moderator add alice")

        @OptionGroup var store: DatabaseOptions

        @Argument(help: "The name the moderator signs in with; their decisions are recorded under it.")
        var name: String

        @Flag(help: "Read the password from the first line of standard input instead of making one.")
        var passwordStdin = false

        func validate() throws {
            if let problem = ModeratorAccount.validateName(name) { throw ValidationError(problem) }
        }

        func run() async throws {
            try await reportingErrors {
                let database = try await store.open()
                let (password, generated) = try ModeratorCommand.password(fromStdin: passwordStdin)
                let now = Date()
                do {
                    try await database.addModerator(ModeratorAccount(name: name, passwordHash: ModeratorPasswords.hash(password),
                                                                     mustChangePassword: generated, createdAt: now, passwordChangedAt: now))
                } catch {
                    guard let error = error as? StoreError, error.code == .conflict else { throw error }
                    throw CLIError("a moderator named \(name) already exists; to give them a new password: modctl moderator reset-password \(name)")
                }
                ModeratorCommand.announce(name: name, password: generated ? password : nil, what: "Added")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the moderators, with their last sign-in and any lock.",
                                                        discussion: "Example:\n  modctl moderator list")

        @OptionGroup var store: DatabaseOptions

        @Flag(help: "Print {\"moderators\": [...]} as JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let accounts = try await store.open(.readOnly).moderatorAccounts()
                let now = Date()
                if json {
                    struct Row: Encodable {
                        var name: String
                        var created_at: Date
                        var last_sign_in: Date?
                        var must_change_password: Bool
                        var locked_until: Date?
                    }
                    struct Listing: Encodable { var moderators: [Row] }
                    try Output.json(Listing(moderators: accounts.map {
                        Row(name: $0.name, created_at: $0.createdAt, last_sign_in: $0.lastLoginAt, must_change_password: $0.mustChangePassword,
                            locked_until: $0.isLocked(at: now) ? $0.lockedUntil : nil)
                    }))
                    return
                }
                guard !accounts.isEmpty else {
                    Output.line("No moderators yet. Add one with: modctl moderator add NAME")
                    return
                }
                Output.line(Output.styled(Output.cell("NAME", 20) + " " + Output.cell("LAST SIGN-IN", 24) + " STATE", .dim))
                for account in accounts {
                    var state: [String] = []
                    if account.mustChangePassword { state.append("must choose a password") }
                    if account.isLocked(at: now), let until = account.lockedUntil {
                        state.append(Output.styled("locked until \(Output.timestamp(until))", .red))
                    } else if account.failedLogins > 0 {
                        state.append("\(account.failedLogins) wrong password\(account.failedLogins == 1 ? "" : "s")")
                    }
                    Output.line(Output.cell(account.name, 20) + " " + Output.cell(account.lastLoginAt.map { Output.timestamp($0) } ?? "never", 24) + " "
                        + (state.isEmpty ? "ok" : state.joined(separator: ", ")))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a moderator; their sessions end at once. Their decisions stay in the log.",
                                                        discussion: "Example:\n  modctl moderator remove bob")

        @OptionGroup var store: DatabaseOptions

        @Argument(help: "The moderator's name.")
        var name: String

        func run() async throws {
            try await reportingErrors {
                guard try await store.open().removeModerator(named: name) else {
                    throw CLIError("no moderator named \(name) (see modctl moderator list)")
                }
                Output.line("Removed \(Output.safe(name)); their sessions are ended. Their decisions stay in the log.")
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give a moderator a new password (and unlock the account); their sessions end.",
            discussion: "Example:\n  modctl moderator reset-password alice")

        @OptionGroup var store: DatabaseOptions

        @Argument(help: "The moderator's name.")
        var name: String

        @Flag(help: "Read the password from the first line of standard input instead of making one.")
        var passwordStdin = false

        func run() async throws {
            try await reportingErrors {
                let database = try await store.open()
                let (password, generated) = try ModeratorCommand.password(fromStdin: passwordStdin)
                guard try await database.setModeratorPassword(named: name, passwordHash: ModeratorPasswords.hash(password),
                                                              mustChange: generated, at: Date()) else {
                    throw CLIError("no moderator named \(name) (see modctl moderator list)")
                }
                ModeratorCommand.announce(name: name, password: generated ? password : nil, what: "Reset the password of")
            }
        }
    }

    /// A password from stdin (checked), or a new one.
    static func password(fromStdin: Bool) throws -> (String, generated: Bool) {
        guard fromStdin else { return (ModeratorPasswords.generate(), true) }
        guard let line = readLine(strippingNewline: true) else { throw CLIError("no password on standard input") }
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        if let problem = ModeratorPasswords.problem(with: password) { throw CLIError(problem) }
        return (password, false)
    }

    static func announce(name: String, password: String?, what: String) {
        guard let password else {
            Output.line("\(what) \(Output.safe(name)).")
            return
        }
        Output.line("\(what) \(Output.safe(name)). Their one-time password (shown only now; they choose their own when they sign in):")
        Output.line("")
        Output.line("  " + Output.styled(password, .bold))
        Output.line("")
        Output.line("They sign in at /ui/ of moderatod started with --ui.")
    }
}
