import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Edits

    public func revise(_ externalID: String, body: String, rating: Int, judgement: Judgement, revision: Int,
                       at now: Date) async throws(StoreError) -> RevisionOutcome {
        let logger = self.logger
        let signals: String?
        do {
            signals = try StoredSignal.json(judgement.signals, encoder: JSONEncoder())
        } catch {
            throw StoreError(.database, "cannot encode signals: \(error)")
        }
        return try await transaction("recording an edit") { connection in
            let comment = try await Self.commentForEdit(externalID, connection, logger: logger)
            guard comment.body != body || comment.rating != rating else {
                return RevisionOutcome(changed: false, status: comment.status, decision: nil, revision: comment.revision)
            }
            guard comment.revision < RevisionOutcome.maximumRevisions else {
                throw StoreError(.limitReached, "comment \(externalID) was edited \(comment.revision) times, the most a comment may be; post a new comment instead")
            }
            if comment.status == .queued {
                throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; send the edit again in a moment")
            }
            guard comment.revision == revision else {
                throw StoreError(.conflict, "comment \(externalID) was edited while this edit was judged; judge the new text and try again")
            }
            let key = comment.key!
            try await Self.countOneComment(key, sign: -1, connection, logger: logger)
            try await Self.keepRevision(of: comment, kind: .edit, actor: "site", reason: nil, at: now, connection, logger: logger)
            try await connection.run("UPDATE comment SET body = \(body), rating = \(rating), revision = revision + 1 WHERE key = \(key)", logger: logger)
            var decision: Decision?
            var status = comment.status
            do {
                let decisions = try await connection.rows("""
                    SELECT \(unescaped: Decision.postgresColumns) FROM decision WHERE comment_key = \(key) ORDER BY seq
                    """, logger: logger).map { try Decision(postgres: $0) }
                let revised = try await connection.row("""
                    SELECT EXISTS (SELECT 1 FROM comment_revision WHERE comment_key = \(key) AND kind <> 'edit') AS revised
                    """, logger: logger)?.value("revised", as: Bool.self) ?? false
                let after = DecisionHistory(decisions).statusAfterEdit(judged: CommentStatus(judgement.verdict), moderatorRevised: revised)
                status = after.status
                try await connection.run("""
                    UPDATE comment SET status = \(status.rawValue), score = \(judgement.score), signals = \(signals)::jsonb,
                                       ruleset_version = \(judgement.rulesetVersion) WHERE key = \(key)
                    """, logger: logger)
                let reason = "edited by the reader: " + (after.heldBecause ?? judgement.reason)
                decision = try await Self.insertDecision(Decision(commentKey: key, status: status, previousStatus: comment.status,
                                                                  actor: Decision.systemActor, actorKind: .system, reason: reason, at: now, revision: comment.revision + 1),
                                                         connection, logger: logger)
                var binds = PostgresBindings()
                binds.append(decision!.seq!)
                try await connection.run(PostgresQuery(unsafeSQL: HourlyCounts.oneDecision(HourlyCounts.Postgres.dialect, placeholder: "$1", postgres: true),
                                                       binds: binds), logger: logger)
            }
            try await Self.countOneComment(key, sign: 1, connection, logger: logger)
            return RevisionOutcome(changed: true, status: status, decision: decision, revision: comment.revision + 1)
        }
    }

    public func edit(_ externalID: String, body: String, kind: RevisionKind, actor: String, reason: String?, revision: Int,
                     at now: Date) async throws(StoreError) -> RevisionOutcome {
        let logger = self.logger
        return try await transaction("recording an edit") { connection in
            let comment = try await Self.commentForEdit(externalID, connection, logger: logger)
            if comment.status == .queued {
                throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; try again in a moment")
            }
            guard comment.revision == revision else {
                throw StoreError(.conflict, "comment \(externalID) changed while you edited it (now revision \(comment.revision)); look at it again")
            }
            guard comment.body != body else {
                return RevisionOutcome(changed: false, status: comment.status, decision: nil, revision: comment.revision)
            }
            try await Self.keepRevision(of: comment, kind: kind, actor: actor, reason: reason, at: now, connection, logger: logger)
            try await connection.run("UPDATE comment SET body = \(body), revision = revision + 1 WHERE key = \(comment.key!)", logger: logger)
            var decision: Decision?
            if comment.status == .approved {
                let what = kind == .redaction ? "redacted" : "edited"
                decision = try await Self.insertDecision(Decision(commentKey: comment.key!, status: .approved, previousStatus: .approved,
                                                                  actor: actor, actorKind: .moderator, reason: reason.map { "\(what): \($0)" } ?? what,
                                                                  at: now, revision: comment.revision + 1), connection, logger: logger)
            }
            return RevisionOutcome(changed: true, status: comment.status, decision: decision, revision: comment.revision + 1)
        }
    }

    public func revisions(of externalID: String) async throws(StoreError) -> [CommentRevision] {
        let logger = self.logger
        return try await read("reading a comment's revisions") { connection in
            try await connection.rows("""
                SELECT r.number, r.kind, r.actor, r.reason, r.previous_body, r.previous_rating, r.at
                FROM comment_revision r JOIN comment c ON c.key = r.comment_key WHERE c.external_id = \(externalID) ORDER BY r.number
                """, logger: logger).map { row in
                CommentRevision(number: Int(try row.value("number", as: Int32.self)), kind: RevisionKind(rawValue: try row.value("kind")) ?? .edit,
                                actor: try row.value("actor"), reason: try row.value("reason"), previousBody: try row.value("previous_body"),
                                previousRating: (try row.value("previous_rating", as: Int32?.self)).map(Int.init), at: try row.value("at"))
            }
        }
    }

    /// The comment, its row locked.
    static func commentForEdit(_ externalID: String, _ connection: PostgresConnection, logger: Logger) async throws -> StoredComment {
        guard let row = try await connection.row("""
            SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE external_id = \(externalID) FOR UPDATE
            """, logger: logger) else {
            throw StoreError(.notFound, "no comment with id \(externalID)")
        }
        return try StoredComment(postgres: row)
    }

    static func keepRevision(of comment: StoredComment, kind: RevisionKind, actor: String, reason: String?, at now: Date,
                             _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run("""
            INSERT INTO comment_revision (comment_key, number, kind, actor, reason, previous_body, previous_rating, at)
            VALUES (\(comment.key!), \(comment.revision + 1), \(kind.rawValue), \(actor), \(reason), \(comment.body), \(comment.rating), \(now))
            """, logger: logger)
    }

    /// Adds (1) or takes away (-1) one comment's part of the hourly counts, derived from its row now.
    static func countOneComment(_ key: Int64, sign: Int, _ connection: PostgresConnection, logger: Logger) async throws {
        for statement in HourlyCounts.oneComment(sign: sign, HourlyCounts.Postgres.dialect, placeholder: "$1", postgres: true) {
            var binds = PostgresBindings()
            binds.append(key)
            try await connection.run(PostgresQuery(unsafeSQL: statement, binds: binds), logger: logger)
        }
    }
}
