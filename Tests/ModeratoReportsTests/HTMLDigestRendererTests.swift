import Foundation
@testable import ModeratoReports
import Testing

@Suite struct HTMLDigestRendererTests {
    let html: String

    init() throws {
        html = try DigestRenderer.render(DigestFixtures.sample, as: .html)
    }

    @Test func isOneHTML5Document() {
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(occurrences(of: "<style>", in: html) == 1)
    }

    @Test(arguments: ["summary", "volume", "backlog", "rules", "offenders", "health"])
    func hasSection(id: String) {
        #expect(occurrences(of: "<section id=\"\(id)\">", in: html) == 1)
    }

    @Test func hasThreeAccessibleInlineCharts() {
        #expect(occurrences(of: "<svg", in: html) == 3)
        #expect(occurrences(of: "<svg role=\"img\" aria-label=\"", in: html) == 3)
        #expect(occurrences(of: "\">\n<title>", in: html) >= 3)
        for title in ["Comments per hour (UTC)", "Verdict mix", "Held comments by age"] {
            #expect(html.contains("<title>\(title)</title>"))
        }
        // The volume chart stacks approved, held and rejected for each of the 24 hours.
        #expect(occurrences(of: "<g><title>", in: html) == 24)
    }

    @Test func aDayAcrossMidnightNamesTheDay() throws {
        // 07:00 on the 28th to 07:00 on the 29th: midnight is labelled with its date, the other ticks
        // every third hour of the clock, and tooltips carry the date.
        let ticks = html.matches(of: #/font-size="11" fill="[^"]*">([^<]*)</text>/#).map { String($0.output.1) }
        #expect(ticks.contains("29 Nov"))
        #expect(ticks.contains("09:00") && ticks.contains("21:00") && ticks.contains("03:00"))
        #expect(!ticks.contains("00:00") && !ticks.contains("08:00"))
        #expect(html.contains("<g><title>28 Nov 07:00 UTC: "))
        #expect(html.contains("<g><title>29 Nov 06:00 UTC: "))
        #expect(html.contains(", busiest 28 Nov "))

        // A day from 07:20 to 07:20 has 25 hourly buckets and keeps the same ticks.
        var offHour = DigestFixtures.sample
        offHour.hourly.append(.init(hour: DigestFixtures.hour(24), received: 1, approved: 1, held: 0, rejected: 0))
        let offHourHTML = try DigestRenderer.render(offHour, as: .html)
        let offHourTicks = offHourHTML.matches(of: #/font-size="11" fill="[^"]*">([^<]*)</text>/#).map { String($0.output.1) }
        #expect(offHourTicks.contains("29 Nov") && offHourTicks.contains("09:00") && offHourTicks.contains("06:00"))
        #expect(occurrences(of: "<g><title>", in: offHourHTML) == 25)
    }

    @Test func loadsNothingFromElsewhere() throws {
        for forbidden in ["http://", "https://", "src=", "href=", "<link", "<script", "@import", "url(", "<img", "<iframe"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        let hostile = try DigestRenderer.render(DigestFixtures.hostile, as: .html)
        for forbidden in ["<script", "<img", "<b>", "\u{1B}", "\u{202E}"] {
            #expect(!hostile.contains(forbidden), "found \(forbidden.debugDescription)")
        }
    }

    @Test func escapesTextFromTheData() throws {
        let hostile = try DigestRenderer.render(DigestFixtures.hostile, as: .html)
        #expect(hostile.contains("<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"))
        #expect(hostile.contains("<code>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</code>"))
        #expect(hostile.contains("&lt;b&gt;old&lt;/b&gt;"))
        #expect(hostile.contains("aria-label=\"Held comments by age: &lt;1h 9,"))
        #expect(occurrences(of: "<svg", in: hostile) == 3)
    }

    @Test func escapesMarkupJoinedByCombiningMarks() {
        // `"` + U+0301 and U+0600 + `<` are single Swift Characters: escaping must look at code points.
        let text = "x\"\u{301} onmouseover=alert(1) \u{600}<meta http-equiv=refresh>\u{301}"
        let escaped = HTMLDigestRenderer.escape(text)
        #expect(!escaped.contains("\"") && !escaped.contains("<") && !escaped.contains(">"))
        #expect(escaped.contains("&quot;\u{301}") && escaped.contains("\u{600}&lt;meta"))
    }

    @Test func showsTheNumbers() {
        #expect(html.contains("<td><code>council-budget-2027</code></td><td class=\"num\">187</td>"))
        #expect(html.contains("<td><code>links.shortener</code></td><td>rule</td><td class=\"num\">212</td><td>62% (5 of 13 overturned)</td>"))
        #expect(html.contains("aria-label=\"Verdict mix: 91% approved, 3% held, 6% rejected, &lt;1% queued\""))
        #expect(html.contains("<tr><td>Held now</td><td class=\"num\">44</td></tr>"))
    }

    private func occurrences(of needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }
}
