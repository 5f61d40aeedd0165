import ArgumentParser
import Foundation
import Judging
import Moderation
import ModeratoTools

/// `modctl bench`: pipeline speed in process, without a database.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure validate → normalize → rules → heuristics on comments from CSV files, on one core.",
        discussion: "Use the release build for figures that mean anything.\n\nExample:\n  modctl bench --csv ../shared/data/youtube-spam/Youtube01-Psy.csv --text-column CONTENT --repeat 5")

    @Option(help: "A CSV file with a header row; repeat for more.")
    var csv: [String]

    @Option(help: "The column holding the comment text.")
    var textColumn: String

    @Option(help: "Run the comments this many times.")
    var `repeat` = 1

    @Option(help: "Add this many generated word and phrase rules.")
    var extraRules = 0

    @Option(name: .customLong("rules"), help: "A rule folder; repeat for more (default: Rules).")
    var directories: [String] = []

    @Option(help: ArgumentHelp("Afterwards, list the N rules that took the most time, with how often they ran and hit.",
                               valueName: "N"))
    var topRules = 0

    @OptionGroup var modelOptions: ModelOptions

    @Flag(help: "Print {\"comments\", \"seconds\", \"comments_per_second\", \"p50_us\", \"p99_us\", \"rules\"} as JSON.")
    var json = false

    func validate() throws {
        guard !csv.isEmpty else { throw ValidationError("give at least one --csv FILE") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard extraRules >= 0 else { throw ValidationError("--extra-rules must not be negative") }
        guard topRules >= 0 else { throw ValidationError("--top-rules must not be negative") }
    }

    func run() async throws {
        try await reportingErrors {
            var texts: [String] = []
            do {
                for path in csv { texts += try LabeledCSV.load(path: path, textColumn: textColumn).rows.map(\.text) }
            } catch let error as ToolError {
                throw CLIError(error.message)
            }
            let factory = PipelineFactory.forCommand(directories: directories, model: modelOptions)
            let loaded = try factory.loadRules()
            var rules = loaded.rules
            rules += try ExtraRuleGenerator.rules(count: extraRules)
            let ruleSet = RuleSet(rules: rules, version: loaded.version)
            let benchmark = PipelineBenchmark(pipeline: try await factory.make(ruleSet: ruleSet, model: factory.loadModel(), store: nil))
            let result = try benchmark.run(texts: texts, repeat: `repeat`)
            let costs = topRules > 0 ? Array(benchmark.ruleCosts(texts: texts).prefix(topRules)) : []
            if json {
                try Output.json(BenchReport(result: result, topRules: topRules > 0 ? costs : nil))
                return
            }
            Output.line("\(result.comments) comments, \(result.rules) rules (\(ruleSet.prefilter.gatedCount) prefiltered): "
                + String(format: "%.0f comments/s, p50 %.1f µs, p99 %.1f µs, %.2f s", result.commentsPerSecond,
                         result.p50Microseconds, result.p99Microseconds, result.seconds))
            guard !costs.isEmpty else { return }
            Output.line("")
            Output.line("Costliest rules over \(texts.count) comments (each comment once):")
            let width = max(4, costs.map(\.id.count).max() ?? 0)
            Output.line("RULE".padding(toLength: width, withPad: " ", startingAt: 0) + "  µs/COMMENT      RUNS      HITS")
            for cost in costs {
                Output.line(cost.id.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: "  %10.2f  %8d  %8d", cost.microsecondsPerComment, cost.runs, cost.hits))
            }
        }
    }
}

/// `modctl bench --json`: the run's figures, plus the costliest rules when asked for.
struct BenchReport: Encodable {
    var result: PipelineBenchmark.Result
    var topRules: [PipelineBenchmark.RuleCost]?

    enum CodingKeys: String, CodingKey {
        case topRules = "top_rules"
    }

    func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(topRules, forKey: .topRules)
    }
}
