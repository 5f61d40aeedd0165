import Foundation

/// Writes a digest as GitHub-flavoured Markdown for chat: headings, tables, and a sparkline for the
/// volume instead of a chart.
struct MarkdownDigestRenderer {
    let digest: Digest
    let facts: DigestFacts

    init(_ digest: Digest) {
        self.digest = digest
        self.facts = DigestFacts(digest)
    }

    private typealias F = DigestFormatting

    func render() -> String {
        var blocks: [String] = ["# \(Self.text(facts.title))", Self.text(facts.period)]
        if digest.isEmpty {
            blocks.append(Self.text(facts.summary))
        } else {
            blocks += ["## Summary", Self.text(facts.summary)]
            blocks += volume() + articles() + ratings() + backlog() + rules() + offenders() + health()
        }
        blocks.append("_\(Self.text(facts.generated))_")
        return blocks.joined(separator: "\n\n") + "\n"
    }

    // MARK: Sections

    private func volume() -> [String] {
        var blocks = ["## Volume"]
        blocks.append(table(["Verdict", "Comments", "Share"], right: [1, 2], facts.verdicts
            .filter { $0.count > 0 || $0.verdict != "queued" }
            .map { [Self.text($0.verdict), F.count($0.count), F.percent($0.count, of: digest.received)] }))
        if !digest.byDecider.isEmpty {
            blocks.append(table(["Decided by", "Approved", "Held", "Rejected"], right: [1, 2, 3], digest.byDecider.map {
                [Self.text($0.decider), F.count($0.approved), F.count($0.held), F.count($0.rejected)]
            }))
        }
        let rows = facts.volumeRows
        if let first = rows.first, let last = rows.last {
            let maximum = rows.map(\.bucket.received).max() ?? 0
            let levels = Array("▁▂▃▄▅▆▇█")
            let spark = String(rows.map { row -> Character in
                guard row.bucket.received > 0, maximum > 0 else { return levels[0] }
                return levels[1 + Int((Double(row.bucket.received) / Double(maximum) * 6).rounded())]
            })
            let unit = facts.isDaily ? "day" : "hour"
            var line = "Comments per \(unit), \(first.label) to \(last.label) \(facts.dates.zone(facts.digest.end)): `\(spark)`"
            if let peak = facts.volumePeak { line += "  \n" + Self.text(peak) }
            blocks.append(line)
        }
        return blocks
    }

    private func articles() -> [String] {
        guard !digest.busiestArticles.isEmpty else { return [] }
        return ["## Busiest articles", table(["Article", "Comments", "Held", "Rejected", "Rating"], right: [1, 2, 3, 4],
            facts.articles.map {
                [Self.code($0.articleID), F.count($0.comments), F.count($0.held), F.count($0.rejected),
                 $0.averageRating.map { F.decimal($0) } ?? "–"]
            })]
    }

    private func ratings() -> [String] {
        let counts = facts.ratings
        let total = counts.reduce(0, +)
        guard total > 0 || !digest.ratingAlerts.isEmpty else { return [] }
        var blocks = ["## Ratings"]
        if total > 0 {
            blocks.append(table(["Rating", "Comments", "Share"], right: [1, 2], (1...5).reversed().map { stars in
                [String(repeating: "★", count: stars) + String(repeating: "☆", count: 5 - stars),
                 F.count(counts[stars - 1]), F.percent(counts[stars - 1], of: total)]
            }))
            if let average = facts.averageRating {
                blocks.append("Average **\(F.decimal(average))** stars from \(F.count(total, "rating")).")
            }
        }
        if !digest.ratingAlerts.isEmpty {
            blocks.append("**Rating alerts**")
            blocks.append(digest.ratingAlerts.map {
                "- \(Self.code($0.articleID, inTable: false)): \(Self.text(facts.alert($0))) \(Self.text($0.message))"
            }.joined(separator: "\n"))
        }
        return blocks
    }

    private func backlog() -> [String] {
        var items = ["- Held now: **\(F.count(digest.heldNow))**"]
        if let oldest = digest.oldestHeldAge { items.append("- Oldest waiting: \(F.duration(oldest))") }
        items.append("- Over the \(F.hours(digest.slaHours)) SLA: \(F.count(digest.overSLA))")
        items.append("- Median time to decision: \(digest.medianTimeToDecision.map(F.duration) ?? "–")")
        var blocks = ["## Backlog", items.joined(separator: "\n")]
        if digest.backlogAges.contains(where: { $0.count > 0 }) {
            blocks.append(table(["Waiting", "Held"], right: [1], digest.backlogAges.map {
                [Self.text($0.label), F.count($0.count)]
            }))
        }
        return blocks
    }

