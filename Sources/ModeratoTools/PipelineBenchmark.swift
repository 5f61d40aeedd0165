import Foundation
import Moderation
import PCRE2

/// Measures validate → normalize → rules → heuristics in process, one comment at a time on one core,
/// without touching a database.
public struct PipelineBenchmark {
    /// What a run measured.
    public struct Result: Sendable, Encodable {
        public var comments: Int
        public var seconds: Double
        public var commentsPerSecond: Double
        public var p50Microseconds: Double
        public var p99Microseconds: Double
        public var rules: Int
        /// How many comments were held or rejected (a sanity check that the rules ran).
        public var notApproved: Int

        enum CodingKeys: String, CodingKey {
            case comments, seconds, rules
            case notApproved = "not_approved"
            case commentsPerSecond = "comments_per_second"
            case p50Microseconds = "p50_us"
            case p99Microseconds = "p99_us"
        }
    }

    public var pipeline: Pipeline
    public var limits = CommentLimits.default

    public init(pipeline: Pipeline) {
        self.pipeline = pipeline
    }

    /// Runs every text `repeat` times: field validation, normalization, rules and heuristics per comment.
    ///
    /// Comments are built from the texts beforehand; JSON parsing belongs to ingest and is measured by
    /// the load benchmark against the daemon.
    public func run(texts: [String], repeat count: Int) throws -> Result {
        let comments = self.comments(texts)
        guard !comments.isEmpty else { throw ToolError("no comments to run") }
        let validator = CommentDecoder(limits: limits)
        let scratch = MatchScratch()
        let total = comments.count * count
        var durations = [Double](repeating: 0, count: total)
        var held = 0
        let clock = ContinuousClock()
        let started = clock.now
        var index = 0
        for _ in 0..<count {
            for comment in comments {
                let before = clock.now
                if (try? validator.validate(comment)) != nil, pipeline.judge(comment, scratch: scratch).verdict != .approved {
                    held += 1
                }
                durations[index] = (clock.now - before).seconds * 1_000_000
                index += 1
            }
        }
        let seconds = (clock.now - started).seconds
        durations.sort()
        func percentile(_ p: Double) -> Double {
            durations[min(durations.count - 1, Int((Double(durations.count) * p).rounded(.down)))]
        }
        return Result(comments: total, seconds: seconds, commentsPerSecond: Double(total) / seconds,
                      p50Microseconds: percentile(0.50), p99Microseconds: percentile(0.99), rules: pipeline.ruleSet.rules.count,
                      notApproved: held)
    }
}

extension PipelineBenchmark {
    /// One comment per text, with the text cut to the body limit, as a website would send it.
    func comments(_ texts: [String]) -> [Comment] {
        texts.enumerated().map { index, text in
            Comment(id: "bench-\(index)", articleID: "bench", author: "Reader \(index % 97)",
                    body: String(text.prefix(limits.maxBodyCharacters)), rating: 1 + index % 5)
        }
    }

    /// What one rule cost over a run.
    public struct RuleCost: Sendable, Encodable {
        public var id: String
        /// Comments it ran on (the prefilter skips the others).
        public var runs: Int
        public var hits: Int
        public var totalMicroseconds: Double
        /// Average time per comment of the run, whether or not the rule ran on it.
        public var microsecondsPerComment: Double

        enum CodingKeys: String, CodingKey {
            case id, runs, hits
            case totalMicroseconds = "total_us"
            case microsecondsPerComment = "us_per_comment"
        }
    }

    /// Runs the rules once over every text and returns each rule that ran, costliest first.
    public func ruleCosts(texts: [String]) -> [RuleCost] {
        let ruleSet = pipeline.ruleSet
        var runs = [Int](repeating: 0, count: ruleSet.rules.count)
        var hits = [Int](repeating: 0, count: ruleSet.rules.count)
        var time = [Duration](repeating: .zero, count: ruleSet.rules.count)
        let scratch = MatchScratch()
        for comment in comments(texts) {
            RuleEngine.profile(ruleSet, on: CommentAnalysis(comment: comment, scratch: scratch)) { rule, hit, elapsed in
                runs[rule] += 1
                if hit { hits[rule] += 1 }
                time[rule] += elapsed
            }
        }
        return ruleSet.rules.indices.filter { runs[$0] > 0 }
            .map { RuleCost(id: ruleSet.rules[$0].id, runs: runs[$0], hits: hits[$0], totalMicroseconds: time[$0].seconds * 1_000_000,
                            microsecondsPerComment: time[$0].seconds * 1_000_000 / Double(max(1, texts.count))) }
            .sorted { $0.totalMicroseconds > $1.totalMicroseconds }
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// Generates realistic extra rules for benchmarks: word and phrase patterns over English words, like a
/// site's own word lists.
public enum ExtraRuleGenerator {
    static let commonWords = """
        offer deal cheap free discount winner money cash prize bonus click visit website channel video subscribe
        follow like share promo code coupon sale order shipping delivery product review rating quality service
        investment crypto bitcoin trading profit income business opportunity online work home job hiring apply
        loan credit debt insurance mortgage pharmacy pills health weight diet supplement beauty skin cream
        dating singles chat meet girls boys love romance horoscope psychic spell luck lottery casino betting
        game download app install update account password login verify security alert urgent limited today
        council election vote party minister government police court trial judge jury crime road traffic
        weather flood storm school hospital doctor nurse football match goal team player club season fans
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    static let syllables = ["ka", "lo", "mi", "re", "tan", "vel", "dor", "pri", "sun", "gal", "mer", "ton", "bri", "cas",
                            "nel", "por", "tri", "ven", "quo", "zen", "lum", "fra", "ger", "hol", "jin", "wex"]

    /// `count` compiled rules with ids `extra.rN`; deterministic for a given count.
    public static func rules(count: Int) throws -> [Rule] {
        var generator = SplitMix64(seed: 0x5EED)
        func word() -> String {
            if generator.next() % 3 == 0 {
                return commonWords[Int(generator.next() % UInt64(commonWords.count))]
            }
            let parts = 2 + Int(generator.next() % 2)
            return (0..<parts).map { _ in syllables[Int(generator.next() % UInt64(syllables.count))] }.joined()
        }
        var rules: [Rule] = []
        for index in 0..<count {
            let source: String
            switch index % 3 {
            case 0: source = #"\b(?:"# + (0..<4).map { _ in word() }.joined(separator: "|") + #")\b"#
            case 1: source = #"\b"# + word() + #"\s+(?:"# + (0..<3).map { _ in word() }.joined(separator: "|") + #")\b"#
            default: source = #"\b"# + word() + #"(?:s|ing|ed)?\s+(?:the\s+|a\s+)?"# + word() + #"\b"#
            }
            let pattern = try Pattern(source, options: .caseless)
            rules.append(Rule(id: "extra.r\(index)", pack: "extra", description: "Generated rule \(index)", pattern: pattern,
                              fields: [.body], score: 1, action: nil, mode: .active, tags: ["generated"],
                              examples: RuleExamples(), location: SourceLocation(file: "generated", line: index + 1)))
        }
        return rules
    }
}

/// A small, fast, seedable random number generator (for reproducible generated data).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
