import Foundation
import Moderation
import ModeratoTestSupport
import Testing

@Suite struct RuleLoaderTests {
    func load(_ text: String, path: String = "Rules/test.yml") -> (RuleSet, [RuleLoadError]) {
        let result = RuleLoader().load(sources: [(path, text)])
        return (result.ruleSet, result.errors)
    }

    @Test func shippedPacksLoadAndEveryExamplePasses() throws {
        let ruleSet = try Fixtures.shippedRuleSet()
        #expect(ruleSet.rules.count >= 10)
        for rule in ruleSet.rules {
            #expect(!rule.examples.match.isEmpty, "rule \(rule.id) has no match examples")
            #expect(RuleEngine.checkExamples(of: rule).isEmpty, "rule \(rule.id)")
        }
        #expect(ruleSet.version.count == 16)
    }

    @Test func loadsARule() throws {
        let (ruleSet, errors) = load("""
            pack: test
            rules:
              - id: test.word
                description: A test word
                pattern: '\\bspam\\b'
                fields: [body, author]
                score: 3
                tags: [t]
                examples:
                  match: ["some SPAM here"]
                  no_match: ["spammer"]
            """)
        #expect(errors.isEmpty)
        let rule = try #require(ruleSet.rule(id: "test.word"))
        #expect(rule.fields == [.body, .author])
        #expect(rule.score == 3)
        #expect(rule.mode == .active)
        #expect(rule.location.line == 3)
    }

    @Test func reportsEveryProblemWithFileLineAndRule() {
        let (_, errors) = load("""
            rules:
              - id: test.one
                description: fine
                pattern: 'a'
                score: 1
              - id: test.one
                description: duplicate
                pattern: 'b'
                score: 1
              - id: test.bad_pattern
                description: broken
                pattern: 'casino(bonus'
                score: 1
              - id: test.bad_field
                description: x
                pattern: 'x'
                fields: [bodyy]
                score: 1
              - id: test.no_outcome
                description: x
                pattern: 'x'
              - id: test.bad_example
                description: x
                pattern: '\\bcat\\b'
                score: 1
                examples:
                  match: ["category"]
              - id: test.both
                description: x
                pattern: 'x'
                score: 1
                action: hold
              - id: test.unknown_key
                description: x
                pattern: 'x'
                score: 1
                sccore: 2
            """)
        let lines = errors.map(\.description)
        #expect(lines.contains("Rules/test.yml:6: rule test.one: duplicate id; it is already defined at Rules/test.yml:2"))
        #expect(lines.contains("Rules/test.yml:12: rule test.bad_pattern: pattern error at offset 12: missing closing parenthesis"))
        #expect(lines.contains { $0.hasPrefix("Rules/test.yml:17: rule test.bad_field: unknown field `bodyy`") })
        #expect(lines.contains("Rules/test.yml:19: rule test.no_outcome: missing `score` or `action`: say what a hit does"))
        #expect(lines.contains("Rules/test.yml:27: rule test.bad_example: example does not match but should: “category”"))
        #expect(lines.contains("Rules/test.yml:32: rule test.both: give either `score` or `action`, not both"))
        #expect(lines.contains { $0.hasPrefix("Rules/test.yml:37: rule test.unknown_key: unknown key `sccore`") })
        #expect(errors.count == 7)
    }

    @Test func yamlSyntaxErrorHasALine() {
        let (_, errors) = load("rules:\n  - id: test.x\n    pattern: 'unclosed\n")
        #expect(errors.count == 1)
        #expect(errors[0].description.hasPrefix("Rules/test.yml:"))
        #expect(errors[0].description.contains("YAML error"))
    }

    @Test func packWithoutRulesIsAnError() {
        #expect(load("pack: x\n").1.map(\.description) == ["Rules/test.yml:1: the pack has no `rules:` list"])
        #expect(load("- a\n- b\n").1.map(\.description) == ["Rules/test.yml:1: a rule pack is a mapping with a `rules:` list"])
    }

    @Test func laterFolderOverridesByID() throws {
        let shipped = """
            rules:
              - id: base.one
                description: one
                pattern: 'one'
                score: 2
              - id: base.two
                description: two
                pattern: 'two'
                score: 2
              - id: base.three
                description: three
                pattern: 'three'
                score: 2
            """
        let local = """
            rules:
              - id: base.one
                score: 7
              - id: base.two
                disabled: true
              - id: base.three
                mode: shadow
              - id: local.four
                description: four
                pattern: 'four'
                action: hold
            """
        let result = RuleLoader().load(sources: [("Rules/base.yml", shipped), ("/etc/moderato/rules.d/local.yml", local)])
        #expect(result.errors.isEmpty)
        #expect(result.ruleSet.rules.map(\.id) == ["base.one", "base.three", "local.four"])
        #expect(result.ruleSet.rule(id: "base.one")?.score == 7)
        #expect(result.ruleSet.rule(id: "base.three")?.mode == .shadow)
        #expect(result.ruleSet.rule(id: "local.four")?.action == .hold)
    }

    @Test func overridingAnUnknownRuleIsAnError() {
        let (_, errors) = load("rules:\n  - id: nope.rule\n    score: 3\n")
        #expect(errors.first?.description.hasPrefix("Rules/test.yml:2: rule nope.rule: overrides a rule that no earlier pack defines") == true)
    }

    @Test func missingFolderIsAnError() {
        #expect {
            _ = try RuleLoader().load(directories: [URL(fileURLWithPath: "/nonexistent/rules")])
        } throws: { error in
            (error as? RuleLoadFailure)?.description == "/nonexistent/rules:0: no such rules folder"
        }
    }

    @Test func versionChangesWithContent() {
        let a = load("rules:\n  - id: t.a\n    description: a\n    pattern: a\n    score: 1\n").0.version
        let b = load("rules:\n  - id: t.a\n    description: a\n    pattern: a\n    score: 2\n").0.version
        #expect(a != b)
    }

    @Test func backtrackingWarnings() {
        let (ruleSet, errors) = load("""
            rules:
              - id: t.nested
                description: nested
                pattern: '(a+)+$'
                score: 1
              - id: t.adjacent
                description: adjacent
                pattern: '\\w+\\w*x'
                score: 1
              - id: t.fine
                description: fine
                pattern: '\\bfree\\s+spins?\\b'
                score: 1
            """)
        #expect(errors.isEmpty)
        let warned = Set(ruleSet.warnings.compactMap(\.ruleID))
        #expect(warned == ["t.nested", "t.adjacent"])
    }
}
