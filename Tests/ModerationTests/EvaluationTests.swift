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

    @Test func thresholdSweepStartsFromTheThresholdsInUse() async throws {
        var evaluation = Evaluation(ruleSet: ruleSet)
        evaluation.thresholdLimits = ThresholdSweep.Limits(wantedRejected: 0, unwantedApproved: 0.2)
        let report = try await evaluation.run(Self.rows)
        try expectKnownMatrix(report)
        let sweep = try #require(report.thresholds)
        // The pair in use re-decides every comment exactly as the pipeline did.
        #expect(sweep.current.hold == 5 && sweep.current.reject == 10)
        #expect(abs(sweep.current.f1 - report.f1) < 1e-12)
        #expect(sweep.current.holdRate == report.holdRate)
        #expect(sweep.current.unwantedApprovedRate == report.unwantedApprovedRate)
        // "buy now" rejects by its action whatever the thresholds; nothing wanted is forced out.
        #expect(sweep.forcedWantedRejectedRate == 0)
        // Above the "maybe" score, both hedging comments are approved: one more unwanted approved, none held.
        let lenient = try #require(sweep.byHold.first { $0.hold == 6 })
        #expect(abs(lenient.unwantedApprovedRate - 0.4) < 1e-12)
        #expect(lenient.holdRate == 0)
        #expect(sweep.byHold.map(\.hold) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        // Within the limits (nothing wanted rejected, at most one unwanted approved), both "maybe" comments
        // must still be held: approving them lets a second unwanted one through, rejecting them rejects a
        // wanted one.
        let fewest = try #require(sweep.fewestHeld)
        #expect(fewest.holdRate == report.holdRate)
        #expect(fewest.wantedRejectedRate == 0)
        #expect(fewest.hold <= 5 && fewest.reject > 5)
        #expect(sweep.points.allSatisfy { $0.hold < $0.reject })
    }

    @Test func thresholdSweepOnHandMadeScores() throws {
        typealias Scored = ThresholdSweep.Scored
        // Wanted: scores 0, 2, 4, 7 and one rejected by a rule action. Unwanted: scores 3, 6, 12, and one
        // approved by a rule action.
        let scored = [
            Scored(isUnwanted: false, forced: nil, score: 0), Scored(isUnwanted: false, forced: nil, score: 2),
            Scored(isUnwanted: false, forced: nil, score: 4), Scored(isUnwanted: false, forced: nil, score: 7),
            Scored(isUnwanted: false, forced: .rejected, score: 0),
            Scored(isUnwanted: true, forced: nil, score: 3), Scored(isUnwanted: true, forced: nil, score: 6),
            Scored(isUnwanted: true, forced: nil, score: 12), Scored(isUnwanted: true, forced: .approved, score: 20),
        ]
        let point = ThresholdSweep.point(scored, hold: 5, reject: 10)
        // Wanted: 0, 2, 4 approved; 7 held; one rejected. Unwanted: 3 approved, 6 held, 12 rejected, one approved.
        #expect(abs(point.wantedRejectedRate - 0.2) < 1e-12)
        #expect(abs(point.unwantedApprovedRate - 0.5) < 1e-12)
        #expect(abs(point.holdRate - 2.0 / 9) < 1e-12)
        let sweep = ThresholdSweep(scored, current: PolicyConfiguration(), limits: .init(wantedRejected: 0.2, unwantedApproved: 0.25))
        #expect(abs(sweep.forcedWantedRejectedRate - 0.2) < 1e-12)
        #expect(abs(sweep.forcedUnwantedApprovedRate - 0.25) < 1e-12)
        // Only a hold threshold at or below 3 keeps the unwanted 3 off the site, and the reject threshold
        // must stay above 7 so that no more wanted comments are rejected.
        let fewest = try #require(sweep.fewestHeld)
        #expect(fewest.hold <= 3 && fewest.hold > 2)
        #expect(fewest.reject > 7 && fewest.reject <= 12)
        #expect(abs(fewest.holdRate - 4.0 / 9) < 1e-12)  // wanted 4 and 7, unwanted 3 and 6
        // Pairs (unwanted above wanted) out of 4 × 5 = 20: the forced approve beats none; 3 beats 0 and 2;
        // 6 beats 0, 2, 4; 12 beats all four scored; ties none. The forced reject (wanted) ranks above all.
        #expect(abs(sweep.separation - Double(0 + 2 + 3 + 4) / 20) < 1e-12)
        #expect(ThresholdSweep.separation([Scored(isUnwanted: true, forced: nil, score: 1), Scored(isUnwanted: false, forced: nil, score: 1)]) == 0.5)
        #expect(ThresholdSweep.separation([Scored(isUnwanted: true, forced: nil, score: 1)]) == 0.5)
        // With no room for the rule-approved comment, no pair is within the limits.
        let strict = ThresholdSweep(scored, current: PolicyConfiguration(), limits: .init(wantedRejected: 0.2, unwantedApproved: 0.2))
        #expect(strict.fewestHeld == nil && strict.bestF1 == nil)
        let nearest = try #require(strict.fewestUnwantedApproved)
        #expect(abs(nearest.unwantedApprovedRate - 0.25) < 1e-12)
    }

}
