import Foundation
import GRDB
import Moderation

/// The pipeline's view of the past: the windows (floods, duplicates, rating bursts) from the
/// database's ``RecentComments`` in memory, brought up to date from the comment table at each batch;
/// the author's record, the site's lists and the article's mode from indexed queries.
public struct StoreHistory: CommentHistoryProvider {
    let database: ModerationDatabase

    public init(database: ModerationDatabase) {
        self.database = database
    }

    public func context(for query: HistoryQuery, windows: HistoryWindows) async throws -> CommentContext {
        try await contexts(for: [query], windows: windows)[0]
    }

    /// Reads every context of a batch in one read transaction.
    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        guard !queries.isEmpty else { return [] }
        return try await database.pool.read { db in
            var dates = DateArguments()
            var site = try SiteSettings(db)
            var contexts = try queries.map { try Self.context(for: $0, dates: &dates, site: &site, db) }
            try database.recentComments.withLock { recent in
                try Self.bringUpToDate(&recent, for: queries, windows: windows, db)
                for index in queries.indices { recent.fill(&contexts[index], for: queries[index], windows: windows) }
            }
            return contexts
        }
    }

    /// Appends the comments stored since the last batch, up to the last one judged in this batch, and
    /// forgets those no window of this batch reaches. A batch that looks further back than what is kept
    /// (the first batch, or a comment judged long after it arrived) reloads the windows from the
    /// comment table.
    ///
    /// Comments accepted after the batch wait until theirs: a backlog in memory would be walked past,
    /// newest first, by every lookup of the batch. (Receipt times follow the order of arrival, as the
    /// daemon stores comments; one stored later with an earlier time counts from its own batch on.)
    static func bringUpToDate(_ recent: inout RecentComments, for queries: [HistoryQuery], windows: HistoryWindows,
                              _ db: Database) throws {
        let earliest = queries.map(\.receivedAt).min()!.addingTimeInterval(-windows.longest)
        let last = queries.map(\.sequence).max()!
        let rows: RowCursor
        if let lastSequence = recent.lastSequence, queries.allSatisfy({ recent.covers($0, windows: windows) }) {
            rows = try Row.fetchCursor(db.cachedStatement(sql: "\(loadColumns) WHERE key > ? AND key <= ? ORDER BY key"),
                                       arguments: [lastSequence, last])
        } else {
            // The newest comments received since then, at most as many as are kept.
            let beyond = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT key FROM comment WHERE received_at > ? AND key <= ? ORDER BY key DESC LIMIT 1 OFFSET ?
                """), arguments: [earliest, last, recent.capacity])
            recent.reset(coveringSince: earliest, isTruncated: beyond != nil)
            let first = try beyond.map { $0 + 1 } ?? Int64.fetchOne(db.cachedStatement(sql: """
                SELECT min(key) FROM comment WHERE received_at > ?
                """), arguments: [earliest]) ?? Int64.max
            rows = try Row.fetchCursor(db.cachedStatement(sql: "\(loadColumns) WHERE key >= ? AND key <= ? ORDER BY key"),
                                       arguments: [first, last])
        }
        while let row = try rows.next() {
            recent.append(RecentComments.Entry(
                sequence: row[0], receivedAt: row[1], author: row[2], articleID: row[3], rating: row[4], ip: row[5],
                network: row[6], email: row[7], fingerprint: (row[8] as Int64?).map { TextFingerprint(value: UInt64(bitPattern: $0)) },
                authorIsNew: row[9]))
        }
        // Keep what the oldest queued comment will need too, so that a newer comment judged first (an
        // Akismet check while the queue is behind) does not make the next batch reload.
        let oldestQueued = try Date.fetchOne(db.cachedStatement(sql: """
            SELECT received_at FROM comment WHERE status = 'queued' ORDER BY key LIMIT 1
            """))
        recent.forget(receivedUpTo: min(earliest, (oldestQueued ?? earliest).addingTimeInterval(-windows.longest)))
    }

    static let loadColumns = """
        SELECT key, received_at, author, article_id, rating, ip, network, email, fingerprint, author_is_new FROM comment
        """

    /// The statuses of the author's most recent comments: enough to see trust (3 approvals) or a
    /// record of rejections (3 score the most). Behaviour further back than this does not count.
    /// Read from the `comment_by_author` index alone, which holds the status.
    static let authorRecord = """
        SELECT status, count(*) AS n FROM (SELECT status FROM comment WHERE author = ? AND received_at <= ? AND key < ?
                                           ORDER BY received_at DESC LIMIT 30)
        GROUP BY status
        """

    /// The author's record, the site's lists and the article's mode, inside an open read transaction.
    static func context(for query: HistoryQuery, dates: inout DateArguments, site: inout SiteSettings,
                        _ db: Database) throws -> CommentContext {
        var context = CommentContext()
        let comment = query.comment
        let now = dates(query.receivedAt)
        for row in try Row.fetchAll(db.cachedStatement(sql: authorRecord), arguments: [comment.author, now, query.sequence]) {
            let n: Int = row["n"]
            context.author.total += n
            switch CommentStatus(rawValue: row["status"]) {
            case .approved: context.author.approved += n
            case .rejected: context.author.rejected += n
            case .held: context.author.held += n
            default: break
            }
        }

        // The site's lists and the article's mode.
        var candidates: [(kind: String, value: String)] = [("author", comment.author)]
        if let ip = comment.ip { candidates.append(("ip", ip)) }
        if let network = query.network { candidates.append(("network", network)) }
        if let email = comment.email { candidates.append(("email", email.lowercased())) }
        for candidate in candidates {
            for entry in try site.entries(kind: candidate.kind, value: candidate.value, at: query.receivedAt, now: now, db) {
                let match = CommentContext.ListMatch(kind: candidate.kind, value: candidate.value, reason: entry.reason)
                if entry.isBlock { context.blocks.append(match) } else { context.allows.append(match) }
            }
        }
        // Links, by the host a browser would go to; a listed domain covers its subdomains. One blocked
        // link blocks the comment, but a domain allow counts only when every link is on an allowed domain:
        // an allowed link must not carry others past the lists.
        let hosts = site.hasDomainEntries ? query.linkHosts : []
        var allowedLinks: [CommentContext.ListMatch] = []
        for host in hosts {
            var allowed: CommentContext.ListMatch?
            for domain in LinkHost.domains(covering: host) {
                for entry in try site.entries(kind: "domain", value: domain, at: query.receivedAt, now: now, db) {
                    let match = CommentContext.ListMatch(kind: "domain", value: domain, reason: entry.reason)
                    if entry.isBlock { context.blocks.append(match) } else if allowed == nil { allowed = match }
                }
            }
            if let allowed { allowedLinks.append(allowed) }
        }
        if !hosts.isEmpty, allowedLinks.count == hosts.count { context.allows += allowedLinks }
        context.articleMode = try site.mode(of: comment.articleID, db)
        return context
    }
}

/// The site's block and allow lists and article modes, read once for a batch of history queries.
///
/// Lists are short (a site blocks a few dozen addresses and domains), so when there are at most
/// `maximumCached` entries they are held in memory for the batch instead of queried per comment.
struct SiteSettings {
    struct Entry {
        var isBlock: Bool
        var reason: String?
        var expiresAt: Date?
    }

    struct Key: Hashable {
        var kind: String
        var value: String
    }

    static let maximumCached = 10_000
    /// Every entry, when the lists are short enough; `nil` to query per comment.
    private var entries: [Key: [Entry]]?
    /// Whether any entry is a domain: when none is, a comment's links need not be read for the lists.
    private(set) var hasDomainEntries = true
    private var modes: [String: ArticleMode] = [:]

    init(_ db: Database) throws {
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM block")) ?? 0
        guard count <= Self.maximumCached else { return }
        var entries: [Key: [Entry]] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT list, kind, value, reason, expires_at FROM block")) {
            entries[Key(kind: row["kind"], value: row["value"]), default: []]
                // Read leniently: a hand-edited expiry that is not a date must not stop the queue (it never expires).
                .append(Entry(isBlock: (row["list"] as String) == "block", reason: row["reason"],
                              expiresAt: Date.fromDatabaseValue(row["expires_at"] as DatabaseValue)))
        }
        self.entries = entries
        hasDomainEntries = entries.keys.contains { $0.kind == "domain" }
    }

    /// The list entries for a value in force at `date` (`now` is the same date as a statement argument).
    func entries(kind: String, value: String, at date: Date, now: DatabaseValue, _ db: Database) throws -> [Entry] {
        if let entries {
            return (entries[Key(kind: kind, value: value)] ?? []).filter { entry in entry.expiresAt.map { $0 > date } ?? true }
        }
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT list, reason FROM block WHERE kind = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)
            """), arguments: [kind, value, now]).map { row in Entry(isBlock: (row["list"] as String) == "block", reason: row["reason"]) }
    }

    /// How an article takes comments.
    mutating func mode(of articleID: String, _ db: Database) throws -> ArticleMode {
        if let mode = modes[articleID] { return mode }
        let stored = try String.fetchOne(db.cachedStatement(sql: "SELECT mode FROM article WHERE article_id = ?"), arguments: [articleID])
        let mode = stored.flatMap(ArticleMode.init(rawValue:)) ?? .open
        modes[articleID] = mode
        return mode
    }
}
