import Foundation
import ModeratoReports
import Testing

/// The text digest is read in cron mail: at most 80 columns, no colour, nothing from the data that a
/// terminal would act on.
@Suite struct TextDigestRendererTests {
    @Test(arguments: ["sample", "hostile", "empty"])
    func everyLineFitsIn80Columns(name: String) throws {
        let digest = [("sample", DigestFixtures.sample), ("hostile", DigestFixtures.hostile), ("empty", DigestFixtures.empty)]
            .first { $0.0 == name }!.1
        let text = try DigestRenderer.render(digest, as: .text)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            #expect(columns(line) <= 80, "line \(number + 1) is \(columns(line)) columns: \(line)")
            #expect(line.last != " ", "line \(number + 1) ends with a space")
        }
    }

    @Test func hasNoColourNorControlCharacters() throws {
        let text = try DigestRenderer.render(DigestFixtures.hostile, as: .text)
        let controls = text.unicodeScalars.filter { $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
        #expect(controls.isEmpty)
        #expect(!text.unicodeScalars.contains("\u{202E}"))
        #expect(text.contains("␛[1;31mBOLD RED␛[0m"))
        #expect(text.contains("evil[U+202E]gnp.exe"))
    }

    @Test func summaryIsOneParagraph() throws {
        var digest = DigestFixtures.empty
        digest.received = 1_234
        digest.byVerdict = [.init(verdict: "approved", count: 1_050), .init(verdict: "held", count: 120),
                            .init(verdict: "rejected", count: 64)]
        let text = try DigestRenderer.render(digest, as: .text)
        #expect(text.contains("""
            Summary
            -------
            1,234 comments received between 28 Nov 07:00 and 29 Nov 07:00 UTC: 1,050
            approved (85%), 120 held, 64 rejected. Nothing is waiting for a moderator.

            """))
    }

    @Test func longPeriodsAreSummedByDay() throws {
        let text = try DigestRenderer.render(DigestFixtures.hostile, as: .text)
        #expect(text.contains("  Day (UTC)     Received       Held     Rejected\n  Sun 22 Nov  18,076,984"))
        #expect(text.contains("between 22 Nov 07:00 and 29 Nov 07:00 UTC"))
    }

    @Test func sectionsHaveHeadings() throws {
        let text = try DigestRenderer.render(DigestFixtures.sample, as: .text)
        for heading in ["Summary", "Volume", "Busiest articles", "Ratings", "Backlog", "Rules", "Offenders", "Pipeline health"] {
            #expect(text.contains("\n\(heading)\n\(String(repeating: "-", count: heading.count))\n"))
        }
    }

    /// Columns as a terminal shows them: two for East Asian wide characters and emoji.
    private func columns(_ line: Substring) -> Int {
        line.reduce(0) { total, character in
            let value = character.unicodeScalars.first!.value
            let isWide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
                || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
                || (0xFF00...0xFF60).contains(value) || (0x1F300...0x1FAFF).contains(value)
                || (0x20000...0x3FFFD).contains(value)
            return total + (isWide ? 2 : 1)
        }
    }
}
