import Crypto
import Foundation
import Moderation
import PCRE2

/// Trains the shipped model from labelled files and writes the model file and its manifest.
///
/// Every file's layout is recognised by its header:
/// - `text,toxic` (0/1): toxic comments (the toxicity files);
/// - `...,class,tweet` (Davidson et al.: 0 hate and 1 offensive are toxic, 2 is not);
/// - `COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS` (YouTube Spam Collection: 1 is spam);
/// - `text,label[,toxicity]` with `toxic` / `not toxic` (news comments, for figures).
/// Toxicity files also teach the spam output that their comments are not spam.
public struct ModelTraining {
    public enum Concern: String, Sendable, Codable { case toxicity, spam }

    /// A labelled file as the trainer read it.
    public struct Source: Sendable {
        public var path: String
        public var concern: Concern
        public var texts: [String]
        public var labels: [Bool]
        public var sha256: String

        public var positives: Int { labels.count { $0 } }
    }

    public static let outputs = [Concern.toxicity.rawValue, Concern.spam.rawValue]

    /// Reads a labelled file, recognising its layout.
    /// - Throws: ``ToolError`` for a missing column, an unknown label value or a file with one class only.
    public static func load(_ path: String, as concern: Concern) throws -> Source {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read \(path)") }
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let header = String(decoding: data.prefix(400), as: UTF8.self).split(maxSplits: 1, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let columns = Set(header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let layout: (text: String, label: String, unwanted: Set<String>, wanted: Set<String>)
        switch concern {
        case .toxicity:
            if columns.contains("text") && columns.contains("toxic") {
                layout = ("text", "toxic", ["1"], ["0"])
            } else if columns.contains("tweet") && columns.contains("class") {
                layout = ("tweet", "class", ["0", "1"], ["2"])
            } else if columns.contains("text") && columns.contains("label") {
                layout = ("text", "label", ["toxic"], ["not toxic"])
            } else {
                throw ToolError("\(path): unknown layout (header \"\(header)\"); a toxicity file needs the columns text,toxic (0/1), "
                                + "tweet,class (Davidson: 0 and 1 toxic, 2 not) or text,label (toxic / not toxic)")
            }
        case .spam:
            guard columns.contains("CONTENT") && columns.contains("CLASS") else {
                throw ToolError("\(path): unknown layout (header \"\(header)\"); a spam file needs the columns CONTENT and CLASS (1 spam, 0 not)")
            }
            layout = ("CONTENT", "CLASS", ["1"], ["0"])
        }
        let file = try LabeledCSV.load(path: path, textColumn: layout.text, labelColumn: layout.label)
        var texts: [String] = []
        var labels: [Bool] = []
        for (index, row) in file.rows.enumerated() {
            let label = (row.label ?? "").trimmingCharacters(in: .whitespaces)
            if layout.unwanted.contains(label) {
                labels.append(true)
            } else if layout.wanted.contains(label) {
                labels.append(false)
            } else {
                let known = (layout.unwanted.sorted() + layout.wanted.sorted()).map { "\"\($0)\"" }.joined(separator: ", ")
                throw ToolError("\(path): row \(index + 1) has the label \"\(label)\" in column \(layout.label); expected one of \(known)")
            }
            texts.append(row.text)
        }
        let source = Source(path: path, concern: concern, texts: texts, labels: labels, sha256: digest)
        guard source.positives > 0, source.positives < labels.count else {
            throw ToolError("\(path): no \(source.positives == 0 ? "unwanted" : "wanted") rows in column \(layout.label); the trainer needs both kinds")
        }
        return source
    }

    public var features = FeatureSettings()
    public var trainer = TrainerSettings()
    public var name: String

    public init(name: String) {
        self.name = name
    }

    /// The vector of a text from a file (no rating: the files have none).
    public static func vector(_ text: String, model: ModerationModel, scratch: MatchScratch) -> FeatureVector {
        let comment = Comment(id: "t", articleID: "t", author: "reader", body: String(text.prefix(CommentLimits.default.maxBodyCharacters)), rating: 3)
        return model.vector(CommentAnalysis(comment: comment, scratch: scratch), rating: nil)
    }

    /// Trains on the sources.
    public func train(_ sources: [Source], progress: ((String) -> Void)? = nil) -> ModerationModel {
        let empty = ModerationModel(features: features, outputs: [], name: name)
        let scratch = MatchScratch()
        var examples: [TrainingExample] = []
        for source in sources {
            progress?("reading \(source.path)")
            for (text, label) in zip(source.texts, source.labels) {
                let vector = Self.vector(text, model: empty, scratch: scratch)
                let labels: [Int8?] = switch source.concern {
                case .toxicity: [label ? 1 : 0, 0]
                case .spam: [0, label ? 1 : 0]
                }
                examples.append(TrainingExample(vector: vector, labels: labels))
            }
        }
        return ModelTrainer.train(examples, outputs: Self.outputs, features: features, settings: trainer, name: name) { output, epoch in
            progress?(epoch == 0 ? "training \(output)" : "training \(output): pass \(epoch) of \(trainer.epochs) done")
        }
    }

    /// The ROC AUC of an output's probability on a labelled source.
    public static func separation(of model: ModerationModel, output: String, on source: Source) -> Double {
        guard let output = model.output(named: output) else { return 0.5 }
        let scratch = MatchScratch()
        let scored = zip(source.texts, source.labels).map { text, label in
            ThresholdSweep.Scored(isUnwanted: label, forced: nil, score: Double(output.logit(vector(text, model: model, scratch: scratch))))
        }
        return ThresholdSweep.separation(scored)
    }

    /// The manifest written beside the model file.
    public struct Manifest: Encodable {
        public struct TrainingFile: Encodable {
            var path: String
            var sha256: String
            var concern: String
            var rows: Int
            var unwanted: Int
        }

        public struct DevelopmentFigure: Encodable {
            var path: String
            var sha256: String
            var rows: Int
            var unwanted: Int
            var output: String
            var rocAUC: Double

            enum CodingKeys: String, CodingKey {
                case path, sha256, rows, unwanted, output
                case rocAUC = "roc_auc"
            }
        }

        public struct Output: Encodable {
            var name: String
            var bias: Float
            var nonZeroWeights: Int

            enum CodingKeys: String, CodingKey {
                case name, bias
                case nonZeroWeights = "non_zero_weights"
            }
        }

        var model: String
        var name: String
        var formatVersion: UInt32
        var sha256: String
        var bytes: Int
        var features: FeatureSettings
        var trainer: TrainerSettings
        var outputs: [Output]
        var trainingFiles: [TrainingFile]
        var development: [DevelopmentFigure]
        var command: String
        var attributions: [String]

        enum CodingKeys: String, CodingKey {
            case model, name, sha256, bytes, features, trainer, outputs, development, command, attributions
            case formatVersion = "format_version"
            case trainingFiles = "training_files"
        }
    }

    /// Writes the model file and its manifest (`FILE.manifest.json`), both deterministic.
    public func write(_ model: ModerationModel, to path: String, sources: [Source], development: [Source], command: String,
                      attributions: [String]) throws -> (bytes: Int, manifest: String) {
        let bytes = ModelFile.encode(model)
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        let written = try ModelFile.read(path)
        let figures = development.map { source in
            Manifest.DevelopmentFigure(path: source.path, sha256: source.sha256, rows: source.labels.count, unwanted: source.positives,
                                       output: source.concern.rawValue,
                                       rocAUC: (Self.separation(of: written, output: source.concern.rawValue, on: source) * 10000).rounded() / 10000)
        }
        let manifest = Manifest(
            model: URL(fileURLWithPath: path).lastPathComponent, name: model.name, formatVersion: ModelFile.formatVersion,
            sha256: written.sha256, bytes: bytes.count, features: features, trainer: trainer,
            outputs: written.outputs.map { Manifest.Output(name: $0.name, bias: $0.bias, nonZeroWeights: $0.nonZeroWeights) },
            trainingFiles: sources.map { Manifest.TrainingFile(path: $0.path, sha256: $0.sha256, concern: $0.concern.rawValue, rows: $0.labels.count, unwanted: $0.positives) },
            development: figures, command: command, attributions: attributions)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let manifestPath = Self.manifestPath(for: path)
        try (encoder.encode(manifest) + Data("\n".utf8)).write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
        return (bytes.count, manifestPath)
    }

    public static func manifestPath(for modelPath: String) -> String {
        (modelPath.hasSuffix(".model") ? String(modelPath.dropLast(6)) : modelPath) + ".manifest.json"
    }
}
