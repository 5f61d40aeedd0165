import Foundation
import Moderation
import ModeratoTestSupport
import ModeratoTools
import PCRE2
import Testing

@Suite struct PrefilterTests {
    @Test func prefilterNeverChangesResults() throws {
        let ruleSet = try Fixtures.shippedRuleSet()
        let unfiltered = RuleSet(rules: ruleSet.rules, version: ruleSet.version, usesPrefilter: false)
        #expect(ruleSet.prefilter.gatedCount > ruleSet.rules.count / 2, "most shipped rules should be gated")
        let texts = try DevelopmentCorpus.texts()
        #expect(!texts.isEmpty)
        let scratch = MatchScratch()
        var differences = 0
        for (index, text) in texts.enumerated() {
            let comment = Fixtures.comment("c\(index)", body: text)
            let filtered = RuleEngine.evaluate(ruleSet, on: CommentAnalysis(comment: comment, scratch: scratch))
            let plain = RuleEngine.evaluate(unfiltered, on: CommentAnalysis(comment: comment, scratch: scratch))
            if filtered != plain { differences += 1 }
        }
        #expect(differences == 0)
    }

    @Test func gatedRuleIsSkippedAndUngatedRuleRuns() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.gated
                description: gated
                pattern: '\\b(?:free|cheap)\\s+spins?\\b'
                score: 1
              - id: t.ungated
                description: digits only
                pattern: '\\d{4}'
                score: 1
            """)])
        #expect(result.errors.isEmpty)
        #expect(result.ruleSet.prefilter.gatedCount == 1)
        let scratch = MatchScratch()
        let signals = RuleEngine.evaluate(result.ruleSet, on: CommentAnalysis(comment: Fixtures.comment(body: "CHEAP spins in 2026"), scratch: scratch))
        #expect(signals.map(\.name) == ["t.gated", "t.ungated"])
    }
}

/// The YouTube development comments, when the shared data is beside the repository.
enum DevelopmentCorpus {
    static func texts() throws -> [String] {
        let folder = TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/youtube-spam")
        var texts: [String] = []
        for name in ["Youtube01-Psy.csv", "Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv"] {
            let path = folder.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            texts += try LabeledCSV.load(path: path, textColumn: "CONTENT").rows.map(\.text)
        }
        // Without the shared data, a built-in sample still exercises every rule.
        if texts.isEmpty {
            texts = Fixtures.sampleTexts
        }
        return texts
    }
}
