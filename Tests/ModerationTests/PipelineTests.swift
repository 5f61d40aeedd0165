import Foundation
@testable import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

@Suite struct PipelineTests {
    let pipeline: Pipeline
    let scratch = MatchScratch()

    init() throws {
        pipeline = Pipeline(ruleSet: try Fixtures.shippedRuleSet())
    }

    @Test func cleanCommentIsApproved() {
        let judgement = pipeline.judge(Fixtures.comment(body: "The new bus timetable is a real improvement for Redruth."), scratch: scratch)
        #expect(judgement.verdict == .approved)
        #expect(judgement.signals.isEmpty)
        #expect(judgement.reason == "score 0 is below the hold threshold 5")
        #expect(judgement.rulesetVersion == pipeline.ruleSet.version)
    }

    @Test func spamIsRejectedWithSpansOnTheOriginalText() throws {
        let body = "Héllo! Check out my channel and earn $500 a day with our online casino http://x.example.com http://y.example.com"
        let judgement = pipeline.judge(Fixtures.comment(body: body), scratch: scratch)
        #expect(judgement.verdict == .rejected)
        let promotion = try #require(judgement.signals.first { $0.name == "spam.self_promotion" })
        let span = try #require(promotion.span)
        #expect(span.field == .body)
        let bytes = Array(body.utf8)
        #expect(String(decoding: bytes[span.utf8Start..<span.utf8End], as: UTF8.self) == "Check out my channel")
        #expect(span.text == "Check out my channel")
        #expect(promotion.explanation.contains("matched “Check out my channel” in body"))
        #expect(judgement.signals.contains { $0.name == "links.count" && $0.score == 2.5 })
    }

    @Test func scoresBetweenThresholdsHold() {
        let judgement = pipeline.judge(Fixtures.comment(body: "Please subscribe to my channel, like and subscribe!"), scratch: scratch)
        #expect(judgement.verdict == .held)
        #expect(judgement.score == 7)
        #expect(judgement.reason == "score 7 reached the hold threshold 5")
    }

    @Test func shoutingIsNoticedButShortCapsAreNot() {
        let shouting = pipeline.judge(Fixtures.comment(body: "THIS COUNCIL IS A DISGRACE AND EVERYONE KNOWS IT"), scratch: scratch)
        #expect(shouting.signals.map(\.name) == ["shape.shouting"])
        #expect(shouting.verdict == .approved)
        let short = pipeline.judge(Fixtures.comment(body: "Well done BBC NEWS"), scratch: scratch)
        #expect(short.signals.isEmpty)
    }

    @Test func oneLinkIsFreeAndMoreScore() {
        let one = pipeline.judge(Fixtures.comment(body: "Source: https://www.gov.uk/report"), scratch: scratch)
        #expect(one.signals.isEmpty)
        let four = pipeline.judge(Fixtures.comment(body: "a.example.com b.example.net www.c.org http://d.info/x"), scratch: scratch)
        #expect(four.signals.first { $0.name == "links.count" }?.score == 7.5)
    }

