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
        try await database.pool.read { db in try Self.context(for: query, windows: windows, db) }
    }

    /// Reads every context of a batch in one read transaction.
    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        try await database.pool.read { db in try queries.map { try Self.context(for: $0, windows: windows, db) } }
    }

    /// Reads the context inside an open read transaction.
    static func context(for query: HistoryQuery, windows: HistoryWindows, _ db: Database) throws -> CommentContext {
        var context = CommentContext()
        let comment = query.comment
        let now = query.receivedAt
        // "Up to and including this comment": received before it, or at the same instant and earlier in
        // order of arrival. Counts stop at a cap, so a burst costs bounded work per comment:
        // past the cap, the heuristics' answer is the same.
        let cap = 50
        func count(_ column: String, _ value: String?, since: Date) throws -> Int {
            guard let value else { return 0 }
            return try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM comment WHERE \(column) = ? AND received_at > ? AND received_at <= ?
                                      AND (received_at < ? OR key <= ?) LIMIT \(cap))
                """), arguments: [value, since, now, now, query.sequence]) ?? 0
        }
        let floodStart = now.addingTimeInterval(-windows.flood)
        context.flood.sameIP = try count("ip", comment.ip, since: floodStart)
        context.flood.sameNetwork = try count("network", query.network, since: floodStart)
        context.flood.sameAuthor = try count("author", comment.author, since: floodStart)
        context.flood.sameEmail = try count("email", comment.email, since: floodStart)

        for row in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT status, count(*) AS n FROM (SELECT status FROM comment WHERE author = ? AND received_at <= ? AND key < ?
                                               ORDER BY received_at DESC LIMIT \(cap * 2))
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
            let since = now.addingTimeInterval(-windows.duplicates)
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT author, article_id, fingerprint FROM comment
                WHERE (fp_band0 = ? OR fp_band1 = ? OR fp_band2 = ? OR fp_band3 = ? OR fp_band4 = ? OR fp_band5 = ?)
                  AND received_at > ? AND received_at <= ? AND key != ?
                LIMIT \(cap * 2)
                """), arguments: [bands[0], bands[1], bands[2], bands[3], bands[4], bands[5], since, now, query.sequence])
            var otherAuthors: Set<String> = []
            var otherArticles: Set<String> = []
            for row in rows {
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
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT list, reason FROM block WHERE kind = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)
                """), arguments: [candidate.kind, candidate.value, now])
            for row in rows {
                let match = CommentContext.ListMatch(kind: candidate.kind, value: candidate.value, reason: row["reason"])
                if (row["list"] as String) == "block" { context.blocks.append(match) } else { context.allows.append(match) }
            }
        }
        if let mode = try String.fetchOne(db.cachedStatement(sql: "SELECT mode FROM article WHERE article_id = ?"), arguments: [comment.articleID]) {
            context.articleMode = ArticleMode(rawValue: mode) ?? .open
        }

        if comment.rating == 1 || comment.rating == 5 {
            let since = now.addingTimeInterval(-windows.ratings)
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) AS n, coalesce(sum(author_is_new), 0) AS new_authors,
                       coalesce(sum(network IS NOT NULL AND network = ?), 0) AS same_network
                FROM (SELECT author_is_new, network FROM comment
                      WHERE article_id = ? AND rating = ? AND received_at > ? AND received_at <= ?
                      ORDER BY received_at DESC LIMIT \(cap * 2))
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
