import Foundation
import Moderation

/// Writes a digest as one self-contained HTML5 page for HTML mail: inline CSS, system fonts, tables,
/// and three inline SVG charts (volume per hour, verdict mix, backlog age). Nothing is loaded from
/// elsewhere: no links, scripts, web fonts or images by URL. Every text from the data is escaped.
struct HTMLDigestRenderer {
    let digest: Digest
    let facts: DigestFacts

    init(_ digest: Digest) {
        self.digest = digest
        self.facts = DigestFacts(digest)
    }

    private typealias F = DigestFormatting

    /// Verdict colours, dark enough for white text and distinguishable in greyscale print.
    enum Colour {
        static let approved = "#2e7d32"
        static let held = "#e0a100"
        static let rejected = "#c62828"
        static let queued = "#9e9e9e"
        static let grid = "#dddddd"
        static let label = "#555555"
        static let bar = "#5b6f8c"
    }

    static let style = """
        body { margin: 0; padding: 16px; background: #ffffff; color: #1a1a1a; \
        font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; \
        font-size: 14px; line-height: 1.45; }
        main { max-width: 760px; margin: 0 auto; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #dddddd; }
        h3 { font-size: 14px; margin: 16px 0 4px; }
        p { margin: 8px 0; }
        .period, .muted, footer { color: #555555; }
        table { border-collapse: collapse; margin: 8px 0 16px; }
        th, td { padding: 4px 10px 4px 0; border-bottom: 1px solid #eeeeee; text-align: left; vertical-align: top; }
        th { font-weight: 600; }
        .num { text-align: right; padding-left: 10px; }
        code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
        .alert { margin: 8px 0; padding: 8px 12px; background: #fff6e0; border-left: 4px solid #e0a100; }
        svg { display: block; max-width: 100%; height: auto; margin: 8px 0; }
        footer { margin-top: 32px; font-size: 12px; }
        """

