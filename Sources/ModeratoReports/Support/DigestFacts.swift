import Foundation

/// What every format says the same way: the title, the period, the summary and the order of lists.
struct DigestFacts {
    let digest: Digest
    let dates: DigestDates

    init(_ digest: Digest) {
        self.digest = digest
        dates = DigestDates(timeZone: digest.timeZone)
    }

    /// How many rules the human formats list; the JSON has them all.
    static let ruleLimit = 15

    /// `Moderation digest: The Harbour Gazette`.
    var title: String {
        guard let site = digest.siteName.map(TextLayout.sanitize), !site.isEmpty else { return "Moderation digest" }
        return "Moderation digest: \(site)"
    }

    /// `28 Nov 2026 07:00 to 29 Nov 2026 07:00 UTC`.
    var period: String {
        "\(dates.dayTime(digest.start, withYear: true)) to \(dates.dayTime(digest.end, withYear: true)) \(dates.zone(digest.end))"
    }

    /// `between 28 Nov 07:00 and 29 Nov 07:00 UTC`; with years when the period crosses one.
    var between: String {
        let withYear = dates.year(digest.start) != dates.year(digest.end)
        return "between \(dates.dayTime(digest.start, withYear: withYear)) and "
            + "\(dates.dayTime(digest.end, withYear: withYear)) \(dates.zone(digest.end))"
    }

    /// `Generated 29 Nov 2026 07:02 UTC by Moderato.`
    var generated: String {
        "Generated \(dates.dayTime(digest.generatedAt, withYear: true)) \(dates.zone(digest.generatedAt)) by Moderato."
    }

    /// The comments of the period with a verdict, `approved`, `held`, `rejected` or `queued`.
    func count(_ verdict: String) -> Int {
        digest.byVerdict.filter { $0.verdict.lowercased() == verdict }.reduce(0) { $0 + $1.count }
    }

    /// The one-paragraph summary every format opens with.
    var summary: String {
        if digest.isEmpty {
            return "Nothing happened \(between): no comments were received and nothing is waiting."
        }
        var sentences: [String] = []
        let received = digest.received
        if received > 0 {
            let approved = count("approved")
            var verdicts = "\(DigestFormatting.count(approved)) approved (\(DigestFormatting.percent(approved, of: received))), "
                + "\(DigestFormatting.count(count("held"))) held, \(DigestFormatting.count(count("rejected"))) rejected"
            let queued = count("queued")
            if queued > 0 { verdicts += ", \(DigestFormatting.count(queued)) still queued" }
            sentences.append("\(DigestFormatting.count(received, "comment")) received \(between): \(verdicts).")
        } else {
            sentences.append("No comments were received \(between).")
        }
        sentences.append(backlogSentence)
        if !digest.ratingAlerts.isEmpty {
            let alerts = digest.ratingAlerts.count
            sentences.append("\(DigestFormatting.count(alerts, "rating alert")) \(alerts == 1 ? "needs" : "need") a look.")
        }
        return sentences.joined(separator: " ")
    }

    /// `41 comments are waiting for a moderator; the oldest has waited 9h 12m, and 3 are over the 24h SLA.`
    var backlogSentence: String {
        let held = digest.heldNow
        guard held > 0 else { return "Nothing is waiting for a moderator." }
        var sentence = held == 1 ? "1 comment is waiting for a moderator" : "\(DigestFormatting.count(held)) comments are waiting for a moderator"
        if let oldest = digest.oldestHeldAge {
            sentence += held == 1 ? "; it has waited \(DigestFormatting.duration(oldest))" : "; the oldest has waited \(DigestFormatting.duration(oldest))"
        }
        if digest.overSLA > 0 {
            let verb = digest.overSLA == 1 ? "is" : "are"
            sentence += ", and \(DigestFormatting.count(digest.overSLA)) \(verb) over the \(DigestFormatting.hours(digest.slaHours)) SLA"
        }
        return sentence + "."
    }

    /// Verdict counts in a fixed order, approved to queued, then any others; zero counts are kept.
    var verdicts: [Digest.VerdictCount] {
        let known = ["approved", "held", "rejected", "queued"]
        let others = digest.byVerdict.filter { !known.contains($0.verdict.lowercased()) }
        return known.map { Digest.VerdictCount(verdict: $0, count: count($0)) } + others
    }

    /// The hourly buckets, oldest first.
    var hourly: [Digest.HourBucket] {
        digest.hourly.sorted { $0.hour < $1.hour }
    }

    /// Whether the period is long enough that hours are summed into days for people to read.
    var isDaily: Bool { digest.hourly.count > 48 }

    /// The buckets people read: hours, or days (`isDaily`), oldest first, with their labels.
    var volumeRows: [(label: String, bucket: Digest.HourBucket)] {
        guard isDaily else {
            let withDay = hourly.count > 24
            return hourly.map { (withDay ? dates.dayTime($0.hour) : dates.time($0.hour), $0) }
        }
        var rows: [(label: String, bucket: Digest.HourBucket)] = []
        for bucket in hourly {
            let label = dates.weekday(bucket.hour)
            if let last = rows.last, last.label == label {
                var sum = last.bucket
                sum.received += bucket.received
                sum.approved += bucket.approved
                sum.held += bucket.held
                sum.rejected += bucket.rejected
                rows[rows.count - 1].bucket = sum
            } else {
                rows.append((label, bucket))
            }
        }
        return rows
    }