    private func rules() -> [String] {
        guard !digest.ruleStats.isEmpty || !digest.ruleErrors.isEmpty || !digest.autoShadowed.isEmpty
            || !digest.shadowAgreement.isEmpty else { return [] }
        var blocks = ["## Rules"]
        let rules = facts.rules
        if !rules.isEmpty {
            blocks.append("Noisiest first: the lowest share of hits upheld by moderators.")
            blocks.append(table(["Rule", "Kind", "Hits", "Precision"], right: [2], rules.prefix(DigestFacts.ruleLimit).map {
                [Self.code($0.ruleID), facts.kind($0), F.count($0.hits),
                 facts.precision($0).replacingOccurrences(of: "precision ", with: "")]
            }))
            if rules.count > DigestFacts.ruleLimit {
                blocks.append("… and \(F.count(rules.count - DigestFacts.ruleLimit, "more rule")) (see the JSON digest).")
            }
        }
        if !digest.ruleErrors.isEmpty {
            blocks.append(table(["Rule errors", "Count"], right: [1],
                digest.ruleErrors.sorted { ($1.count, $0.ruleID) < ($0.count, $1.ruleID) }.map {
                    [Self.code($0.ruleID), F.count($0.count)]
                }))
        }
        if !digest.autoShadowed.isEmpty {
            blocks.append("**Switched to shadow mode**")
            blocks.append(digest.autoShadowed.map {
                "- \(Self.code($0.ruleID, inTable: false)), \(facts.dates.dayTime($0.at)) \(facts.dates.zone($0.at)): \(Self.text($0.reason))"
            }.joined(separator: "\n"))
        }
        if !digest.shadowAgreement.isEmpty {
            blocks.append("**Shadow rules against moderators**")
            blocks.append(digest.shadowAgreement.map {
                "- \(Self.code($0.ruleID, inTable: false)): \(Self.text(facts.agreement($0)))."
            }.joined(separator: "\n"))
        }
        return blocks
    }

    private func offenders() -> [String] {
        let lists = [("Author", digest.topAuthors), ("Network", digest.topNetworks), ("Domain", digest.topDomains)]
        guard lists.contains(where: { !$0.1.isEmpty }) || digest.blocksAdded > 0 || digest.blocksExpired > 0 else { return [] }
        var blocks = ["## Offenders"]
        for (title, offenders) in lists where !offenders.isEmpty {
            blocks.append(table([title, "Rejected"], right: [1], DigestFacts.sorted(offenders).map {
                [Self.code($0.value), F.count($0.rejected)]
            }))
        }
        blocks.append("Blocks: \(facts.blocks).")
        return blocks
    }

    private func health() -> [String] {
        ["## Pipeline health", [
            "- Time to verdict: \(facts.latency)",
            "- Throughput: \(F.decimal(digest.throughputPerHour)) comments/hour",
            "- Pipeline errors: \(F.count(digest.pipelineErrors))",
            "- Webhooks: \(facts.webhooks)",
        ].joined(separator: "\n")]
    }

    // MARK: Markdown

    /// A GitHub-flavoured table; the columns in `right` are right-aligned.
    private func table(_ header: [String], right: Set<Int>, _ rows: [[String]]) -> String {
        let rule = header.indices.map { right.contains($0) ? "--:" : ":--" }
        return ([header, rule] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
    }

    /// Text from the data or the digest, with every character Markdown could act on escaped.
    static func text(_ text: String) -> String {
        var escaped = ""
        for character in TextLayout.sanitize(text) {
            if "\\`*_[]<>|~#&".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// An identifier from the data in a code span, so that it shows exactly as stored. In a table,
    /// pipes are escaped as GitHub requires, even inside code.
    static func code(_ text: String, inTable: Bool = true) -> String {
        var value = TextLayout.sanitize(text)
        guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { return "(blank)" }
        if inTable { value = value.replacingOccurrences(of: "|", with: "\\|") }
        var longestRun = 0
        var run = 0
        for character in value {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let padding = value.hasPrefix("`") || value.hasSuffix("`") ? " " : ""
        return fence + padding + value + padding + fence
    }
}
