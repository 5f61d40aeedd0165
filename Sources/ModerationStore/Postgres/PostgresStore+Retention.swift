import Foundation
import Logging
import Moderation
import PostgresNIO

// PostgreSQL has no `secure_delete` and no write-ahead log to truncate from here: the old versions of
// erased rows stay in the table's pages until VACUUM (autovacuum) reclaims them.

extension DataSubject {
    /// The condition selecting the subject's comments, its values appended to `bindings`.
    fileprivate func postgresCondition(_ bindings: inout PostgresBindings) -> String {
        var parts: [String] = []
        if let author {
            bindings.append(author)
            parts.append("author = $\(bindings.count)")
        }
        if let email {
            bindings.append(email)
            parts.append("lower(email) = $\(bindings.count)")
        }
        return parts.isEmpty ? "false" : "(\(parts.joined(separator: " OR ")))"
    }
}

extension PostgresStore {
    // MARK: Retention and erasure

    /// Removes IP addresses, networks, emails and user agents from comments received before `cutoff`,
    /// and the personal data their signals and decision notes carry, keeping comments, verdicts and
    /// decisions. Commits in chunks of ``ModerationDatabase/maintenanceChunk`` comments.
    /// - Returns: How many comments were cleaned.
    @discardableResult
    public func purgePersonalData(receivedBefore cutoff: Date, progress: @Sendable (Int) -> Void) async throws(StoreError) -> Int {
        let logger = logger
        let chunk = ModerationDatabase.maintenanceChunk
        var cleaned = 0
        while true {
            let count = try await transaction("purging personal data") { connection in
                try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.maintenance.rawValue))", logger: logger)
                let keys = try await connection.rows("""
                    SELECT key FROM comment WHERE received_at < \(cutoff)
                      AND (ip IS NOT NULL OR network IS NOT NULL OR email IS NOT NULL OR user_agent IS NOT NULL)
                    ORDER BY key LIMIT \(chunk) FOR UPDATE
                    """, logger: logger).map { try $0.value("key", as: Int64.self) }
                guard !keys.isEmpty else { return 0 }
                try await connection.run("""
                    UPDATE comment SET ip = NULL, network = NULL, email = NULL, user_agent = NULL WHERE key = ANY(\(keys))
                    """, logger: logger)
                try await Self.erasePersonalSignals(ofComments: keys, everything: false, connection, logger: logger)
                try await connection.run("UPDATE decision SET note = NULL WHERE comment_key = ANY(\(keys)) AND note IS NOT NULL", logger: logger)
                try await connection.run("UPDATE report SET note = NULL, network = NULL WHERE comment_key = ANY(\(keys))", logger: logger)
                return keys.count
            }
            cleaned += count
            progress(cleaned)
            if count < chunk { break }
        }
        // Readers' notes and networks on reports of that age, whatever their comment's state.
        try await transaction("purging personal data") { connection in
            try await connection.run("""
                UPDATE report SET note = NULL, network = NULL WHERE at < \(cutoff) AND (note IS NOT NULL OR network IS NOT NULL)
                """, logger: logger)
        }
        return cleaned
    }

    /// Removes personal data from comments' signals: with `everything`, the matched text and every
    /// explanation; otherwise those of signals about personal data only (see SQLite's version).
    private static func erasePersonalSignals(ofComments keys: [Int64], everything: Bool, _ connection: PostgresConnection,
                                             logger: Logger) async throws {
        // SQLite's LIKE ignores ASCII case: ILIKE.
        let personal = everything ? "true" : """
            (e->>'name' ILIKE 'personal.%' OR e->>'field' IN ('email', 'ip', 'user_agent')
             OR e->>'name' IN ('block.ip', 'block.network', 'block.email', 'allow.email', 'history.new_author'))
            """
        try await connection.run("""
            UPDATE comment SET signals = (
                SELECT coalesce(jsonb_agg(CASE WHEN \(unescaped: personal)
                                               THEN (e - 'text' - 'start' - 'end') || jsonb_build_object('explanation', \(ModerationDatabase.erasedExplanation)::text)
                                               ELSE e END ORDER BY o), '[]'::jsonb)
                FROM jsonb_array_elements(signals) WITH ORDINALITY x(e, o))
            WHERE key = ANY(\(keys)) AND jsonb_typeof(signals) = 'array'
            """, logger: logger)
    }

    /// The subject's comments, oldest first; `locking` their rows (in key order, before the learning
    /// layer's lock, as decisions take them) until the transaction ends.
    private static func subjectComments(_ subject: DataSubject, limit: Int?, locking: Bool = false, _ connection: PostgresConnection,
                                        logger: Logger) async throws -> [StoredComment] {
        var bindings = PostgresBindings()
        let condition = subject.postgresCondition(&bindings)
        var sql = "SELECT \(StoredComment.postgresColumns) FROM comment WHERE \(condition) ORDER BY key"
        if let limit {
            bindings.append(limit)
            sql += " LIMIT $\(bindings.count)"
        }
        if locking { sql += " FOR UPDATE" }
        return try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).map(StoredComment.init(postgres:))
    }

    /// Block and allow entries that name the subject: their name, their e-mail addresses, and the
    /// addresses their comments came from.
    private static func listEntries(naming subject: DataSubject, comments: [StoredComment], _ connection: PostgresConnection,
                                    logger: Logger) async throws -> [(key: Int64, list: String, kind: String, value: String)] {
        var wanted: Set<[String]> = []
        if let author = subject.author { wanted.insert(["author", author]) }
        if let email = subject.email { wanted.insert(["email", email]) }
        for comment in comments {
            wanted.insert(["author", comment.author])
            if let email = comment.email { wanted.insert(["email", email.lowercased()]) }
            if let ip = comment.ip { wanted.insert(["ip", ip]) }
        }
        return try await connection.rows("SELECT key, list, kind, value FROM block WHERE kind IN ('author', 'email', 'ip') ORDER BY key",
                                         logger: logger)
            .map { (key: try $0.value("key", as: Int64.self), list: try $0.value("list", as: String.self),
                    kind: try $0.value("kind", as: String.self), value: try $0.value("value", as: String.self)) }
            .filter { wanted.contains([$0.kind, $0.value]) }
    }

    /// Everything stored about a person, found by display name or e-mail address.
    public func export(_ subject: DataSubject) async throws(StoreError) -> AuthorExport {
        let logger = logger
        return try await readSnapshot("exporting an author's data") { connection in
            let comments = try await Self.subjectComments(subject, limit: nil, connection, logger: logger)
            let keys = comments.compactMap(\.key)
            let formatter = ISO8601DateFormatter()
            var decisions: [Int64: [String]] = [:]
            for row in try await connection.rows("""
                SELECT \(unescaped: Decision.postgresColumns) FROM decision WHERE comment_key = ANY(\(keys)) ORDER BY seq
                """, logger: logger) {
                let decision = try Decision(postgres: row)
                decisions[decision.commentKey, default: []].append(
                    "\(formatter.string(from: decision.at)) \(decision.status.rawValue) by \(decision.actor)"
                        + (decision.reason.map { ": \($0)" } ?? "") + (decision.note.map { " (\($0))" } ?? ""))
            }
            var earlier: [Int64: [String]] = [:]
            for row in try await connection.rows("""
                SELECT comment_key, previous_body FROM comment_revision WHERE comment_key = ANY(\(keys)) ORDER BY comment_key, number
                """, logger: logger) {
                earlier[try row.value("comment_key", as: Int64.self), default: []].append(try row.value("previous_body"))
            }
            let items = comments.map { comment in
                AuthorExport.Item(id: comment.externalID, articleID: comment.articleID, articleURL: comment.articleURL,
                                  author: comment.author, email: comment.email, ip: comment.ip, userAgent: comment.userAgent,
                                  body: comment.body, rating: comment.rating, receivedAt: comment.receivedAt,
                                  status: comment.status.rawValue, decisions: comment.key.flatMap { decisions[$0] } ?? [],
                                  earlierTexts: comment.key.flatMap { earlier[$0] } ?? [])
            }
            let entries = try await Self.listEntries(naming: subject, comments: comments, connection, logger: logger)
                .map { "\($0.list) \($0.kind) \($0.value)" }
            return AuthorExport(author: subject.description, comments: items, listEntries: entries)
        }
    }

    /// Erases a person's personal data: their comments' text, name, email, IP and user agent, the
    /// matched text and explanations of their signals, notes on decisions about them, the list entries
    /// naming them or their addresses, and the ids of their comments checked through the Akismet routes.
    /// Verdicts and decisions stay as anonymous records. Commits in chunks of
    /// ``ModerationDatabase/maintenanceChunk`` comments.
    /// - Returns: How many comments were erased.
    @discardableResult
    public func forget(_ subject: DataSubject) async throws(StoreError) -> Int {
        let logger = logger
        let chunk = ModerationDatabase.maintenanceChunk
        let lock = PostgresSchema.Lock.maintenance.rawValue
        // The list entries first, while the comments still say which addresses were theirs.
        try await transaction("forgetting an author") { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
            let comments = try await Self.subjectComments(subject, limit: nil, connection, logger: logger)
            let entries = try await Self.listEntries(naming: subject, comments: comments, connection, logger: logger).map { $0.key }
            if !entries.isEmpty {
                try await connection.run("DELETE FROM block WHERE key = ANY(\(entries))", logger: logger)
            }
        }
        var erased = 0
        while true {
            let count = try await transaction("forgetting an author") { connection in
                try await connection.run("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
                let keys = try await Self.subjectComments(subject, limit: chunk, locking: true, connection, logger: logger).compactMap(\.key)
                guard !keys.isEmpty else { return 0 }
                for key in keys {
                    try await PostgresStore.learn(commentKey: key, unwanted: nil, tokens: nil, source: "moderator", connection, logger: logger)
                }
                // SQLite's LIKE ignores ASCII case: ILIKE.
                try await connection.run("""
                    UPDATE comment SET author = 'forgotten-' || key, body = '', email = NULL, ip = NULL, network = NULL,
                        user_agent = NULL, article_url = NULL, fingerprint = NULL,
                        external_id = CASE WHEN external_id ILIKE 'akismet-%' THEN 'akismet-forgotten-' || key ELSE external_id END
                    WHERE key = ANY(\(keys))
                    """, logger: logger)
                try await Self.erasePersonalSignals(ofComments: keys, everything: true, connection, logger: logger)
                try await connection.run("UPDATE decision SET note = NULL WHERE comment_key = ANY(\(keys)) AND note IS NOT NULL", logger: logger)
                try await connection.run("UPDATE report SET note = NULL, network = NULL WHERE comment_key = ANY(\(keys))", logger: logger)
                // The texts it replaced go with the text.
                try await connection.run("DELETE FROM comment_revision WHERE comment_key = ANY(\(keys))", logger: logger)
                return keys.count
            }
            erased += count
            if count < chunk { break }
        }
        return erased
    }

    // MARK: The webhook's outbox

    /// Claims the decisions due for delivery for this worker until `now + lease`, oldest first, at most
    /// one per comment (the earliest undelivered), so each comment's decisions arrive in order and no
    /// two daemons send the same one at once.
    public func dueDeliveries(at now: Date, limit: Int, worker: String, lease: TimeInterval) async throws(StoreError) -> [PendingDelivery] {
        let logger = logger
        return try await transaction("reading the webhook outbox") { connection in
            var attempts: [Int64: Int] = [:]
            for row in try await connection.rows("""
                UPDATE outbox SET claimed_by = \(worker), claimed_until = clock_timestamp() + make_interval(secs => \(lease))
                WHERE seq IN (SELECT o.seq FROM outbox o
                              WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND o.next_attempt_at <= \(now)
                                AND (o.claimed_until IS NULL OR o.claimed_until < clock_timestamp())
                                AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.comment_key = o.comment_key AND e.seq < o.seq
                                                AND e.delivered_at IS NULL AND e.failed_at IS NULL)
                              ORDER BY o.seq LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING seq, attempts
                """, logger: logger) {
                let seq = try row.value("seq", as: Int64.self)
                attempts[seq] = try row.value("attempts", as: Int.self)
            }
            guard !attempts.isEmpty else { return [] }
            let seqs = Array(attempts.keys)
            return try await connection.rows("\(unescaped: DecisionEntry.postgresQuery) WHERE d.seq = ANY(\(seqs)) ORDER BY d.seq",
                                             logger: logger).map { row in
                let entry = try DecisionEntry(postgres: row)
                return PendingDelivery(entry: entry, attempts: attempts[entry.seq] ?? 0)
            }
        }
    }

    /// Marks a delivery as done.
    public func markDelivered(_ seq: Int64, at now: Date) async throws(StoreError) {
        let logger = logger
        try await read("recording a delivery") { connection in
            try await connection.run("""
                UPDATE outbox SET delivered_at = \(now), attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                WHERE seq = \(seq)
                """, logger: logger)
        }
    }

    /// Records a failed attempt and releases the claim: retry at `retryAt`, or give up (`retryAt` nil).
    public func markAttemptFailed(_ seq: Int64, error message: String, retryAt: Date?, at now: Date) async throws(StoreError) {
        let logger = logger
        try await read("recording a failed delivery") { connection in
            if let retryAt {
                try await connection.run("""
                    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = \(retryAt), last_error = \(message),
                        claimed_by = NULL, claimed_until = NULL
                    WHERE seq = \(seq)
                    """, logger: logger)
            } else {
                try await connection.run("""
                    UPDATE outbox SET attempts = attempts + 1, failed_at = \(now), last_error = \(message), claimed_by = NULL, claimed_until = NULL
                    WHERE seq = \(seq)
                    """, logger: logger)
            }
        }
    }

    /// Removes outbox entries delivered or given up before a time; returns how many.
    @discardableResult
    public func pruneOutbox(finishedBefore cutoff: Date) async throws(StoreError) -> Int {
        let logger = logger
        return try await transaction("pruning the webhook outbox") { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.maintenance.rawValue))", logger: logger)
            return try await connection.row("""
                WITH d AS (DELETE FROM outbox
                           WHERE (delivered_at IS NOT NULL AND delivered_at < \(cutoff)) OR (failed_at IS NOT NULL AND failed_at < \(cutoff))
                           RETURNING 1)
                SELECT count(*) AS n FROM d
                """, logger: logger)?.value("n", as: Int.self) ?? 0
        }
    }

    /// The webhook's backlog: decisions still to deliver, those given up on, and the last error.
    public func outboxStatus() async throws(StoreError) -> OutboxStatus {
        let logger = logger
        return try await read("reading the webhook's backlog") { connection in
            let row = try await connection.row("""
                SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS backlog,
                       count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                       (SELECT last_error FROM outbox WHERE last_error IS NOT NULL ORDER BY seq DESC LIMIT 1) AS last_error
                FROM outbox
                """, logger: logger)
            return OutboxStatus(backlog: try row?.value("backlog", as: Int.self) ?? 0, failed: try row?.value("failed", as: Int.self) ?? 0,
                                lastError: try row?.value("last_error", as: String?.self))
        }
    }
}

extension PostgresStore {
    /// Holds a session-level advisory lock for the work while it runs, so one daemon at a time does it;
    /// the others skip it (nil). A daemon that dies releases the lock with its connection.
    public func exclusively<T: Sendable>(_ work: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let logger = self.logger
        let key = PostgresSchema.Lock.singleton.rawValue
        return try await client.withConnection { connection -> T? in
            let taken = try await connection.row("SELECT pg_try_advisory_lock(\(key)) AS taken", logger: logger)?.value("taken", as: Bool.self) ?? false
            guard taken else { return nil }
            do {
                let result = try await body()
                try await connection.run("SELECT pg_advisory_unlock(\(key))", logger: logger)
                return result
            } catch {
                _ = try? await connection.run("SELECT pg_advisory_unlock(\(key))", logger: logger)
                throw error
            }
        }
    }
}
