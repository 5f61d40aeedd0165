import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Accepting

    public func accept(_ arrivals: [Arrival], at now: Date) async throws(StoreError) -> [AcceptOutcome] {
        let records = arrivals.map { StoredComment($0, receivedAt: now) }
        let logger = self.logger
        return try await transaction("accepting comments") { connection in
            // Keys commit in order across daemons (see the type's documentation).
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.comments.rawValue))", logger: logger)
            var outcomes: [AcceptOutcome] = []
            for record in records {
                let inserted = try await connection.row("""
                    INSERT INTO comment (external_id, article_id, article_url, author, email, ip, user_agent, body, rating, submitted_at,
                                         received_at, status, network, author_is_new, fingerprint)
                    VALUES (\(record.externalID), \(record.articleID), \(record.articleURL), \(record.author), \(record.email), \(record.ip),
                            \(record.userAgent), \(record.body), \(record.rating), \(record.submittedAt), \(record.receivedAt), 'queued',
                            \(record.network), NOT EXISTS (SELECT 1 FROM comment WHERE author = \(record.author)), \(record.fingerprint))
                    ON CONFLICT (external_id) DO NOTHING
                    RETURNING key
                    """, logger: logger)
                if inserted != nil {
                    outcomes.append(.accepted)
                    continue
                }
                guard let existing = try await connection.row("""
                    SELECT status, article_id, author, body, rating FROM comment WHERE external_id = \(record.externalID)
                    """, logger: logger) else {
                    outcomes.append(.conflict)
                    continue
                }
                let same = try existing.value("article_id", as: String.self) == record.articleID
                    && existing.value("author", as: String.self) == record.author
                    && existing.value("body", as: String.self) == record.body && existing.value("rating", as: Int.self) == record.rating
                outcomes.append(same ? .duplicate(CommentStatus(rawValue: try existing.value("status")) ?? .queued) : .conflict)
            }
            // Every daemon's worker wakes up when this commits.
            if outcomes.contains(.accepted) { try await connection.run("NOTIFY moderato_queue", logger: logger) }
            return outcomes
        }
    }

    // MARK: Claiming

    public func claimQueued(limit: Int, after key: Int64?, worker: String, lease: TimeInterval,
                            at now: Date) async throws(StoreError) -> [QueuedComment] {
        let logger = self.logger
        let until = now.addingTimeInterval(lease)
        return try await read("reading the queue") { connection in
            try await connection.rows("""
                UPDATE comment SET claimed_by = \(worker), claimed_until = \(until)
                WHERE key IN (SELECT key FROM comment WHERE status = 'queued' AND (claimed_until IS NULL OR claimed_until < \(now))
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
        let entries = zip(judgements, signals).map { (key: $0.0.key, judgement: $0.0.judgement, signals: $0.1) }
        let logger = self.logger
        return try await transaction("recording verdicts") { connection in
            var recorded: [(key: Int64, judgement: Judgement)] = []
            for entry in entries {
                let status = CommentStatus(entry.judgement.verdict).rawValue
                // Only while still queued: a comment is judged once, whichever daemon gets there first.
                let updated = try await connection.row("""
                    UPDATE comment SET status = \(status), score = \(entry.judgement.score), judged_at = \(now),
                        ruleset_version = \(entry.judgement.rulesetVersion), signals = \(entry.signals)::jsonb,
                        claimed_by = NULL, claimed_until = NULL
                    WHERE key = \(entry.key) AND status = 'queued'
                    RETURNING key
                    """, logger: logger)
                guard updated != nil else { continue }
                recorded.append((entry.key, entry.judgement))
                if let lesson = lessons[entry.key] {
                    try await Self.learn(commentKey: entry.key, unwanted: lesson.unwanted, tokens: lesson.tokens, source: "automatic",
                                         connection, logger: logger)
                }
            }
            guard !recorded.isEmpty else { return 0 }
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.decisions.rawValue))", logger: logger)
            let keys = recorded.map(\.key)
            let statuses = recorded.map { CommentStatus($0.judgement.verdict).rawValue }
            let reasons = recorded.map(\.judgement.reason)
            try await connection.run("""
                INSERT INTO decision (comment_key, status, actor, actor_kind, reason, at)
                SELECT k, s, \(Decision.systemActor), 'system', r, \(now)
                FROM unnest(\(keys)::bigint[], \(statuses)::text[], \(reasons)::text[]) WITH ORDINALITY AS t(k, s, r, o) ORDER BY o
                """, logger: logger)
            return recorded.count
        }
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
            var records: [[PostgresRandomAccessRow]] = []
            for query in queries {
                records.append(try await connection.rows("""
                    SELECT status, count(*) AS n FROM (SELECT status FROM comment
                                                       WHERE author = \(query.comment.author) AND received_at <= \(query.receivedAt)
                                                         AND key < \(query.sequence)
                                                       ORDER BY received_at DESC LIMIT 30) recent
                    GROUP BY status
                    """, logger: logger))
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
