import ArgumentParser
import Foundation
import Judging
import Moderation
import ModerationStore

/// The standard reasons for rejecting a comment: the readers' report reasons, in the same order as
/// the browser queue lists them (and `modctl review` numbers them).
typealias RejectionReason = ReportReason

extension ReportReason: ExpressibleByArgument {}

/// Filters selecting held comments for a bulk decision.
struct SelectionOptions: ParsableArguments {
    @Flag(help: "Decide every held comment matching the filters (asks for confirmation).")
    var all = false

    @Option(help: "With --all: only comments on this article.")
    var article: String?

    @Option(help: "With --all: only comments by this author.")
    var author: String?

    @Option(help: "With --all: only comments this rule or heuristic fired on.")
    var rule: String?

    @Option(help: "With --all: only comments older than this (30m, 12h, 2d).")
    var olderThan: String?

    @Flag(help: "With --all: decide without asking (for scripts).")
    var yes = false

    @Flag(help: "With --all: only count what would be decided.")
    var dryRun = false

    func validate(ids: [String]) throws {
        if all {
            guard ids.isEmpty else { throw ValidationError("give comment ids or --all with filters, not both") }
        } else {
            guard ids.isEmpty == false else { throw ValidationError("give at least one comment id, or --all with filters") }
            guard article == nil, author == nil, rule == nil, olderThan == nil, !yes, !dryRun else {
                throw ValidationError("--article, --author, --rule, --older-than, --yes and --dry-run go with --all")
            }
        }
        if let olderThan, TimeArguments.duration(olderThan) == nil { throw ValidationError("--older-than must be a length such as 12h or 2d") }
    }

    var filter: CommentFilter {
        var filter = CommentFilter(status: .held)
        filter.articleID = article
        filter.author = author
        filter.signalName = rule
        filter.receivedBefore = olderThan.flatMap(TimeArguments.duration).map { Date().addingTimeInterval(-$0) }
        filter.limit = 100_000
        return filter
    }

    /// The ids to decide: the given ones, or every match after confirmation. Empty when nothing is to be done.
    func resolve(_ ids: [String], verb: String, past: String, store: DatabaseOptions) async throws -> [String] {
        guard all else { return ids }
        let matches = try await store.open().comments(matching: filter).map(\.comment.externalID)
        if matches.isEmpty {
            Output.line("No held comments match.")
            return []
        }
        if dryRun {
            Output.line("\(matches.count) held comment\(matches.count == 1 ? "" : "s") would be \(past)")
            return []
        }
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else {
                throw CLIError("\(matches.count) comments match; add --yes to \(verb) them without a terminal to confirm")
            }
            FileHandle.standardOutput.write(Data("\(verb.prefix(1).uppercased() + verb.dropFirst()) \(matches.count) held comment\(matches.count == 1 ? "" : "s")? [y/N] ".utf8))
            guard let answer = readLine(), answer.lowercased().hasPrefix("y") else {
                Output.line("Nothing decided.")
                return []
            }
        }
        return matches
    }
}

/// Decides every id (in a few transactions), reporting each outcome; fails (exit 1) if any id could not be decided.
func decideAll(_ ids: [String], verdict: Verdict, store: DatabaseOptions, moderator: String, reason: String?,
               note: String?, force: Bool) async throws {
    let database = try await store.open()
    var failures = 0
    for (id, result) in try await Decider(store: database).decide(ids, verdict: verdict, actor: moderator, reason: reason, note: note, force: force, at: Date()) {
        switch result {
        case .success(let decision):
            let from = decision.previousStatus.map { " (was \($0.rawValue))" } ?? ""
            Output.line("\(Output.statusStyled(decision.status)) \(Output.safe(id))\(from)")
        case .failure(let error):
            Output.error(error.message)
            failures += 1
        }
    }
    if failures > 0 { throw ExitCode.failure }
}

/// `modctl approve ID...`
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve comments: publish them.", discussion: "Examples:\n  modctl approve c-1002 c-1003 --as alice\n  modctl approve --all --article news-42 --dry-run")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The ids of the comments to approve.")
    var ids: [String] = []

    @OptionGroup var selection: SelectionOptions

    @Option(help: "A note kept with the decision.")
    var note: String?

    @Flag(help: "Override a decision another moderator already made.")
    var force = false

    func validate() throws {
        try selection.validate(ids: ids)
    }

    func run() async throws {
        try await reportingErrors {
            let ids = try await selection.resolve(self.ids, verb: "approve", past: "approved", store: store)
            guard !ids.isEmpty else { return }
            try await decideAll(ids, verdict: .approved, store: store, moderator: try moderator.moderator(),
                                reason: nil, note: note, force: force)
        }
    }
}

/// `modctl reject ID... --reason R`
struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject comments: keep them off the site.", discussion: "Examples:\n  modctl reject c-1002 --reason abuse --note \"insults another reader\" --as alice\n  modctl reject --all --rule spam.casino --reason spam --yes")

    @OptionGroup var store: DatabaseOptions
    @OptionGroup var moderator: ModeratorOptions

    @Argument(help: "The ids of the comments to reject.")
    var ids: [String] = []

    @OptionGroup var selection: SelectionOptions

    @Option(help: "Why: \(RejectionReason.allCases.map(\.rawValue).joined(separator: ", ")).")
    var reason: RejectionReason

    @Option(help: "A note kept with the decision.")
    var note: String?

    @Flag(help: "Override a decision another moderator already made.")
    var force = false

    func validate() throws {
        try selection.validate(ids: ids)
    }

    func run() async throws {
        try await reportingErrors {
            let ids = try await selection.resolve(self.ids, verb: "reject", past: "rejected", store: store)
            guard !ids.isEmpty else { return }
            try await decideAll(ids, verdict: .rejected, store: store, moderator: try moderator.moderator(),
                                reason: reason.rawValue, note: note, force: force)
        }
    }
}
