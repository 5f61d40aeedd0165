import ArgumentParser
import Foundation
import Judging
import Moderation
import ModerationStore
import PCRE2

/// `modctl rules ...`: check, try, list, backtest and reload rule packs.
struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check, test, list, backtest and reload rule packs.", discussion: "Example:\n  modctl rules check Rules site-rules",
        subcommands: [Check.self, Test.self, List.self, Backtest.self, Reload.self, Activate.self])

    /// Loads rule folders, turning load errors into one message per problem.
    static func load(_ directories: [String]) throws -> RuleSet {
        do {
            return try RuleLoader().load(directories: directories.map { URL(fileURLWithPath: $0) })
        } catch {
            throw CLIError("the rules have errors:\n" + error.description)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load rule folders, run every check and every example; exit 1 on any error.", discussion: "Example:\n  modctl rules check Rules ./site-rules")

        @Argument(help: "Rule folders in load order (default: Rules).")
        var directories: [String] = []

        func run() async throws {
            let folders = directories.isEmpty ? ["Rules"] : directories
            do {
                let ruleSet = try RuleLoader().load(directories: folders.map { URL(fileURLWithPath: $0) })
                for warning in ruleSet.warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
                let examples = ruleSet.rules.reduce(0) { $0 + $1.examples.match.count + $1.examples.noMatch.count }
                let packs = Set(ruleSet.rules.map(\.pack)).count
                Output.line("ok: \(ruleSet.rules.count) rules in \(packs) packs, \(examples) examples pass, "
                    + "\(ruleSet.prefilter.gatedCount) rules prefiltered, \(ruleSet.warnings.count) warnings (version \(ruleSet.version))")
                // Rules without a literal to prefilter on (or on fields other than the body) cost time on every comment.
                let unfiltered = ruleSet.unfilteredRuleIDs
                if !unfiltered.always.isEmpty {
                    Output.line("run on every comment: " + unfiltered.always.joined(separator: ", "))
                }
                if !unfiltered.withDigit.isEmpty {
                    Output.line("run on every comment with a digit: " + unfiltered.withDigit.joined(separator: ", "))
                }
                if !unfiltered.withLink.isEmpty {
                    Output.line("run on every link: " + unfiltered.withLink.joined(separator: ", "))
                }
            } catch {
                for problem in error.errors { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
                Output.error("\(error.errors.count) error\(error.errors.count == 1 ? "" : "s") in the rule packs")
                throw ExitCode.failure
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a text through the rules and heuristics and explain the verdict.",
            discussion: "No size limit applies: this is a diagnostic tool. Nothing is stored.\n\nExample:\n  modctl rules test --text \"Visit my channel for free spins\"")

        @Option(name: .customLong("rules"), help: "A rule folder; repeat for more (default: Rules).")
        var directories: [String] = []

        @Option(help: "The text to test.")
        var text: String?

        @Option(help: "A file whose contents to test (- for standard input).")
        var file: String?

        @Option(help: "Test the text as this field (body, author, email, ...).")
        var field: String = "body"

        @Flag(help: "Print {\"verdict\", \"score\", \"hits\": [...]} as JSON.")
        var json = false

        @OptionGroup var modelOptions: ModelOptions

        func validate() throws {
            guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text or --file") }
            guard CommentField(rawValue: field) != nil else {
                throw ValidationError("--field must be one of \(CommentField.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let input: String
                if let text {
                    input = text
                } else if file == "-" {
                    input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                } else {
                    guard let data = FileManager.default.contents(atPath: file!) else { throw CLIError("cannot read \(file!)") }
                    input = String(decoding: data, as: UTF8.self)
                }
                let pipeline = try await PipelineFactory.forCommand(directories: directories, model: modelOptions).make(store: nil)
                let ruleSet = pipeline.ruleSet
                let comment = RuleEngine.exampleComment(input, in: CommentField(rawValue: field)!)
                let judgement = pipeline.judge(comment, scratch: MatchScratch())
                if json {
                    struct Hit: Encodable { var rule: String; var score: Double; var action: String?; var start: Int?; var end: Int?; var text: String? }
                    struct Result: Encodable { var verdict: String; var score: Double; var hits: [Hit] }
                    try Output.json(Result(verdict: judgement.verdict.rawValue, score: judgement.score, hits: judgement.signals.map {
                        Hit(rule: $0.name, score: $0.score, action: $0.action?.rawValue, start: $0.span?.utf8Start, end: $0.span?.utf8End, text: $0.span?.text)
                    }))
                    return
                }
                let spans = judgement.signals.compactMap(\.span).filter { $0.field.rawValue == field || ($0.field == .body && field == "url") }
                Output.line(Output.styled("Text", .bold))
                for line in CommentRenderer.highlight(input, spans: spans).split(separator: "\n", omittingEmptySubsequences: false) {
                    Output.line("  │ " + line)
                }
                Output.line()
                Output.line(Output.styled("Hits", .bold))
                if judgement.signals.isEmpty { Output.line("  none") }
                for signal in judgement.signals {
                    Output.line(CommentRenderer.signalLines(signal))
                }
                Output.line()
                Output.line(Output.styled("Verdict", .bold) + ": " + Output.statusStyled(CommentStatus(judgement.verdict))
                    + " — " + judgement.reason + Output.styled("  (rules \(ruleSet.version))", .dim))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List rules with their outcome, mode, hits in the last 7 days and moderator overturns.", discussion: "Example:\n  modctl rules list --days 30")

        @Option(name: .customLong("rules"), help: "A rule folder; repeat for more (default: Rules).")
        var directories: [String] = []

        @OptionGroup var store: DatabaseOptions

        @Option(help: "The period for hit counts, in days.")
        var days = 7

        @Flag(help: "Print {\"rules\": [...]} as JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let ruleSet = try Rules.load(directories.isEmpty ? ["Rules"] : directories)
                // Statistics need the database; without one the list still shows the rules.
                var statistics: [String: RuleStatistics] = [:]
                var states: [String: RuleState] = [:]
                if let database = try? await store.open(.readOnly) {
                    statistics = try await database.signalStatistics(since: Date().addingTimeInterval(-Double(days) * 86400))
                    states = try await database.ruleStates()
                }
                struct Entry: Encodable {
                    var id: String; var pack: String; var score: Double?; var action: String?; var mode: String
                    var modeReason: String?; var hits: Int; var reviewed: Int; var overturned: Int; var description: String
                    enum CodingKeys: String, CodingKey {
                        case id, pack, score, action, mode, hits, reviewed, overturned, description
                        case modeReason = "mode_reason"
                    }
                }
                let entries = ruleSet.rules.map { rule -> Entry in
                    let stats = statistics[rule.id] ?? RuleStatistics()
                    let state = states[rule.id]
                    return Entry(id: rule.id, pack: rule.pack, score: rule.action == nil ? rule.score : nil, action: rule.action?.rawValue,
                                 mode: (state?.mode ?? rule.mode).rawValue,
                                 modeReason: state?.reason ?? (rule.mode == .shadow ? "shadow in its pack, \(rule.location)" : nil), hits: stats.hits,
                                 reviewed: stats.reviewed, overturned: stats.overturned, description: rule.description)
                }
                if json {
                    struct Listing: Encodable { var rules: [Entry] }
                    try Output.json(Listing(rules: entries))
                    return
                }
                Output.line(Output.styled(Output.cell("RULE", 30) + " " + Output.cell("OUTCOME", 8) + " " + Output.cell("MODE", 7) + " "
                    + Output.cell("HITS \(days)D", 8) + " " + "OVERTURNED", .dim))
                for entry in entries {
                    let outcome = entry.action ?? ("+" + Policy.format(entry.score ?? 0))
                    let overturned = entry.reviewed == 0 ? "-" : "\(entry.overturned) of \(entry.reviewed)"
                    var line = Output.cell(entry.id, 30) + " " + Output.cell(outcome, 8) + " " + Output.cell(entry.mode, 7) + " "
                        + Output.cell("\(entry.hits)", 8) + " " + overturned
                    if let reason = entry.modeReason { line += Output.styled("  (\(reason))", .yellow) }
                    Output.line(line)
                }
            }
        }
    }

    struct Backtest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-judge recent stored comments with candidate rules and show what would change.",
            discussion: "Nothing is written: the stored verdicts stay as they are.\n\nExample:\n  modctl rules backtest Rules ./candidate --days 7")

        @Argument(help: "Candidate rule folders, in load order (for example: Rules ./candidate).")
        var directories: [String]

        @OptionGroup var store: DatabaseOptions

        @Option(help: "How many days of history to re-judge.")
        var days = 7

        @Option(help: "At most this many comments.")
        var limit = 100_000

        @Option(help: "Examples shown per kind of change.")
        var examples = 5

        @Flag(help: "Print the changes as JSON.")
        var json = false

        @OptionGroup var modelOptions: ModelOptions

        func run() async throws {
            try await reportingErrors {
                let line = ProgressLine("backtest", unit: "comments")
                let report = try await Judging.Backtest(factory: PipelineFactory.forCommand(directories: directories, model: modelOptions))
                    .run(on: try await store.open(.readOnly), since: Date().addingTimeInterval(-Double(days) * 86400), limit: limit,
                         progress: line.update)
                line.finish()
                if json {
                    struct Change: Encodable {
                        var id: String; var was: String; var now: String; var current: String; var signals: [String]; var excerpt: String
                    }
                    struct Listing: Encodable { var comments: Int; var changes: [String: [Change]] }
                    var changes: [String: [Change]] = [:]
                    for (kind, list) in report.changes {
                        changes[kind.rawValue] = list.map {
                            Change(id: $0.id, was: $0.was, now: $0.now, current: $0.current, signals: $0.signals,
                                   excerpt: Output.excerpt($0.body, width: 70))
                        }
                    }
                    try Output.json(Listing(comments: report.comments, changes: changes))
                    return
                }
                Output.line(Output.styled("Backtest of \(report.comments) comments from the last \(days) days with rules \(report.rulesVersion)", .bold))
                let titles: [(Judging.Backtest.Kind, String)] = [(.newlyHeld, "Newly held"), (.newlyRejected, "Newly rejected"),
                                                                 (.released, "Released (would now be approved)")]
                for (kind, title) in titles {
                    let list = report.changes[kind] ?? []
                    // Whether moderators agreed with the change tells whether it is an improvement.
                    let agree = list.filter(kind.agrees).count
                    Output.line()
                    Output.line(Output.styled("\(title): \(list.count)", .bold)
                        + (list.isEmpty ? "" : "  (moderators' current verdict agrees for \(agree))"))
                    for change in list.prefix(examples) {
                        Output.line("  \(Output.cell(change.id, 14)) \(change.was) → \(change.now) (now \(change.current))  "
                            + Output.styled(change.signals.joined(separator: ", "), .yellow))
                        Output.line("    " + Output.safe(Output.excerpt(change.body, width: 70)))
                    }
                }
            }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running moderatod to re-read its rule packs (SIGHUP) and report the result.", discussion: "Example:\n  modctl rules reload")

        @OptionGroup var store: DatabaseOptions

        func run() async throws {
            try await reportingErrors {
                switch try await RuleReloadRequest.send(to: try await store.open()) {
                case .reloaded(let version):
                    Output.line("reloaded: rules \(version) are active")
                case .refused(let errors):
                    throw CLIError("reload refused; the previous rules stay active:\n" + errors)
                }
            }
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo an automatic switch to shadow: the rule's own mode applies again after `modctl rules reload`.", discussion: "Example:\n  modctl rules activate spam.casino")

        @OptionGroup var store: DatabaseOptions

        @Argument(help: "The rule id.")
        var id: String

        func run() async throws {
            try await reportingErrors {
                let database = try await store.open()
                guard try await database.ruleStates()[id] != nil else {
                    throw CLIError("rule \(id) has no recorded mode change")
                }
                try await database.setRuleState(nil, for: id)
                Output.line("\(id): the pack's own mode applies again; run `modctl rules reload` to apply it now")
            }
        }
    }
}
