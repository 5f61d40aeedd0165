import Foundation
@testable import ModeratoReports
import Testing

/// The hand-made number, duration and width formatting that keeps digests independent of the locale.
@Suite struct TextLayoutTests {
    @Test(arguments: [(0, "0"), (7, "7"), (999, "999"), (1_000, "1,000"), (1_234_567, "1,234,567"), (-12_345, "-12,345")])
    func countsHaveThousandsSeparators(value: Int, expected: String) {
        #expect(DigestFormatting.count(value) == expected)
    }

    @Test func decimalsRoundHalfAwayFromZero() {
        #expect(DigestFormatting.decimal(3.65) == "3.7")
        #expect(DigestFormatting.decimal(1_051.44) == "1,051.4")
        #expect(DigestFormatting.decimal(0.04) == "0.0")
        #expect(DigestFormatting.decimal(-2.25) == "-2.3")
        #expect(DigestFormatting.decimal(.nan) == "n/a")
    }

    @Test func percentagesNeverHideAMinority() {
        #expect(DigestFormatting.percent(1, of: 1_178) == "<1%")
        #expect(DigestFormatting.percent(1_177, of: 1_178) == ">99%")
        #expect(DigestFormatting.percent(0, of: 0) == "0%")
        #expect(DigestFormatting.percent(5, of: 5) == "100%")
        #expect(DigestFormatting.percent(1_050, of: 1_234) == "85%")
    }

    @Test func durationsUseTheTwoLargestUnits() {
        #expect(DigestFormatting.duration(42) == "42s")
        #expect(DigestFormatting.duration(125) == "2m 5s")
        #expect(DigestFormatting.duration(38 * 60) == "38m")
        #expect(DigestFormatting.duration(3 * 3_600 + 20 * 60) == "3h 20m")
        #expect(DigestFormatting.duration(30 * 3_600 + 20 * 60) == "1d 6h")
        #expect(DigestFormatting.latency(0.18) == "180 ms")
        #expect(DigestFormatting.latency(1.24) == "1.2 s")
    }

    @Test func datesAreUTCWhateverTheMachine() {
        let dates = DigestDates()
        #expect(dates.dayTime(DigestFixtures.start) == "28 Nov 07:00")
        #expect(dates.dayTime(DigestFixtures.start, withYear: true) == "28 Nov 2026 07:00")
        #expect(dates.weekday(DigestFixtures.start) == "Sat 28 Nov")
        #expect(dates.isoDay(DigestFixtures.end) == "2026-11-29")
    }

    @Test func wideCharactersTakeTwoColumns() {
        #expect(TextLayout.width("abc") == 3)
        #expect(TextLayout.width("新闻") == 4)
        #expect(TextLayout.width("é") == 1)
        #expect(TextLayout.width("e\u{301}") == 1)
        #expect(TextLayout.truncate("新闻评论审核", to: 7) == "新闻...")
    }

    @Test func sanitizingRemovesControlCharacters() {
        #expect(TextLayout.sanitize("a\nb\tc") == "a b c")
        #expect(TextLayout.sanitize("\u{1B}[31mred") == "␛[31mred")
        #expect(TextLayout.sanitize("evil\u{202E}gnp.exe") == "evil[U+202E]gnp.exe")
    }

    @Test func wrappingCutsWordsLongerThanALine() {
        let lines = TextLayout.wrap(String(repeating: "x", count: 25) + " end", width: 10, firstIndent: "> ", indent: "  ")
        #expect(lines == ["> xxxxxxxx", "  xxxxxxxx", "  xxxxxxxx", "  x end"])
    }

    @Test func rulesAreNoisiestFirst() {
        var digest = DigestFixtures.empty
        digest.ruleStats = [
            .init(ruleID: "unreviewed", kind: .rule, hits: 500, overturned: 0, reviewed: 0),
            .init(ruleID: "fine", kind: .rule, hits: 10, overturned: 0, reviewed: 10),
            .init(ruleID: "half.few", kind: .rule, hits: 10, overturned: 1, reviewed: 2),
            .init(ruleID: "half.many", kind: .heuristic, hits: 10, overturned: 5, reviewed: 10),
            .init(ruleID: "poor", kind: .classifier, hits: 10, overturned: 9, reviewed: 10),
        ]
        #expect(DigestFacts(digest).rules.map(\.ruleID) == ["poor", "half.many", "half.few", "fine", "unreviewed"])
        #expect(digest.ruleStats[2].estimatedPrecision == 0.5)
        #expect(digest.ruleStats[0].estimatedPrecision == nil)
    }
}
