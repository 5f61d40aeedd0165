import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Accepting

    public func accept(_ arrivals: [Arrival], at now: Date) async throws(StoreError) -> [AcceptOutcome] {
        guard !arrivals.isEmpty else { return [] }
        let records = arrivals.map { StoredComment($0, receivedAt: now) }
        let rows = try Self.json(records.enumerated().map { index, record in
            ArrivingRow(o: index, external_id: record.externalID, article_id: record.articleID, article_url: record.articleURL,
                        author: record.author, email: record.email, ip: record.ip, user_agent: record.userAgent, body: record.body,
                        rating: record.rating, submitted_at: record.submittedAt, network: record.network, fingerprint: record.fingerprint,
                        claimed_by: arrivals[index].claim?.worker, claim_seconds: arrivals[index].claim?.lease)
        })
        let logger = self.logger
        return try await transaction("accepting comments") { connection in
            // Keys commit in order across daemons (see the type's documentation).
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.comments.rawValue))", logger: logger)
            // One statement for the batch; an author is new when no earlier comment (stored, or earlier
            // in the batch) has that name, as SQLite's row-by-row insert sees it.
            var counts = HourlyCounts.Batch()
            let inserted = Set(try await connection.rows("""
                INSERT INTO comment (external_id, article_id, article_url, author, email, ip, user_agent, body, rating, submitted_at,
                                     received_at, status, network, author_is_new, fingerprint, claimed_by, claimed_until)
                SELECT t.external_id, t.article_id, t.article_url, t.author, t.email, t.ip, t.user_agent, t.body, t.rating, t.submitted_at,
                       \(now), 'queued', t.network,
                       NOT EXISTS (SELECT 1 FROM comment c WHERE c.author = t.author)
                           AND row_number() OVER (PARTITION BY t.author ORDER BY t.o) = 1,
                       t.fingerprint, t.claimed_by,
                       CASE WHEN t.claimed_by IS NULL THEN NULL ELSE clock_timestamp() + make_interval(secs => t.claim_seconds) END
                FROM jsonb_to_recordset(\(rows)::jsonb) AS t(o integer, external_id text, article_id text, article_url text, author text,
                                                             email text, ip text, user_agent text, body text, rating integer,
                                                             submitted_at timestamptz, network text, fingerprint bigint,
                                                             claimed_by text, claim_seconds double precision)
                ORDER BY t.o
                ON CONFLICT (external_id) DO NOTHING
                RETURNING external_id, article_id, rating, \(unescaped: HourlyCounts.Postgres.dialect.hour("received_at")) AS hour
                """, logger: logger).map { row in
                counts.arrived(hour: try row.value("hour"), article: try row.value("article_id"), rating: try row.value("rating"))
                return try row.value("external_id", as: String.self)
            })
            // The hourly counts of the arrivals (the triggers leave inserts to this).
            try await counts.apply(connection, logger: logger)
            var claimed: Set<String> = []
            // Ids not inserted, or sent twice in the batch: compared with what is stored.
            var seen: [String: Int] = [:]
            for record in records { seen[record.externalID, default: 0] += 1 }
            let others = seen.filter { !inserted.contains($0.key) || $0.value > 1 }.map(\.key)
            var existing: [String: PostgresRandomAccessRow] = [:]
            if !others.isEmpty {
                for row in try await connection.rows("""
                    SELECT external_id, status, article_id, author, body, rating FROM comment WHERE external_id = ANY(\(others))
                    """, logger: logger) {
                    existing[try row.value("external_id")] = row
                }
            }
            var outcomes: [AcceptOutcome] = []
            for record in records {
                if inserted.contains(record.externalID) && !claimed.contains(record.externalID) {
                    claimed.insert(record.externalID)
                    outcomes.append(.accepted)
                    continue
                }
                guard let row = existing[record.externalID] else {
                    outcomes.append(.conflict)
                    continue
                }
                let same = try row.value("article_id", as: String.self) == record.articleID
                    && row.value("author", as: String.self) == record.author
                    && row.value("body", as: String.self) == record.body && row.value("rating", as: Int.self) == record.rating
                let status: CommentStatus = inserted.contains(record.externalID) ? .queued : CommentStatus(rawValue: try row.value("status")) ?? .queued
                outcomes.append(same ? .duplicate(status) : .conflict)
            }
            // Every daemon's worker wakes up when this commits.
            if !inserted.isEmpty { try await connection.run("NOTIFY moderato_queue", logger: logger) }
            return outcomes
        }
    }

    /// A comment as the batch insert reads it (`jsonb_to_recordset`).
    private struct ArrivingRow: Encodable {
        var o: Int
        var external_id: String
        var article_id: String
        var article_url: String?
        var author: String
        var email: String?
        var ip: String?
        var user_agent: String?
        var body: String
        var rating: Int
        var submitted_at: Date?
        var network: String?
        var fingerprint: Int64?
        var claimed_by: String?
        var claim_seconds: Double?
    }

    /// Rows as one JSON array for `jsonb_to_recordset`, dates in ISO 8601 with milliseconds.
    static func json<T: Encodable>(_ rows: [T]) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
        }
        do {
            return String(decoding: try encoder.encode(rows), as: UTF8.self)
        } catch {
            throw StoreError(.database, "cannot encode rows: \(error)")
        }
    }

    // MARK: Claiming

    public func claimQueued(limit: Int, after key: Int64?, worker: String, lease: TimeInterval,
                            at now: Date) async throws(StoreError) -> [QueuedComment] {
        let logger = self.logger
        // Leases run on the server's clock, so daemons whose clocks differ agree on when one ends.
        return try await read("reading the queue") { connection in
            try await connection.rows("""
                UPDATE comment SET claimed_by = \(worker), claimed_until = clock_timestamp() + make_interval(secs => \(lease))
                WHERE key IN (SELECT key FROM comment WHERE status = 'queued' AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
                              ORDER BY key LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: StoredComment.postgresColumns)
                """, logger: logger)
                .map { try StoredComment(postgres: $0) }
                .sorted { $0.key! < $1.key! }
                .map { QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0) }
        }
    }

    public func queuedComment(externalID: String) async throws(StoreError) -> QueuedComment? {
        let logger = self.logger
        return try await read("reading the queue") { connection in
            try await connection.row("""
                SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE external_id = \(externalID) AND status = 'queued'
                """, logger: logger)
                .map { try StoredComment(postgres: $0) }
                .map { QueuedComment(key: $0.key!, comment: $0.comment, receivedAt: $0.receivedAt, stored: $0) }
        }
    }

    public func queueDepth() async throws(StoreError) -> Int {
        let logger = self.logger
        return try await read("counting the queue") { connection in
            try await connection.row("SELECT count(*) AS n FROM comment WHERE status = 'queued'", logger: logger)?.value("n", as: Int.self) ?? 0
        }
    }

    // MARK: Recording verdicts

    @discardableResult
    public func record(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date,
                       lessons: [Int64: Lesson]) async throws(StoreError) -> Int {
        let encoder = JSONEncoder()
        let signals: [String?]
        do {
            signals = try judgements.map { try StoredSignal.json($0.judgement.signals, encoder: encoder) }
        } catch {
            throw StoreError(.database, "cannot encode signals: \(error)")
        }
        let rows = try Self.json(zip(judgements, signals).enumerated().map { index, entry in
            VerdictRow(o: index, key: entry.0.key, status: CommentStatus(entry.0.judgement.verdict).rawValue, score: entry.0.judgement.score,
                       ruleset_version: entry.0.judgement.rulesetVersion, signals: entry.1, reason: entry.0.judgement.reason)
        })
        let logger = self.logger
        let keys = judgements.map(\.key)
        return try await transaction("recording verdicts") { connection in
            // Rows locked in key order first, as every writer locks them, so two writers cannot deadlock.
            try await connection.run("SELECT key FROM comment WHERE key = ANY(\(keys)) ORDER BY key FOR UPDATE", logger: logger)
            // Only comments still queued: a comment is judged once, whichever daemon gets there first.
            let d = HourlyCounts.Postgres.dialect
            let judgementsByKey = Dictionary(judgements.map { ($0.key, $0.judgement) }, uniquingKeysWith: { first, _ in first })
            var counts = HourlyCounts.Batch()
            let recorded = Set(try await connection.rows("""
                UPDATE comment c SET status = t.status, score = t.score, judged_at = \(now), ruleset_version = t.ruleset_version,
                    signals = t.signals::jsonb, claimed_by = NULL, claimed_until = NULL, system_status = coalesce(c.system_status, t.status)
                FROM jsonb_to_recordset(\(rows)::jsonb) AS t(o integer, key bigint, status text, score double precision,
                                                             ruleset_version text, signals text, reason text)
                WHERE c.key = t.key AND c.status = 'queued'
                RETURNING c.key, c.article_id, c.rating, c.author_is_new, \(unescaped: d.hour("c.received_at")) AS hour,
                          \(unescaped: d.hour("c.judged_at")) AS decision_hour, \(unescaped: d.latencyBucket("c")) AS millis
                """, logger: logger).map { row in
                let key = try row.value("key", as: Int64.self)
                if let judgement = judgementsByKey[key] {
                    counts.judged(hour: try row.value("hour"), article: try row.value("article_id"), rating: try row.value("rating"),
                                  authorIsNew: try row.value("author_is_new"), status: CommentStatus(judgement.verdict),
                                  millis: try row.value("millis"), signals: judgement.signals, decisionHour: try row.value("decision_hour"))
                }
                return key
            })
            // The hourly counts of the verdicts and their decisions (the triggers leave those to this).
            try await counts.apply(connection, logger: logger)
            guard !recorded.isEmpty else { return 0 }
            // The system decisions, in the batch's order, under the feed's lock (taken before the learning
            // layer's, in the same order as a moderator's decision takes them, so the two cannot deadlock).
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.decisions.rawValue))", logger: logger)
            let recordedKeys = Array(recorded)
            try await connection.run("""
                INSERT INTO decision (comment_key, status, actor, actor_kind, reason, at)
                SELECT t.key, t.status, \(Decision.systemActor), 'system', t.reason, \(now)
                FROM jsonb_to_recordset(\(rows)::jsonb) AS t(o integer, key bigint, status text, reason text)
                WHERE t.key = ANY(\(recordedKeys))
                ORDER BY t.o
                """, logger: logger)
            for (key, lesson) in lessons.sorted(by: { $0.key < $1.key }) where recorded.contains(key) {
                try await Self.learn(commentKey: key, unwanted: lesson.unwanted, tokens: lesson.tokens, source: "automatic", connection, logger: logger)
            }
            return recorded.count
        }
    }

    /// A verdict as the batch update reads it.
    private struct VerdictRow: Encodable {
        var o: Int
        var key: Int64
        var status: String
        var score: Double
        var ruleset_version: String
        var signals: String?
        var reason: String
    }

    // MARK: History

    /// The author's record, the site's lists and the article's mode from queries, and the windows
    /// (floods, duplicates, rating bursts) from the comments of the last day kept in memory and brought
    /// up to date from the comment table before each batch, as on SQLite: comments accepted by every
    /// daemon are in them from the batch after their commit.
    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        guard !queries.isEmpty else { return [] }
        let logger = self.logger
        let earliest = queries.map(\.receivedAt).min()!.addingTimeInterval(-windows.longest)
        let last = queries.map(\.sequence).max()!
        let (lastSequence, covers, capacity) = recentComments.withLock { recent in
            (recent.lastSequence, queries.allSatisfy { recent.covers($0, windows: windows) }, recent.capacity)
        }
        struct AuthorQuery: Encodable {
            var o: Int
            var author: String
            var received_at: Date
            var key: Int64
        }
        let authors = try Self.json(queries.enumerated().map { index, query in
            AuthorQuery(o: index, author: query.comment.author, received_at: query.receivedAt, key: query.sequence)
        })
        let loaded: (entries: [RecentComments.Entry], reset: Bool, truncated: Bool, oldestQueued: Date?, lists: [PostgresRandomAccessRow],
                     records: [[PostgresRandomAccessRow]], modes: [String: ArticleMode])
        loaded = try await read("reading the history of a batch") { connection in
            var reset = false
            var truncated = false
            var rows: [PostgresRandomAccessRow]
            if let lastSequence, covers {
                rows = try await connection.rows("""
                    SELECT \(unescaped: Self.windowColumns) FROM comment WHERE key > \(lastSequence) AND key <= \(last) ORDER BY key
                    """, logger: logger)
            } else {
                reset = true
                let beyond = try await connection.row("""
                    SELECT key FROM comment WHERE received_at > \(earliest) AND key <= \(last) ORDER BY key DESC LIMIT 1 OFFSET \(capacity)
                    """, logger: logger)?.value("key", as: Int64.self)
                truncated = beyond != nil
                let first: Int64
                if let beyond {
                    first = beyond + 1
                } else {
                    first = try await connection.row("SELECT min(key) AS k FROM comment WHERE received_at > \(earliest)", logger: logger)?
                        .value("k", as: Int64?.self) ?? Int64.max
                }
                rows = try await connection.rows("""
                    SELECT \(unescaped: Self.windowColumns) FROM comment WHERE key >= \(first) AND key <= \(last) ORDER BY key
                    """, logger: logger)
            }
            let entries = try rows.map { row in
                RecentComments.Entry(
                    sequence: try row.value("key"), receivedAt: try row.value("received_at"), author: try row.value("author"),
                    articleID: try row.value("article_id"), rating: try row.value("rating", as: Int.self), ip: try row.value("ip"),
                    network: try row.value("network"), email: try row.value("email"),
                    fingerprint: (try row.value("fingerprint", as: Int64?.self)).map { TextFingerprint(value: UInt64(bitPattern: $0)) },
                    authorIsNew: try row.value("author_is_new"))
            }
            let oldestQueued = try await connection.row("SELECT min(received_at) AS at FROM comment WHERE status = 'queued'", logger: logger)?
                .value("at", as: Date?.self)
            // The lists are short; read them whole once per batch.
            let lists = try await connection.rows("SELECT list, kind, value, reason, expires_at FROM block", logger: logger)
            // Each author's record (their latest 30 comments before this one), for the whole batch in one query.
            var records = [[PostgresRandomAccessRow]](repeating: [], count: queries.count)
            for row in try await connection.rows("""
                SELECT q.o, r.status, count(*) AS n
                FROM jsonb_to_recordset(\(authors)::jsonb) AS q(o integer, author text, received_at timestamptz, key bigint)
                CROSS JOIN LATERAL (SELECT status FROM comment c
                                    WHERE c.author = q.author AND c.received_at <= q.received_at AND c.key < q.key
                                    ORDER BY c.received_at DESC LIMIT 30) r
                GROUP BY q.o, r.status
                """, logger: logger) {
                records[try row.value("o", as: Int.self)].append(row)
            }
            let articles = Array(Set(queries.map(\.comment.articleID)))
            var modes: [String: ArticleMode] = [:]
            for row in try await connection.rows("SELECT article_id, mode FROM article WHERE article_id = ANY(\(articles))", logger: logger) {
                modes[try row.value("article_id")] = ArticleMode(rawValue: try row.value("mode")) ?? .open
            }
            return (entries, reset, truncated, oldestQueued, lists, records, modes)
        }
        var site = try PostgresSiteLists(loaded.lists)
        var contexts = queries.indices.map { index -> CommentContext in
            var context = CommentContext()
            for row in loaded.records[index] {
                let n = (try? row.value("n", as: Int.self)) ?? 0
                context.author.total += n
                switch CommentStatus(rawValue: (try? row.value("status", as: String.self)) ?? "") {
                case .approved: context.author.approved += n
                case .rejected: context.author.rejected += n
                case .held: context.author.held += n
                default: break
                }
            }
            site.apply(to: &context, for: queries[index])
            context.articleMode = loaded.modes[queries[index].comment.articleID] ?? .open
            return context
        }
        recentComments.withLock { recent in
            if loaded.reset { recent.reset(coveringSince: earliest, isTruncated: loaded.truncated) }
            for entry in loaded.entries where entry.sequence > (recent.lastSequence ?? 0) { recent.append(entry) }
            for index in queries.indices { recent.fill(&contexts[index], for: queries[index], windows: windows) }
            recent.forget(receivedUpTo: min(earliest, (loaded.oldestQueued ?? earliest).addingTimeInterval(-windows.longest)))
        }
        return contexts
    }

    static let windowColumns = "key, received_at, author, article_id, rating, ip, network, email, fingerprint, author_is_new"
}

