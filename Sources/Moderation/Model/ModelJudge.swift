import Foundation

/// How one output's probability becomes a score, so a site's hold and reject thresholds keep their
/// meaning: nothing below `lean`; from `lean` to `hold` a rising score short of the hold threshold (it
/// holds only together with other evidence); from `hold` the hold threshold, rising towards the reject
/// threshold; the reject threshold only at `reject` (very high confidence).
public struct OutputPolicy: Sendable, Equatable, Codable {
    public var lean: Double
    public var hold: Double
    public var reject: Double

    public init(lean: Double, hold: Double, reject: Double) {
        self.lean = lean
        self.hold = hold
        self.reject = reject
    }

    /// Whether the three probabilities are in order and inside (0, 1).
    public var isValid: Bool { 0 < lean && lean < hold && hold < reject && reject < 1 }

    /// The score for a probability, given the pipeline's hold and reject thresholds.
    public func score(_ probability: Double, holdThreshold: Double, rejectThreshold: Double) -> Double {
        guard probability >= lean else { return 0 }
        let l = ModerationModel.logit(probability)
        let (leanLogit, holdLogit, rejectLogit) = (ModerationModel.logit(lean), ModerationModel.logit(hold), ModerationModel.logit(reject))
        if probability < hold {
            return 0.6 * holdThreshold * (l - leanLogit) / (holdLogit - leanLogit)
        }
        if probability < reject {
            let below = max(holdThreshold, rejectThreshold - 0.1)
            return holdThreshold + (below - holdThreshold) * (l - holdLogit) / (rejectLogit - holdLogit)
        }
        return rejectThreshold
    }
}

/// Settings for the model's part in judging (`model:` in the settings file).
public struct ModelConfiguration: Sendable, Equatable, Codable {
    /// The model file; nil for the shipped one (`ModelLocation`).
    public var file: String?
    public var toxicity = OutputPolicy(lean: 0.4, hold: 0.65, reject: 0.9999)
    public var spam = OutputPolicy(lean: 0.75, hold: 0.95, reject: 0.999999)
    /// The site's learning layer heard alone (`model.site`): when its moderators rejected comments like
    /// this one but neither of the shipped outputs leans to a concern, the site's evidence is a signal of
    /// its own rather than a reason put in the model's mouth ("reads as abuse" for a site's spam). Learned
    /// from few decisions, it rejects alone only when all but certain.
    public var site = OutputPolicy(lean: 0.75, hold: 0.95, reject: 0.9999)
    /// How many words or fragments an explanation names. The default is 3.
    public var evidence = 3

    public init() {}

    public func policy(for output: String) -> OutputPolicy? {
        switch output {
        case "toxicity": toxicity
        case "spam": spam
        default: nil
        }
    }
}

/// The model's signals for a comment: one per output that leans unwanted, saying the probability in
/// words and naming the words that pushed it most, with their spans.
public struct ModelJudge: Sendable {
    public var model: ModerationModel
    public var configuration: ModelConfiguration
    public var holdThreshold: Double
    public var rejectThreshold: Double
    /// What this site's moderators taught, on top of the shipped weights.
    public var siteLayer: SiteLayer

    public init(model: ModerationModel, configuration: ModelConfiguration = ModelConfiguration(),
                policy: PolicyConfiguration = PolicyConfiguration(), siteLayer: SiteLayer = SiteLayer()) {
        self.model = model
        self.configuration = configuration
        self.holdThreshold = policy.holdThreshold
        self.rejectThreshold = policy.rejectThreshold
        self.siteLayer = siteLayer
    }

    /// What the outputs say about a comment.
    public struct Reading: Sendable {
        public var signals: [Signal]
        /// Per output, the probability that the comment is unwanted for that reason.
        public var probabilities: [String: Double]
        /// The largest of them.
        public var probability: Double
    }

