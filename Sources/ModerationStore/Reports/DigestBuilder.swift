import Foundation
import GRDB
import Moderation
import ModeratoReports

/// Builds a ``Digest`` of a period from the database: what arrived, what is waiting, how the rules
/// fared against moderators, who offended, and how the pipeline kept up.
///
/// ```swift
/// let digest = try await DigestBuilder(database: database).build(from: start, to: end)
/// print(try DigestRenderer.render(digest, as: .text))
/// ```
public struct DigestBuilder: Sendable {
    public var database: any CommentStore
    /// Held comments older than this many hours are over the service level. The default is 12.
    public var slaHours: Double = 12
    /// "Now", for the backlog. The default is the current time.
    public var now: Date = Date()
    public var siteName: String?

    public init(database: any CommentStore) {
        self.database = database
    }

    public func build(from start: Date, to end: Date) async throws -> Digest {
        let figures = try await database.digest(DigestRequest(start: start, end: end, now: now, slaHours: slaHours, siteName: siteName))
        var digest = figures.digest
        var domains: [String: Int] = [:]
        for body in figures.rejectedBodies {
            for host in Set(LinkExtractor.links(in: body).map(\.host)) { domains[host, default: 0] += 1 }
        }
        digest.topDomains = domains.filter { $0.value >= 2 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5)
            .map { Digest.Offender(value: $0.key, rejected: $0.value) }
        return digest
    }

    /// A percentile by linear interpolation (the median of an even count is the mean of the middle two),
    /// rounded to the millisecond so date arithmetic leaves no noise.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = Double(sorted.count - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let value = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        return (value * 1000).rounded() / 1000
    }
}

