import Foundation
import GRDB
import Moderation

/// The pipeline's view of the past, read from the database with indexed window queries.
public struct StoreHistory: CommentHistoryProvider {
    let database: ModerationDatabase

    public init(database: ModerationDatabase) {
        self.database = database
    }

    public func context(for query: HistoryQuery, windows: HistoryWindows) async throws -> CommentContext {
        try await database.pool.read { db in
            var dates = DateArguments()
            var site = try SiteSettings(db)
            return try Self.context(for: query, windows: windows, dates: &dates, site: &site, db)
        }
    }

    /// Reads every context of a batch in one read transaction.
    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        try await database.pool.read { db in
            var dates = DateArguments()
            var site = try SiteSettings(db)
            return try queries.map { try Self.context(for: $0, windows: windows, dates: &dates, site: &site, db) }
        }
    }

    /// Reads the context inside an open read transaction.
    static func context(for query: HistoryQuery, windows: HistoryWindows, dates: inout DateArguments,
                        site: inout SiteSettings, _ db: Database) throws -> CommentContext {
        var context = CommentContext()
        let comment = query.comment
        let now = dates(query.receivedAt)
        // "Up to and including this comment": received before it, or at the same instant and earlier in
        // order of arrival. Counts stop at a cap, so a burst costs bounded work per comment:
        // past the cap, the heuristics' answer is the same. Counts cost an index range each; the
        // samples below also read each row, so they are kept smaller.
        let cap = 50
        // The author's most recent comments: enough to see trust (3 approvals) or a record of
        // rejections (3 score the most). Behaviour further back than this does not count.
        let authorSample = 30
        // Candidates for near-duplicates, in no particular order, before the distance check: a sample
        // large enough to count the most other authors a campaign scores for (5) in ordinary traffic.
        // A big campaign fills it with true duplicates, which is what the heuristic needs to see.
        let duplicateSample = 40
        // The article's most recent extreme ratings: enough for a burst (10) and its make-up.
        let ratingSample = 40
        func count(_ column: String, _ value: String?, since: DatabaseValue) throws -> Int {
            guard let value else { return 0 }
            return try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM comment WHERE \(column) = ? AND received_at > ? AND received_at <= ?
                                      AND (received_at < ? OR key <= ?) LIMIT \(cap))
                """), arguments: [value, since, now, now, query.sequence]) ?? 0
        }
        let floodStart = dates(query.receivedAt.addingTimeInterval(-windows.flood))
        context.flood.sameIP = try count("ip", comment.ip, since: floodStart)
        context.flood.sameNetwork = try count("network", query.network, since: floodStart)
        context.flood.sameAuthor = try count("author", comment.author, since: floodStart)
        context.flood.sameEmail = try count("email", comment.email, since: floodStart)

        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT status, count(*) AS n FROM (SELECT status FROM comment WHERE author = ? AND received_at <= ? AND key < ?
                                               ORDER BY received_at DESC LIMIT \(authorSample))
            GROUP BY status
            """), arguments: [comment.author, now, query.sequence]) {
            let n: Int = row["n"]
            context.author.total += n
            switch CommentStatus(rawValue: row["status"]) {
            case .approved: context.author.approved += n
            case .rejected: context.author.rejected += n
            case .held: context.author.held += n
            default: break
            }
        }

        if let fingerprint = query.fingerprint {
            let bands = fingerprint.bands
            let since = dates(query.receivedAt.addingTimeInterval(-windows.duplicates))
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT author, article_id, fingerprint FROM comment
                WHERE (fp_band0 = ? OR fp_band1 = ? OR fp_band2 = ? OR fp_band3 = ? OR fp_band4 = ? OR fp_band5 = ?)
                  AND received_at > ? AND received_at <= ? AND key != ?
                LIMIT \(duplicateSample)
                """), arguments: [bands[0], bands[1], bands[2], bands[3], bands[4], bands[5], since, now, query.sequence])
            var otherAuthors: Set<String> = []
            var otherArticles: Set<String> = []
            while let row = try rows.next() {
                guard let value: Int64 = row["fingerprint"],
                      TextFingerprint(value: UInt64(bitPattern: value)).distance(to: fingerprint) <= TextFingerprint.nearDuplicateDistance
                else { continue }
                let author: String = row["author"]
                let article: String = row["article_id"]
                if author == comment.author {
                    context.duplicates.sameAuthor += 1
                    if article != comment.articleID { otherArticles.insert(article) }
                } else {
                    otherAuthors.insert(author)
                }
            }
            context.duplicates.otherAuthors = otherAuthors.count
            context.duplicates.otherArticles = otherArticles.count
        }

        // The site's lists and the article's mode.
        let domains = Array(Set(LinkExtractor.links(in: comment.body).map(\.host)))
        var candidates: [(kind: String, value: String)] = [("author", comment.author)]
        if let ip = comment.ip { candidates.append(("ip", ip)) }
        if let network = query.network { candidates.append(("network", network)) }
        if let email = comment.email { candidates.append(("email", email.lowercased())) }
        for domain in domains {
            // A listed domain covers its subdomains: mail.spam.example matches spam.example.
            let labels = domain.split(separator: ".")
            for start in 0..<max(1, labels.count - 1) { candidates.append(("domain", labels[start...].joined(separator: "."))) }
        }
        for candidate in candidates {
            for entry in try site.entries(kind: candidate.kind, value: candidate.value, at: query.receivedAt, now: now, db) {
                let match = CommentContext.ListMatch(kind: candidate.kind, value: candidate.value, reason: entry.reason)
                if entry.isBlock { context.blocks.append(match) } else { context.allows.append(match) }
            }
        }
        context.articleMode = try site.mode(of: comment.articleID, db)

        if comment.rating == 1 || comment.rating == 5 {
            let since = dates(query.receivedAt.addingTimeInterval(-windows.ratings))
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) AS n, coalesce(sum(author_is_new), 0) AS new_authors,
                       coalesce(sum(network IS NOT NULL AND network = ?), 0) AS same_network
                FROM (SELECT author_is_new, network FROM comment
                      WHERE article_id = ? AND rating = ? AND received_at > ? AND received_at <= ?
                      ORDER BY received_at DESC LIMIT \(ratingSample))
                """), arguments: [query.network, comment.articleID, comment.rating, since, now]) {
                context.ratings.sameExtremeRating = row["n"]
                context.ratings.fromNewAuthors = row["new_authors"]
                context.ratings.fromSameNetwork = row["same_network"]
            }
        }
        return context
    }
}

extension QueuedComment {
    /// The history query for this comment.
    public var historyQuery: HistoryQuery {
        HistoryQuery(comment: comment, receivedAt: receivedAt, sequence: key, fingerprint: stored.textFingerprint, network: stored.network)
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
