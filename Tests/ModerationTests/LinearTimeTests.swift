import Foundation
import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

/// Every built-in scanner runs in time linear in its input: a reader must not be able to stall
/// judging with a crafted comment. Each scanner gets every adversarial shape at 1 KB and 60 KB, and
/// the 60 KB time may be at most 120 times the 1 KB time (60 times is linear; a quadratic scanner
/// takes thousands of times longer). Ratios, not absolute times, so the test holds on slow machines.
@Suite(.serialized) struct LinearTimeTests {
    static let limit = Timing.linearLimit

    /// A scanner under test: a name and the work it does on a text.
    struct Scanner: Sendable, CustomStringConvertible {
        var name: String
        var work: @Sendable (String) -> Void
        var description: String { name }
    }

    static let ruleSet: RuleSet = try! Fixtures.shippedRuleSet()
    static let pipeline = Pipeline(ruleSet: ruleSet)

    static func analysis(_ text: String) -> CommentAnalysis {
        CommentAnalysis(comment: Fixtures.comment(body: text), scratch: MatchScratch())
    }

    /// A model whose every feature pushes towards unwanted, so every comment gets both outputs'
    /// signals with their evidence: the slowest path of the model.
    static let everythingPushes: ModelJudge = {
        var features = FeatureSettings()
        features.hashBits = 12
        let weights = [Float](repeating: 0.01, count: 1 << 12)
        let model = ModerationModel(features: features, outputs: [ModelOutput(name: "toxicity", bias: 5, weights: weights),
                                                                   ModelOutput(name: "spam", bias: 5, weights: weights)], name: "test")
        return ModelJudge(model: model)
    }()

    static let scanners: [Scanner] = [
        Scanner(name: "link extractor") { _ = LinkExtractor.links(in: $0) },
        Scanner(name: "link hosts") { text in _ = LinkExtractor.host(of: "http://" + text) },
        Scanner(name: "e-mail check") { _ = CommentDecoder.looksLikeEmail($0) },
        Scanner(name: "normalizer") { _ = TextNormalizer().normalize($0) },
        Scanner(name: "words") { _ = analysis($0).words },
        Scanner(name: "tokenizer") { _ = SiteLayer.tokens(analysis($0)) },
        Scanner(name: "model reading") { _ = everythingPushes.read(analysis($0)) },
        Scanner(name: "fingerprint") { _ = TextFingerprint(normalizedText: TextNormalizer().normalize($0).text) },
        Scanner(name: "terminal sanitizer") { _ = UntrustedText.singleLine($0); _ = UntrustedText.multiLine($0) },
        Scanner(name: "every heuristic") { text in
            let analysis = analysis(text)
            for heuristic in Pipeline.defaultHeuristics { _ = heuristic.evaluate(analysis) }
        },
        Scanner(name: "shipped rule packs") { _ = RuleEngine.evaluate(ruleSet, on: analysis($0)) },
        Scanner(name: "whole pipeline") { _ = pipeline.judge(Fixtures.comment(body: $0), scratch: MatchScratch()) },
    ]

    @Test(arguments: scanners)
    func scannerIsLinear(_ scanner: Scanner) async {
        let results = await Timing.onOwnThread {
            AdversarialText.shapes.map { shape in (shape.name, Timing.growth(of: scanner.work, on: shape, limit: Self.limit)) }
        }
        for (shape, (ratio, at)) in results {
            #expect(ratio <= Self.limit, "\(scanner.name) on \(shape): \(at / 1024) KB took \(Int(ratio))× the time of 1 KB")
        }
        if let worst = results.max(by: { $0.1.ratio < $1.1.ratio }) {
            print("\(scanner.name): worst growth \(String(format: "%.0f", worst.1.ratio))× on \(worst.0)")
        }
    }
}