    /// `Peak 96 comments at 20:00; quietest hour 03:00 with 4.`, or `nil` without buckets.
    var volumePeak: String? {
        let rows = volumeRows
        guard let peak = rows.max(by: { $0.bucket.received < $1.bucket.received }),
              let quiet = rows.min(by: { $0.bucket.received < $1.bucket.received }) else { return nil }
        let unit = isDaily ? "day" : "hour"
        let preposition = isDaily ? "on" : "at"
        return "Busiest \(unit): \(DigestFormatting.count(peak.bucket.received, "comment")) \(preposition) \(peak.label); "
            + "quietest: \(DigestFormatting.count(quiet.bucket.received)) \(preposition) \(quiet.label)."
    }

    /// The busiest articles, most comments first.
    var articles: [Digest.ArticleVolume] {
        digest.busiestArticles.sorted { ($1.comments, $0.articleID) < ($0.comments, $1.articleID) }
    }

    /// Five counts, 1 to 5 stars, whatever length the digest's distribution has.
    var ratings: [Int] {
        (0..<5).map { $0 < digest.ratingDistribution.count ? digest.ratingDistribution[$0] : 0 }
    }

    /// The average rating, given or computed from the distribution.
    var averageRating: Double? {
        digest.averageRating ?? Digest.ArticleVolume.mean(of: ratings)
    }

    /// The rules, noisiest first: lowest estimated precision, then most overturned, then most hits;
    /// rules nobody reviewed come last.
    var rules: [Digest.RuleStat] {
        digest.ruleStats.sorted { a, b in
            switch (a.estimatedPrecision, b.estimatedPrecision) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            if a.overturned != b.overturned { return a.overturned > b.overturned }
            if a.hits != b.hits { return a.hits > b.hits }
            return a.ruleID < b.ruleID
        }
    }

    /// `precision 62% (5 of 13 overturned)`, or `not reviewed`.
    func precision(_ rule: Digest.RuleStat) -> String {
        guard let precision = rule.estimatedPrecision else { return "not reviewed" }
        return "precision \(DigestFormatting.percent(precision)) "
            + "(\(DigestFormatting.count(rule.overturned)) of \(DigestFormatting.count(rule.reviewed)) overturned)"
    }

    /// `rule`, `heuristic, shadow`.
    func kind(_ rule: Digest.RuleStat) -> String {
        rule.mode == .shadow ? "\(rule.kind.rawValue), shadow" : rule.kind.rawValue
    }

    /// Offenders, most rejected first.
    static func sorted(_ offenders: [Digest.Offender]) -> [Digest.Offender] {
        offenders.sorted { ($1.rejected, $0.value) < ($0.rejected, $1.value) }
    }

    /// `p50 180 ms, p95 1.2 s, p99 4.8 s`, or `no verdicts`.
    var latency: String {
        let parts = [("p50", digest.latencyP50), ("p95", digest.latencyP95), ("p99", digest.latencyP99)]
            .compactMap { name, value in value.map { "\(name) \(DigestFormatting.latency($0))" } }
        return parts.isEmpty ? "no verdicts" : parts.joined(separator: ", ")
    }

    /// `2 (5 deliveries waiting)`.
    var webhooks: String {
        let failures = DigestFormatting.count(digest.webhookFailures)
        guard digest.webhookBacklog > 0 else { return "\(failures) failed, none waiting" }
        return "\(failures) failed, \(DigestFormatting.count(digest.webhookBacklog)) waiting"
    }

    /// `4 added, 2 expired`.
    var blocks: String {
        "\(DigestFormatting.count(digest.blocksAdded)) added, \(DigestFormatting.count(digest.blocksExpired)) expired"
    }

    /// `48 extreme ratings in the last 6 hours, 71% from new authors.`
    func alert(_ alert: Digest.RatingAlert) -> String {
        "\(DigestFormatting.count(alert.extremeRatings, "extreme rating")) (\(TextLayout.sanitize(alert.window))), "
            + "\(DigestFormatting.percent(alert.shareFromNewAuthors)) from new authors."
    }

    /// `30 of 36 decided hits agreed with moderators (83%)`.
    func agreement(_ shadow: Digest.ShadowAgreement) -> String {
        let decided = shadow.agreedWithModerators + shadow.disagreed
        guard let agreement = shadow.agreement else { return "\(DigestFormatting.count(shadow.hits, "hit")), none decided by a moderator" }
        return "\(DigestFormatting.count(shadow.hits, "hit")), moderators agreed with "
            + "\(DigestFormatting.count(shadow.agreedWithModerators)) of \(DigestFormatting.count(decided)) "
            + "(\(DigestFormatting.percent(agreement)))"
    }
}
