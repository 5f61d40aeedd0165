import Foundation
import ModeratoReports

/// Rows of the hourly counts of a period (whole hours read, partial hours derived), as either store
/// reads them, and the digest figures made from them.
struct HourlyRows: Sendable {
    struct Comments: Sendable {
        var hour: Int64
        var articleID: String
        var received = 0, approved = 0, held = 0, rejected = 0
        /// Comments rated 1 to 5 stars.
        var ratings = [0, 0, 0, 0, 0]
        var judged = 0, failed = 0
    }

    struct Signals: Sendable {
        var name: String
        var source: String
        var hits = 0, shadow = 0, reviewed = 0, overturned = 0, errors = 0, shadowHits = 0, shadowAgreed = 0, shadowDisagreed = 0

        mutating func add(_ other: Signals) {
            hits += other.hits; shadow += other.shadow; reviewed += other.reviewed; overturned += other.overturned
            errors += other.errors; shadowHits += other.shadowHits; shadowAgreed += other.shadowAgreed; shadowDisagreed += other.shadowDisagreed
        }
    }

    struct RatingBurst: Sendable {
        var articleID: String
        var rating: Int
        var comments = 0, newAuthors = 0
    }

    struct Decisions: Sendable {
        var decider: String
        var decisions = 0, approved = 0, held = 0, rejected = 0
    }

    var comments: [Comments] = []
    /// Milliseconds from arrival to verdict (three significant digits), and how many comments took that long.
    var latency: [(millis: Double, comments: Int)] = []
    var signals: [Signals] = []
    var ratingBursts: [RatingBurst] = []
    var decisions: [Decisions] = []

    /// Per signal name, summed over the period.
    var signalTotals: [String: Signals] {
        var totals: [String: Signals] = [:]
        for row in signals { totals[row.name, default: Signals(name: row.name, source: row.source)].add(row) }
        return totals
    }

    /// Hits, people's reviews and overturns per signal, for `modctl rules list`.
    var ruleStatistics: [String: RuleStatistics] {
        signalTotals.mapValues { RuleStatistics(hits: $0.hits, reviewed: $0.reviewed, overturned: $0.overturned) }
    }

    /// Fills in every figure the hourly counts give: volume, hours, articles, ratings, deciders, rules,
    /// errors, shadow agreement, latency and throughput.
    func fill(_ digest: inout Digest, shadowedRules: Set<String>) {
        let (start, end) = (digest.start, digest.end)
        digest.received = comments.reduce(0) { $0 + $1.received }
        let approved = comments.reduce(0) { $0 + $1.approved }
        let held = comments.reduce(0) { $0 + $1.held }
        let rejected = comments.reduce(0) { $0 + $1.rejected }
        digest.byVerdict = [("approved", approved), ("held", held), ("rejected", rejected), ("queued", digest.received - approved - held - rejected)]
            .map { Digest.VerdictCount(verdict: $0.0, count: $0.1) }

        var byDecider: [String: Decisions] = [:]
        for row in decisions {
            byDecider[row.decider, default: Decisions(decider: row.decider)].decisions += row.decisions
            byDecider[row.decider]!.approved += row.approved
            byDecider[row.decider]!.held += row.held
            byDecider[row.decider]!.rejected += row.rejected
        }
        digest.byDecider = byDecider.values.filter { $0.decisions > 0 }
            .sorted { ($0.decisions, $1.decider) > ($1.decisions, $0.decider) }
            .map { Digest.DeciderCount(decider: $0.decider, approved: $0.approved, held: $0.held, rejected: $0.rejected) }

        // Every hour of the period appears, quiet ones as zero, so charts keep time to scale.
        var byHour: [Int64: Digest.HourBucket] = [:]
        for row in comments {
            let hour = HourlyCounts.Split.date(row.hour)
            var bucket = byHour[row.hour] ?? Digest.HourBucket(hour: hour, received: 0, approved: 0, held: 0, rejected: 0)
            bucket.received += row.received
            bucket.approved += row.approved
            bucket.held += row.held
            bucket.rejected += row.rejected
            byHour[row.hour] = bucket
        }
        var hour = Int64((start.timeIntervalSince1970 / 3600).rounded(.down))
        var buckets: [Digest.HourBucket] = []
        while HourlyCounts.Split.date(hour) < end && buckets.count < 24 * 62 {
            buckets.append(byHour[hour] ?? Digest.HourBucket(hour: HourlyCounts.Split.date(hour), received: 0, approved: 0, held: 0, rejected: 0))
            hour += 1
        }
        digest.hourly = buckets

        var articles: [String: Comments] = [:]
        var ratings = [0, 0, 0, 0, 0]
        for row in comments {
            var article = articles[row.articleID] ?? Comments(hour: 0, articleID: row.articleID)
            article.received += row.received
            article.held += row.held
            article.rejected += row.rejected
            for star in 0..<5 {
                article.ratings[star] += row.ratings[star]
                ratings[star] += row.ratings[star]
            }
            articles[row.articleID] = article
        }
        func average(_ counts: [Int]) -> Double? {
            let total = counts.reduce(0, +)
            guard total > 0 else { return nil }
            return Double(counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }) / Double(total)
        }
        digest.busiestArticles = articles.values.filter { $0.received > 0 }
            .sorted { ($0.received, $1.articleID) > ($1.received, $0.articleID) }.prefix(5)
            .map { Digest.ArticleVolume(articleID: $0.articleID, comments: $0.received, held: $0.held, rejected: $0.rejected,
                                        averageRating: average($0.ratings), ratingCounts: $0.ratings) }
        digest.ratingDistribution = ratings
        digest.averageRating = average(ratings)

