import ArgumentParser
import Foundation
import Judging
import Moderation
import ModeratoTools
import PCRE2

/// `modctl model`: the shipped model (train, inspect).
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Train or inspect the toxicity and spam model.", discussion: "Example:\n  modctl model info Models/moderato.model",
        subcommands: [ModelTrain.self, ModelInfo.self, ModelScore.self])
}

/// `modctl model train`: builds a model file and its manifest from labelled files.
struct ModelTrain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the model from labelled files (deterministic: the same files give the same bytes).",
        discussion: """
            Example:
              modctl model train --output my.model \\
                --toxicity ../shared/data/toxicity/wikipedia-talk-a.csv \\
                --spam ../shared/data/youtube-spam/Youtube01-Psy.csv

            File layouts are recognised by their headers: text,toxic (0/1); tweet,class (Davidson: 0 and 1 toxic); \
            text,label (toxic / not toxic); CONTENT,CLASS (YouTube: 1 spam). --dev files are not trained on; the \
            manifest records the model's ROC AUC on them. Scripts/train-model.sh rebuilds the shipped model, \
            Models/moderato.model, with every file and setting.
            """)

    @Option(help: "A file of comments labelled toxic or not; repeat for more.")
    var toxicity: [String] = []

    @Option(help: "A file of comments labelled spam or not; repeat for more.")
    var spam: [String] = []

    @Option(help: "A labelled toxicity file to measure on, not to train on; repeat for more.")
    var dev: [String] = []

    @Option(help: "The model file to write; the manifest goes beside it as NAME.manifest.json.")
    var output: String

    @Option(help: "The model's name, recorded in the file.")
    var name: String = "moderato"

    @Option(help: "An attribution the training data's licence requires, recorded in the manifest; repeat for more.")
    var attribution: [String] = []

    @Option(help: "The command to record in the manifest (default: this command line).")
    var recordCommand: String?

    @Option(help: "Passes over the data.") var epochs: Int = TrainerSettings().epochs
    @Option(help: "FTRL learning rate alpha.") var alpha: Double = TrainerSettings().alpha
    @Option(help: "L1 regularisation.") var l1: Double = TrainerSettings().l1
    @Option(help: "L2 regularisation.") var l2: Double = TrainerSettings().l2
    @Option(help: "Feature slots, as a power of two.") var hashBits: Int = FeatureSettings().hashBits

    func validate() throws {
        guard !toxicity.isEmpty || !spam.isEmpty else { throw ValidationError("give at least one --toxicity or --spam file") }
        guard epochs >= 1, epochs <= 100 else { throw ValidationError("--epochs must be 1 to 100") }
        guard alpha > 0, l1 >= 0, l2 >= 0 else { throw ValidationError("--alpha must be positive, --l1 and --l2 not negative") }
        guard (12...24).contains(hashBits) else { throw ValidationError("--hash-bits must be 12 to 24") }
    }

    func run() async throws {
        try await reportingErrors {
            let progress = Progress()
            var training = ModelTraining(name: name)
            training.trainer.epochs = epochs
            training.trainer.alpha = alpha
            training.trainer.l1 = l1
            training.trainer.l2 = l2
            training.features.hashBits = hashBits
            let sources: [ModelTraining.Source]
            let development: [ModelTraining.Source]
            do {
                sources = try toxicity.map { try ModelTraining.load($0, as: .toxicity) } + spam.map { try ModelTraining.load($0, as: .spam) }
                development = try dev.map { try ModelTraining.load($0, as: .toxicity) }
            } catch let error as ToolError {
                throw CLIError(error.message)
            }
            let model = training.train(sources) { progress.say($0) }
            let command = recordCommand ?? (["modctl"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            progress.say("writing \(output)")
            let written = try training.write(model, to: output, sources: sources, development: development, command: command, attributions: attribution)
            progress.done()
            let rows = sources.reduce(0) { $0 + $1.labels.count }
            print("wrote \(output) (\(written.bytes) bytes, trained on \(rows) comments) and \(written.manifest)")
            for output in model.outputs { print("  \(output.name): \(output.nonZeroWeights) weights") }
            for source in development {
                let auc = ModelTraining.separation(of: try ModelFile.read(output), output: source.concern.rawValue, on: source)
                print(String(format: "  %@: ROC AUC %.3f on %@ (%d comments)", source.concern.rawValue, auc, source.path, source.labels.count))
            }
        }
    }
}

/// `modctl model info`: what a model file holds.
struct ModelInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Check a model file and show what it holds.",
        discussion: "Example: modctl model info Models/moderato.model")

    @Argument(help: "The model file (default: the shipped one).")
    var file: String?

    func run() async throws {
        try await reportingErrors {
            let path = file ?? ModelLocation.defaultPath()
            let model: ModerationModel
            do { model = try ModelFile.read(path) } catch let error as ModelFileError { throw CLIError(error.description) }
            print("\(path): \(model.name), format \(ModelFile.formatVersion), sha256 \(model.sha256)")
            print("  features: 2^\(model.features.hashBits) slots; words, word pairs, character \(model.features.characterMinimum)–\(model.features.characterMaximum)-grams, meta")
            for output in model.outputs { print("  \(output.name): \(output.nonZeroWeights) weights, bias \(String(format: "%.3f", output.bias))") }
        }
    }
}

