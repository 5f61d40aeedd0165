import Foundation
import Judging
import Moderation
import ModerationStore
import PCRE2

/// Measures how well the real pipeline separates wanted from unwanted comments in labelled files.
///
/// It runs everything production runs (validation, rules, heuristics with history, the learning
/// filter, the store) against a temporary database, never a live one. Only the text and, if given,
/// the author are sent; ids and dates in the files are ignored.
public struct Evaluation {
    /// A labelled comment to judge.
    public struct Row: Sendable {
        public var text: String
        public var author: String?
        public var isUnwanted: Bool
        /// Where it came from (the file name), used as its article.
        public var source: String

        public init(text: String, author: String?, isUnwanted: Bool, source: String) {
            self.text = text
            self.author = author
            self.isUnwanted = isUnwanted
            self.source = source
        }
    }

    /// Counts of verdicts for one kind of comment.
    public struct Verdicts: Sendable, Encodable, Equatable {
        public var approved = 0
        public var held = 0
        public var rejected = 0
        public var total: Int { approved + held + rejected }
    }

    /// A comment the pipeline got wrong.
    public struct Mistake: Sendable, Encodable {
        public var text: String
        public var unwanted: Bool
        public var verdict: String
        public var signals: [String]
    }

    /// What an evaluation found.
    public struct Report: Sendable, Encodable {
        public var rows: Int
        public var confusion: [String: Verdicts]
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var wantedRejectedRate: Double
        public var unwantedApprovedRate: Double
        public var holdRate: Double
        /// Held comments whose true label was fed back (in online mode).
        public var feedback: Int
        public var skipped: Int
        /// Some comments it got wrong: unwanted ones approved and wanted ones rejected or held.
        public var mistakes: [Mistake] = []
        /// What other thresholds would have done, when asked for.
        public var thresholds: ThresholdSweep?

        enum CodingKeys: String, CodingKey {
            case rows, confusion, precision, recall, f1, feedback, skipped, mistakes, thresholds
            case wantedRejectedRate = "wanted_rejected_rate"
            case unwantedApprovedRate = "unwanted_approved_rate"
            case holdRate = "hold_rate"
        }

        init(wanted: Verdicts, unwanted: Verdicts, feedback: Int, skipped: Int) {
            rows = wanted.total + unwanted.total
            confusion = ["wanted": wanted, "unwanted": unwanted]
            // "Positive" means not approved; the question is how well unwanted comments are kept off the site.
            let truePositives = Double(unwanted.held + unwanted.rejected)
            let falsePositives = Double(wanted.held + wanted.rejected)
            precision = truePositives + falsePositives == 0 ? 0 : truePositives / (truePositives + falsePositives)
            recall = unwanted.total == 0 ? 0 : truePositives / Double(unwanted.total)
            f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            wantedRejectedRate = wanted.total == 0 ? 0 : Double(wanted.rejected) / Double(wanted.total)
            unwantedApprovedRate = unwanted.total == 0 ? 0 : Double(unwanted.approved) / Double(unwanted.total)
            holdRate = rows == 0 ? 0 : Double(wanted.held + unwanted.held) / Double(rows)
            self.feedback = feedback
            self.skipped = skipped
        }
    }

    public var ruleSet: RuleSet
    /// The toxicity and spam model; nil judges without it.
    public var model: ModerationModel?
    /// Heuristics, thresholds, the model's score mapping and the site's layer, as the daemon's settings give them.
    public var judging = JudgingConfiguration()
    public var policy: PolicyConfiguration {
        get { judging.policy }
        set { judging.policy = newValue }
    }
    /// Feed the true label of every held comment back as a moderator decision, in file order.
    public var isOnline = false
    /// How many mistakes of each kind to keep for the report.
    public var mistakesKept = 0
    /// When set, the report also says what other hold and reject thresholds would have done, and
    /// which pairs stay within these limits.
    public var thresholdLimits: ThresholdSweep.Limits?

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// Reads labelled rows from CSV files.
    public static func rows(from paths: [String], textColumn: String, labelColumn: String, unwantedLabels: Set<String>,
                            authorColumn: String?) throws -> [Row] {
        var rows: [Row] = []
        for path in paths {
            let file = try LabeledCSV.load(path: path, textColumn: textColumn, labelColumn: labelColumn, authorColumn: authorColumn)
            let source = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            rows += file.rows.map { row in
                Row(text: row.text, author: row.author,
                    isUnwanted: unwantedLabels.contains((row.label ?? "").trimmingCharacters(in: .whitespaces)), source: source)
            }
        }
        return rows
    }

    /// Comments for rows, with made-up ids, a neutral rating, and the author (or one per row).
    static func comments(for rows: [Row], prefix: String) -> [Comment] {
        rows.enumerated().map { index, row in
            let author = row.author.map { String($0.prefix(100)) }.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            return Comment(id: "\(prefix)-\(index)", articleID: String(row.source.prefix(200)).replacingOccurrences(of: " ", with: "_"),
                           author: author ?? "reader \(prefix)-\(index)", body: String(row.text.prefix(CommentLimits.default.maxBodyCharacters)),
                           rating: 3)
        }
    }

