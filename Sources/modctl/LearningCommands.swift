import ArgumentParser
import Foundation
import Judging
import Moderation
import ModerationStore
import ModeratoTools

/// The columns of a labelled CSV file.
struct LabelColumns {
    var textColumn: String
    var labelColumn: String
    var unwantedLabel: [String]
    var authorColumn: String?

    /// The columns from optional command-line values, or a usage error naming what `--csv` needs.
    init(textColumn: String?, labelColumn: String?, unwantedLabel: [String], authorColumn: String?) throws {
        guard let textColumn, let labelColumn, !unwantedLabel.isEmpty else {
            throw ValidationError("--csv and --train need --text-column, --label-column and --unwanted-label")
        }
        self.textColumn = textColumn
        self.labelColumn = labelColumn
        self.unwantedLabel = unwantedLabel
        self.authorColumn = authorColumn
    }

    func rows(_ paths: [String]) throws -> [Evaluation.Row] {
        do {
            return try Evaluation.rows(from: paths, textColumn: textColumn, labelColumn: labelColumn,
                                       unwantedLabels: Set(unwantedLabel), authorColumn: authorColumn)
        } catch let error as ToolError {
            throw CLIError(error.message)
        }
    }
}

/// The columns of labelled CSV files, as options; each command says when it needs them.
struct LabelColumnOptions: ParsableArguments {
    @Option(help: "The column holding the comment text.")
    var textColumn: String?

    @Option(help: "The column holding the label.")
    var labelColumn: String?

    @Option(help: "A label value meaning the comment should not be published; repeat for more.")
    var unwantedLabel: [String] = []

    @Option(help: "The column holding the author's name, if any.")
    var authorColumn: String?

    func columns() throws -> LabelColumns {
        try LabelColumns(textColumn: textColumn, labelColumn: labelColumn, unwantedLabel: unwantedLabel, authorColumn: authorColumn)
    }
}

/// `modctl train`: seed, inspect or reset the site's learning layer.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Teach the site's learning layer from labelled history, or show or reset what it knows.",
        discussion: """
            modctl train --csv FILE --text-column C --label-column L --unwanted-label V [--author-column A]
            modctl train --stats
            modctl train --reset
            Moderators' approve and reject decisions teach it as they happen.

            Example:
              modctl train --csv history.csv --text-column body --label-column verdict --unwanted-label rejected
            """)

    @OptionGroup var store: DatabaseOptions

    @Option(help: "A labelled CSV file; repeat for more.")
    var csv: [String] = []

    @OptionGroup var labels: LabelColumnOptions

    @Flag(help: "Show what the filter has learned.")
    var stats = false

    @Flag(help: "Forget everything the filter has learned.")
    var reset = false

    @Flag(help: "Print --stats as JSON.")
    var json = false

    func validate() throws {
        let modes = [!csv.isEmpty, stats, reset].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --csv FILE, --stats or --reset") }
        if !csv.isEmpty { _ = try labels.columns() }
    }


    func run() async throws {
        try await reportingErrors {
            let database = try await store.open()
            if reset {
                try await database.resetClassifier()
                Output.line("the site's learning layer has forgotten everything")
                return
            }
            if !csv.isEmpty {
                let rows = try labels.columns().rows(csv)
                let line = ProgressLine("train", unit: "comments")
                try await Evaluation.train(database, rows: rows, progress: line.update)
                line.finish()
                let unwanted = rows.filter(\.isUnwanted).count
                Output.line("learned \(rows.count) comments: \(unwanted) unwanted, \(rows.count - unwanted) wanted")
            }
            let statistics = try await database.classifierStatistics()
            if json {
                try Output.json(statistics)
                return
            }
            Output.line("The site's learning layer knows \(statistics.unwantedDocuments) unwanted and \(statistics.wantedDocuments) wanted comments "
                + "(\(statistics.tokens) distinct tokens; \(statistics.fromDecisions) learned from decisions, "
                + "\(statistics.fromAutomaticVerdicts) from confident automatic verdicts).")
            let minimum = ClassifierConfiguration().minimumPerClass
            if statistics.unwantedDocuments < minimum || statistics.wantedDocuments < minimum {
                Output.line("It stays silent until it has learned at least \(minimum) of each.")
            }
        }
    }
}

