import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Reading comments

    public func details(of externalID: String) async throws(StoreError) -> CommentDetails? {
        let logger = self.logger
        return try await read("reading a comment") { connection in
            guard let row = try await connection.row("""
                SELECT \(unescaped: StoredComment.postgresColumns), signals::text AS signals_json FROM comment WHERE external_id = \(externalID)
                """, logger: logger) else { return nil }
            let comment = try StoredComment(postgres: row)
            let history = try await connection.rows("\(unescaped: DecisionEntry.postgresQuery) WHERE d.comment_key = \(comment.key!) ORDER BY d.seq",
                                                    logger: logger).map { try DecisionEntry(postgres: $0) }
            var details = CommentDetails(comment: comment, signals: StoredSignal.signals(fromJSON: try row.value("signals_json")), history: history)
            details.reports = try await Self.allReports(comment.key!, connection, logger: logger)
            for reporter in Set(details.reports.map(\.reporter)) {
                details.standings[reporter] = try await Self.standing(of: reporter, connection, logger: logger)
            }
            details.lastRevisionKind = try await connection.row("""
                SELECT kind FROM comment_revision WHERE comment_key = \(comment.key!) ORDER BY number DESC LIMIT 1
                """, logger: logger).flatMap { RevisionKind(rawValue: try $0.value("kind")) }
            return details
        }
    }

    public func comments(withIDs externalIDs: [String]) async throws(StoreError) -> [String: Comment] {
        let logger = self.logger
        return try await read("reading comments") { connection in
            var found: [String: Comment] = [:]
            for row in try await connection.rows("""
                SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE external_id = ANY(\(externalIDs))
                """, logger: logger) {
                let stored = try StoredComment(postgres: row)
                found[stored.externalID] = stored.comment
            }
            return found
        }
    }

    public func comments(matching filter: CommentFilter) async throws(StoreError) -> [CommentSummary] {
        let logger = self.logger
        return try await read("listing comments") { connection in
            let rows = try await connection.rows("""
                SELECT \(unescaped: StoredComment.postgresColumns),
                       coalesce((SELECT array_agg(s.value->>'name' ORDER BY (s.value->>'action' IS NOT NULL) DESC,
                                                  (s.value->>'score')::double precision DESC, s.o)
                                 FROM jsonb_array_elements(c.signals) WITH ORDINALITY s(value, o)
                                 WHERE NOT coalesce((s.value->>'shadow')::boolean, false)), '{}') AS reasons
                FROM comment c
                WHERE (CASE WHEN \(filter.reportedOnly) THEN status <> 'rejected' AND key IN (SELECT comment_key FROM report WHERE outcome IS NULL)
                            ELSE status = \(filter.status.rawValue) END)
                  AND (\(filter.articleID)::text IS NULL OR article_id = \(filter.articleID))
                  AND (\(filter.author)::text IS NULL OR author = \(filter.author))
                  AND (\(filter.receivedBefore)::timestamptz IS NULL OR received_at < \(filter.receivedBefore))
                  AND (\(filter.signalName)::text IS NULL
                       OR EXISTS (SELECT 1 FROM jsonb_array_elements(c.signals) s WHERE s->>'name' = \(filter.signalName)))
                ORDER BY CASE WHEN \(filter.reportedOnly)
                              THEN (SELECT sum(weight) FROM report WHERE comment_key = c.key AND outcome IS NULL) END DESC NULLS LAST, key
                LIMIT \(filter.limit)
                """, logger: logger)
            var summaries: [CommentSummary] = []
            for row in rows {
                let comment = try StoredComment(postgres: row)
                let open = try await Self.openReports(comment.key!, connection, logger: logger)
                summaries.append(CommentSummary(comment: comment, reasons: try row.value("reasons", as: [String].self),
                                                reports: open.isEmpty ? nil : ReportTally(open)))
            }
            return summaries
        }
    }

    public func commentCount(idPrefix: String, receivedSince start: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await read("counting comments") { connection in
            try await connection.row("""
                SELECT count(*) AS n FROM comment WHERE starts_with(external_id, \(idPrefix)) AND received_at >= \(start)
                """, logger: logger)?.value("n", as: Int.self) ?? 0
        }
    }

    public func humanDecidedComments(since: Date?) async throws(StoreError) -> [StoredComment] {
        let logger = self.logger
        let start = since ?? Date(timeIntervalSince1970: 0)
        return try await read("reading decided comments") { connection in
            try await connection.rows("""
                SELECT \(unescaped: StoredComment.postgresColumns) FROM comment c
                WHERE c.status IN ('approved', 'rejected') AND c.received_at >= \(start)
                  AND (SELECT d.actor_kind FROM decision d WHERE d.comment_key = c.key ORDER BY d.seq DESC LIMIT 1) IN ('moderator', 'site')
                ORDER BY c.key
                """, logger: logger).map { try StoredComment(postgres: $0) }
        }
    }

    public func statusCounts() async throws(StoreError) -> [CommentStatus: Int] {
        let logger = self.logger
        return try await read("counting comments") { connection in
            var counts: [CommentStatus: Int] = [:]
            for row in try await connection.rows("SELECT status, count(*) AS n FROM comment GROUP BY status", logger: logger) {
                if let status = CommentStatus(rawValue: try row.value("status")) { counts[status] = try row.value("n", as: Int.self) }
            }
            return counts
        }
    }

    public func relatedComments(to comment: StoredComment, limit: Int) async throws(StoreError) -> (byAuthor: [StoredComment], byNetwork: [StoredComment]) {
        let logger = self.logger
        let key = comment.key ?? 0
        return try await read("reading related comments") { connection in
            let byAuthor = try await connection.rows("""
                SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE author = \(comment.author) AND key <> \(key)
                ORDER BY key DESC LIMIT \(limit)
                """, logger: logger).map { try StoredComment(postgres: $0) }
            var byNetwork: [StoredComment] = []
            if let network = comment.network {
                byNetwork = try await connection.rows("""
                    SELECT \(unescaped: StoredComment.postgresColumns) FROM comment
                    WHERE key BETWEEN \(key - ModerationDatabase.nearbyComments) AND \(key + ModerationDatabase.nearbyComments)
                      AND network = \(network) AND key <> \(key) AND author <> \(comment.author)
                    ORDER BY key DESC LIMIT \(limit)
                    """, logger: logger).map { try StoredComment(postgres: $0) }
            }
            return (byAuthor, byNetwork)
        }
    }

    // MARK: Claims for interactive review

    public func claimNextHeld(moderator: String, excluding excluded: Set<String>, ttl: TimeInterval,
                              at now: Date) async throws(StoreError) -> StoredComment? {
        let logger = self.logger
        let until = now.addingTimeInterval(ttl)
        return try await transaction("claiming a comment") { connection in
            try await connection.run("DELETE FROM claim WHERE expires_at <= \(now) OR moderator = \(moderator)", logger: logger)
            var skipped = Array(excluded)
            // Another moderator may claim the one found between the read and the insert: then try the next.
            for _ in 0..<8 {
                guard let row = try await connection.row("""
                    SELECT \(unescaped: StoredComment.postgresColumns) FROM comment
                    WHERE status = 'held' AND key NOT IN (SELECT comment_key FROM claim) AND NOT (external_id = ANY(\(skipped)))
                    ORDER BY received_at, key LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, logger: logger) else { return nil }
                let next = try StoredComment(postgres: row)
                if try await connection.row("""
                    INSERT INTO claim (comment_key, moderator, expires_at) VALUES (\(next.key!), \(moderator), \(until))
                    ON CONFLICT (comment_key) DO NOTHING RETURNING comment_key
                    """, logger: logger) != nil {
                    return next
                }
                skipped.append(next.externalID)
            }
            return nil
        }
    }

    public func claim(_ externalID: String, moderator: String, ttl: TimeInterval, at now: Date) async throws(StoreError) -> String? {
        let logger = self.logger
        let until = now.addingTimeInterval(ttl)
        return try await transaction("claiming a comment") { connection -> String? in
            guard let row = try await connection.row("SELECT key FROM comment WHERE external_id = \(externalID)", logger: logger) else {
                throw StoreError(.notFound, "no comment with id \(externalID)")
            }
            let key = try row.value("key", as: Int64.self)
            try await connection.run("DELETE FROM claim WHERE expires_at <= \(now)", logger: logger)
            // Another's running claim stays, and so do this moderator's own claims.
            if let other = try await connection.row("""
                SELECT moderator FROM claim WHERE comment_key = \(key) AND moderator <> \(moderator) FOR UPDATE
                """, logger: logger) {
                return try other.value("moderator", as: String.self)
            }
            try await connection.run("DELETE FROM claim WHERE moderator = \(moderator) AND comment_key <> \(key)", logger: logger)
            let holder = try await connection.row("""
                INSERT INTO claim (comment_key, moderator, expires_at) VALUES (\(key), \(moderator), \(until))
                ON CONFLICT (comment_key) DO UPDATE SET expires_at = excluded.expires_at WHERE claim.moderator = excluded.moderator
                RETURNING moderator
                """, logger: logger)
            if holder != nil { return nil }
            return try await connection.row("SELECT moderator FROM claim WHERE comment_key = \(key)", logger: logger)?.value("moderator")
        }
    }

    public func claims(at now: Date) async throws(StoreError) -> [String: String] {
        let logger = self.logger
        return try await read("reading claims") { connection in
            var claims: [String: String] = [:]
            for row in try await connection.rows("""
                SELECT c.external_id, m.moderator FROM claim m JOIN comment c ON c.key = m.comment_key WHERE m.expires_at > \(now)
                """, logger: logger) {
                claims[try row.value("external_id")] = try row.value("moderator")
            }
            return claims
        }
    }

    public func releaseClaims(moderator: String) async throws(StoreError) {
        let logger = self.logger
        try await read("releasing claims") { connection in
            try await connection.run("DELETE FROM claim WHERE moderator = \(moderator)", logger: logger)
        }
    }

    // MARK: Rules and the daemons' state

    public func ruleStates() async throws(StoreError) -> [String: RuleState] {
        let logger = self.logger
        return try await read("reading rule states") { connection in
            var states: [String: RuleState] = [:]
            for row in try await connection.rows("SELECT rule_id, mode, reason, changed_by, changed_at FROM rule_state", logger: logger) {
                let state = RuleState(ruleID: try row.value("rule_id"), mode: RuleMode(rawValue: try row.value("mode")) ?? .active,
                                      reason: try row.value("reason"), changedBy: try row.value("changed_by"), changedAt: try row.value("changed_at"))
                states[state.ruleID] = state
            }
            return states
        }
    }

    public func setRuleState(_ state: RuleState?, for ruleID: String) async throws(StoreError) {
        let logger = self.logger
        try await read("recording a rule state") { connection in
            if let state {
                try await connection.run("""
                    INSERT INTO rule_state (rule_id, mode, reason, changed_by, changed_at)
                    VALUES (\(state.ruleID), \(state.mode.rawValue), \(state.reason), \(state.changedBy), \(state.changedAt))
                    ON CONFLICT (rule_id) DO UPDATE SET mode = excluded.mode, reason = excluded.reason, changed_by = excluded.changed_by,
                        changed_at = excluded.changed_at
                    """, logger: logger)
            } else {
                try await connection.run("DELETE FROM rule_state WHERE rule_id = \(ruleID)", logger: logger)
            }
        }
    }

    public func setDaemonStatus(_ values: [String: String], at now: Date) async throws(StoreError) {
        let logger = self.logger
        try await read("recording the daemon status") { connection in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                try await connection.run("""
                    INSERT INTO daemon_status (key, value, updated_at) VALUES (\(key), \(value), \(now))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """, logger: logger)
            }
        }
    }

    public func daemonStatus() async throws(StoreError) -> [String: String] {
        let logger = self.logger
        return try await read("reading the daemon status") { connection in
            var values: [String: String] = [:]
            for row in try await connection.rows("SELECT key, value FROM daemon_status", logger: logger) {
                values[try row.value("key")] = try row.value("value")
            }
            return values
        }
    }

    public func installationSecret(named name: String) async throws(StoreError) -> [UInt8] {
        let logger = self.logger
        var generator = SystemRandomNumberGenerator()
        let candidate = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return try await read("reading an installation secret") { connection in
            // The first daemon to ask makes it; the others read the same one.
            try await connection.run("INSERT INTO installation_secret (name, value) VALUES (\(name), \(candidate)) ON CONFLICT (name) DO NOTHING",
                                     logger: logger)
            let value = try await connection.row("SELECT value FROM installation_secret WHERE name = \(name)", logger: logger)?
                .value("value", as: Data.self) ?? candidate
            return Array(value)
        }
    }

    /// Every daemon listening on the store is told to reload (`NOTIFY moderato_reload`).
    public func signalDaemons() async throws(StoreError) {
        let logger = self.logger
        let listening = try await read("asking the daemons to reload") { connection -> Bool in
            let listeners = try await connection.row("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%moderato_reload%'
                """, logger: logger)?.value("n", as: Int.self) ?? 0
            try await connection.run("NOTIFY moderato_reload", logger: logger)
            return listeners > 0
        }
        if !listening { throw StoreError(.notFound, "no moderatod is listening on \(location)") }
    }

    /// The daemons listening for reload requests: one per running moderatod.
    public func servingDaemons() async throws(StoreError) -> [String] {
        let logger = self.logger
        return try await read("listing the daemons") { connection in
            try await connection.rows("""
                SELECT coalesce(host(client_addr), 'local') AS address, pid FROM pg_stat_activity
                WHERE datname = current_database() AND query ILIKE 'LISTEN%moderato_reload%' ORDER BY backend_start
                """, logger: logger).map { row in
                "connection from \(try row.value("address", as: String.self)) (server pid \(try row.value("pid", as: Int.self)))"
            }
        }
    }

    /// Waits for `NOTIFY moderato_reload` and calls `reload` for each, until the task is cancelled.
    public func reloadRequests(_ reload: @Sendable @escaping () async -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: "moderato_reload") { notifications in
                for try await _ in notifications { await reload() }
            }
        }
    }

    /// Waits for `NOTIFY moderato_queue` (sent with every accepted batch) and calls `wake` for each.
    public func queueNotifications(_ wake: @Sendable @escaping () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: "moderato_queue") { notifications in
                for try await _ in notifications { wake() }
            }
        }
    }

    // MARK: Lists and articles

    public func addListEntry(list: String, kind: String, value: String, reason: String?, by actor: String, expiresAt: Date?,
                             at now: Date) async throws(StoreError) {
        let logger = self.logger
        try await read("adding a list entry") { connection in
            try await Self.addListEntry(list: list, kind: kind, value: value, reason: reason, by: actor, expiresAt: expiresAt, at: now,
                                        connection, logger: logger)
        }
    }

    static func addListEntry(list: String, kind: String, value: String, reason: String?, by actor: String, expiresAt: Date?, at now: Date,
                             _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run("""
            INSERT INTO block (list, kind, value, reason, created_by, created_at, expires_at)
            VALUES (\(list), \(kind), \(ModerationDatabase.listValue(kind: kind, value)), \(reason), \(actor), \(now), \(expiresAt))
            ON CONFLICT (list, kind, value) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by,
                created_at = excluded.created_at, expires_at = excluded.expires_at
            """, logger: logger)
    }

    public func removeListEntry(list: String, kind: String, value: String) async throws(StoreError) -> Bool {
        let logger = self.logger
        let normalized = ModerationDatabase.listValue(kind: kind, value)
        return try await read("removing a list entry") { connection in
            try await connection.row("""
                DELETE FROM block WHERE list = \(list) AND kind = \(kind) AND value = \(normalized) RETURNING key
                """, logger: logger) != nil
        }
    }

    public func listEntries(list: String, at now: Date) async throws(StoreError) -> [ListEntry] {
        let logger = self.logger
        return try await read("reading a list") { connection in
            try await connection.rows("""
                SELECT list, kind, value, reason, created_by, created_at, expires_at FROM block
                WHERE list = \(list) AND (expires_at IS NULL OR expires_at > \(now)) ORDER BY created_at DESC
                """, logger: logger).map { row in
                ListEntry(list: try row.value("list"), kind: try row.value("kind"), value: try row.value("value"), reason: try row.value("reason"),
                          createdBy: try row.value("created_by"), createdAt: try row.value("created_at"), expiresAt: try row.value("expires_at"))
            }
        }
    }

    public func setArticleMode(_ articleID: String, mode: ArticleMode, by actor: String, at now: Date) async throws(StoreError) {
        let logger = self.logger
        try await read("setting an article's mode") { connection in
            try await connection.run("""
                INSERT INTO article (article_id, mode, changed_by, changed_at) VALUES (\(articleID), \(mode.rawValue), \(actor), \(now))
                ON CONFLICT (article_id) DO UPDATE SET mode = excluded.mode, changed_by = excluded.changed_by, changed_at = excluded.changed_at
                """, logger: logger)
        }
    }

    public func articles(limit: Int) async throws(StoreError) -> [ArticleSummary] {
        let logger = self.logger
        return try await read("listing articles") { connection in
            try await connection.rows("""
                SELECT ids.article_id, a.mode, a.changed_by, a.changed_at,
                       (SELECT count(*) FROM comment c WHERE c.article_id = ids.article_id) AS comments,
                       (SELECT count(*) FROM comment c WHERE c.article_id = ids.article_id AND c.status = 'held') AS held,
                       (SELECT max(received_at) FROM comment c WHERE c.article_id = ids.article_id) AS latest
                FROM (SELECT article_id FROM article UNION SELECT DISTINCT article_id FROM comment) ids
                LEFT JOIN article a ON a.article_id = ids.article_id
                ORDER BY coalesce((SELECT max(received_at) FROM comment c WHERE c.article_id = ids.article_id), a.changed_at) DESC NULLS LAST
                LIMIT \(limit)
                """, logger: logger).map { row in
                ArticleSummary(articleID: try row.value("article_id"), mode: ArticleMode(rawValue: try row.value("mode", as: String?.self) ?? "open") ?? .open,
                               changedBy: try row.value("changed_by"), changedAt: try row.value("changed_at"), comments: try row.value("comments"),
                               held: try row.value("held"))
            }
        }
    }

    public func articleMode(_ articleID: String) async throws(StoreError) -> ArticleMode {
        let logger = self.logger
        return try await read("reading an article's mode") { connection in
            let mode = try await connection.row("SELECT mode FROM article WHERE article_id = \(articleID)", logger: logger)?
                .value("mode", as: String.self)
            return mode.flatMap(ArticleMode.init(rawValue:)) ?? .open
        }
    }

    /// PostgreSQL has its own tools for this.
    public func backup(to path: String, progress: @Sendable (Double) -> Void) async throws(StoreError) {
        throw StoreError(.database, "back up a PostgreSQL database with its own tools: pg_dump --format=custom --file=\(path) '\(location)'")
    }
}
