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

            // Volume, hours, articles, ratings, deciders, rules, latency: from the hourly counts.
            let states = try await rows("SELECT rule_id, mode, reason, changed_by, changed_at FROM rule_state")
            let shadowed = Set(try states.filter { try $0.value("mode", as: String.self) == "shadow" }.map { try $0.value("rule_id", as: String.self) })
            try await Self.hourlyRows(connection, HourlyCounts.Split(start: start, end: end), logger: logger).fill(&digest, shadowedRules: shadowed)

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
                WHERE d.actor_kind <> 'system' AND d.actor_kind <> 'readers' AND d.at >= \(start) AND d.at < \(end) GROUP BY c.key
                """).map { try $0.value("wait", as: Double.self) }.sorted()
            digest.medianTimeToDecision = DigestBuilder.percentile(waits, 0.5)
            let ages = try await rows("SELECT received_at FROM comment WHERE status = 'held'")
                .map { now.timeIntervalSince(try $0.value("received_at", as: Date.self)) / 3600 }
            let limits: [(String, Double)] = [("<1h", 1), ("1–4h", 4), ("4–12h", 12), ("12–24h", 24), (">24h", .infinity)]
            var counts = [Int](repeating: 0, count: limits.count)
            for age in ages { counts[limits.firstIndex { age < $0.1 } ?? limits.count - 1] += 1 }
            digest.backlogAges = zip(limits, counts).map { Digest.AgeBucket(label: $0.0, count: $1) }

            digest.autoShadowed = try states.compactMap { row in
                guard try row.value("changed_by", as: String.self) == Decision.systemActor else { return nil }
                return Digest.ShadowedRule(ruleID: try row.value("rule_id"), reason: try row.value("reason"), at: try row.value("changed_at"))
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

    /// Hits, people's reviews and overturns per signal name, of the comments received since a time.
    public func signalStatistics(since: Date) async throws(StoreError) -> [String: RuleStatistics] {
        let logger = logger
        return try await readSnapshot("reading rule statistics") { connection in
            try await Self.hourlyRows(connection, HourlyCounts.Split(start: since, end: nil), logger: logger).ruleStatistics
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
                FROM (SELECT comment_key, max(seq) AS seq FROM decision WHERE actor_kind <> 'system' AND actor_kind <> 'readers' AND at >= \(since)
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