/// `modctl eval`: accuracy of the real pipeline on labelled files.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the pipeline on labelled comments, against a temporary database.",
        discussion: """
            The labels come from CSV files (--csv) or from this site's own moderator decisions \
            (--decisions, read-only). Unwanted comments should not be published; the rest should. Only \
            the text and author are sent. --online replays the comments in order and feeds every held \
            comment's true label back as a moderator decision, the way a moderated site learns. \
            --thresholds shows what other hold and reject thresholds would do.

            Example:
              modctl eval --csv ../shared/data/youtube-spam/Youtube01-Psy.csv --text-column CONTENT --label-column CLASS --unwanted-label 1 --thresholds
            """)

    @Option(help: "A labelled CSV file to evaluate; repeat for more (judged in the order given).")
    var csv: [String] = []

    @OptionGroup var labels: LabelColumnOptions

    @Flag(help: "Evaluate on this site's own history instead: comments a moderator or the website approved or rejected.")
    var decisions = false

    @Option(help: "With --decisions: only comments received since: \(TimeArguments.help).")
    var since: String?

    @OptionGroup var store: DatabaseOptions

    @Option(help: "A labelled CSV file to train the site's learning layer on first; repeat for more.")
    var train: [String] = []

    @Option(name: .customLong("rules"), help: "A rule folder; repeat for more (default: Rules).")
    var directories: [String] = []

    @Flag(help: "Feed held comments' true labels back as moderator decisions, in order.")
    var online = false

    @Option(help: "Show up to this many mistakes of each kind.")
    var mistakes = 0

    @Flag(help: "Hold every comment until the learning layer knows 10 of each kind (as moderatod --premoderate-while-learning).")
    var premoderateWhileLearning = false

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The hold threshold to judge with, as moderatod's policy.hold_threshold. (default: 5)")
    var holdThreshold: Double?

    @Option(help: "The reject threshold to judge with, as moderatod's policy.reject_threshold. (default: 10)")
    var rejectThreshold: Double?

    @Flag(help: "Also show what other hold and reject thresholds would do with the same scores.")
    var thresholds = false

    @Option(help: "With --thresholds: the most wanted comments that may be rejected, in percent.")
    var maxWantedRejected = 0.5

    @Option(help: "With --thresholds: the most unwanted comments that may be approved, in percent.")
    var maxUnwantedApproved = 3.0

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard csv.isEmpty == decisions else { throw ValidationError("give either --csv FILE or --decisions") }
        if !csv.isEmpty || !train.isEmpty { _ = try labels.columns() }
        if let since {
            guard decisions else { throw ValidationError("--since goes with --decisions") }
            guard TimeArguments.time(since) != nil else { throw ValidationError("--since must be \(TimeArguments.help)") }
        }
        guard policy.holdThreshold < policy.rejectThreshold else {
            throw ValidationError("the hold threshold (\(Policy.format(policy.holdThreshold))) must be below the reject threshold (\(Policy.format(policy.rejectThreshold)))")
        }
        for (name, value) in [("--max-wanted-rejected", maxWantedRejected), ("--max-unwanted-approved", maxUnwantedApproved)]
        where !(0...100).contains(value) {
            throw ValidationError("\(name) is a percentage from 0 to 100, not \(Policy.format(value))")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let rows = try await decisions ? decidedRows() : labels.columns().rows(csv)
            let training = try train.isEmpty ? [] : labels.columns().rows(train)
            let factory = PipelineFactory.forCommand(directories: directories, model: modelOptions, policy: policy)
            var evaluation = Evaluation(ruleSet: try factory.loadRules())
            evaluation.model = try factory.loadModel()
            evaluation.judging = factory.configuration
            evaluation.judging.classifier.holdsWhileLearning = premoderateWhileLearning
            evaluation.isOnline = online
            evaluation.mistakesKept = mistakes
            if thresholds {
                evaluation.thresholdLimits = ThresholdSweep.Limits(wantedRejected: maxWantedRejected / 100,
                                                                   unwantedApproved: maxUnwantedApproved / 100)
            }
            let line = ProgressLine("eval", unit: "comments")
            evaluation.progress = line.update
            let report = try await evaluation.run(rows, training: training)
            line.finish()
            if json {
                try Output.json(report)
                return
            }
            func row(_ name: String, _ verdicts: Evaluation.Verdicts) -> String {
                Output.cell(name, 10) + Output.cell("\(verdicts.approved)", 10) + Output.cell("\(verdicts.held)", 8) + "\(verdicts.rejected)"
            }
            Output.line(Output.styled("\(report.rows) comments" + (decisions ? " decided by people" : "")
                + (online ? ", online (\(report.feedback) held comments fed back)" : ""), .bold))
            Output.line(Output.styled(Output.cell("truth", 10) + Output.cell("approved", 10) + Output.cell("held", 8) + "rejected", .dim))
            Output.line(row("wanted", report.confusion["wanted"]!))
            Output.line(row("unwanted", report.confusion["unwanted"]!))
            Output.line(String(format: "precision %.3f  recall %.3f  F1 %.3f", report.precision, report.recall, report.f1))
            Output.line("wanted rejected \(percent(report.wantedRejectedRate)) · unwanted approved \(percent(report.unwantedApprovedRate)) · held \(percent(report.holdRate))")
            if report.skipped > 0 { Output.line("\(report.skipped) rows skipped: they fail validation") }
            if let sweep = report.thresholds { printSweep(sweep) }
            for mistake in report.mistakes {
                Output.line()
                Output.line(Output.styled("\(mistake.unwanted ? "unwanted" : "wanted") comment \(mistake.verdict)", .bold) + ": "
                    + Output.excerpt(mistake.text, width: 120))
                Output.line("  " + (mistake.signals.isEmpty ? "no signals" : mistake.signals.joined(separator: ", ")))
            }
        }
    }

    /// The thresholds to judge with: the options, else the daemon's defaults.
    var policy: PolicyConfiguration {
        let defaults = PolicyConfiguration()
        return PolicyConfiguration(holdThreshold: holdThreshold ?? defaults.holdThreshold,
                                   rejectThreshold: rejectThreshold ?? defaults.rejectThreshold)
    }

    func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    /// The site's own labelled history, read from its database (which the evaluation never writes).
    func decidedRows() async throws -> [Evaluation.Row] {
        let database = try await store.open(.readOnly)
        let start = since.flatMap { TimeArguments.time($0) }
        let decided = try await database.humanDecidedComments(since: start)
        guard !decided.isEmpty else {
            throw CLIError("no comments in \(store.path) were approved or rejected by a moderator or the website"
                + (since.map { " since \($0)" } ?? "") + "; decide some first, or evaluate with --csv")
        }
        return decided.map { Evaluation.Row(text: $0.body, author: $0.author, isUnwanted: $0.status == .rejected, source: $0.articleID) }
    }

    /// The threshold table: the pair in use, the best pairs within the limits, and the hold thresholds
    /// at the current reject threshold.
    func printSweep(_ sweep: ThresholdSweep) {
        func line(_ point: ThresholdSweep.Point, _ note: String) -> String {
            Output.cell(Policy.format(point.hold), 6) + Output.cell(Policy.format(point.reject), 8) + Output.cell(String(format: "%.3f", point.f1), 7)
                + Output.cell(percent(point.wantedRejectedRate), 17) + Output.cell(percent(point.unwantedApprovedRate), 19)
                + (note.isEmpty ? percent(point.holdRate) : Output.cell(percent(point.holdRate), 7) + note)
        }
        Output.line()
        Output.line(Output.styled("Other thresholds with the same scores", .bold) + " (limits: wanted rejected ≤ \(percent(sweep.limits.wantedRejected)), "
            + "unwanted approved ≤ \(percent(sweep.limits.unwantedApproved)))")
        Output.line(String(format: "How well the scores separate the two kinds, whatever the thresholds (ROC AUC): %.3f", sweep.separation))
        Output.line(Output.styled(Output.cell("hold", 6) + Output.cell("reject", 8) + Output.cell("F1", 7) + Output.cell("wanted rejected", 17)
            + Output.cell("unwanted approved", 19) + "held", .dim))
        Output.line(line(sweep.current, "in use"))
        if let fewest = sweep.fewestHeld, let best = sweep.bestF1 {
            Output.line(line(fewest, "fewest held within the limits"))
            if best != fewest { Output.line(line(best, "best F1 within the limits")) }
        } else {
            Output.line(Output.styled("No pair of thresholds stays within both limits with these scores.", .bold))
            if let nearest = sweep.fewestUnwantedApproved { Output.line(line(nearest, "fewest unwanted approved within the wanted limit")) }
        }
        if sweep.forcedWantedRejectedRate > 0 {
            Output.line("Rule actions alone reject \(percent(sweep.forcedWantedRejectedRate)) of wanted comments; no threshold changes that.")
        }
        if !sweep.byHold.isEmpty {
            Output.line(Output.styled("At reject threshold \(Policy.format(sweep.current.reject)), by hold threshold:", .dim))
            for point in sweep.byHold { Output.line(line(point, point.hold == sweep.current.hold ? "in use" : "")) }
        }
        Output.line(Output.styled("Set them in moderatod's settings: policy: {hold_threshold: H, reject_threshold: R}", .dim))
    }
}
