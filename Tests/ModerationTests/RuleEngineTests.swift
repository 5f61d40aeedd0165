import Foundation
@testable import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

@Suite struct MetaRuleTests {
    let packs = """
        rules:
          - id: t.link
            description: link words
            pattern: '\\bclick\\b'
            score: 1
          - id: t.money
            description: money words
            pattern: '\\bcash\\b'
            score: 1
          - id: t.prize
            description: prize words
            pattern: '\\bprize\\b'
            score: 1
          - id: t.all
            description: click and cash together
            meta: {all: [t.link, t.money]}
            score: 4
            examples:
              match: ["click for cash"]
              no_match: ["cash only"]
          - id: t.two
            description: two of three
            meta: {at_least: 2, of: [t.link, t.money, t.prize]}
            action: hold
          - id: t.any
            description: any
            meta: {any: [t.prize]}
            score: 1
        """

    @Test func combinesHits() throws {
        let result = RuleLoader().load(sources: [("t.yml", packs)])
        #expect(result.errors.isEmpty, "\(result.errors)")
        let scratch = MatchScratch()
        func names(_ text: String) -> [String] {
            RuleEngine.evaluate(result.ruleSet, on: CommentAnalysis(comment: Fixtures.comment(body: text), scratch: scratch)).map(\.name)
        }
        #expect(names("click for cash") == ["t.link", "t.money", "t.all", "t.two"])
        #expect(names("a prize for cash") == ["t.money", "t.prize", "t.two", "t.any"])
        #expect(names("click here") == ["t.link"])
    }

    @Test func unknownOrLaterMetaReferencesAreErrors() {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.first
                description: refers to a later meta
                meta: {any: [t.second]}
                score: 1
              - id: t.second
                description: refers to nothing
                meta: {all: [t.nothing]}
                score: 1
              - id: t.bad
                description: bad shape
                meta: [t.first]
                score: 1
            """)])
        let lines = result.errors.map(\.description)
        #expect(lines.contains("t.yml:2: rule t.first: meta rule names t.second, a meta rule defined after it; define it earlier"))
        #expect(lines.contains("t.yml:6: rule t.second: meta rule names an unknown rule t.nothing"))
        #expect(lines.contains { $0.hasPrefix("t.yml:12: rule t.bad: `meta` takes") })
    }

    @Test func failingMetaExampleIsAnError() {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.a
                description: a
                pattern: '\\bapple\\b'
                score: 1
              - id: t.meta
                description: meta
                meta: {all: [t.a]}
                score: 1
                examples:
                  match: ["pear"]
            """)])
        #expect(result.errors.map(\.description) == ["t.yml:6: rule t.meta: example does not match but should: “pear”"])
    }
}

