import Foundation
import ModeratoReports
import Testing

/// A day without comments is a short, friendly report in every format, never an error.
@Suite struct EmptyDigestTests {
    static let sentence = "Nothing happened between 28 Nov 07:00 and 29 Nov 07:00 UTC: "
        + "no comments were received and nothing is waiting."

    @Test func emptyMeansNoCommentsAndNothingWaiting() {
        var digest = DigestFixtures.empty
        #expect(digest.isEmpty)
        digest.heldNow = 1
        #expect(!digest.isEmpty)
        #expect(!DigestFixtures.sample.isEmpty)
    }

    @Test(arguments: DigestFormat.allCases)
    func saysNothingHappened(format: DigestFormat) throws {
        let output = try DigestRenderer.render(DigestFixtures.empty, as: format)
        // Text wraps at 80 columns; the other formats keep the sentence on one line.
        let flattened = output.replacingOccurrences(of: "\n", with: " ")
        #expect(flattened.contains(Self.sentence))
        #expect(output.hasSuffix("\n"))
    }

    @Test func textIsShort() throws {
        let text = try DigestRenderer.render(DigestFixtures.empty, as: .text)
        #expect(text == """
            Moderation digest: The Harbour Gazette
            28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

            Nothing happened between 28 Nov 07:00 and 29 Nov 07:00 UTC: no comments were
            received and nothing is waiting.

            Generated 29 Nov 2026 07:02 UTC by Moderato.

            """)
    }

    @Test func markdownIsShort() throws {
        let markdown = try DigestRenderer.render(DigestFixtures.empty, as: .markdown)
        #expect(markdown == """
            # Moderation digest: The Harbour Gazette

            28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC

            \(Self.sentence)

            _Generated 29 Nov 2026 07:02 UTC by Moderato._

            """)
    }

    @Test func htmlHasOnlyTheSummary() throws {
        let html = try DigestRenderer.render(DigestFixtures.empty, as: .html)
        #expect(html.contains("<section id=\"summary\">\n<p>\(Self.sentence)</p>\n</section>"))
        #expect(!html.contains("<svg"))
        #expect(!html.contains("id=\"volume\""))
    }

    @Test func jsonIsValidWithZeros() throws {
        let json = try DigestRenderer.render(DigestFixtures.empty, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["received"] as? Int == 0)
        #expect(object["held_now"] as? Int == 0)
        #expect(object["is_empty"] as? Bool == true)
        #expect(object["summary"] as? String == Self.sentence)
        #expect(object["rating_distribution"] as? [Int] == [0, 0, 0, 0, 0])
        #expect(object["hourly"] as? [Any] != nil)
        #expect(object["average_rating"] is NSNull)
        #expect(object["start"] as? String == "2026-11-28T07:00:00Z")
    }
}
