import Foundation
import GRDB
import Moderation

extension ModerationDatabase {
    /// Records a reader's report of a comment and, when the open reports on an approved comment reach
    /// the policy's threshold, holds it with a readers' decision, in one transaction. A reporter's
    /// second report of the same comment changes nothing. A report of a comment still queued is kept
    /// and applied when its verdict is recorded (``holdReported(keys:policy:at:)``).
    /// - Throws: ``StoreError`` `.notFound`.
    public func report(_ externalID: String, _ report: ReaderReport, policy: ReportPolicy, at now: Date) async throws(StoreError) -> ReportReceipt {
        do {
            return try await pool.writeWithoutTransaction { db in
                var receipt: ReportReceipt!
                try db.inTransaction(.immediate) {
                    guard let row = try Row.fetchOne(db, sql: "SELECT key, status FROM comment WHERE external_id = ?", arguments: [externalID]) else {
                        throw StoreError(.notFound, "no comment with id \(externalID)")
                    }
                    let key: Int64 = row["key"]
                    let status: CommentStatus = row["status"]
                    let standing = try Self.standing(of: report.reporter, db)
                    try db.execute(sql: """
                        INSERT INTO report (comment_key, reporter, reason, note, network, weight, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (comment_key, reporter) DO NOTHING
                        """, arguments: [key, report.reporter, report.reason.rawValue, report.note, report.network, standing.trust, now])
                    guard db.changesCount == 1 else {
                        receipt = ReportReceipt(counted: false, status: status, hold: nil, weight: 0)
                        return .commit
                    }
                    let hold = try Self.holdIfReported(key, status: status, policy: policy, at: now, db)
                    receipt = ReportReceipt(counted: true, status: hold?.status ?? status, hold: hold, weight: standing.trust)
                    return .commit
                }
                return receipt
            }
        } catch {
            throw Self.wrap(error, "recording a report")
        }
    }

    /// Holds those of these just-judged comments that readers reported while they were queued, when
    /// their open reports reach the threshold and the pipeline approved them.
    public func holdReported(keys: [Int64], policy: ReportPolicy, at now: Date) async throws(StoreError) -> [Decision] {
        guard !keys.isEmpty else { return [] }
        let list = "[\(keys.map(String.init).joined(separator: ","))]"
        do {
            // Read first: nearly always none was reported, and the write lock is not needed.
            let reported = try await pool.read { db in
                try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT comment_key FROM report WHERE outcome IS NULL AND comment_key IN (SELECT value FROM json_each(?))
                    """, arguments: [list])
            }
            guard !reported.isEmpty else { return [] }
            return try await pool.writeWithoutTransaction { db in
                var holds: [Decision] = []
                try db.inTransaction(.immediate) {
                    for key in reported {
                        guard let status = try CommentStatus.fetchOne(db, sql: "SELECT status FROM comment WHERE key = ?", arguments: [key]) else { continue }
                        if let hold = try Self.holdIfReported(key, status: status, policy: policy, at: now, db) { holds.append(hold) }
                    }
                    return .commit
                }
                return holds
            }
        } catch {
            throw Self.wrap(error, "holding reported comments")
        }
    }

    /// A comment's reports, oldest first, with each reporter's standing now.
    public func reports(of externalID: String) async throws(StoreError) -> [(report: StoredReport, standing: ReporterStanding)] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT r.* FROM report r JOIN comment c ON c.key = r.comment_key WHERE c.external_id = ? ORDER BY r.key
                    """, arguments: [externalID]).map { row in
                    let report = Self.storedReport(row)
                    return (report, try Self.standing(of: report.reporter, db))
                }
            }
        } catch {
            throw Self.wrap(error, "reading reports")
        }
    }

    /// Holds an approved comment whose open reports reach the policy's threshold.
    static func holdIfReported(_ key: Int64, status: CommentStatus, policy: ReportPolicy, at now: Date, _ db: Database) throws -> Decision? {
        guard status == .approved else { return nil }
        let open = try openReports(key, db)
        let dismissed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report WHERE comment_key = ? AND outcome = 'dismissed')",
                                          arguments: [key]) ?? false
        guard policy.holds(open, afterDismissal: dismissed) else { return nil }
        try db.execute(sql: "UPDATE comment SET status = 'held' WHERE key = ?", arguments: [key])
        let revision = try Int.fetchOne(db, sql: "SELECT revision FROM comment WHERE key = ?", arguments: [key]) ?? 0
        return try Decision(commentKey: key, status: .held, previousStatus: status, actor: Decision.readersActor, actorKind: .readers,
                            reason: ReportPolicy.holdReason(open), note: ReportPolicy.holdNote(open), at: now, revision: revision).inserted(db)
    }

    static func openReports(_ key: Int64, _ db: Database) throws -> [StoredReport] {
        try Row.fetchAll(db, sql: "SELECT * FROM report WHERE comment_key = ? AND outcome IS NULL ORDER BY key", arguments: [key])
            .map(storedReport)
    }

    static func standing(of reporter: String, _ db: Database) throws -> ReporterStanding {
        let row = try Row.fetchOne(db, sql: """
            SELECT coalesce(sum(outcome = 'upheld'), 0) AS upheld, coalesce(sum(outcome = 'dismissed'), 0) AS dismissed
            FROM report WHERE reporter = ? AND outcome IS NOT NULL
            """, arguments: [reporter])
        return ReporterStanding(upheld: row?["upheld"] ?? 0, dismissed: row?["dismissed"] ?? 0)
    }

    static func storedReport(_ row: Row) -> StoredReport {
        StoredReport(reporter: row["reporter"], reason: ReportReason(rawValue: row["reason"]) ?? .other, note: row["note"],
                     weight: row["weight"], outcome: (row["outcome"] as String?).flatMap(ReportOutcome.init(rawValue:)), at: row["at"])
    }
}