@Suite struct LiteralExtractorTests {
    @Test(arguments: [
        (#"\bcasino\b"#, ["casino"]),
        (#"\b(?:online\s+casino|free\s+spins)\b"#, ["online", "spins"]),
        (#"\bcolou?r\b"#, ["color", "colour"]),
        (#"\b(?:buy|cheap)\s+(?:pills|meds)\b"#, ["meds", "pills"]),
        (#"\bviagra|\bcialis"#, ["cialis", "viagra"]),
        (#"\bfree(?:bies)?\b"#, ["free", "freebies"]),
        (#"(?i)\bspam\b"#, ["spam"]),
        (#"\bwon(?![\x27’]t)\b"#, ["won"]),
        (#"\b[sz]ex\b"#, ["sex", "zex"]),
        // A rare mark alone is selective enough: the @ of an address, the stars of a starred-out word.
        (#"[a-z0-9._%+-]{1,64}@[a-z0-9-]+\.[a-z]{2,}"#, ["@"]),
        (#"\bsh[\*#%]{1,2}t\b|\bb[\*#%]{1,3}tch\b"#, ["#", "%", "*", "tch"]),
        // A curly apostrophe does not cost a literal its ASCII part.
        (#"\bhanging[\x27’]s\s+too\s+good\b"#, ["hanging", "hanging's"]),
        // An escaped range start is a range, not three characters.
        (#"abc[\x30-\x39]"#, ["abc"]),
    ])
    func findsRequiredLiterals(_ pattern: String, _ expected: [String]) {
        #expect(LiteralExtractor.requiredLiterals(pattern) == expected)
    }

    @Test(arguments: [#"\d{4}"#, #"\b\w+\b"#, #"(?x) casino"#, #"\bab\b"#, #"(?:casino)?"#, #"casino|\w+"#, #"\Qcasino\E"#, #"(a)\1"#,
                      // Subroutine calls repeat a group elsewhere: "(k)i(?1)ll" matches "kikll".
                      #"(k)i(?1)ll"#, #"(?<x>k)i(?&x)ll"#, #"(k)i(?-1)ll"#, #"a(?R)?bcd"#])
    func givesUpWhenNoUsableLiteral(_ pattern: String) {
        #expect(LiteralExtractor.requiredLiterals(pattern) == nil)
    }

    @Test func ahoCorasickFindsOverlappingLiterals() {
        let automaton = AhoCorasick(literals: [(Array("he".utf8), 0), (Array("she".utf8), 1), (Array("hers".utf8), 2), (Array("his".utf8), 3)])
        var found: [Int32] = []
        automaton.scan("ushers") { found.append($0) }
        #expect(Set(found) == [0, 1, 2])
        found = []
        automaton.scan("nothing here") { found.append($0) }
        #expect(found == [0])
    }
}

@Suite struct HeuristicTests {
    let scratch = MatchScratch()

    func signals(_ heuristic: some Heuristic, _ body: String) -> [Signal] {
        heuristic.evaluate(CommentAnalysis(comment: Fixtures.comment(body: body), scratch: scratch))
    }

    @Test func paymentCardsNeedAValidChecksum() {
        let card = signals(PaymentCardHeuristic(), "my card is 4111 1111 1111 1111 exp 12/29")
        #expect(card.first?.action == .hold)
        #expect(card.first?.span?.text == "4111 1111 1111 1111")
        #expect(signals(PaymentCardHeuristic(), "order 1234 5678 9012 3456 arrived").isEmpty)
        #expect(signals(PaymentCardHeuristic(), "call 0000000000000000").isEmpty)
        #expect(PaymentCardHeuristic.passesLuhn([4, 5, 3, 9, 1, 4, 8, 8, 0, 3, 4, 3, 6, 4, 6, 7]))
    }

    @Test func trafficMonitorCountsDistinctSourcesNotComments() {
        var configuration = RuleTrafficConfiguration()
        configuration.window = 20
        configuration.minimumComments = 5
        configuration.maximumShare = 0.5
        // One sender repeating a comment that hits the rule: however many times, one source of many.
        var flooded = RuleTrafficMonitor(configuration: configuration)
        for index in 0..<10 { _ = flooded.record(hits: [], network: "198.51.100.0/24", author: "Reader \(index)") }
        for _ in 0..<10 { #expect(flooded.record(hits: ["r.scored"], network: "203.0.113.0/24", author: "Flooder").isEmpty) }
        // Under many names from one network: still one network.
        var renamed = RuleTrafficMonitor(configuration: configuration)
        for index in 0..<10 { _ = renamed.record(hits: [], network: "198.51.100.\(index)/24", author: "Reader \(index)") }
        for index in 0..<10 { #expect(renamed.record(hits: ["r.scored"], network: "203.0.113.0/24", author: "Name \(index)").isEmpty) }
        // The same rule hit by most of the window's networks and authors is reported with its share.
        var broad = RuleTrafficMonitor(configuration: configuration)
        var reported: [(ruleID: String, share: Double)] = []
        for index in 0..<10 { reported = broad.record(hits: ["r.scored"], network: "192.0.2.\(index)/24", author: "Reader \(index)") }
        #expect(reported.map(\.ruleID) == ["r.scored"])
        #expect(reported.first?.share == 1.0)
        broad.forget("r.scored")
        #expect(broad.share(of: "r.scored") == 0)
        // An ordinary rule hitting now and then is never reported.
        var quiet = RuleTrafficMonitor(configuration: configuration)
        for round in 0..<100 {
            #expect(quiet.record(hits: round % 4 == 0 ? ["r.normal"] : [], network: "192.0.2.\(round)/24", author: "R\(round)").isEmpty)
        }
    }

    @Test func onlyScoredUnprotectedRulesThatModeratorsOverturnMayBeShadowed() throws {
        let configuration = RuleTrafficConfiguration()
        let ruleSet = try Fixtures.shippedRuleSet()
        // Forced outcomes and abuse, slur, threat or legal rules are never switched, whatever happens.
        for rule in ruleSet.rules {
            if rule.action != nil || !Set(rule.tags).isDisjoint(with: ["abuse", "slurs", "threat", "legal"]) {
                #expect(!configuration.mayShadowAutomatically(rule), "\(rule.id)")
            }
        }
        let scored = try #require(ruleSet.rules.first { $0.action == nil && $0.tags.contains("spam") && $0.meta == nil })
        #expect(configuration.mayShadowAutomatically(scored))
        // Precision, not volume: too few reviews, or moderators mostly upholding it, keeps it active.
        #expect(!configuration.isMisfiring(reviewed: 9, overturned: 9))
        #expect(!configuration.isMisfiring(reviewed: 20, overturned: 10))
        #expect(configuration.isMisfiring(reviewed: 20, overturned: 11))
    }
}

@Suite struct DigitGateTests {
    @Test(arguments: [
        (#"(?<!\d)07\d{3}\s?\d{6}(?!\d)"#, true),
        (#"\b\d{4}\b"#, true),
        (#"\bfree\b"#, false),
        (#"\d?x"#, false),
        (#"\d|casino"#, false),
        (#"\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b"#, true),
        // Every branch needs a digit, though the best literals of some are words.
        (#"\bsort\s?code\W{0,3}\d{6}|\baccount\s?number\W{0,3}\d{8}"#, true),
        (#"\bsort\s?code\W{0,3}\d{6}|\baccount\s?number"#, false),
        (#"\bpin[0-9]{4}\b"#, true),
        (#"\bpin[0-9a-f]{4}\b"#, false),
        (#"(?:code\s)?[0-9]+"#, true),
        // A range across scripts is not all digits: 0 to fullwidth 9 spans every ASCII letter.
        (#"[0-９]+"#, false),
        (#"abc[\x30-\x39]"#, false),
        (#"foo\x01"#, false),
    ])
    func knowsWhichPatternsNeedADigit(_ pattern: String, _ expected: Bool) {
        #expect(LiteralExtractor.requiresDigit(pattern) == expected, "\(pattern)")
    }
}