    /// Reads a comment. `otherScore` is what the rules and heuristics already give it: below its reject
    /// probability the model can hold a comment but never tips it into a rejection (its score stops
    /// just short of the reject threshold, counting the others).
    public func read(_ analysis: CommentAnalysis, otherScore: Double = 0) -> Reading {
        let (vector, perWord) = ModelFeatures.extract(words: analysis.modelWords, body: analysis.comment.body,
                                                      links: analysis.links.count, rating: analysis.comment.rating,
                                                      settings: model.features)
        var logits = model.outputs.map { Double($0.logit(vector)) }
        // The site's layer: what its moderators approved lowers every concern; what they rejected raises
        // the concern the shipped model already leans to, or, when it leans to none, is heard on its own.
        var siteAlone: Double?
        if siteLayer.isReady {
            let site = siteLayer.logit(analysis)
            // The concern that leans furthest past its own lean probability, if any does.
            let margins = model.outputs.indices.compactMap { index -> (index: Int, margin: Double)? in
                guard let policy = configuration.policy(for: model.outputs[index].name) else { return nil }
                let margin = logits[index] - ModerationModel.logit(policy.lean)
                return margin >= 0 ? (index, margin) : nil
            }
            if site <= 0 {
                logits = logits.map { $0 + site }
            } else if let leaning = margins.max(by: { $0.margin < $1.margin }) {
                logits[leaning.index] += site
            } else {
                siteAlone = site
            }
        }
        var signals: [Signal] = []
        var probabilities: [String: Double] = [:]
        var scoreSoFar = otherScore
        for (index, output) in model.outputs.enumerated() {
            let probability = Self.sigmoid(logits[index])
            probabilities[output.name] = probability
            guard let policy = configuration.policy(for: output.name), probability >= policy.lean else { continue }
            signals += signalsFor(output.name, probability: probability, policy: policy, scoreSoFar: &scoreSoFar,
                                  phrases: evidence(pushes(of: output, analysis, perWord), analysis))
        }
        // The model's own reading: what the site's layer says alone is not the model's confidence (and
        // must not teach the layer itself when it learns from confident verdicts).
        let probability = probabilities.values.max() ?? 0
        if let siteAlone {
            let site = Self.sigmoid(siteAlone)
            probabilities["site"] = site
            if site >= configuration.site.lean {
                signals += signalsFor("site", probability: site, policy: configuration.site, scoreSoFar: &scoreSoFar,
                                      phrases: siteEvidence(analysis))
            }
        }
        return Reading(signals: signals, probabilities: probabilities, probability: probability)
    }

    /// One reading's signals: the scored one, naming the phrases, then one that adds nothing for each
    /// further phrase (so its span is marked, and counts by name see one reading per comment). Below the
    /// policy's reject probability the score stops just short of the reject threshold, counting the others.
    func signalsFor(_ output: String, probability: Double, policy: OutputPolicy, scoreSoFar: inout Double,
                    phrases: [Span]) -> [Signal] {
        var score = (policy.score(probability, holdThreshold: holdThreshold, rejectThreshold: rejectThreshold) * 10).rounded() / 10
        var capped = ""
        if probability < policy.reject, scoreSoFar + score >= rejectThreshold {
            score = max(0, ((rejectThreshold - 0.1 - scoreSoFar) * 10).rounded(.down) / 10)
            capped = "; below \(Self.threshold(policy.reject)) it holds but does not reject"
        }
        scoreSoFar += score
        var seen = Set<String>()
        let phrases = phrases.filter { seen.insert($0.text.lowercased()).inserted }
        let name = "model.\(output)"
        let quoted = phrases.map { "«\(String(UntrustedText.singleLine($0.text).prefix(60)))»" }.joined(separator: " ")
        let explanation = Self.sentence(output, probability) + (quoted.isEmpty ? "" : ": " + quoted) + capped
        var signals = [Signal(source: .classifier, name: name, score: score, explanation: explanation, span: phrases.first)]
        for phrase in phrases.dropFirst() {
            signals.append(Signal(source: .classifier, name: name, score: 0,
                                  explanation: "«\(String(UntrustedText.singleLine(phrase.text).prefix(60)))» also pushed this reading", span: phrase))
        }
        return signals
    }

    /// "Reads as a personal attack or abuse (very likely, 96%)".
    static func sentence(_ output: String, _ probability: Double) -> String {
        let words: String = switch probability {
        case 0.99...: "almost certainly"
        case 0.9..<0.99: "very likely"
        case 0.75..<0.9: "likely"
        default: "possibly"
        }
        let percent = Self.percent(probability)
        switch output {
        case "toxicity": return "The model reads as abuse: an insult, attack, obscenity or threat (\(words), \(percent))"
        case "spam": return "The model reads as spam (\(words), \(percent))"
        case "site": return "Moderators here rejected comments like this (\(words), \(percent)), though the model reads no abuse or spam in it"
        default: return "The model reads as \(output) (\(words), \(percent))"
        }
    }