/// `modctl model score`: the model's probabilities for every row of a CSV file.
struct ModelScore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Print the model's probabilities for each comment in a CSV file, as CSV.",
        discussion: """
            Example:
              modctl model score --csv comments.csv --text-column text > scores.csv

            Prints row,toxicity,spam (and label, with --label-column) with the model's weights alone, \
            without the site's learning layer, rules or heuristics.
            """)

    @Option(help: "A CSV file with a header row.")
    var csv: String

    @Option(help: "The column holding the comment text.")
    var textColumn: String

    @Option(help: "A column to copy into the output (such as the label).")
    var labelColumn: String?

    @OptionGroup var modelOptions: ModelOptions

    func run() async throws {
        try await reportingErrors {
            guard let model = try modelOptions.load() else { throw CLIError("modctl model score needs a model; drop --no-model") }
            let file: LabeledCSV
            do { file = try LabeledCSV.load(path: csv, textColumn: textColumn, labelColumn: labelColumn) } catch let error as ToolError {
                throw CLIError(error.message)
            }
            let scratch = MatchScratch()
            print("row," + model.outputs.map(\.name).joined(separator: ",") + (labelColumn.map { "," + $0 } ?? ""))
            for (index, row) in file.rows.enumerated() {
                let vector = ModelTraining.vector(row.text, model: model, scratch: scratch)
                let probabilities = model.outputs.map { String(format: "%.5f", ModerationModel.sigmoid($0.logit(vector))) }
                let label = labelColumn == nil ? "" : "," + Self.csvField(row.label ?? "")
                print("\(index + 1)," + probabilities.joined(separator: ",") + label)
            }
        }
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

/// One line of progress on a terminal's stderr, rewritten in place; nothing when stderr is not a terminal.
final class Progress {
    let isTerminal = isatty(STDERR_FILENO) == 1

    func say(_ text: String) {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func done() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

/// `--model FILE` / `--no-model`, for the commands that judge comments as the daemon does.
struct ModelOptions: ParsableArguments {
    @Option(help: "The toxicity and spam model file. (default: $MODERATO_MODEL, else Models/moderato.model)")
    var model: String?

    @Flag(help: "Judge without the model (rules and heuristics only).")
    var noModel = false

    func validate() throws {
        if noModel, model != nil { throw ValidationError("give --model FILE or --no-model, not both") }
    }

    /// The model to judge with: nil with --no-model.
    func load() throws -> ModerationModel? {
        var judging = JudgingConfiguration()
        apply(to: &judging)
        return try PipelineFactory(judging).loadModel()
    }

    /// Chooses the model (or none) in a pipeline's configuration.
    func apply(to judging: inout JudgingConfiguration) {
        judging.usesModel = !noModel
        judging.model.file = model
    }
}

extension PipelineFactory {
    /// The pipeline factory for modctl's judging commands: these rule folders (default: Rules) and the
    /// chosen model, with the daemon's default settings otherwise.
    static func forCommand(directories: [String], model: ModelOptions, policy: PolicyConfiguration = PolicyConfiguration()) -> PipelineFactory {
        var judging = JudgingConfiguration()
        judging.ruleDirectories = directories.isEmpty ? ["Rules"] : directories
        judging.policy = policy
        model.apply(to: &judging)
        return PipelineFactory(judging)
    }
}