    func render() -> String {
        let body = sections()
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(h(facts.title)), \(h(facts.dates.day(digest.start))) to \(h(facts.dates.day(digest.end)))</title>
            <style>
            \(Self.style)
            </style>
            </head>
            <body>
            <main>
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// The header, sections and footer, one per line.
    func sections() -> String {
        var body: [String] = []
        body.append("<header>\n<h1>\(h(facts.title))</h1>\n<p class=\"period\">\(h(facts.period))</p>\n</header>")
        if digest.isEmpty {
            body.append("<section id=\"summary\">\n<p>\(h(facts.summary))</p>\n</section>")
        } else {
            body += [summary(), volume(), ratings(), backlog(), rules(), offenders(), health()].filter { !$0.isEmpty }
        }
        body.append("<footer>\(h(facts.generated))</footer>")
        return body.joined(separator: "\n")
    }

    // MARK: Sections

    private func summary() -> String {
        section("summary", "Summary", ["<p>\(h(facts.summary))</p>", verdictMixChart()])
    }

    private func volume() -> String {
        var parts = [volumeChart()]
        parts.append(table(["Verdict", "Comments", "Share"], right: [1, 2], facts.verdicts
            .filter { $0.count > 0 || $0.verdict != "queued" }
            .map { [$0.verdict, F.count($0.count), F.percent($0.count, of: digest.received)] }))
        if !digest.byDecider.isEmpty {
            parts.append(table(["Decided by", "Approved", "Held", "Rejected"], right: [1, 2, 3], digest.byDecider.map {
                [$0.decider, F.count($0.approved), F.count($0.held), F.count($0.rejected)]
            }))
        }
        if !digest.busiestArticles.isEmpty {
            parts.append("<h3>Busiest articles</h3>")
            parts.append(table(["Article", "Comments", "Held", "Rejected", "Rating"], right: [1, 2, 3, 4], code: [0],
                facts.articles.map {
                    [$0.articleID, F.count($0.comments), F.count($0.held), F.count($0.rejected),
                     $0.averageRating.map { F.decimal($0) } ?? "–"]
                }))
        }
        return section("volume", "Volume", parts)
    }

    private func ratings() -> String {
        let counts = facts.ratings
        let total = counts.reduce(0, +)
        guard total > 0 || !digest.ratingAlerts.isEmpty else { return "" }
        var parts: [String] = []
        for alert in digest.ratingAlerts {
            parts.append("<p class=\"alert\"><strong><code>\(h(alert.articleID))</code></strong>: "
                + "\(h(facts.alert(alert))) \(h(alert.message))</p>")
        }
        if total > 0 {
            parts.append(table(["Rating", "Comments", "Share"], right: [1, 2], (1...5).reversed().map { stars in
                [String(repeating: "★", count: stars) + String(repeating: "☆", count: 5 - stars),
                 F.count(counts[stars - 1]), F.percent(counts[stars - 1], of: total)]
            }))
            if let average = facts.averageRating {
                parts.append("<p>Average <strong>\(F.decimal(average))</strong> stars from \(F.count(total, "rating")).</p>")
            }
        }
        return section("ratings", "Ratings", parts)
    }

    private func backlog() -> String {
        var rows = [["Held now", F.count(digest.heldNow)]]
        if let oldest = digest.oldestHeldAge { rows.append(["Oldest waiting", F.duration(oldest)]) }
        rows.append(["Over the \(F.hours(digest.slaHours)) SLA", F.count(digest.overSLA)])
        rows.append(["Median time to decision", digest.medianTimeToDecision.map(F.duration) ?? "–"])
        return section("backlog", "Backlog", [table(nil, right: [1], rows), backlogChart()])
    }

    private func rules() -> String {
        guard !digest.ruleStats.isEmpty || !digest.ruleErrors.isEmpty || !digest.autoShadowed.isEmpty
            || !digest.shadowAgreement.isEmpty else {
            return section("rules", "Rules", ["<p class=\"muted\">No rule fired.</p>"])
        }
        var parts: [String] = []
        let rules = facts.rules
        if !rules.isEmpty {
            parts.append("<p>Noisiest first: the lowest share of hits upheld by moderators.</p>")
            parts.append(table(["Rule", "Kind", "Hits", "Precision"], right: [2], code: [0], rules.prefix(DigestFacts.ruleLimit).map {
                [$0.ruleID, facts.kind($0), F.count($0.hits),
                 facts.precision($0).replacingOccurrences(of: "precision ", with: "")]
            }))
            if rules.count > DigestFacts.ruleLimit {
                parts.append("<p class=\"muted\">… and \(F.count(rules.count - DigestFacts.ruleLimit, "more rule")) (see the JSON digest).</p>")
            }
        }
        if !digest.ruleErrors.isEmpty {
            parts.append("<h3>Rule errors</h3>")
            parts.append(table(["Rule", "Errors"], right: [1], code: [0],
                digest.ruleErrors.sorted { ($1.count, $0.ruleID) < ($0.count, $1.ruleID) }.map {
                    [$0.ruleID, F.count($0.count)]
                }))
        }
        if !digest.autoShadowed.isEmpty {
            parts.append("<h3>Switched to shadow mode</h3>")
            parts.append("<ul>\n" + digest.autoShadowed.map {
                "<li><code>\(h($0.ruleID))</code>, \(h(facts.dates.dayTime($0.at))) \(facts.dates.zone($0.at)): \(h($0.reason))</li>"
            }.joined(separator: "\n") + "\n</ul>")
        }
        if !digest.shadowAgreement.isEmpty {
            parts.append("<h3>Shadow rules against moderators</h3>")
            parts.append("<ul>\n" + digest.shadowAgreement.map {
                "<li><code>\(h($0.ruleID))</code>: \(h(facts.agreement($0))).</li>"
            }.joined(separator: "\n") + "\n</ul>")
        }
        return section("rules", "Rules", parts)
    }

    private func offenders() -> String {
        var parts: [String] = []
        for (title, offenders) in [("Author", digest.topAuthors), ("Network", digest.topNetworks), ("Domain", digest.topDomains)]
        where !offenders.isEmpty {
            parts.append(table([title, "Rejected"], right: [1], code: [0], DigestFacts.sorted(offenders).map {
                [$0.value, F.count($0.rejected)]
            }))
        }
        parts.append("<p>Blocks: \(h(facts.blocks)).</p>")
        return section("offenders", "Offenders", parts)
    }

    private func health() -> String {
        section("health", "Pipeline health", [table(nil, right: [], [
            ["Time to verdict", facts.latency],
            ["Throughput", "\(F.decimal(digest.throughputPerHour)) comments/hour"],
            ["Pipeline errors", F.count(digest.pipelineErrors)],
            ["Webhooks", facts.webhooks],
        ])])
    }

    // MARK: Charts

    /// Stacked bars per hour: approved, held and rejected, plus anything still queued.
    private func volumeChart() -> String {
        let buckets = facts.hourly
        let (width, height) = (720.0, 236.0)
        let (left, right, top, plotHeight) = (48.0, 8.0, 12.0, 170.0)
        let plotWidth = width - left - right
        let bottom = top + plotHeight
        let maximum = buckets.map { max($0.received, $0.approved + $0.held + $0.rejected) }.max() ?? 0
        let scaleMax = Double(Self.niceCeiling(maximum))
        // A day that does not start on the hour has 25 buckets; past two days, label days only.
        let everyDay = buckets.count > 48
        // A day that crosses midnight names the day wherever a time alone would be ambiguous.
        let spansDays = Set(buckets.map { facts.dates.day($0.hour) }).count > 1
        func when(_ hour: Date) -> String { spansDays ? facts.dates.dayTime(hour) : facts.dates.time(hour) }
        var peakLabel = ""
        if let peak = buckets.max(by: { $0.received < $1.received }), peak.received > 0 {
            peakLabel = ", busiest \(when(peak.hour)) with \(F.count(peak.received))"
        }
        let label = "Comments per hour, \(facts.between.replacingOccurrences(of: "between ", with: "from ").replacingOccurrences(of: " and ", with: " to ")): "
            + "\(F.count(digest.received)) received\(peakLabel)"
        var shapes: [String] = []
        for fraction in [0.0, 0.5, 1.0] {
            let y = bottom - fraction * plotHeight
            shapes.append("<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(width - right))\" y2=\"\(n(y))\" stroke=\"\(Colour.grid)\" stroke-width=\"1\"/>")
            shapes.append("<text x=\"\(n(left - 6))\" y=\"\(n(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"\(Colour.label)\">\(F.count(Int(scaleMax * fraction)))</text>")
        }
        if buckets.isEmpty {
            shapes.append("<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\" fill=\"\(Colour.label)\">No hourly data</text>")
        }
        let slot = buckets.isEmpty ? plotWidth : plotWidth / Double(buckets.count)
        let barWidth = max(1, slot * 0.75)
        for (index, bucket) in buckets.enumerated() {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            let queued = max(0, bucket.received - bucket.approved - bucket.held - bucket.rejected)
            var y = bottom
            var rects: [String] = []
            for (value, colour) in [(bucket.approved, Colour.approved), (bucket.held, Colour.held),
                                    (bucket.rejected, Colour.rejected), (queued, Colour.queued)] where value > 0 {
                let barHeight = scaleMax > 0 ? Double(value) / scaleMax * plotHeight : 0
                y -= barHeight
                rects.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(barWidth))\" height=\"\(n(barHeight))\" fill=\"\(colour)\"/>")
            }
            let tooltip = "\(when(bucket.hour)) \(facts.dates.zone(bucket.hour)): \(F.count(bucket.received)) received, \(F.count(bucket.approved)) approved, "
                + "\(F.count(bucket.held)) held, \(F.count(bucket.rejected)) rejected"
            shapes.append("<g><title>\(h(tooltip))</title>\(rects.joined())</g>")
            let hour = facts.dates.hour(bucket.hour)
            // Days at midnight for a week; every third hour of the clock for a day, midnight as its date.
            let showsLabel = everyDay ? hour == 0 : hour % 3 == 0
            if showsLabel {
                let text = everyDay || (spansDays && hour == 0) ? facts.dates.day(bucket.hour) : facts.dates.time(bucket.hour)
                shapes.append("<text x=\"\(n(x + barWidth / 2))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(Colour.label)\">\(h(text))</text>")
            }
        }
        shapes += legend(y: height - 14, [("Approved", Colour.approved), ("Held", Colour.held),
                                           ("Rejected", Colour.rejected), ("Queued", Colour.queued)])
        return svg(title: "Comments per hour (\(facts.dates.zone(facts.digest.end)))", label: label, width: width, height: height, shapes)
    }

    /// One bar split by verdict, 100% wide, with the counts in the legend.
    private func verdictMixChart() -> String {
        let (width, height) = (720.0, 64.0)
        let verdicts = facts.verdicts.filter { $0.count > 0 }
        let total = verdicts.reduce(0) { $0 + $1.count }
        let colours = ["approved": Colour.approved, "held": Colour.held, "rejected": Colour.rejected]
        var shapes: [String] = []
        var x = 0.0
        if total == 0 {
            shapes.append("<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"28\" fill=\"\(Colour.grid)\"/>")
            shapes.append("<text x=\"\(n(width / 2))\" y=\"19\" text-anchor=\"middle\" font-size=\"13\" fill=\"\(Colour.label)\">No verdicts</text>")
        }
        for verdict in verdicts {
            let segment = Double(verdict.count) / Double(total) * width
            let share = F.percent(verdict.count, of: total)
            shapes.append("<rect x=\"\(n(x))\" y=\"0\" width=\"\(n(segment))\" height=\"28\" fill=\"\(colours[verdict.verdict] ?? Colour.queued)\">"
                + "<title>\(h("\(verdict.verdict): \(F.count(verdict.count)) (\(share))"))</title></rect>")
            x += segment
        }
        shapes += legend(y: height - 14, verdicts.map {
            ("\($0.verdict.capitalized) \(F.count($0.count)) (\(F.percent($0.count, of: total)))", colours[$0.verdict] ?? Colour.queued)
        })
        let label = total == 0 ? "Verdict mix: no verdicts"
            : "Verdict mix: " + verdicts.map { "\(F.percent($0.count, of: total)) \($0.verdict)" }.joined(separator: ", ")
        return svg(title: "Verdict mix", label: label, width: width, height: height, shapes)
    }

    /// A horizontal bar per age bucket of the held comments.
    private func backlogChart() -> String {
        let buckets = digest.backlogAges
        let rowHeight = 26.0
        let width = 720.0
        let (labelWidth, barLeft, barMaxWidth) = (72.0, 80.0, 560.0)
        let height = max(1, Double(buckets.count)) * rowHeight + 4
        let maximum = buckets.map(\.count).max() ?? 0
        var shapes: [String] = []
        if buckets.isEmpty {
            shapes.append("<text x=\"0\" y=\"18\" font-size=\"13\" fill=\"\(Colour.label)\">\(h(facts.backlogSentence))</text>")
        }
        for (index, bucket) in buckets.enumerated() {
            let y = Double(index) * rowHeight + 4
            let barWidth = maximum > 0 ? Double(bucket.count) / Double(maximum) * barMaxWidth : 0
            shapes.append("<text x=\"\(n(labelWidth))\" y=\"\(n(y + 14))\" text-anchor=\"end\" font-size=\"12\" fill=\"\(Colour.label)\">\(h(bucket.label))</text>")
            if bucket.count > 0 {
                shapes.append("<rect x=\"\(n(barLeft))\" y=\"\(n(y))\" width=\"\(n(max(2, barWidth)))\" height=\"18\" fill=\"\(Colour.bar)\"/>")
            }
            shapes.append("<text x=\"\(n(barLeft + max(2, barWidth) + 6))\" y=\"\(n(y + 14))\" font-size=\"12\" fill=\"#1a1a1a\">\(F.count(bucket.count))</text>")
        }
        let label = buckets.isEmpty ? "Held comments by age: \(facts.backlogSentence)"
            : "Held comments by age: " + buckets.map { "\($0.label) \(F.count($0.count))" }.joined(separator: ", ")
        return svg(title: "Held comments by age", label: label, width: width, height: height, shapes)
    }

    private func legend(y: Double, _ entries: [(String, String)]) -> [String] {
        let step = 720.0 / Double(max(4, entries.count))
        return entries.enumerated().flatMap { index, entry in
            let x = Double(index) * step
            return ["<rect x=\"\(n(x))\" y=\"\(n(y - 10))\" width=\"12\" height=\"12\" fill=\"\(entry.1)\"/>",
                    "<text x=\"\(n(x + 18))\" y=\"\(n(y))\" font-size=\"12\" fill=\"#1a1a1a\">\(h(entry.0))</text>"]
        }
    }

    private func svg(title: String, label: String, width: Double, height: Double, _ shapes: [String]) -> String {
        "<svg role=\"img\" aria-label=\"\(h(label))\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\">\n<title>\(h(title))</title>\n"
            + shapes.joined(separator: "\n") + "\n</svg>"
    }

    /// The smallest of 1, 2 or 5 times a power of ten that is at least `value`, so that axis labels are round.
    static func niceCeiling(_ value: Int) -> Int {
        guard value > 0 else { return 1 }
        var power = 1
        while true {
            for factor in [1, 2, 5] where factor * power >= value { return factor * power }
            power *= 10
        }
    }

    // MARK: HTML

    private func section(_ id: String, _ title: String, _ parts: [String]) -> String {
        "<section id=\"\(id)\">\n<h2>\(h(title))</h2>\n" + parts.joined(separator: "\n") + "\n</section>"
    }

    /// A table of plain text, escaped here; the columns in `right` are right-aligned numbers and those
    /// in `code` are identifiers from the data, shown as code.
    private func table(_ header: [String]?, right: Set<Int>, code: Set<Int> = [], _ rows: [[String]]) -> String {
        func cells(_ row: [String], _ tag: String, isHeader: Bool) -> String {
            "<tr>" + row.enumerated().map { index, text in
                let cell = !isHeader && code.contains(index) ? "<code>\(h(text))</code>" : h(text)
                return right.contains(index) ? "<\(tag) class=\"num\">\(cell)</\(tag)>" : "<\(tag)>\(cell)</\(tag)>"
            }.joined() + "</tr>"
        }
        var lines = ["<table>"]
        if let header { lines.append("<thead>\(cells(header, "th", isHeader: true))</thead>") }
        lines.append("<tbody>")
        lines += rows.map { cells($0, "td", isHeader: false) }
        lines.append("</tbody>\n</table>")
        return lines.joined(separator: "\n")
    }

    /// Text escaped for HTML content and attribute values, with control characters removed.
    private func h(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        UntrustedText.html(text, keepsLineBreaks: false)
    }

    /// `12`, `12.5`: an SVG coordinate, to a tenth.
    private func n(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