    @Test func ruleThatHitsTheLimitHoldsTheComment() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.runaway
                description: runaway
                pattern: '(a+)+$'
                flags: [raw]
                score: 1
            """)])
        let tight = MatchScratch(limits: MatchLimits(matchLimit: 10_000))
        let judgement = Pipeline(ruleSet: result.ruleSet).judge(Fixtures.comment(body: String(repeating: "a", count: 100_000) + "!"), scratch: tight)
        #expect(judgement.verdict == .held)
        let signal = try #require(judgement.signals.first)
        #expect(signal.name == "t.runaway")
        #expect(signal.action == .hold)
        #expect(signal.explanation.contains("hit the PCRE2 limit"))
    }

    @Test func preModeratingWhileLearningHoldsButNeverRejects() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.strong
                description: strong evidence, short of rejection
                pattern: 'harbour'
                score: 6
            """)])
        var configuration = ClassifierConfiguration()
        configuration.holdsWhileLearning = true
        let model = ModelJudge(model: ModerationModel(features: FeatureSettings(), outputs: [], name: "empty"),
                               siteLayer: SiteLayer(configuration: configuration))
        let pipeline = Pipeline(ruleSet: result.ruleSet, model: model)
        let strong = pipeline.judge(Fixtures.comment(body: "The harbour plans"), scratch: scratch)
        #expect(strong.verdict == .held, "6 from the rules and the learning hold must not add up to a rejection: \(strong.reason)")
        #expect(strong.signals.first { $0.name == "classifier.learning" }?.score == 0)
        let plain = pipeline.judge(Fixtures.comment(body: "Lovely weather"), scratch: scratch)
        #expect(plain.verdict == .held)
        #expect(plain.signals.first { $0.name == "classifier.learning" }?.score == 5)
    }

    @Test func shadowRulesAreRecordedButNotCounted() {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.shadow
                description: trial rule
                pattern: 'harbour'
                action: reject
                mode: shadow
            """)])
        let judgement = Pipeline(ruleSet: result.ruleSet).judge(Fixtures.comment(body: "The harbour plans"), scratch: scratch)
        #expect(judgement.verdict == .approved)
        #expect(judgement.signals.first?.isShadow == true)
    }

    @Test func rulesCanMatchOtherFields() {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.author
                description: author
                pattern: 'casino'
                fields: [author, email]
                action: hold
            """)])
        var comment = Fixtures.comment(author: "Reader")
        comment.email = "win@casino.example"
        let judgement = Pipeline(ruleSet: result.ruleSet).judge(comment, scratch: scratch)
        #expect(judgement.verdict == .held)
        #expect(judgement.signals.first?.span?.field == .email)
    }
}

@Suite struct PolicyTests {
    func signal(_ score: Double, _ action: RuleAction? = nil, shadow: Bool = false) -> Signal {
        Signal(source: .rule, name: "r\(score)\(action?.rawValue ?? "")", score: score, action: action, explanation: "x", isShadow: shadow)
    }

    @Test func thresholds() {
        let policy = Policy()
        #expect(policy.decide([]).verdict == .approved)
        #expect(policy.decide([signal(4.9)]).verdict == .approved)
        #expect(policy.decide([signal(5)]).verdict == .held)
        #expect(policy.decide([signal(6), signal(4)]).verdict == .rejected)
    }

    @Test func forcedActionsWinInOrderRejectHoldApprove() {
        let policy = Policy()
        #expect(policy.decide([signal(0, .approve), signal(0, .hold)]).verdict == .held)
        #expect(policy.decide([signal(0, .hold), signal(0, .reject)]).verdict == .rejected)
        #expect(policy.decide([signal(20), signal(0, .approve)]).verdict == .approved)
        #expect(policy.decide([signal(0, .reject, shadow: true)]).verdict == .approved)
    }
}

@Suite struct LinkExtractorTests {
    @Test func findsURLsWwwAndBareDomains() {
        let links = LinkExtractor.links(in: "See https://Example.com/a?b=1, www.news.co.uk and bit.ly/x3. Also e.g. 3.5 stars.")
        #expect(links.map(\.url) == ["https://Example.com/a?b=1", "www.news.co.uk", "bit.ly/x3"])
        #expect(links.map(\.host) == ["example.com", "news.co.uk", "bit.ly"])
    }

