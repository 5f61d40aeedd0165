import Foundation
import Moderation
import ModeratoTestSupport
import PCRE2
import Testing

@Suite struct NormalizerTests {
    let normalizer = TextNormalizer()

    /// Normalizes, finds `word` in the result, and returns the original text it maps back to.
    func original(of word: String, in text: String) throws -> String {
        let normalized = normalizer.normalize(text)
        let range = try #require(normalized.text.range(of: word), "“\(word)” not in “\(normalized.text)”")
        let start = normalized.text.utf8.distance(from: normalized.text.startIndex, to: range.lowerBound)
        let length = normalized.text.utf8.distance(from: range.lowerBound, to: range.upperBound)
        let mapped = normalized.originalRange(of: start..<(start + length))
        return String(decoding: Array(text.utf8)[mapped], as: UTF8.self)
    }

    static let evasions: [(name: String, text: String, word: String, span: String)] = [
        ("fullwidth", "Ｂｅｓｔ ｃａｓｉｎｏ here", "casino", "ｃａｓｉｎｏ"),
        ("mathematical", "try 𝐜𝐚𝐬𝐢𝐧𝐨 now", "casino", "𝐜𝐚𝐬𝐢𝐧𝐨"),
        ("circled", "ⓒⓐⓢⓘⓝⓞ", "casino", "ⓒⓐⓢⓘⓝⓞ"),
        ("cyrillic look-alikes", "best \u{0441}\u{0430}\u{0455}\u{0456}n\u{043E} bonus", "casino", "\u{0441}\u{0430}\u{0455}\u{0456}n\u{043E}"),
        ("greek look-alikes", "\u{03BF}nline casino", "online", "\u{03BF}nline"),
        ("zero-width joiners", "ca\u{200B}si\u{200D}no", "casino", "ca\u{200B}si\u{200D}no"),
        ("bidi controls", "ca\u{202E}sino", "casino", "ca\u{202E}sino"),
        ("soft hyphen", "cas\u{00AD}ino", "casino", "cas\u{00AD}ino"),
        ("accents", "cásínò", "casino", "cásínò"),
        ("combining marks", "c\u{0301}a\u{0308}sino", "casino", "c\u{0301}a\u{0308}sino"),
        ("leetspeak digits", "c4s1n0 tonight", "casino", "c4s1n0"),
        ("leetspeak symbols", "$h!t happens", "shit", "$h!t"),
        ("at sign", "@sshole", "asshole", "@sshole"),
        ("dots", "visit c.a.s.i.n.o today", "casino", "c.a.s.i.n.o"),
        ("spaces", "visit c a s i n o today", "casino", "c a s i n o"),
        ("hyphens", "c-a-s-i-n-o", "casino", "c-a-s-i-n-o"),
        ("repeated letters", "caaaasiiiino", "casino", "caaaasiiiino"),
        ("html entities", "won&#39;t stop", "won't", "won&#39;t"),
        ("upper case", "CASINO", "casino", "CASINO"),
        ("mixed tricks", "Ｃ4$\u{200B}1ｎ0", "casino", "Ｃ4$\u{200B}1ｎ0"),
    ]

    @Test(arguments: evasions.indices)
    func undoesEvasionAndMapsSpansBack(_ index: Int) throws {
        let evasion = Self.evasions[index]
        #expect(try original(of: evasion.word, in: evasion.text) == evasion.span, "\(evasion.name)")
    }

    @Test func leavesOrdinaryTextAlone() {
        for text in ["the 2026 budget", "£500 a week", "a 4k television", "rated 3 stars", "free speech", "Scunthorpe United",
                     "e.g. the council", "i.e. no", "U.K. news", "a b"] {
            #expect(normalizer.normalize(text).text == text.lowercased(), "\(text)")
        }
    }

    @Test func keepsDoubleLettersAndCollapsesLongRuns() {
        #expect(normalizer.normalize("free coffee, sooooo good").text == "free coffee, so good")
    }

    @Test func emptyAndEmoji() {
        #expect(normalizer.normalize("").text == "")
        #expect(normalizer.normalize("great 👍🏽").text == "great 👍🏽")
    }

    @Test func everyByteMapsIntoTheOriginal() {
        let text = "Ｃ4$\u{200B}1ｎ0 — s p a m!! &amp; 𝐟𝐫𝐞𝐞"
        let normalized = normalizer.normalize(text)
        let count = normalized.text.utf8.count
        for start in 0..<count {
            let range = normalized.originalRange(of: start..<(start + 1))
            #expect(range.lowerBound >= 0 && range.upperBound <= text.utf8.count && range.lowerBound < range.upperBound)
        }
    }
}

@Suite struct ScunthorpeTests {
    let pipeline: Pipeline

    init() throws {
        pipeline = Pipeline(ruleSet: try Fixtures.shippedRuleSet())
    }

    @Test(arguments: [
        "I grew up in Scunthorpe and Penistone.",
        "The assessment of the classic cars was passed to the assistant.",
        "Cocktails at the Shitterton village fete, then Sussex.",
        "The analyst said the grass was greener in Middlesex.",
        "He was a therapist at the hospital, then a mechanic in Essex.",
        "Hancock's class assignment on Dickens was a hit.",
    ])
    func innocentWordsPass(_ text: String) {
        let judgement = pipeline.judge(Fixtures.comment(body: text), scratch: MatchScratch())
        #expect(judgement.signals.isEmpty, "\(judgement.signals.map(\.name))")
        #expect(judgement.verdict == .approved)
    }
}
