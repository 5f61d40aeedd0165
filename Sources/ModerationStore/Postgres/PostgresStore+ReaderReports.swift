import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Readers' reports

    public func report(_ externalID: String, _ report: ReaderReport, policy: ReportPolicy, at now: Date) async throws(StoreError) -> ReportReceipt {
        let logger = self.logger
        return try await transaction("recording a report") { connection in
            // The comment's row is locked, so two reports completing the threshold at once hold it once.
            guard let row = try await connection.row("SELECT key, status FROM comment WHERE external_id = \(externalID) FOR UPDATE",
                                                     logger: logger) else {
                throw StoreError(.notFound, "no comment with id \(externalID)")
            }
            let key = try row.value("key", as: Int64.self)
            let status = CommentStatus(rawValue: try row.value("status")) ?? .queued
            let standing = try await Self.standing(of: report.reporter, connection, logger: logger)
            let inserted = try await connection.row("""
                INSERT INTO report (comment_key, reporter, reason, note, network, weight, at)
                VALUES (\(key), \(report.reporter), \(report.reason.rawValue), \(report.note), \(report.network), \(standing.trust), \(now))
                ON CONFLICT (comment_key, reporter) DO NOTHING RETURNING key
                """, logger: logger)
            guard inserted != nil else { return ReportReceipt(counted: false, status: status, hold: nil, weight: 0) }
            let hold = try await Self.holdIfReported(key, status: status, policy: policy, at: now, connection, logger: logger)
            return ReportReceipt(counted: true, status: hold?.status ?? status, hold: hold, weight: standing.trust)
        }
    }

    public func holdReported(keys: [Int64], policy: ReportPolicy, at now: Date) async throws(StoreError) -> [Decision] {
        guard !keys.isEmpty else { return [] }
        let logger = self.logger
        // Read first: nearly always none was reported.
        let reported = try await read("finding reported comments") { connection in
            try await connection.rows("""
                SELECT DISTINCT comment_key FROM report WHERE outcome IS NULL AND comment_key = ANY(\(keys)) ORDER BY comment_key
                """, logger: logger).map { try $0.value("comment_key", as: Int64.self) }
        }
        guard !reported.isEmpty else { return [] }
        return try await transaction("holding reported comments") { connection in
            // Every row first, in key order, before the feed's lock: the order every writer takes them in.
            var statuses: [Int64: CommentStatus] = [:]
            for row in try await connection.rows("SELECT key, status FROM comment WHERE key = ANY(\(reported)) ORDER BY key FOR UPDATE",
                                                 logger: logger) {
                statuses[try row.value("key", as: Int64.self)] = CommentStatus(rawValue: try row.value("status"))
            }
            var holds: [Decision] = []
            for key in reported {
                guard let status = statuses[key] else { continue }
                if let hold = try await Self.holdIfReported(key, status: status, policy: policy, at: now, connection, logger: logger) {
                    holds.append(hold)
                }
            }
            return holds
        }
    }

    public func reports(of externalID: String) async throws(StoreError) -> [(report: StoredReport, standing: ReporterStanding)] {
        let logger = self.logger
        return try await read("reading reports") { connection in
            var result: [(report: StoredReport, standing: ReporterStanding)] = []
            guard let key = try await connection.row("SELECT key FROM comment WHERE external_id = \(externalID)", logger: logger)?
                .value("key", as: Int64.self) else { return result }
            for report in try await Self.allReports(key, connection, logger: logger) {
                result.append((report, try await Self.standing(of: report.reporter, connection, logger: logger)))
            }
            return result
        }
    }

    /// Holds an approved comment (its row locked) whose open reports reach the policy's threshold.
    static func holdIfReported(_ key: Int64, status: CommentStatus, policy: ReportPolicy, at now: Date,
                               _ connection: PostgresConnection, logger: Logger) async throws -> Decision? {
        guard status == .approved else { return nil }
        let open = try await openReports(key, connection, logger: logger)
        let dismissed = try await connection.row("""
            SELECT EXISTS (SELECT 1 FROM report WHERE comment_key = \(key) AND outcome = 'dismissed') AS dismissed
            """, logger: logger)?.value("dismissed", as: Bool.self) ?? false
        guard policy.holds(open, afterDismissal: dismissed) else { return nil }
        let revision = try await connection.row("UPDATE comment SET status = 'held' WHERE key = \(key) RETURNING revision", logger: logger)?
            .value("revision", as: Int32.self) ?? 0
        return try await insertDecision(Decision(commentKey: key, status: .held, previousStatus: status, actor: Decision.readersActor,
                                                 actorKind: .readers, reason: ReportPolicy.holdReason(open), note: ReportPolicy.holdNote(open),
                                                 at: now, revision: Int(revision)), connection, logger: logger)
    }

    static let reportColumns = "r.reporter, r.reason, r.note, r.weight, r.outcome, r.at"

    /// The open reports on a comment, oldest first.
    static func openReports(_ key: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> [StoredReport] {
        try await connection.rows("""
            SELECT \(unescaped: reportColumns) FROM report r WHERE r.comment_key = \(key) AND r.outcome IS NULL ORDER BY r.key
            """, logger: logger).map(storedReport)
    }

    /// Every report on a comment, oldest first.
    static func allReports(_ key: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> [StoredReport] {
        try await connection.rows("SELECT \(unescaped: reportColumns) FROM report r WHERE r.comment_key = \(key) ORDER BY r.key",
                                  logger: logger).map(storedReport)
    }

    static func standing(of reporter: String, _ connection: PostgresConnection, logger: Logger) async throws -> ReporterStanding {
        let row = try await connection.row("""
            SELECT count(*) FILTER (WHERE outcome = 'upheld') AS upheld, count(*) FILTER (WHERE outcome = 'dismissed') AS dismissed
            FROM report WHERE reporter = \(reporter) AND outcome IS NOT NULL
            """, logger: logger)
        return ReporterStanding(upheld: Int(try row?.value("upheld", as: Int64.self) ?? 0),
                                dismissed: Int(try row?.value("dismissed", as: Int64.self) ?? 0))
    }

    static func storedReport(_ row: PostgresRandomAccessRow) throws -> StoredReport {
        StoredReport(reporter: try row.value("reporter"), reason: ReportReason(rawValue: try row.value("reason")) ?? .other,
                     note: try row.value("note"), weight: try row.value("weight"),
                     outcome: (try row.value("outcome", as: String?.self)).flatMap(ReportOutcome.init(rawValue:)), at: try row.value("at"))
    }
}
