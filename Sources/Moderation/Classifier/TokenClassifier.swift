import Foundation

/// Settings for the learning filter.
public struct ClassifierConfiguration: Sendable, Equatable, Codable {
    /// Comments of each kind it must have learned before it says anything. The default is 20.
    public var minimumPerClass: Int = 20
    /// At or above this probability a comment is clearly unwanted. The default is 0.8.
    public var unwantedCutoff: Double = 0.8
    /// At or above this probability the score reaches twice `unwantedScore`, enough to reject on the
    /// filter's word alone. The default is 0.98.
    public var rejectCutoff: Double = 0.98
    /// At or below this probability a comment is clearly wanted. The default is 0.35.
    public var wantedCutoff: Double = 0.35
    /// The score at the unwanted cutoff; it rises to twice this at the reject cutoff. The default is 5.
    public var unwantedScore: Double = 5
    /// From this probability up to the unwanted cutoff the filter is unsure but leaning unwanted, and
    /// the comment goes to a moderator. The default is 0.7.
    public var unsureCutoff: Double = 0.7
    /// The score when unsure (reaches the default hold threshold). The default is 5.
    public var unsureScore: Double = 5
    /// Hold every comment until the filter has learned enough of each kind, so that moderators'
    /// decisions teach it quickly (pre-moderation while it learns). The default is false: until then
    /// it says nothing, and `modctl train` can seed it from labelled history.
    public var holdsWhileLearning: Bool = false
    /// The score for a clearly wanted comment (negative, in its favour); half of it at the wanted
    /// cutoff, all of it at certainty. The default is -4.
    public var wantedScore: Double = -4
    /// How many of the most telling tokens are combined. The default is 150.
    public var maximumClues: Int = 150
    /// Tokens closer to 0.5 than this are ignored. The default is 0: every known token counts, its
    /// pull already shrunk by Robinson's smoothing when it was seen only a few times.
    public var minimumStrength: Double = 0
    /// How many telling tokens (at least 0.1 from 0.5) give the score full weight; with fewer it is
    /// scaled down. The default is 4.
    public var fullEvidenceClues: Int = 4
    /// Learn from the pipeline's own confident verdicts, not only from moderators. The default is false.
    public var learnsFromAutomaticVerdicts: Bool = false
    /// The probability beyond which an automatic verdict is confident enough to learn from. The default is 0.99.
    public var automaticConfidence: Double = 0.99

    public init() {}
}

/// A statistical filter of the SpamBayes kind: Robinson's token probabilities combined with Fisher's
/// chi-square method, learning from moderators' decisions.
public struct TokenClassifier: Sendable {
    public var model: ClassifierModel
    public var configuration: ClassifierConfiguration

    // Robinson's smoothing: an unknown token is 0.5; this is how strongly that belief holds, in
    // sightings. At 1, a token seen once in rejected comments only is 0.75, not near-certain.
    static let strength = 1.0
    static let unknown = 0.5
    /// How far from 0.5 a token must be to count towards `fullEvidenceClues`.
    static let tellingStrength = 0.1

    public init(model: ClassifierModel, configuration: ClassifierConfiguration = ClassifierConfiguration()) {
        self.model = model
        self.configuration = configuration
    }

    /// Whether it has learned enough of each kind to be heard.
    public var isReady: Bool {
        model.unwantedDocuments >= configuration.minimumPerClass && model.wantedDocuments >= configuration.minimumPerClass
    }

    /// The probability that a token marks an unwanted comment.
    func probability(_ counts: TokenCounts) -> Double {
        let unwantedRatio = Double(counts.unwanted) / Double(max(1, model.unwantedDocuments))
        let wantedRatio = Double(counts.wanted) / Double(max(1, model.wantedDocuments))
        guard unwantedRatio + wantedRatio > 0 else { return Self.unknown }
        let raw = unwantedRatio / (unwantedRatio + wantedRatio)
        let n = Double(counts.unwanted + counts.wanted)
        return (Self.strength * Self.unknown + n * raw) / (Self.strength + n)
    }