    /// Seeds a database's learning layer from labelled rows.
    public static func train(_ database: any CommentStore, rows: [Row], progress: (@Sendable (Int, Int) -> Void)? = nil) async throws {
        let comments = Self.comments(for: rows, prefix: "train")
        try await Decider(store: database).train(zip(comments, rows).map { ($0, $1.isUnwanted) }, progress: progress)
    }

    /// Runs the rows through the pipeline in order, with `training` rows learned first.
    /// Hears how many rows have been judged, of how many, as the evaluation goes.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public func run(_ rows: [Row], training: [Row] = []) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("moderato-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var storeConfiguration = StoreConfiguration()
        storeConfiguration.isDurable = false
        let database = try ModerationDatabase(path: directory.appendingPathComponent("eval.sqlite").path, configuration: storeConfiguration)
        if !training.isEmpty { try await Self.train(database, rows: training) }
        var pipeline = try await PipelineFactory(judging).make(ruleSet: ruleSet, model: model, store: database)
        let judge = CommentJudge(database: database, heuristics: judging.heuristics)
        let decider = Decider(store: database)
        let scratch = MatchScratch()
        let validator = CommentDecoder()
        let comments = Self.comments(for: rows, prefix: "row")
        let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01: a fixed clock, 30 s between comments
        var wanted = Verdicts()
        var unwanted = Verdicts()
        var feedback = 0
        var skipped = 0
        var truth: [Int64: Bool] = [:]
        var mistakes: [Mistake] = []
        var scored: [ThresholdSweep.Scored] = []
        var index = 0
        let batchSize = isOnline ? 1 : 200
        while index < comments.count {
            let end = min(comments.count, index + batchSize)
            var batch: [Comment] = []
            for position in index..<end {
                if (try? validator.validate(comments[position])) != nil {
                    batch.append(comments[position])
                } else {
                    skipped += 1
                }
            }
            for (offset, comment) in batch.enumerated() {
                _ = try await database.accept([Arrival(comment)], at: start.addingTimeInterval(Double(index + offset) * 30))
            }
            let queued = try await database.queuedComments(limit: batch.count + 1)
            for item in queued {
                let position = Int(item.comment.id.dropFirst(4))!
                truth[item.key] = rows[position].isUnwanted
            }
            let judgements = try await judge.judge(queued, with: pipeline, scratch: scratch)
            try await database.record(judgements, at: start.addingTimeInterval(Double(end) * 30))
            for (item, entry) in zip(queued, judgements) {
                let isUnwanted = truth[entry.key] ?? false
                let verdict = entry.judgement.verdict
                if mistakesKept > 0, isUnwanted ? verdict == .approved : verdict != .approved,
                   mistakes.filter({ $0.unwanted == isUnwanted && ($0.verdict == "held") == (verdict == .held) }).count < mistakesKept {
                    mistakes.append(Mistake(text: String(item.comment.body.prefix(160)), unwanted: isUnwanted, verdict: verdict.rawValue,
                                            signals: entry.judgement.signals.map { "\($0.name) \(Policy.format($0.score))" }
                                                + (entry.judgement.classifierProbability.map { [String(format: "p=%.2f", $0)] } ?? [])))
                }
                if thresholdLimits != nil {
                    scored.append(ThresholdSweep.Scored(isUnwanted: isUnwanted, signals: entry.judgement.signals,
                                                        tieBreak: entry.judgement.classifierProbability ?? 0))
                }
                switch entry.judgement.verdict {
                case .approved: if isUnwanted { unwanted.approved += 1 } else { wanted.approved += 1 }
                case .held: if isUnwanted { unwanted.held += 1 } else { wanted.held += 1 }
                case .rejected: if isUnwanted { unwanted.rejected += 1 } else { wanted.rejected += 1 }
                }
                if isOnline && entry.judgement.verdict == .held {
                    try await decider.decide(item.comment.id, verdict: isUnwanted ? .rejected : .approved, actor: "eval",
                                              reason: isUnwanted ? "spam" : nil, at: start.addingTimeInterval(Double(end) * 30 + 1))
                    feedback += 1
                    // The database learned from the decision; the pipeline's copy learns the same tokens.
                    pipeline.model?.siteLayer.counts.train(SiteLayer.tokens(of: item.comment, scratch: scratch), unwanted: isUnwanted)
                }
            }
            index = end
            progress?(index, comments.count)
        }
        var report = Report(wanted: wanted, unwanted: unwanted, feedback: feedback, skipped: skipped)
        report.mistakes = mistakes
        if let thresholdLimits {
            report.thresholds = ThresholdSweep(scored, current: policy, limits: thresholdLimits)
        }
        return report
    }
}
