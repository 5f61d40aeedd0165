import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// The standard reasons for rejecting a comment.
enum RejectionReason: String, CaseIterable, ExpressibleByArgument {
    case spam, abuse
    case offTopic = "off-topic"
    case personalData = "personal-data"
    case legal, other
}

/// Decides each id, reporting each outcome; fails (exit 1) if any id could not be decided.
func decideAll(_ ids: [String], verdict: Verdict, store: DatabaseOptions, moderator: String, reason: String?,
               note: String?, force: Bool) async throws {
    let database = try store.open()
    var failures = 0
    for id in ids {
        do {
            let decision = try await database.decide(id, verdict: verdict, actor: moderator, reason: reason,
                                                     note: note, force: force, at: Date())
            let from = decision.previousStatus.map { " (was \($0.rawValue))" } ?? ""
            Output.line("\(Output.statusStyled(decision.status)) \(id)\(from)")
        } catch {
            Output.error(error.message)
            failures += 1
        }
    }
    if failures > 0 { throw ExitCode.failure }
}

/// `modctl approve ID...`
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve comments: publish them.")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The ids of the comments to approve.")
    var ids: [String]

    @Option(help: "A note kept with the decision.")
    var note: String?

    @Flag(help: "Override a decision another moderator already made.")
    var force = false

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one comment id") }
    }

    func run() async throws {
        try await reportingErrors {
            try await decideAll(ids, verdict: .approved, store: store, moderator: try moderator.moderator(),
                                reason: nil, note: note, force: force)
        }
    }
}

/// `modctl reject ID... --reason R`
struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject comments: keep them off the site.")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The ids of the comments to reject.")
    var ids: [String]

    @Option(help: "Why: \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", ")).")
    var reason: RejectionReason

    @Option(help: "A note kept with the decision.")
    var note: String?

    @Flag(help: "Override a decision another moderator already made.")
    var force = false

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one comment id") }
    }

    func run() async throws {
        try await reportingErrors {
            try await decideAll(ids, verdict: .rejected, store: store, moderator: try moderator.moderator(),
                                reason: reason.rawValue, note: note, force: force)
        }
    }
}
