import Foundation
import Moderation
import ModeratoReports
import PostgresNIO

extension PostgresStore {
    /// Runs `body` in one read-only REPEATABLE READ transaction, so its statements all see one snapshot
    /// (as a SQLite read does).
    func readSnapshot<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        try await transaction(doing) { connection in
            try await connection.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await body(connection)
        }
    }

    /// The digest's figures, read from one snapshot.
    public func digest(_ request: DigestRequest) async throws(StoreError) -> DigestFigures {
        let (start, end, now, slaHours, siteName) = (request.start, request.end, request.now, request.slaHours, request.siteName)
        let logger = logger
        return try await readSnapshot("reading the digest's figures") { connection in
            func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] { try await connection.rows(query, logger: logger) }
            func scalar(_ query: PostgresQuery) async throws -> Int { try await connection.row(query, logger: logger)?.value("n", as: Int.self) ?? 0 }
            var digest = Digest(start: start, end: end, generatedAt: now, siteName: siteName, slaHours: slaHours)

            // Volume
            digest.received = try await scalar("SELECT count(*) AS n FROM comment WHERE received_at >= \(start) AND received_at < \(end)")
            var byStatus: [String: Int] = [:]
            for row in try await rows("""
                SELECT status, count(*) AS n FROM comment WHERE received_at >= \(start) AND received_at < \(end) GROUP BY status
                """) {
                let status = try row.value("status", as: String.self)
                byStatus[status] = try row.value("n", as: Int.self)
            }
            digest.byVerdict = ["approved", "held", "rejected", "queued"].map { Digest.VerdictCount(verdict: $0, count: byStatus[$0] ?? 0) }
            digest.byDecider = try await rows("""
                SELECT decider, count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE status = 'held') AS held,
                       count(*) FILTER (WHERE status = 'rejected') AS rejected
                FROM (SELECT CASE actor_kind WHEN 'system' THEN 'pipeline' ELSE actor END AS decider, status FROM decision
                      WHERE at >= \(start) AND at < \(end)) d
                GROUP BY decider ORDER BY count(*) DESC, decider COLLATE "C"
                """).map {
                Digest.DeciderCount(decider: try $0.value("decider"), approved: try $0.value("approved"), held: try $0.value("held"),
                                    rejected: try $0.value("rejected"))
            }
            // Hours in UTC, as SQLite's strftime gives them.
            let counted = try await rows("""
                SELECT date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, count(*) AS n,
                       count(*) FILTER (WHERE status = 'approved') AS approved, count(*) FILTER (WHERE status = 'held') AS held,
                       count(*) FILTER (WHERE status = 'rejected') AS rejected
                FROM comment WHERE received_at >= \(start) AND received_at < \(end) GROUP BY 1 ORDER BY 1
                """).map { row in
                Digest.HourBucket(hour: try row.value("hour"), received: try row.value("n"), approved: try row.value("approved"),
                                  held: try row.value("held"), rejected: try row.value("rejected"))
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
            digest.busiestArticles = try await rows("""
                SELECT article_id, count(*) AS n, count(*) FILTER (WHERE status = 'held') AS held,
                       count(*) FILTER (WHERE status = 'rejected') AS rejected, avg(rating)::double precision AS average,
                       count(*) FILTER (WHERE rating = 1) AS r1, count(*) FILTER (WHERE rating = 2) AS r2, count(*) FILTER (WHERE rating = 3) AS r3,
                       count(*) FILTER (WHERE rating = 4) AS r4, count(*) FILTER (WHERE rating = 5) AS r5
                FROM comment WHERE received_at >= \(start) AND received_at < \(end)
                GROUP BY article_id ORDER BY n DESC, article_id COLLATE "C" LIMIT 5
                """).map { row in
                Digest.ArticleVolume(articleID: try row.value("article_id"), comments: try row.value("n"), held: try row.value("held"),
                                     rejected: try row.value("rejected"), averageRating: try row.value("average"),
                                     ratingCounts: try ["r1", "r2", "r3", "r4", "r5"].map { try row.value($0, as: Int.self) })
            }
            if let row = try await connection.row("""
                SELECT count(*) FILTER (WHERE rating = 1) AS r1, count(*) FILTER (WHERE rating = 2) AS r2, count(*) FILTER (WHERE rating = 3) AS r3,
                       count(*) FILTER (WHERE rating = 4) AS r4, count(*) FILTER (WHERE rating = 5) AS r5, avg(rating)::double precision AS average
                FROM comment WHERE received_at >= \(start) AND received_at < \(end)
                """, logger: logger) {
                digest.ratingDistribution = try ["r1", "r2", "r3", "r4", "r5"].map { try row.value($0, as: Int.self) }
                digest.averageRating = try row.value("average")
            }
            digest.ratingAlerts = try await rows("""
                SELECT c.article_id, count(*) AS n, avg(c.author_is_new::integer)::double precision AS new_share, c.rating AS rating
                FROM signal s JOIN comment c ON c.key = s.comment_key
                WHERE s.name = 'ratings.bombing' AND c.received_at >= \(start) AND c.received_at < \(end)
                GROUP BY c.article_id, c.rating ORDER BY n DESC LIMIT 5
                """).map { row in
                let count = try row.value("n", as: Int.self)
                let rating = try row.value("rating", as: Int.self)
                return Digest.RatingAlert(articleID: try row.value("article_id"), window: "1 hour", extremeRatings: count,
                                          shareFromNewAuthors: try row.value("new_share", as: Double?.self) ?? 0,
                                          message: "\(count) \(rating)-star ratings arrived in bursts, mostly from first-time commenters: possible rating bombing")
            }

            // Backlog, as of now
            digest.heldNow = try await scalar("SELECT count(*) AS n FROM comment WHERE status = 'held'")
            if let oldest = try await connection.row("SELECT min(received_at) AS oldest FROM comment WHERE status = 'held'", logger: logger)?
                .value("oldest", as: Date?.self) {
                digest.oldestHeldAge = now.timeIntervalSince(oldest)
            }
            let slaStart = now.addingTimeInterval(-slaHours * 3600)
            digest.overSLA = try await scalar("SELECT count(*) AS n FROM comment WHERE status = 'held' AND received_at < \(slaStart)")
            let waits = try await rows("""
                SELECT extract(epoch FROM min(d.at) - c.received_at)::double precision AS wait
                FROM decision d JOIN comment c ON c.key = d.comment_key
                WHERE d.actor_kind <> 'system' AND d.at >= \(start) AND d.at < \(end) GROUP BY c.key
                """).map { try $0.value("wait", as: Double.self) }.sorted()
            digest.medianTimeToDecision = DigestBuilder.percentile(waits, 0.5)
            let ages = try await rows("SELECT received_at FROM comment WHERE status = 'held'")
                .map { now.timeIntervalSince(try $0.value("received_at", as: Date.self)) / 3600 }
            let limits: [(String, Double)] = [("<1h", 1), ("1–4h", 4), ("4–12h", 12), ("12–24h", 24), (">24h", .infinity)]
            var counts = [Int](repeating: 0, count: limits.count)
            for age in ages { counts[limits.firstIndex { age < $0.1 } ?? limits.count - 1] += 1 }
            digest.backlogAges = zip(limits, counts).map { Digest.AgeBucket(label: $0.0, count: $1) }

            // Rules, heuristics and the classifier against moderators
            let states = try await rows("SELECT rule_id, mode, reason, changed_by, changed_at FROM rule_state")
            let shadowed = Set(try states.filter { try $0.value("mode", as: String.self) == "shadow" }.map { try $0.value("rule_id", as: String.self) })
            digest.ruleStats = try await rows("""
                SELECT s.name, min(s.source) AS source, count(DISTINCT s.comment_key) AS hits, bool_or(s.is_shadow) AS shadow,
                       count(DISTINCT CASE WHEN m.seq IS NOT NULL THEN s.comment_key END) AS reviewed,
                       count(DISTINCT CASE WHEN m.status = 'approved' AND sys.status <> 'approved' AND (s.score > 0 OR s.action IN ('hold', 'reject')) THEN s.comment_key
                                           WHEN m.status = 'rejected' AND sys.status = 'approved' AND s.score < 0 THEN s.comment_key END) AS overturned
                FROM signal s
                JOIN comment c ON c.key = s.comment_key
                LEFT JOIN decision sys ON sys.comment_key = s.comment_key AND sys.actor_kind = 'system'
                LEFT JOIN decision m ON m.seq = (SELECT max(seq) FROM decision WHERE comment_key = s.comment_key AND actor_kind <> 'system')
                WHERE c.received_at >= \(start) AND c.received_at < \(end) AND NOT s.is_error AND s.source <> 'pipeline'
                GROUP BY s.name
                """).map { row in
                let name = try row.value("name", as: String.self)
                let source = try row.value("source", as: String.self)
                let kind: Digest.RuleStat.Kind = source == "rule" ? .rule : source == "classifier" ? .classifier : .heuristic
                let isShadow = (try row.value("shadow", as: Bool?.self) ?? false) || shadowed.contains(name)
                return Digest.RuleStat(ruleID: name, kind: kind, hits: try row.value("hits"), overturned: try row.value("overturned"),
                                       reviewed: try row.value("reviewed"), mode: isShadow ? .shadow : .active)
            }
            digest.ruleErrors = try await rows("""
                SELECT s.name, count(*) AS n FROM signal s JOIN comment c ON c.key = s.comment_key
                WHERE s.is_error AND c.received_at >= \(start) AND c.received_at < \(end) GROUP BY s.name ORDER BY n DESC
                """).map { Digest.RuleErrorStat(ruleID: try $0.value("name"), count: try $0.value("n")) }
            digest.autoShadowed = try states.compactMap { row in
                guard try row.value("changed_by", as: String.self) == Decision.systemActor else { return nil }
                return Digest.ShadowedRule(ruleID: try row.value("rule_id"), reason: try row.value("reason"), at: try row.value("changed_at"))
            }
            digest.shadowAgreement = try await rows("""
                SELECT s.name, count(DISTINCT s.comment_key) AS hits,
                       count(DISTINCT CASE WHEN m.seq IS NOT NULL AND m.status <> 'approved' THEN s.comment_key END) AS agreed,
                       count(DISTINCT CASE WHEN m.seq IS NOT NULL AND m.status = 'approved' THEN s.comment_key END) AS disagreed
                FROM signal s JOIN comment c ON c.key = s.comment_key
                LEFT JOIN decision m ON m.seq = (SELECT max(seq) FROM decision WHERE comment_key = s.comment_key AND actor_kind <> 'system')
                WHERE s.is_shadow AND c.received_at >= \(start) AND c.received_at < \(end) GROUP BY s.name ORDER BY hits DESC
                """).map {
                Digest.ShadowAgreement(ruleID: try $0.value("name"), hits: try $0.value("hits"), agreedWithModerators: try $0.value("agreed"),
                                       disagreed: try $0.value("disagreed"))
            }

            // Offenders among rejected comments
            digest.topAuthors = try await rows("""
                SELECT author AS value, count(*) AS n FROM comment
                WHERE status = 'rejected' AND received_at >= \(start) AND received_at < \(end)
                GROUP BY author HAVING count(*) >= 2 ORDER BY n DESC, author COLLATE "C" LIMIT 5
                """).map { Digest.Offender(value: try $0.value("value"), rejected: try $0.value("n")) }
            digest.topNetworks = try await rows("""
                SELECT network AS value, count(*) AS n FROM comment
                WHERE status = 'rejected' AND network IS NOT NULL AND received_at >= \(start) AND received_at < \(end)
                GROUP BY network HAVING count(*) >= 2 ORDER BY n DESC, network COLLATE "C" LIMIT 5
                """).map { Digest.Offender(value: try $0.value("value"), rejected: try $0.value("n")) }
            let bodies = try await rows("""
                SELECT body FROM comment WHERE status = 'rejected' AND received_at >= \(start) AND received_at < \(end) LIMIT 20000
                """).map { try $0.value("body", as: String.self) }

            // Pipeline health
            let latencies = try await rows("""
                SELECT extract(epoch FROM judged_at - received_at)::double precision AS latency FROM comment
                WHERE judged_at IS NOT NULL AND received_at >= \(start) AND received_at < \(end)
                """).map { try $0.value("latency", as: Double.self) }.sorted()
            digest.latencyP50 = DigestBuilder.percentile(latencies, 0.50)
            digest.latencyP95 = DigestBuilder.percentile(latencies, 0.95)
            digest.latencyP99 = DigestBuilder.percentile(latencies, 0.99)
            let hours = max(1.0 / 60, end.timeIntervalSince(start) / 3600)
            digest.throughputPerHour = (Double(latencies.count) / hours * 10).rounded() / 10
            digest.pipelineErrors = try await scalar("""
                SELECT count(DISTINCT s.comment_key) AS n FROM signal s JOIN comment c ON c.key = s.comment_key
                WHERE (s.source = 'pipeline' OR s.is_error) AND c.received_at >= \(start) AND c.received_at < \(end)
                """)

            // Blocks and webhooks (in PostgreSQL their tables always exist)
            digest.blocksAdded = try await scalar("SELECT count(*) AS n FROM block WHERE created_at >= \(start) AND created_at < \(end)")
            digest.blocksExpired = try await scalar("SELECT count(*) AS n FROM block WHERE expires_at >= \(start) AND expires_at < \(end)")
            digest.webhookFailures = try await scalar("""
                SELECT count(*) AS n FROM outbox WHERE failed_at IS NOT NULL AND failed_at >= \(start) AND failed_at < \(end)
                """)
            digest.webhookBacklog = try await scalar("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL")
            return DigestFigures(digest: digest, rejectedBodies: bodies)
        }
    }

    /// Hits and moderator overturns per signal name since a time.
    public func signalStatistics(since: Date) async throws(StoreError) -> [String: RuleStatistics] {
        let logger = logger
        return try await readSnapshot("reading rule statistics") { connection in
            var statistics: [String: RuleStatistics] = [:]
            for row in try await connection.rows("""
                SELECT s.name, count(DISTINCT s.comment_key) AS hits FROM signal s JOIN comment c ON c.key = s.comment_key
                WHERE c.received_at >= \(since) GROUP BY s.name
                """, logger: logger) {
                let name = try row.value("name", as: String.self)
                statistics[name, default: RuleStatistics()].hits = try row.value("hits")
            }
            for row in try await connection.rows("""
                SELECT s.name,
                       count(DISTINCT s.comment_key) AS reviewed,
                       count(DISTINCT CASE WHEN m.status = 'approved' AND sys.status <> 'approved' THEN s.comment_key END) AS overturned
                FROM signal s
                JOIN comment c ON c.key = s.comment_key
                JOIN decision sys ON sys.comment_key = s.comment_key AND sys.actor_kind = 'system'
                JOIN decision m ON m.seq = (SELECT max(seq) FROM decision WHERE comment_key = s.comment_key AND actor_kind <> 'system')
                WHERE c.received_at >= \(since) GROUP BY s.name
                """, logger: logger) {
                let name = try row.value("name", as: String.self)
                statistics[name, default: RuleStatistics()].reviewed = try row.value("reviewed")
                statistics[name, default: RuleStatistics()].overturned = try row.value("overturned")
            }
            return statistics
        }
    }

    /// Of the comments one rule hit that a moderator decided since `since`, how many, and how many they
    /// overturned (approved a comment the pipeline held or rejected).
    public func reviewStatistics(ofSignal name: String, since: Date) async throws(StoreError) -> RuleStatistics {
        let logger = logger
        return try await read("reading a rule's reviews") { connection in
            // The moderators' latest decision on each comment in the period, against the pipeline's first.
            let row = try await connection.row("""
                SELECT count(*) AS reviewed,
                       count(*) FILTER (WHERE m.status = 'approved' AND sys.status <> 'approved') AS overturned
                FROM (SELECT comment_key, max(seq) AS seq FROM decision WHERE actor_kind <> 'system' AND at >= \(since)
                      GROUP BY comment_key) latest
                JOIN decision m ON m.seq = latest.seq
                JOIN decision sys ON sys.seq = (SELECT min(seq) FROM decision
                                                WHERE comment_key = latest.comment_key AND actor_kind = 'system')
                JOIN comment c ON c.key = latest.comment_key
                WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(c.signals) s WHERE s.value->>'name' = \(name))
                """, logger: logger)
            var statistics = RuleStatistics()
            statistics.reviewed = try row?.value("reviewed", as: Int.self) ?? 0
            statistics.overturned = try row?.value("overturned", as: Int.self) ?? 0
            return statistics
        }
    }

    /// Comments judged since a time, with their system verdict and current status, for backtesting.
    public func judgedComments(since: Date, limit: Int) async throws(StoreError) -> [(comment: StoredComment, systemVerdict: CommentStatus)] {
        let logger = logger
        let columns = StoredComment.postgresColumns.split(separator: ",")
            .map { "c." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
        let rows = try await read("reading judged comments") { connection in
            try await connection.rows("""
                SELECT \(unescaped: columns), d.status AS system_status FROM comment c
                JOIN decision d ON d.comment_key = c.key AND d.actor_kind = 'system'
                WHERE c.received_at >= \(since) AND c.status <> 'queued'
                ORDER BY c.key DESC LIMIT \(limit)
                """, logger: logger).map { row in
                JudgedRow(comment: try StoredComment(postgres: row),
                          systemVerdict: CommentStatus(rawValue: try row.value("system_status")) ?? .queued)
            }
        }
        return rows.map { ($0.comment, $0.systemVerdict) }
    }
}

/// A judged comment as read (tuples are not `Sendable` results of `read`).
private struct JudgedRow: Sendable {
    var comment: StoredComment
    var systemVerdict: CommentStatus
}
