import Foundation
import PCRE2

/// What this site's moderators taught, on top of the shipped model.
///
/// Every approve or reject counts the comment's words, word pairs and facts (the model's own
/// segmentation, as full 64-bit hashes, so a newer model with other settings keeps them) as wanted or
/// unwanted; an undo or a changed decision takes exactly those counts back, so learning and unlearning
/// are exact inverses in any order. At judging time each known token says how much more often it
/// appears in rejected than in approved comments (Robinson's smoothed ratio), and the log-odds of those
/// ratios, scaled by `step / √tokens`, move the shipped model's logits: evidence for approval lowers
/// every concern; evidence for rejection raises the concern that already leans furthest, or, when none
/// leans, is its own signal, `model.site` (see `ModelJudge`). Until the site has `minimumPerClass`
/// decisions of each kind the layer says nothing.
public struct SiteLayer: Sendable {
    public var counts: ClassifierModel
    public var configuration: ClassifierConfiguration

    public init(counts: ClassifierModel = ClassifierModel(), configuration: ClassifierConfiguration = ClassifierConfiguration()) {
        self.counts = counts
        self.configuration = configuration
    }

    /// Whether it has learned enough of each kind to be heard.
    public var isReady: Bool {
        counts.unwantedDocuments >= configuration.minimumPerClass && counts.wantedDocuments >= configuration.minimumPerClass
    }

    // Robinson's smoothing: an unknown token is 0.5; this is how strongly that belief holds, in sightings.
    static let strength = 1.0

    /// The tokens of a comment the layer counts.
    public static func tokens(_ analysis: CommentAnalysis) -> Set<UInt64> {
        let words = analysis.modelWords
        var tokens = Set<UInt64>()
        tokens.reserveCapacity(words.count * 2 + 4)
        for (index, word) in words.enumerated() where word.text.utf8.count <= 48 {
            tokens.insert(hash(0x77, word.text, nil))
            if index > 0, words[index - 1].text.utf8.count <= 48 { tokens.insert(hash(0x62, words[index - 1].text, word.text)) }
        }
        let names = ModelFeatures.metaNames(body: analysis.comment.body, words: words.count, links: analysis.links.count,
                                            rating: analysis.comment.rating)
        for name in names { tokens.insert(hash(0x6D, Substring(name), nil)) }
        for link in analysis.links.prefix(5) { tokens.insert(hash(0x64, Substring(link.host), nil)) }
        return tokens
    }

    /// The tokens of a comment the layer counts, in ascending order: what a decision on it teaches.
    public static func tokens(of comment: Comment, scratch: MatchScratch = MatchScratch()) -> [UInt64] {
        tokens(CommentAnalysis(comment: comment, scratch: scratch)).sorted()
    }

    static func hash(_ kind: UInt8, _ first: Substring, _ second: Substring?) -> UInt64 {
        var hash = FNV1a.offsetBasis
        hash = (hash ^ UInt64(kind)) &* FNV1a.prime
        for byte in first.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        if let second {
            hash = (hash ^ 0x20) &* FNV1a.prime
            for byte in second.utf8 { hash = (hash ^ UInt64(byte)) &* FNV1a.prime }
        }
        return hash
    }

    /// The probability that a token marks an unwanted comment, smoothed towards 0.5.
    func probability(_ token: TokenCounts) -> Double {
        let unwantedRatio = Double(token.unwanted) / Double(max(1, counts.unwantedDocuments))
        let wantedRatio = Double(token.wanted) / Double(max(1, counts.wantedDocuments))
        guard unwantedRatio + wantedRatio > 0 else { return 0.5 }
        let raw = unwantedRatio / (unwantedRatio + wantedRatio)
        let n = Double(token.unwanted + token.wanted)
        return (Self.strength * 0.5 + n * raw) / (Self.strength + n)
    }

    /// What the site's decisions say of one word, or of a pair of neighbouring words, in log-odds (0 unknown).
    func logOdds(word: Substring) -> Double { logOdds(Self.hash(0x77, word, nil)) }
    func logOdds(pair first: Substring, _ second: Substring) -> Double { logOdds(Self.hash(0x62, first, second)) }

    private func logOdds(_ token: UInt64) -> Double {
        guard let known = counts.tokens[token] else { return 0 }
        let p = probability(known)
        return log(p / (1 - p))
    }

    /// How far the site's decisions move the log-odds of a comment.
    public func logit(_ analysis: CommentAnalysis) -> Double {
        guard isReady else { return 0 }
        let tokens = Self.tokens(analysis)
        guard !tokens.isEmpty else { return 0 }
        let sum = tokens.reduce(0.0) { $0 + logOdds($1) }
        return configuration.siteStep * sum / Double(tokens.count).squareRoot()
    }
}

/// Settings for the site's layer of learning (`classifier:` in the settings file).
public struct ClassifierConfiguration: Sendable, Equatable, Codable {
    /// Decisions of each kind (approved and rejected) it must have learned before it is heard. The default is 10.
    public var minimumPerClass: Int = 10
    /// How strongly the site's decisions move the model, in log-odds per unit of evidence. The default is 3.
    public var siteStep: Double = 3
    /// Hold every comment until the site has made enough decisions of each kind, so that moderators'
    /// decisions teach the layer quickly (pre-moderation while it learns). The default is false.
    public var holdsWhileLearning: Bool = false
    /// Learn from the pipeline's own confident verdicts, not only from moderators. The default is false.
    public var learnsFromAutomaticVerdicts: Bool = false
    /// The model probability beyond which an automatic verdict is confident enough to learn from
    /// (at or above it for rejections, at or below one minus it for approvals). The default is 0.99.
    public var automaticConfidence: Double = 0.99

    public init() {}
}

extension SiteLayer {
    /// The token of a (normalized) word.
    public static func token(word: String) -> UInt64 { hash(0x77, Substring(word), nil) }
    /// The token of a fact about a comment, such as `links:1`, `shouting` or `rating:1`.
    public static func token(fact: String) -> UInt64 { hash(0x6D, Substring(fact), nil) }
    /// The token of a link's domain.
    public static func token(domain: String) -> UInt64 { hash(0x64, Substring(domain), nil) }
}