    /// The combined probability that the tokens come from an unwanted comment, and the tokens that
    /// said the most (strongest first).
    public func classify(_ tokens: [ClassifierToken]) -> (probability: Double, clues: [(token: ClassifierToken, probability: Double)]) {
        var clues: [(ClassifierToken, Double)] = []
        for token in tokens {
            guard let counts = model.tokens[token.hash] else { continue }
            let p = probability(counts)
            if abs(p - 0.5) >= configuration.minimumStrength { clues.append((token, p)) }
        }
        clues.sort { abs($0.1 - 0.5) > abs($1.1 - 0.5) }
        if clues.count > configuration.maximumClues { clues.removeLast(clues.count - configuration.maximumClues) }
        guard !clues.isEmpty else { return (Self.unknown, []) }
        var logUnwanted = 0.0
        var logWanted = 0.0
        for (_, p) in clues {
            logWanted += log(max(1e-12, p))
            logUnwanted += log(max(1e-12, 1 - p))
        }
        let n = clues.count
        let s = 1 - Self.chi2Q(-2 * logUnwanted, 2 * n)
        let h = 1 - Self.chi2Q(-2 * logWanted, 2 * n)
        return ((s - h + 1) / 2, clues)
    }

    /// The upper tail of the chi-square distribution with even degrees of freedom.
    static func chi2Q(_ x2: Double, _ degrees: Int) -> Double {
        let m = x2 / 2
        var term = exp(-m)
        var sum = term
        if degrees / 2 > 1 {
            for i in 1..<(degrees / 2) {
                term *= m / Double(i)
                sum += term
            }
        }
        return min(sum, 1)
    }

    /// The filter's signal for a comment, with its probability (none before it has learned anything).
    public func signal(for analysis: CommentAnalysis) -> (signal: Signal?, probability: Double)? {
        guard isReady else {
            guard configuration.holdsWhileLearning else { return nil }
            let explanation = "The learning filter is still learning (it knows \(model.unwantedDocuments) rejected and "
                + "\(model.wantedDocuments) approved comments and needs \(configuration.minimumPerClass) of each); held so a moderator's decision teaches it"
            return (Signal(source: .classifier, name: "classifier.learning", score: configuration.unsureScore, explanation: explanation), 0.5)
        }
        let (p, clues) = classify(ClassifierTokenizer.tokens(analysis))
        let percent = Int((p * 100).rounded())
        let score: Double
        if p >= configuration.unwantedCutoff {
            let reach = configuration.rejectCutoff - configuration.unwantedCutoff
            score = configuration.unwantedScore * (1 + min(1, reach > 0 ? (p - configuration.unwantedCutoff) / reach : 1))
        } else if p >= configuration.unsureCutoff {
            score = configuration.unsureScore
        } else if p > 0.5 {
            score = configuration.unsureScore * 0.4
        } else if p <= configuration.wantedCutoff {
            score = configuration.wantedScore * (1 - p / configuration.wantedCutoff) * 0.5 + configuration.wantedScore * 0.5
        } else {
            return (nil, p)
        }
        // Few telling tokens are weak evidence however extreme they are: "epic" alone proves nothing.
        // Tokens near 0.5 take part in the combining but are not evidence here.
        let evidence = clues.filter { abs($0.probability - 0.5) >= Self.tellingStrength }.count
        let damped = score * min(1, Double(evidence) / Double(configuration.fullEvidenceClues))
        let rounded = (damped * 10).rounded() / 10
        let telling = clues.filter { p >= 0.5 ? $0.probability > 0.5 : $0.probability < 0.5 }
            .filter { !$0.token.isMeta }.prefix(4).map { "“\($0.token.text)”" }
        let words = telling.isEmpty ? "" : " (telling words: \(telling.joined(separator: ", ")))"
        let explanation: String
        if p >= 0.5 {
            explanation = "The learned filter finds this \(percent)% like comments moderators rejected\(words)"
        } else {
            explanation = "The learned filter finds this \(100 - percent)% like comments moderators approved\(words)"
        }
        return (Signal(source: .classifier, name: "classifier.bayes", score: rounded, explanation: explanation), p)
    }
}