/// The site's block and allow lists, read whole for a batch (as SQLite's ``SiteSettings`` does when
/// they are short), applied to each comment's context.
struct PostgresSiteLists {
    struct Entry {
        var isBlock: Bool
        var reason: String?
        var expiresAt: Date?
    }

    private var entries: [String: [Entry]] = [:]

    init(_ rows: [PostgresRandomAccessRow]) throws {
        for row in rows {
            let key = try row.value("kind", as: String.self) + "\u{0}" + row.value("value", as: String.self)
            entries[key, default: []].append(Entry(isBlock: try row.value("list", as: String.self) == "block", reason: try row.value("reason"),
                                                   expiresAt: try row.value("expires_at")))
        }
    }

    func entries(kind: String, value: String, at date: Date) -> [Entry] {
        (entries[kind + "\u{0}" + value] ?? []).filter { entry in entry.expiresAt.map { $0 > date } ?? true }
    }

    /// Blocks and allows by author, address, network, e-mail and link domains, as SQLite's history reads them.
    mutating func apply(to context: inout CommentContext, for query: HistoryQuery) {
        let comment = query.comment
        var candidates: [(kind: String, value: String)] = [("author", comment.author)]
        if let ip = comment.ip { candidates.append(("ip", ip)) }
        if let network = query.network { candidates.append(("network", network)) }
        if let email = comment.email { candidates.append(("email", email.lowercased())) }
        for candidate in candidates {
            for entry in entries(kind: candidate.kind, value: candidate.value, at: query.receivedAt) {
                let match = CommentContext.ListMatch(kind: candidate.kind, value: candidate.value, reason: entry.reason)
                if entry.isBlock { context.blocks.append(match) } else { context.allows.append(match) }
            }
        }
        var allowedLinks: [CommentContext.ListMatch] = []
        for host in query.linkHosts {
            var allowed: CommentContext.ListMatch?
            for domain in LinkHost.domains(covering: host) {
                for entry in entries(kind: "domain", value: domain, at: query.receivedAt) {
                    let match = CommentContext.ListMatch(kind: "domain", value: domain, reason: entry.reason)
                    if entry.isBlock { context.blocks.append(match) } else if allowed == nil { allowed = match }
                }
            }
            if let allowed { allowedLinks.append(allowed) }
        }
        if !query.linkHosts.isEmpty, allowedLinks.count == query.linkHosts.count { context.allows += allowedLinks }
    }
}