    static func sigmoid(_ logit: Double) -> Double { 1 / (1 + exp(-logit)) }

    /// A policy's probability, exactly: 99.5%, 99.99%, 99.99999%.
    static func threshold(_ probability: Double) -> String {
        var digits = String(format: "%.6f", probability * 100)
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return digits + "%"
    }

    /// A probability as a moderator reads it, never rounded up to a policy's probability: 72%, 99.5%,
    /// 99.97% (never 100%).
    static func percent(_ probability: Double) -> String {
        let hundredths = min(9999, Int((probability * 10000).rounded(.down)))
        if hundredths >= 9990 { return String(format: "%d.%02d%%", hundredths / 100, hundredths % 100) }
        let tenths = hundredths / 10
        return tenths % 10 == 0 || tenths < 990 ? "\(min(99, tenths / 10))%" : "\(tenths / 10).\(tenths % 10)%"
    }

    /// How much each word of the body pushed an output up (its word, its character n-grams and half of
    /// each pair it is in).
    func pushes(of output: ModelOutput, _ analysis: CommentAnalysis, _ perWord: WordSlots) -> [Float] {
        let words = analysis.modelWords
        guard configuration.evidence > 0 else { return [] }
        var pushes = [Float](repeating: 0, count: words.count)
        for index in words.indices {
            pushes[index] += output.weights[Int(perWord.words[index])] * perWord.wordValue
            for position in (index == 0 ? 0 : perWord.characterEnds[index - 1])..<perWord.characterEnds[index] {
                pushes[index] += output.weights[Int(perWord.characters[position])] * perWord.characterValue
            }
            if index > 0 {
                let pair = output.weights[Int(perWord.pairs[index - 1])] * perWord.wordValue / 2
                pushes[index - 1] += pair
                pushes[index] += pair
            }
        }
        return pushes
    }

    /// What the site's decisions say of each word of the body (its word and half of each pair it is in).
    func siteEvidence(_ analysis: CommentAnalysis) -> [Span] {
        let words = analysis.modelWords
        guard configuration.evidence > 0 else { return [] }
        var pushes = [Float](repeating: 0, count: words.count)
        for index in words.indices {
            pushes[index] += Float(siteLayer.logOdds(word: words[index].text))
            if index > 0 {
                let pair = Float(siteLayer.logOdds(pair: words[index - 1].text, words[index].text)) / 2
                pushes[index - 1] += pair
                pushes[index] += pair
            }
        }
        // Only words the site's decisions really tell apart (three times likelier in rejected comments):
        // a link's domain or a fact can carry the reading while every word is nearly even.
        return evidence(pushes, analysis, minimum: Float(log(3.0)))
    }

    /// The words and word runs of the body that pushed a reading up most, strongest first, as spans of
    /// the reader's original text.
    func evidence(_ pushes: [Float], _ analysis: CommentAnalysis, minimum: Float = 0) -> [Span] {
        let words = analysis.modelWords
        guard !words.isEmpty, pushes.count == words.count, let strongest = pushes.max(), strongest > minimum else { return [] }
        let cutoff = max(strongest * 0.35, minimum)
        // Runs of neighbouring words that each push hard enough.
        var runs: [(range: Range<Int>, push: Float)] = []
        var index = 0
        while index < words.count {
            guard pushes[index] >= cutoff else { index += 1; continue }
            var end = index
            var push: Float = 0
            while end < words.count, pushes[end] >= cutoff { push += pushes[end]; end += 1 }
            runs.append((index..<end, push))
            index = end
        }
        runs.sort { $0.push > $1.push }
        let normalized = analysis.normalized(.body)
        let body = Array(analysis.comment.body.utf8)
        return runs.prefix(configuration.evidence).map { run in
            let original = normalized.originalRange(of: words[run.range.lowerBound].range.lowerBound..<words[run.range.upperBound - 1].range.upperBound)
            let clamped = max(0, original.lowerBound)..<min(body.count, original.upperBound)
            return Span(field: .body, utf8Start: clamped.lowerBound, utf8End: clamped.upperBound,
                        text: String(decoding: body[clamped], as: UTF8.self))
        }
    }
}
