import Foundation
import GRDB
import Moderation

/// A rule's mode as changed while running (by the daemon's traffic check or a moderator).
public struct RuleState: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "rule_state"
    public var ruleID: String
    public var mode: RuleMode
    public var reason: String
    public var changedBy: String
    public var changedAt: Date

    enum CodingKeys: String, CodingKey {
        case mode, reason
        case ruleID = "rule_id"
        case changedBy = "changed_by"
        case changedAt = "changed_at"
    }

    public init(ruleID: String, mode: RuleMode, reason: String, changedBy: String, changedAt: Date) {
        self.ruleID = ruleID
        self.mode = mode
        self.reason = reason
        self.changedBy = changedBy
        self.changedAt = changedAt
    }
}

extension RuleMode: DatabaseValueConvertible {}

/// How a rule has fared: hits in a period, and how often moderators overturned its outcome.
public struct RuleStatistics: Sendable, Equatable {
    public var hits: Int = 0
    /// Comments it hit where a person went against it: approved what it pushed to hold or reject, or
    /// rejected what it pushed to approve, after the pipeline's verdict went its way.
    public var overturned: Int = 0
    /// Comments it hit that a moderator decided at all.
    public var reviewed: Int = 0

    public init(hits: Int = 0, reviewed: Int = 0, overturned: Int = 0) {
        self.hits = hits
        self.reviewed = reviewed
        self.overturned = overturned
    }
}

extension ModerationDatabase {
    /// Modes changed while running, by rule id.
    public func ruleStates() async throws(StoreError) -> [String: RuleState] {
        do {
            return try await pool.read { db in
                Dictionary(uniqueKeysWithValues: try RuleState.fetchAll(db).map { ($0.ruleID, $0) })
            }
        } catch {
            throw Self.wrap(error, "reading rule states")
        }
    }

    /// Records a rule's mode; `nil` clears the change so the pack's own mode applies again.
    public func setRuleState(_ state: RuleState?, for ruleID: String) async throws(StoreError) {
        do {
            try await pool.write { db in
                if let state {
                    try state.save(db)
                } else {
                    _ = try RuleState.deleteOne(db, key: ["rule_id": ruleID])
                }
            }
        } catch {
            throw Self.wrap(error, "recording a rule state")
        }
    }

    /// Hits, people's reviews and overturns per signal name, of the comments received since a time.
    public func signalStatistics(since: Date) async throws(StoreError) -> [String: RuleStatistics] {
        do {
            return try await pool.read { db in try Self.hourlyRows(db, HourlyCounts.Split(start: since, end: nil)).ruleStatistics }
        } catch {
            throw Self.wrap(error, "reading rule statistics")
        }
    }

    /// How moderators judged one rule's verdicts in a period: of the comments it hit that a moderator
    /// decided since `since`, how many, and how many they overturned (approved a comment the pipeline
    /// held or rejected).
    public func reviewStatistics(ofSignal name: String, since: Date) async throws(StoreError) -> RuleStatistics {
        do {
            return try await pool.read { db in
                var statistics = RuleStatistics()
                // From the moderators' decisions in the period (a partial index holds only those), the
                // latest on each comment, against the pipeline's first verdict on it.
                let row = try Row.fetchOne(db, sql: """
                    SELECT count(*) AS reviewed,
                           coalesce(sum(CASE WHEN m.status = 'approved' AND sys.status != 'approved' THEN 1 ELSE 0 END), 0) AS overturned
                    FROM (SELECT comment_key, max(seq) AS seq FROM decision WHERE actor_kind != 'system' AND actor_kind != 'readers' AND at >= ?
                          GROUP BY comment_key) latest
                    JOIN decision m ON m.seq = latest.seq
                    JOIN decision sys ON sys.seq = (SELECT min(seq) FROM decision
                                                    WHERE comment_key = latest.comment_key AND actor_kind = 'system')
                    JOIN comment c ON c.key = latest.comment_key
                    WHERE EXISTS (SELECT 1 FROM json_each(c.signals) s WHERE json_extract(s.value, '$.name') = ?)
                    """, arguments: [since, name])
                statistics.reviewed = row?["reviewed"] ?? 0
                statistics.overturned = row?["overturned"] ?? 0
                return statistics
            }
        } catch {
            throw Self.wrap(error, "reading a rule's reviews")
        }
    }

    /// Comments judged since a time, with their system verdict and current status, for backtesting.
    public func judgedComments(since: Date, limit: Int) async throws(StoreError) -> [(comment: StoredComment, systemVerdict: CommentStatus)] {
        do {
            return try await pool.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT c.*, d.status AS system_status FROM comment c
                    JOIN decision d ON d.comment_key = c.key AND d.actor_kind = 'system'
                    WHERE c.received_at >= ? AND c.status != 'queued'
                    ORDER BY c.key DESC LIMIT ?
                    """, arguments: [since, limit])
                return try rows.map { row in
                    (try StoredComment(row: row), CommentStatus(rawValue: row["system_status"]) ?? .queued)
                }
            }
        } catch {
            throw Self.wrap(error, "reading judged comments")
        }
    }

    /// Records facts about the running daemon (rule set version, load errors, ...).
    public func setDaemonStatus(_ values: [String: String], at now: Date = Date()) async throws(StoreError) {
        do {
            try await pool.write { db in
                for (key, value) in values {
                    try db.execute(sql: """
                        INSERT INTO daemon_status (key, value, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                        """, arguments: [key, value, now])
                }
            }
        } catch {
            throw Self.wrap(error, "recording the daemon status")
        }
    }

    /// Facts the daemon recorded, by key.
    public func daemonStatus() async throws(StoreError) -> [String: String] {
        do {
            return try await pool.read { db in
                var values: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM daemon_status") {
                    values[row["key"]] = row["value"]
                }
                return values
            }
        } catch {
            throw Self.wrap(error, "reading the daemon status")
        }
    }

    /// A random 32-byte secret of this installation, made on first use and kept in the database (which
    /// only its owner can read). Used as a key, so values derived from it cannot be predicted elsewhere.
    public func installationSecret(named name: String) async throws(StoreError) -> [UInt8] {
        do {
            return try await pool.write { db in
                if let existing = try Data.fetchOne(db, sql: "SELECT value FROM installation_secret WHERE name = ?", arguments: [name]) {
                    return Array(existing)
                }
                var generator = SystemRandomNumberGenerator()
                let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try db.execute(sql: "INSERT INTO installation_secret (name, value) VALUES (?, ?)", arguments: [name, Data(secret)])
                return secret
            }
        } catch {
            throw Self.wrap(error, "reading an installation secret")
        }
    }
}