extension ModerationDatabase {
    /// The digest's figures, read in one transaction.
    public func digest(_ request: DigestRequest) async throws(StoreError) -> DigestFigures {
        let (start, end, now, slaHours, siteName) = (request.start, request.end, request.now, request.slaHours, request.siteName)
        do {
            let rejectedBodies = try await pool.read { db -> (Digest, [String]) in
                var digest = Digest(start: start, end: end, generatedAt: now, siteName: siteName, slaHours: slaHours)
                let range: StatementArguments = [start, end]
                let inPeriod = "received_at >= ? AND received_at < ?"

                // Volume
                digest.received = try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE \(inPeriod)", arguments: range) ?? 0
                var byStatus: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM comment WHERE \(inPeriod) GROUP BY status", arguments: range) {
                    byStatus[row["status"]] = row["n"]
                }
                digest.byVerdict = ["approved", "held", "rejected", "queued"].map { Digest.VerdictCount(verdict: $0, count: byStatus[$0] ?? 0) }
                digest.byDecider = try Row.fetchAll(db, sql: """
                    SELECT CASE actor_kind WHEN 'system' THEN 'pipeline' ELSE actor END AS decider,
                           sum(status = 'approved') AS approved, sum(status = 'held') AS held, sum(status = 'rejected') AS rejected
                    FROM decision WHERE at >= ? AND at < ? GROUP BY decider ORDER BY count(*) DESC, decider
                    """, arguments: range).map {
                    Digest.DeciderCount(decider: $0["decider"], approved: $0["approved"], held: $0["held"], rejected: $0["rejected"])
                }
                let counted = try Row.fetchAll(db, sql: """
                    SELECT strftime('%Y-%m-%d %H:00:00.000', received_at) AS hour, count(*) AS n,
                           sum(status = 'approved') AS approved, sum(status = 'held') AS held, sum(status = 'rejected') AS rejected
                    FROM comment WHERE \(inPeriod) GROUP BY hour ORDER BY hour
                    """, arguments: range).compactMap { row -> Digest.HourBucket? in
                    guard let hour = Date.fromDatabaseValue(row["hour"]) else { return nil }
                    return Digest.HourBucket(hour: hour, received: row["n"], approved: row["approved"], held: row["held"], rejected: row["rejected"])
                }
                // Every hour of the period appears, quiet ones as zero, so charts keep time to scale.
                let byHour = Dictionary(counted.map { ($0.hour, $0) }, uniquingKeysWith: { first, _ in first })
                var hour = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
                var buckets: [Digest.HourBucket] = []
                while hour < end && buckets.count < 24 * 62 {
                    buckets.append(byHour[hour] ?? Digest.HourBucket(hour: hour, received: 0, approved: 0, held: 0, rejected: 0))
                    hour = hour.addingTimeInterval(3600)
                }
                digest.hourly = buckets
                digest.busiestArticles = try Row.fetchAll(db, sql: """
                    SELECT article_id, count(*) AS n, sum(status = 'held') AS held, sum(status = 'rejected') AS rejected, avg(rating) AS average,
                           sum(rating = 1) AS r1, sum(rating = 2) AS r2, sum(rating = 3) AS r3, sum(rating = 4) AS r4, sum(rating = 5) AS r5
                    FROM comment WHERE \(inPeriod) GROUP BY article_id ORDER BY n DESC, article_id LIMIT 5
                    """, arguments: range).map { row in
                    Digest.ArticleVolume(articleID: row["article_id"], comments: row["n"], held: row["held"], rejected: row["rejected"],
                                         averageRating: row["average"], ratingCounts: [row["r1"], row["r2"], row["r3"], row["r4"], row["r5"]])
                }
                if let row = try Row.fetchOne(db, sql: """
                    SELECT sum(rating = 1) AS r1, sum(rating = 2) AS r2, sum(rating = 3) AS r3, sum(rating = 4) AS r4, sum(rating = 5) AS r5,
                           avg(rating) AS average FROM comment WHERE \(inPeriod)
                    """, arguments: range) {
                    digest.ratingDistribution = [row["r1"] ?? 0, row["r2"] ?? 0, row["r3"] ?? 0, row["r4"] ?? 0, row["r5"] ?? 0]
                    digest.averageRating = row["average"]
                }
                digest.ratingAlerts = try Row.fetchAll(db, sql: """
                    SELECT c.article_id, count(*) AS n, avg(c.author_is_new) AS new_share, c.rating AS rating
                    FROM signal s JOIN comment c ON c.key = s.comment_key
                    WHERE s.name = 'ratings.bombing' AND c.received_at >= ? AND c.received_at < ?
                    GROUP BY c.article_id, c.rating ORDER BY n DESC LIMIT 5
                    """, arguments: range).map { row in
                    let count: Int = row["n"]
                    let rating: Int = row["rating"]
                    return Digest.RatingAlert(articleID: row["article_id"], window: "1 hour", extremeRatings: count,
                                              shareFromNewAuthors: row["new_share"] ?? 0,
                                              message: "\(count) \(rating)-star ratings arrived in bursts, mostly from first-time commenters: possible rating bombing")
                }

                // Backlog, as of now
                digest.heldNow = try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE status = 'held'") ?? 0
                if let oldest = try Date.fetchOne(db, sql: "SELECT min(received_at) FROM comment WHERE status = 'held'") {
                    digest.oldestHeldAge = now.timeIntervalSince(oldest)
                }
                digest.overSLA = try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE status = 'held' AND received_at < ?",
                                                  arguments: [now.addingTimeInterval(-slaHours * 3600)]) ?? 0
                let waits = try Double.fetchAll(db, sql: """
                    SELECT (julianday(min(d.at)) - julianday(c.received_at)) * 86400 FROM decision d JOIN comment c ON c.key = d.comment_key
                    WHERE d.actor_kind != 'system' AND d.at >= ? AND d.at < ? GROUP BY d.comment_key
                    """, arguments: range).sorted()
                digest.medianTimeToDecision = DigestBuilder.percentile(waits, 0.5)
                let ages = try Date.fetchAll(db, sql: "SELECT received_at FROM comment WHERE status = 'held'").map { now.timeIntervalSince($0) / 3600 }
                let limits: [(String, Double)] = [("<1h", 1), ("1–4h", 4), ("4–12h", 12), ("12–24h", 24), (">24h", .infinity)]
                var counts = [Int](repeating: 0, count: limits.count)
                for age in ages { counts[limits.firstIndex { age < $0.1 } ?? limits.count - 1] += 1 }
                digest.backlogAges = zip(limits, counts).map { Digest.AgeBucket(label: $0.0, count: $1) }

                // Rules, heuristics and the classifier against moderators
                let states = try Row.fetchAll(db, sql: "SELECT rule_id, mode, reason, changed_by, changed_at FROM rule_state")
                let shadowed = Set(states.filter { ($0["mode"] as String) == "shadow" }.map { $0["rule_id"] as String })
                digest.ruleStats = try Row.fetchAll(db, sql: """
                    SELECT s.name, s.source, count(DISTINCT s.comment_key) AS hits, max(s.is_shadow) AS shadow,
                           count(DISTINCT CASE WHEN m.seq IS NOT NULL THEN s.comment_key END) AS reviewed,
                           count(DISTINCT CASE WHEN m.status = 'approved' AND sys.status != 'approved' AND (s.score > 0 OR s.action IN ('hold', 'reject')) THEN s.comment_key
                                               WHEN m.status = 'rejected' AND sys.status = 'approved' AND s.score < 0 THEN s.comment_key END) AS overturned
                    FROM signal s
                    JOIN comment c ON c.key = s.comment_key
                    LEFT JOIN decision sys ON sys.comment_key = s.comment_key AND sys.actor_kind = 'system'
                    LEFT JOIN decision m ON m.seq = (SELECT max(seq) FROM decision WHERE comment_key = s.comment_key AND actor_kind != 'system')
                    WHERE c.received_at >= ? AND c.received_at < ? AND s.is_error = 0 AND s.source != 'pipeline'
                    GROUP BY s.name
                    """, arguments: range).map { row in
                    let name: String = row["name"]
                    let source: String = row["source"]
                    let kind: Digest.RuleStat.Kind = source == "rule" ? .rule : source == "classifier" ? .classifier : .heuristic
                    let isShadow = (row["shadow"] as Bool? ?? false) || shadowed.contains(name)
                    return Digest.RuleStat(ruleID: name, kind: kind, hits: row["hits"], overturned: row["overturned"], reviewed: row["reviewed"],
                                           mode: isShadow ? .shadow : .active)
                }
                digest.ruleErrors = try Row.fetchAll(db, sql: """
                    SELECT s.name, count(*) AS n FROM signal s JOIN comment c ON c.key = s.comment_key
                    WHERE s.is_error = 1 AND c.received_at >= ? AND c.received_at < ? GROUP BY s.name ORDER BY n DESC
                    """, arguments: range).map { Digest.RuleErrorStat(ruleID: $0["name"], count: $0["n"]) }
                digest.autoShadowed = states.compactMap { row in
                    guard (row["changed_by"] as String) == Decision.systemActor, let at = row["changed_at"] as Date? else { return nil }
                    return Digest.ShadowedRule(ruleID: row["rule_id"], reason: row["reason"], at: at)
                }
                digest.shadowAgreement = try Row.fetchAll(db, sql: """
                    SELECT s.name, count(DISTINCT s.comment_key) AS hits,
                           count(DISTINCT CASE WHEN m.seq IS NOT NULL AND m.status != 'approved' THEN s.comment_key END) AS agreed,
                           count(DISTINCT CASE WHEN m.seq IS NOT NULL AND m.status = 'approved' THEN s.comment_key END) AS disagreed
                    FROM signal s JOIN comment c ON c.key = s.comment_key
                    LEFT JOIN decision m ON m.seq = (SELECT max(seq) FROM decision WHERE comment_key = s.comment_key AND actor_kind != 'system')
                    WHERE s.is_shadow = 1 AND c.received_at >= ? AND c.received_at < ? GROUP BY s.name ORDER BY hits DESC
                    """, arguments: range).map {
                    Digest.ShadowAgreement(ruleID: $0["name"], hits: $0["hits"], agreedWithModerators: $0["agreed"], disagreed: $0["disagreed"])
                }

                // Offenders among rejected comments
                digest.topAuthors = try Row.fetchAll(db, sql: """
                    SELECT author AS value, count(*) AS n FROM comment WHERE status = 'rejected' AND \(inPeriod)
                    GROUP BY author HAVING n >= 2 ORDER BY n DESC, author LIMIT 5
                    """, arguments: range).map { Digest.Offender(value: $0["value"], rejected: $0["n"]) }
                digest.topNetworks = try Row.fetchAll(db, sql: """
                    SELECT network AS value, count(*) AS n FROM comment WHERE status = 'rejected' AND network IS NOT NULL AND \(inPeriod)
                    GROUP BY network HAVING n >= 2 ORDER BY n DESC, network LIMIT 5
                    """, arguments: range).map { Digest.Offender(value: $0["value"], rejected: $0["n"]) }
                let bodies = try String.fetchAll(db, sql: "SELECT body FROM comment WHERE status = 'rejected' AND \(inPeriod) LIMIT 20000",
                                                 arguments: range)

                // Pipeline health
                let latencies = try Double.fetchAll(db, sql: """
                    SELECT (julianday(judged_at) - julianday(received_at)) * 86400 FROM comment
                    WHERE judged_at IS NOT NULL AND \(inPeriod)
                    """, arguments: range).sorted()
                digest.latencyP50 = DigestBuilder.percentile(latencies, 0.50)
                digest.latencyP95 = DigestBuilder.percentile(latencies, 0.95)
                digest.latencyP99 = DigestBuilder.percentile(latencies, 0.99)
                let hours = max(1.0 / 60, end.timeIntervalSince(start) / 3600)
                digest.throughputPerHour = (Double(latencies.count) / hours * 10).rounded() / 10
                digest.pipelineErrors = try Int.fetchOne(db, sql: """
                    SELECT count(DISTINCT s.comment_key) FROM signal s JOIN comment c ON c.key = s.comment_key
                    WHERE (s.source = 'pipeline' OR s.is_error = 1) AND c.received_at >= ? AND c.received_at < ?
                    """, arguments: range) ?? 0
                return (digest, bodies)
            }
            var digest = rejectedBodies.0
            try await addExtras(to: &digest)
            return DigestFigures(digest: digest, rejectedBodies: rejectedBodies.1)
        } catch {
            throw Self.wrap(error, "reading the digest's figures")
        }
    }

    /// Figures kept by later parts of the system (blocks, webhooks), when their tables exist.
    func addExtras(to digest: inout Digest) async throws {
        let start = digest.start
        let end = digest.end
        let extras = try await pool.read { db -> (Int, Int, Int, Int) in
            var values = (0, 0, 0, 0)
            if try db.tableExists("block") {
                values.0 = try Int.fetchOne(db, sql: "SELECT count(*) FROM block WHERE created_at >= ? AND created_at < ?", arguments: [start, end]) ?? 0
                values.1 = try Int.fetchOne(db, sql: "SELECT count(*) FROM block WHERE expires_at >= ? AND expires_at < ?", arguments: [start, end]) ?? 0
            }
            if try db.tableExists("outbox") {
                values.2 = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL AND failed_at >= ? AND failed_at < ?",
                                            arguments: [start, end]) ?? 0
                values.3 = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL") ?? 0
            }
            return values
        }
        digest.blocksAdded = extras.0
        digest.blocksExpired = extras.1
        digest.webhookFailures = extras.2
        digest.webhookBacklog = extras.3
    }
}
