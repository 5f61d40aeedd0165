import Foundation

/// Writes a digest as plain text for cron mail: no colour, every line at most 80 columns, a heading
/// underlined per section, and bars of `#` instead of charts.
struct TextDigestRenderer {
    static let width = 80
    static let barWidth = 40

    let digest: Digest
    let facts: DigestFacts

    init(_ digest: Digest) {
        self.digest = digest
        self.facts = DigestFacts(digest)
    }

    private typealias F = DigestFormatting

    func render() -> String {
        var out: [String] = []
        out += wrap(facts.title)
        out.append(facts.period)
        out.append("")
        if digest.isEmpty {
            out += wrap(facts.summary)
        } else {
            for section in [summary(), volume(), articles(), ratings(), backlog(), rules(), offenders(), health()]
            where !section.isEmpty {
                out += section
                out.append("")
            }
            out.removeLast()
        }
        out.append("")
        out.append(facts.generated)
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Sections

    private func heading(_ title: String) -> [String] {
        [title, String(repeating: "-", count: title.count)]
    }

    private func summary() -> [String] {
        heading("Summary") + wrap(facts.summary)
    }

    private func volume() -> [String] {
        var out = heading("Volume")
        var verdicts = TextTable([("Verdict", .left), ("Comments", .right), ("Share", .right)])
        for verdict in facts.verdicts where verdict.count > 0 || verdict.verdict != "queued" {
            verdicts.append([verdict.verdict, F.count(verdict.count), F.percent(verdict.count, of: digest.received)])
        }
        out += verdicts.lines()

        if !digest.byDecider.isEmpty {
            var deciders = TextTable([("Decided by", .left), ("Approved", .right), ("Held", .right), ("Rejected", .right)])
            for decider in digest.byDecider {
                deciders.append([decider.decider, F.count(decider.approved), F.count(decider.held), F.count(decider.rejected)])
            }
            out.append("")
            out += deciders.lines()
        }

        let rows = facts.volumeRows
        if !rows.isEmpty {
            var table = TextTable([
                (facts.isDaily ? "Day (\(facts.dates.zone(facts.digest.end)))" : "Hour (\(facts.dates.zone(facts.digest.end)))", .left), ("Received", .right), ("Held", .right),
                ("Rejected", .right),
            ])
            for row in rows {
                table.append([row.label, F.count(row.bucket.received), F.count(row.bucket.held), F.count(row.bucket.rejected)])
            }
            out.append("")
            out += withBars(table, rows.map(\.bucket.received))
            if let peak = facts.volumePeak {
                out += wrap(peak, indent: "  ")
            }
        }
        return out
    }

    private func articles() -> [String] {
        guard !digest.busiestArticles.isEmpty else { return [] }
        var table = TextTable([
            ("Article", .left), ("Comments", .right), ("Held", .right), ("Rejected", .right), ("Rating", .right),
        ])
        for article in facts.articles {
            table.append([
                article.articleID, F.count(article.comments), F.count(article.held), F.count(article.rejected),
                article.averageRating.map { F.decimal($0) } ?? "-",
            ])
        }
        return heading("Busiest articles") + table.lines()
    }

    private func ratings() -> [String] {
        let counts = facts.ratings
        let total = counts.reduce(0, +)
        guard total > 0 || !digest.ratingAlerts.isEmpty else { return [] }
        var out = heading("Ratings")
        if total > 0 {
            var table = TextTable([("Rating", .left), ("Comments", .right), ("Share", .right)])
            for stars in (1...5).reversed() {
                let count = counts[stars - 1]
                table.append([stars == 1 ? "1 star" : "\(stars) stars", F.count(count), F.percent(count, of: total)])
            }
            out += withBars(table, counts.reversed())
            if let average = facts.averageRating {
                out += wrap("Average \(F.decimal(average)) stars from \(F.count(total, "rating")).", indent: "  ")
            }
        }
        if !digest.ratingAlerts.isEmpty {
            out.append("")
            out.append("  Alerts")
            for alert in digest.ratingAlerts {
                let text = "\(TextLayout.sanitize(alert.articleID)): \(facts.alert(alert)) \(TextLayout.sanitize(alert.message))"
                out += wrap(text, firstIndent: "  ! ", indent: "    ")
            }
        }
        return out
    }

    private func backlog() -> [String] {
        var out = heading("Backlog")
        var table = TextTable([("", .left), ("", .right)])
        table.append(["Held now", F.count(digest.heldNow)])
        if let oldest = digest.oldestHeldAge { table.append(["Oldest waiting", F.duration(oldest)]) }
        table.append(["Over the \(F.hours(digest.slaHours)) SLA", F.count(digest.overSLA)])
        table.append(["Median time to decision", digest.medianTimeToDecision.map(F.duration) ?? "-"])
        out += table.lines().dropFirst()

        if digest.backlogAges.contains(where: { $0.count > 0 }) {
            var ages = TextTable([("Waiting", .left), ("Held", .right)])
            for bucket in digest.backlogAges {
                ages.append([bucket.label, F.count(bucket.count)])
            }
            out.append("")
            out += withBars(ages, digest.backlogAges.map(\.count))
        }
        return out
    }

    private func rules() -> [String] {
        guard !digest.ruleStats.isEmpty || !digest.ruleErrors.isEmpty || !digest.autoShadowed.isEmpty
            || !digest.shadowAgreement.isEmpty else { return [] }
        var out = heading("Rules")
        let rules = facts.rules
        if !rules.isEmpty {
            out += wrap("Noisiest first: the lowest share of hits upheld by moderators.")
            for (index, rule) in rules.prefix(DigestFacts.ruleLimit).enumerated() {
                let number = "\(index + 1).".padding(toLength: 4, withPad: " ", startingAt: 0)
                let name = TextLayout.truncate(TextLayout.sanitize(rule.ruleID), to: Self.width - 20)
                out.append("  \(number)\(name) (\(facts.kind(rule)))")
                out += wrap("\(F.count(rule.hits, "hit")), \(facts.precision(rule))", firstIndent: "      ", indent: "      ")
            }
            if rules.count > DigestFacts.ruleLimit {
                out += wrap("... and \(F.count(rules.count - DigestFacts.ruleLimit, "more rule")) (see the JSON digest).",
                            firstIndent: "  ", indent: "  ")
            }
        }
        if !digest.ruleErrors.isEmpty {
            var table = TextTable([("Rule errors", .left), ("Count", .right)])
            for error in digest.ruleErrors.sorted(by: { ($1.count, $0.ruleID) < ($0.count, $1.ruleID) }) {
                table.append([error.ruleID, F.count(error.count)])
            }
            out.append("")
            out += table.lines()
        }
        if !digest.autoShadowed.isEmpty {
            out.append("")
            out.append("  Switched to shadow mode")
            for rule in digest.autoShadowed {
                let line = "\(TextLayout.sanitize(rule.ruleID)), \(facts.dates.dayTime(rule.at)) \(facts.dates.zone(rule.at)): \(TextLayout.sanitize(rule.reason))"
                out += wrap(line, firstIndent: "  - ", indent: "    ")
            }
        }
        if !digest.shadowAgreement.isEmpty {
            out.append("")
            out.append("  Shadow rules against moderators")
            for shadow in digest.shadowAgreement {
                out += wrap("\(TextLayout.sanitize(shadow.ruleID)): \(facts.agreement(shadow)).", firstIndent: "  - ", indent: "    ")
            }
        }
        return out
    }

    private func offenders() -> [String] {
        let lists = [("Author", digest.topAuthors), ("Network", digest.topNetworks), ("Domain", digest.topDomains)]
        guard lists.contains(where: { !$0.1.isEmpty }) || digest.blocksAdded > 0 || digest.blocksExpired > 0 else { return [] }
        var out = heading("Offenders")
        for (title, offenders) in lists where !offenders.isEmpty {
            var table = TextTable([(title, .left), ("Rejected", .right)])
            for offender in DigestFacts.sorted(offenders) {
                table.append([offender.value, F.count(offender.rejected)])
            }
            out += table.lines()
            out.append("")
        }
        out += wrap("Blocks: \(facts.blocks).", indent: "  ")
        return out
    }

    private func health() -> [String] {
        var table = TextTable([("", .left), ("", .left)])
        table.append(["Time to verdict", facts.latency])
        table.append(["Throughput", "\(F.decimal(digest.throughputPerHour)) comments/hour"])
        table.append(["Pipeline errors", F.count(digest.pipelineErrors)])
        table.append(["Webhooks", facts.webhooks])
        return heading("Pipeline health") + table.lines().dropFirst()
    }

    // MARK: Helpers

    /// The table's lines with a bar of `#` after each row, as long as the line allows but at most 40.
    private func withBars(_ table: TextTable, _ values: [Int]) -> [String] {
        let lines = table.lines()
        let tableWidth = lines.map(TextLayout.width).max() ?? 0
        let room = min(Self.barWidth, Self.width - tableWidth - 2)
        let maximum = values.max() ?? 0
        guard room >= 5 else { return lines }
        return [lines[0]] + zip(lines.dropFirst(), values).map { line, value in
            let bar = TextLayout.bar(value, of: maximum, maxWidth: room)
            return bar.isEmpty ? line : TextLayout.pad(line, to: tableWidth) + "  " + bar
        }
    }

    private func wrap(_ text: String, indent: String = "") -> [String] {
        TextLayout.wrap(text, width: Self.width, firstIndent: indent, indent: indent)
    }

    private func wrap(_ text: String, firstIndent: String, indent: String) -> [String] {
        TextLayout.wrap(text, width: Self.width, firstIndent: firstIndent, indent: indent)
    }
}
