import Foundation
import GRDB
import Moderation

/// A comment with everything a moderator needs to judge it.
public struct CommentDetails: Sendable {
    public var comment: StoredComment
    public var signals: [Signal]
    public var history: [DecisionEntry]
    /// Readers' reports, oldest first.
    public var reports: [StoredReport] = []
    /// Each reporter's standing now, by reporter.
    public var standings: [String: ReporterStanding] = [:]
    /// How the latest change of the text was made, if it changed after it arrived.
    public var lastRevisionKind: RevisionKind?
}

/// Which comments a listing shows.
public struct CommentFilter: Sendable {
    public var status: CommentStatus = .held
    public var articleID: String?
    public var author: String?
    /// Only comments with a signal of this name (a rule id or heuristic).
    public var signalName: String?
    /// Only comments received before this time.
    public var receivedBefore: Date?
    /// Only comments with open reports (of any status but rejected), most reported first: the
    /// reported queue.
    public var reportedOnly = false
    public var limit: Int = 100

    public init(status: CommentStatus = .held) {
        self.status = status
    }
}

/// One line of a listing: the comment and the names of its strongest signals.
public struct CommentSummary: Sendable {
    public var comment: StoredComment
    /// Active signal names, strongest first.
    public var reasons: [String]
    /// The open reports, if any.
    public var reports: ReportTally?
}

extension ModerationDatabase {
    /// A comment with its signals and decision history, or `nil` when no comment has that id.
    public func details(of externalID: String) async throws(StoreError) -> CommentDetails? {
        do {
            return try await pool.read { db in
                guard let comment = try StoredComment.filter(Column("external_id") == externalID).fetchOne(db) else { return nil }
                let signals = try StoredSignal.filter(Column("comment_key") == comment.key!).order(Column("key")).fetchAll(db)
                let history = try DecisionEntry.fetchAll(db, sql: "\(Self.decisionEntries) WHERE d.comment_key = ? ORDER BY d.seq",
                                                         arguments: [comment.key!])
                var details = CommentDetails(comment: comment, signals: signals.map(\.signal), history: history)
                details.reports = try Row.fetchAll(db, sql: "SELECT * FROM report WHERE comment_key = ? ORDER BY key", arguments: [comment.key!])
                    .map(Self.storedReport)
                for reporter in Set(details.reports.map(\.reporter)) { details.standings[reporter] = try Self.standing(of: reporter, db) }
                details.lastRevisionKind = try String.fetchOne(db, sql: "SELECT kind FROM comment_revision WHERE comment_key = ? ORDER BY number DESC LIMIT 1",
                                                               arguments: [comment.key!]).flatMap(RevisionKind.init(rawValue:))
                return details
            }
        } catch {
            throw Self.wrap(error, "reading a comment")
        }
    }

    /// Comments matching a filter, oldest first, with their main reasons.
    /// How many comments whose id starts with `idPrefix` arrived since a time (Akismet's usage).
    public func commentCount(idPrefix: String, receivedSince start: Date) async throws(StoreError) -> Int {
        do {
            return try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM comment WHERE substr(external_id, 1, ?) = ? AND received_at >= ?",
                                 arguments: [idPrefix.unicodeScalars.count, idPrefix, start]) ?? 0
            }
        } catch {
            throw Self.wrap(error, "counting comments")
        }
    }

    /// The comments with these ids that exist, by id (in chunks, each one read).
    public func comments(withIDs externalIDs: [String]) async throws(StoreError) -> [String: Comment] {
        var found: [String: Comment] = [:]
        var start = 0
        while start < externalIDs.count {
            let chunk = Array(externalIDs[start..<min(externalIDs.count, start + 500)])
            start += chunk.count
            do {
                for stored in try await pool.read({ try StoredComment.filter(chunk.contains(Column("external_id"))).fetchAll($0) }) {
                    found[stored.externalID] = stored.comment
                }
            } catch {
                throw Self.wrap(error, "reading comments")
            }
        }
        return found
    }

    public func comments(matching filter: CommentFilter) async throws(StoreError) -> [CommentSummary] {
        do {
            return try await pool.read { db in
                var request = filter.reportedOnly
                    ? StoredComment.filter(Column("status") != CommentStatus.rejected)
                        .filter(sql: "key IN (SELECT comment_key FROM report WHERE outcome IS NULL)")
                    : StoredComment.filter(Column("status") == filter.status)
                if let article = filter.articleID { request = request.filter(Column("article_id") == article) }
                if let author = filter.author { request = request.filter(Column("author") == author) }
                if let before = filter.receivedBefore { request = request.filter(Column("received_at") < before) }
                if let name = filter.signalName {
                    request = request.filter(sql: "EXISTS (SELECT 1 FROM json_each(signals) WHERE json_extract(value, '$.name') = ?)",
                                             arguments: [name])
                }
                if filter.reportedOnly {
                    request = request.order(sql: "(SELECT sum(weight) FROM report WHERE comment_key = comment.key AND outcome IS NULL) DESC, key")
                } else {
                    request = request.order(Column("key"))
                }
                let comments = try request.limit(filter.limit).fetchAll(db)
                return try comments.map { comment in
                    let names = try String.fetchAll(db, sql: """
                        SELECT name FROM signal WHERE comment_key = ? AND is_shadow = 0
                        ORDER BY (action IS NOT NULL) DESC, score DESC, key
                        """, arguments: [comment.key!])
                    let open = try Self.openReports(comment.key!, db)
                    return CommentSummary(comment: comment, reasons: names, reports: open.isEmpty ? nil : ReportTally(open))
                }
            }
        } catch {
            throw Self.wrap(error, "listing comments")
        }
    }

    /// Comments whose current verdict a person gave (a moderator, or the website through the
    /// Akismet-compatible routes), oldest first: the labelled history `modctl eval --decisions`
    /// measures the pipeline against. Approved means wanted, rejected unwanted.
    public func humanDecidedComments(since: Date? = nil) async throws(StoreError) -> [StoredComment] {
        do {
            return try await pool.read { db in
                try StoredComment.fetchAll(db, sql: """
                    SELECT c.* FROM comment c
                    WHERE c.status IN ('approved', 'rejected') AND c.received_at >= ?
                      AND (SELECT d.actor_kind FROM decision d WHERE d.comment_key = c.key ORDER BY d.seq DESC LIMIT 1)
                          IN ('moderator', 'site')
                    ORDER BY c.key
                    """, arguments: [since ?? Date.distantPast])
            }
        } catch {
            throw Self.wrap(error, "reading decided comments")
        }
    }

    /// How many comments have each status.
    public func statusCounts() async throws(StoreError) -> [CommentStatus: Int] {
        do {
            return try await pool.read { db in
                var counts: [CommentStatus: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT status, count(*) AS n FROM comment GROUP BY status") {
                    if let status = CommentStatus(rawValue: row["status"]) { counts[status] = row["n"] }
                }
                return counts
            }
        } catch {
            throw Self.wrap(error, "counting comments")
        }
    }
}
