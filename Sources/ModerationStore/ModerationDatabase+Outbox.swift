import Foundation
import GRDB
import Moderation

/// A decision waiting to be sent to the website's webhook.
public struct PendingDelivery: Sendable {
    public var entry: DecisionEntry
    public var attempts: Int
}

extension ModerationDatabase {
    /// Decisions due for delivery, oldest first, at most one per comment (the earliest undelivered), so
    /// each comment's decisions arrive in order.
    public func dueDeliveries(at now: Date, limit: Int) async throws(StoreError) -> [PendingDelivery] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT d.seq, c.external_id, d.status, d.previous_status, d.actor, d.actor_kind, d.reason, d.note, d.at, o.attempts,
                           d.revision, CASE WHEN d.revision = 0 THEN NULL WHEN d.revision = c.revision THEN c.body
                               ELSE (SELECT r.previous_body FROM comment_revision r WHERE r.comment_key = c.key AND r.number = d.revision + 1) END AS body
                    FROM outbox o JOIN decision d ON d.seq = o.seq JOIN comment c ON c.key = o.comment_key
                    WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= ?
                      AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.comment_key = o.comment_key AND e.seq < o.seq
                                      AND e.delivered_at IS NULL AND e.failed_at IS NULL)
                    ORDER BY o.seq LIMIT ?
                    """, arguments: [now, limit]).map { row in
                    PendingDelivery(entry: try DecisionEntry(row: row), attempts: row["attempts"])
                }
            }
        } catch {
            throw Self.wrap(error, "reading the webhook outbox")
        }
    }

    /// Marks a delivery as done.
    public func markDelivered(_ seq: Int64, at now: Date) async throws(StoreError) {
        do {
            try await pool.write { try $0.execute(sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?",
                                                  arguments: [now, seq]) }
        } catch {
            throw Self.wrap(error, "recording a delivery")
        }
    }

    /// Records a failed attempt: retry at `retryAt`, or give up (`retryAt` nil).
    public func markAttemptFailed(_ seq: Int64, error message: String, retryAt: Date?, at now: Date) async throws(StoreError) {
        do {
            try await pool.write { db in
                if let retryAt {
                    try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?",
                                   arguments: [retryAt, message, seq])
                } else {
                    try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, failed_at = ?, last_error = ? WHERE seq = ?",
                                   arguments: [now, message, seq])
                }
            }
        } catch {
            throw Self.wrap(error, "recording a failed delivery")
        }
    }

    /// Removes outbox entries delivered or given up before a time; returns how many.
    @discardableResult
    public func pruneOutbox(finishedBefore cutoff: Date) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                try db.execute(sql: """
                    DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)
                    """, arguments: [cutoff, cutoff])
                return db.changesCount
            }
        } catch {
            throw Self.wrap(error, "pruning the webhook outbox")
        }
    }

    /// The webhook's backlog: decisions still to deliver, those given up on, and the last error.
    public func outboxStatus() async throws(StoreError) -> OutboxStatus {
        do {
            return try await pool.read { db in
                OutboxStatus(
                    backlog: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL") ?? 0,
                    failed: try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL") ?? 0,
                    lastError: try String.fetchOne(db, sql: "SELECT last_error FROM outbox WHERE last_error IS NOT NULL ORDER BY seq DESC LIMIT 1"))
            }
        } catch {
            throw Self.wrap(error, "reading the webhook's backlog")
        }
    }
}

/// How the webhook's deliveries stand.
public struct OutboxStatus: Sendable, Equatable {
    /// Decisions still to deliver.
    public var backlog: Int
    /// Deliveries given up on.
    public var failed: Int
    /// The latest delivery error.
    public var lastError: String?
}