        var bursts: [String: RatingBurst] = [:]
        for row in ratingBursts {
            let key = "\(row.rating)\u{0}\(row.articleID)"
            bursts[key, default: RatingBurst(articleID: row.articleID, rating: row.rating)].comments += row.comments
            bursts[key]!.newAuthors += row.newAuthors
        }
        digest.ratingAlerts = bursts.values.filter { $0.comments > 0 }
            .sorted { ($0.comments, $1.articleID, $1.rating) > ($1.comments, $0.articleID, $0.rating) }.prefix(5)
            .map { burst in
                Digest.RatingAlert(articleID: burst.articleID, window: "1 hour", extremeRatings: burst.comments,
                                   shareFromNewAuthors: Double(burst.newAuthors) / Double(burst.comments),
                                   message: "\(burst.comments) \(burst.rating)-star ratings arrived in bursts, mostly from first-time commenters: possible rating bombing")
            }

        let totals = signalTotals.values
        digest.ruleStats = totals.filter { $0.hits > 0 }.sorted { $0.name < $1.name }.map { row in
            let kind: Digest.RuleStat.Kind = row.source == "rule" ? .rule : row.source == "classifier" ? .classifier : .heuristic
            let isShadow = row.shadow > 0 || shadowedRules.contains(row.name)
            return Digest.RuleStat(ruleID: row.name, kind: kind, hits: row.hits, overturned: row.overturned, reviewed: row.reviewed,
                                   mode: isShadow ? .shadow : .active)
        }
        digest.ruleErrors = totals.filter { $0.errors > 0 }.sorted { ($0.errors, $1.name) > ($1.errors, $0.name) }
            .map { Digest.RuleErrorStat(ruleID: $0.name, count: $0.errors) }
        digest.shadowAgreement = totals.filter { $0.shadowHits > 0 }.sorted { ($0.shadowHits, $1.name) > ($1.shadowHits, $0.name) }
            .map { Digest.ShadowAgreement(ruleID: $0.name, hits: $0.shadowHits, agreedWithModerators: $0.shadowAgreed, disagreed: $0.shadowDisagreed) }

        var histogram: [Double: Int] = [:]
        for row in latency { histogram[row.millis, default: 0] += row.comments }
        let sorted = histogram.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { (value: $0.key / 1000, count: $0.value) }
        digest.latencyP50 = Self.percentile(sorted, 0.50)
        digest.latencyP95 = Self.percentile(sorted, 0.95)
        digest.latencyP99 = Self.percentile(sorted, 0.99)
        let judged = comments.reduce(0) { $0 + $1.judged }
        let hours = max(1.0 / 60, end.timeIntervalSince(start) / 3600)
        digest.throughputPerHour = (Double(judged) / hours * 10).rounded() / 10
        digest.pipelineErrors = comments.reduce(0) { $0 + $1.failed }
    }

    /// ``DigestBuilder/percentile(_:_:)`` of the values a histogram counts (`value` ascending).
    static func percentile(_ histogram: [(value: Double, count: Int)], _ p: Double) -> Double? {
        let total = histogram.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        func value(at rank: Int) -> Double {
            var seen = 0
            for bucket in histogram {
                seen += bucket.count
                if rank < seen { return bucket.value }
            }
            return histogram[histogram.count - 1].value
        }
        let position = Double(total - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(total - 1, lower + 1)
        let result = value(at: lower) + (value(at: upper) - value(at: lower)) * (position - Double(lower))
        return (result * 1000).rounded() / 1000
    }
}