    @Test(arguments: [
        ("HTTP://localhost:8080/x", ["localhost"]),
        ("visit WWW.ÉXAMPLE-NEWS", ["ÉXAMPLE-NEWS"]),
        ("cheap pills at pharma.shop today", ["pharma.shop"]),
        ("buy at cheap.ſhop now", ["cheap.shop"]),
        ("Great song. Loved it...and again.", []),
        ("3.5 stars, 10/10", []),
        ("www. nothing", []),
    ])
    func quickCheckNeverHidesALink(_ text: String, _ hosts: [String]) {
        // The byte check before the regex must let every text with a link through.
        let found = LinkExtractor.links(in: text)
        #expect(found.map(\.host) == hosts.map { $0.lowercased() }, "\(text)")
        if !hosts.isEmpty { #expect(LinkExtractor.mayContainLink(text)) }
    }

    @Test func findsHrefsInHTML() {
        let links = LinkExtractor.links(in: #"<a href="http://spam.example.net/p">click</a>"#)
        #expect(links.map(\.host) == ["spam.example.net"])
    }
}

/// Link hosts as a browser reads them, so a link cannot show the lists one site and take readers to another.
@Suite struct LinkHostTests {
    @Test(arguments: [
        ("http://malware.example\\@council.example/minutes", "malware.example"),
        ("http://council.example@malware.example/", "malware.example"),
        ("https://user:pass@malware.example:8443/x", "malware.example"),
        ("http:\\\\malware.example\\path", "malware.example"),
        ("HTTP:///malware.example", "malware.example"),
        ("http://malw%61re.example/", "malware.example"),
        ("http://ＭＡＬＷＡＲＥ.example/", "malware.example"),
        ("http://malware。example/", "malware.example"),
        ("http://mal\u{AD}ware.example/", "malware.example"),
        ("http://malware.example./", "malware.example"),
        ("www.malware.example", "malware.example"),
        ("malware.example/path?x#y", "malware.example"),
        ("http://xn--exmple-cua.example/", "exämple.example"),
        ("http://EXÄMPLE.example/", "exämple.example"),
        ("cheap.ſhop/deal", "cheap.shop"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0177.0.0.1/", "127.0.0.1"),
        ("http://[::1]:80/", "[::1]"),
    ])
    func hostIsWhereABrowserGoes(_ link: String, _ host: String) {
        #expect(LinkHost.of(link) == host, "\(link)")
    }

    @Test func listValuesUseTheSameForm() {
        #expect(LinkHost.canonical(domain: "EXAMPLE.com.") == "example.com")
        #expect(LinkHost.canonical(domain: "xn--exmple-cua.com") == "exämple.com")
        #expect(LinkHost.canonical(domain: "https://www.Example.com/page") == "example.com")
    }

    @Test func domainsCoverParentsButNotTopLevelDomainsAndStayBounded() {
        #expect(LinkHost.domains(covering: "mail.spam.example") == ["mail.spam.example", "spam.example"])
        #expect(LinkHost.domains(covering: "example") == ["example"])
        let huge = String(repeating: "q.", count: 30_000) + "com"
        let covering = LinkHost.domains(covering: huge)
        #expect(covering.allSatisfy { $0.utf8.count <= 253 })
        #expect(covering.contains("q.com"))
    }

    @Test func punycodeDecodesRFC3492Samples() {
        #expect(Punycode.decode("exmple-cua") == "exämple")
        #expect(Punycode.decode("bcher-kva") == "bücher")
        #expect(Punycode.decode("ihqwcrb4cv8a8dqg056pqjye") == "他们为什么不说中文")
        #expect(Punycode.decode("99999999999999999999") == nil)
    }
}

/// How the model's probabilities read to a moderator.
@Suite struct ProbabilityWordingTests {
    @Test func aProbabilityIsNeverRoundedUpToAPolicysProbability() {
        #expect(ModelJudge.percent(0.72) == "72%")
        #expect(ModelJudge.percent(0.995) == "99.5%")
        #expect(ModelJudge.percent(0.99989) == "99.98%", "below a 99.99% reject probability it must not read as 99.99%")
        #expect(ModelJudge.percent(0.999_999_9) == "99.99%", "never 100%")
        #expect(ModelJudge.threshold(0.9999) == "99.99%")
        #expect(ModelJudge.threshold(0.999_999) == "99.9999%")
        #expect(ModelJudge.threshold(0.65) == "65%")
        #expect(ModelJudge.threshold(0.999_999_9) == "99.99999%", "never 100%")
    }
}
