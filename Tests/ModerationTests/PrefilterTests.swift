import Foundation
@testable import Moderation
import ModeratoTestSupport
import ModeratoTools
import PCRE2
import Testing

@Suite struct PrefilterTests {
    @Test func prefilterNeverChangesResults() throws {
        let ruleSet = try Fixtures.shippedRuleSet()
        let unfiltered = RuleSet(rules: ruleSet.rules, version: ruleSet.version, usesPrefilter: false)
        #expect(ruleSet.prefilter.gatedCount > ruleSet.rules.count / 2, "most shipped rules should be gated")
        // The corpus, plus every rule example as written and in capitals (raw rules fold ASCII case).
        let examples = ruleSet.rules.flatMap { $0.examples.match + $0.examples.noMatch }
        let texts = try DevelopmentCorpus.texts() + examples + examples.map { $0.uppercased() }
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

extension PrefilterTests {
    @Test func rawRuleIsGatedCaseInsensitively() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.sort_code
                description: bank details
                pattern: '\\bsort\\s?code\\b'
                flags: [raw]
                score: 1
              - id: t.kelvin
                description: a word with a k
                pattern: '\\bkiosk\\b'
                flags: [raw]
                score: 1
            """)])
        #expect(result.errors.isEmpty)
        #expect(result.ruleSet.prefilter.gatedCount == 2)
        let scratch = MatchScratch()
        func hits(_ body: String) -> [String] {
            RuleEngine.evaluate(result.ruleSet, on: CommentAnalysis(comment: Fixtures.comment(body: body), scratch: scratch)).map(\.name)
        }
        #expect(hits("my SORT CODE is on the card") == ["t.sort_code"])
        #expect(hits("Sort Code and KIOSK") == ["t.sort_code", "t.kelvin"])
        #expect(hits("nothing to see") == [])
        // KELVIN SIGN matches "k" caselessly under Unicode rules; the literal scan must not skip it.
        #expect(hits("the \u{212A}iosk") == ["t.kelvin"])
    }

    @Test func extendedRulesAreNeverSkipped() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.spaced
                description: written with extended-mode spacing
                pattern: 'k i l l'
                flags: [extended]
                score: 1
              - id: t.digits
                description: extended-mode optional digit
                pattern: 'abc [0-9] ?'
                flags: [extended]
                score: 1
            """)])
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.ruleSet.prefilter.gatedCount == 0)
        let scratch = MatchScratch()
        let hits = RuleEngine.evaluate(result.ruleSet, on: CommentAnalysis(comment: Fixtures.comment(body: "kill abc"), scratch: scratch))
        #expect(hits.map(\.name) == ["t.spaced", "t.digits"])
    }

    @Test func digitGateSkipsOnlyRangesWithoutDigits() {
        // Every code point the fast path skips really has no decimal digit.
        for value in UInt32(0x660)...0x10FFFF where RulePrefilter.isWithoutDecimalDigits(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            #expect(scalar.properties.numericType != .decimal, "U+\(String(value, radix: 16)) is a digit")
        }
        #expect(RulePrefilter.hasDigit("price ５ pounds"))
        #expect(RulePrefilter.hasDigit("٣ apples 😀"))
        #expect(RulePrefilter.hasDigit("📱 𝟗"))
        #expect(!RulePrefilter.hasDigit("no digits here 😀 — “quoted” 漢字"))
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
