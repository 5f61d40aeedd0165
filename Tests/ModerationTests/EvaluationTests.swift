import Foundation
import Moderation
import ModeratoTestSupport
import ModeratoTools
import Testing

/// `modctl eval`'s engine on a tiny labelled set with a known confusion matrix.
@Suite struct EvaluationTests {
    let ruleSet: RuleSet

    init() throws {
        let result = RuleLoader().load(sources: [("t.yml", """
            rules:
              - id: t.spam
                description: Tells readers to buy now
                pattern: '\\bbuy\\s+now\\b'
                action: reject
              - id: t.maybe
                description: Hedges
                pattern: '\\bmaybe\\b'
                score: 5
            """)])
        #expect(result.errors.isEmpty, "\(result.errors)")
        ruleSet = result.ruleSet
    }

    /// 3 unwanted with "buy now" (rejected), 1 unwanted with "maybe" (held), 1 unwanted clean
    /// (approved), 4 wanted clean (approved), 1 wanted with "maybe" (held).
    static let rows: [Evaluation.Row] = [
        Evaluation.Row(text: "Buy now and save on every order you place", author: nil, isUnwanted: true, source: "fixture"),
        Evaluation.Row(text: "The harbour wall has finally been repaired", author: nil, isUnwanted: false, source: "fixture"),
        Evaluation.Row(text: "Great deals on watches, buy now before they are gone", author: nil, isUnwanted: true, source: "fixture"),
        Evaluation.Row(text: "Maybe you should have a look at my profile", author: nil, isUnwanted: true, source: "fixture"),
        Evaluation.Row(text: "Good to see the lifeboat crew recognised at last", author: nil, isUnwanted: false, source: "fixture"),
        Evaluation.Row(text: "I totally agree with everything written in this article", author: nil, isUnwanted: true, source: "fixture"),
        Evaluation.Row(text: "The bus timetable changes start next Monday", author: nil, isUnwanted: false, source: "fixture"),
        Evaluation.Row(text: "Maybe the council will fix the road this year", author: nil, isUnwanted: false, source: "fixture"),
        Evaluation.Row(text: "Limited offer for readers: buy now at our shop", author: nil, isUnwanted: true, source: "fixture"),
        Evaluation.Row(text: "Lovely photos of the regatta on Saturday afternoon", author: "Ann", isUnwanted: false, source: "fixture"),
    ]

    func expectKnownMatrix(_ report: Evaluation.Report) throws {
        #expect(report.rows == 10)
        #expect(report.skipped == 0)
        let unwanted = try #require(report.confusion["unwanted"])
        let wanted = try #require(report.confusion["wanted"])
        #expect(unwanted.rejected == 3)
        #expect(unwanted.held == 1)
        #expect(unwanted.approved == 1)
        #expect(unwanted.total == 5)
        #expect(wanted.approved == 4)
        #expect(wanted.held == 1)
        #expect(wanted.rejected == 0)
        #expect(wanted.total == 5)
        // Positive = kept off the site: 4 true positives, 1 false positive, 1 false negative.
        #expect(abs(report.precision - 0.8) < 1e-12)
        #expect(abs(report.recall - 0.8) < 1e-12)
        #expect(abs(report.f1 - 0.8) < 1e-12)
        #expect(report.wantedRejectedRate == 0)
        #expect(abs(report.unwantedApprovedRate - 0.2) < 1e-12)
        #expect(abs(report.holdRate - 0.2) < 1e-12)
    }

    @Test func offlineRunGivesTheKnownConfusionMatrix() async throws {
        let evaluation = Evaluation(ruleSet: ruleSet)
        let report = try await evaluation.run(Self.rows)
        try expectKnownMatrix(report)
        #expect(report.feedback == 0)
        #expect(report.mistakes.isEmpty)  // none kept by default
    }

    @Test func onlineRunFeedsBackExactlyTheHeldComments() async throws {
        var evaluation = Evaluation(ruleSet: ruleSet)
        evaluation.isOnline = true
        evaluation.mistakesKept = 5
        let report = try await evaluation.run(Self.rows)
        try expectKnownMatrix(report)
        #expect(report.feedback == 2)
        // The mistakes: the unwanted comment approved and the wanted one held.
        #expect(report.mistakes.count == 2)
        let approved = try #require(report.mistakes.first { $0.unwanted })
        #expect(approved.verdict == "approved")
        #expect(approved.text == "I totally agree with everything written in this article")
        let held = try #require(report.mistakes.first { !$0.unwanted })
        #expect(held.verdict == "held")
        #expect(held.signals.contains("t.maybe 5"))
    }

    @Test func emptyInputGivesZeroes() async throws {
        let report = try await Evaluation(ruleSet: ruleSet).run([])
        #expect(report.rows == 0)
        #expect(report.precision == 0)
        #expect(report.recall == 0)
        #expect(report.f1 == 0)
        #expect(report.holdRate == 0)
        #expect(report.feedback == 0)
    }
}
