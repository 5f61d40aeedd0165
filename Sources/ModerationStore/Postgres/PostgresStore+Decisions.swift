import Foundation
import Logging
import Moderation
import PostgresNIO

extension PostgresStore {
    // MARK: Decisions

    @discardableResult
    public func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind, reason: String?, note: String?,
                       force: Bool, tokens: [UInt64]?, at now: Date) async throws(StoreError) -> Decision {
        let logger = self.logger
        return try await transaction("recording a decision") { connection in
            try await Self.decide(externalID, verdict: verdict, actor: actor, actorKind: actorKind, reason: reason, note: note, force: force,
                                  tokens: tokens, at: now, connection, logger: logger)
        }
    }

    public func decide(_ externalIDs: [String], verdict: Verdict, actor: String, reason: String?, note: String?, force: Bool,
                       tokens: [String: [UInt64]], at now: Date) async throws(StoreError) -> [(id: String, result: Result<Decision, StoreError>)] {
        let logger = self.logger
        return try await transaction("recording decisions") { connection in
            // Every row first, in key order, before any advisory lock: the order every writer takes them in.
            try await connection.run("SELECT key FROM comment WHERE external_id = ANY(\(externalIDs)) ORDER BY key FOR UPDATE", logger: logger)
            var results: [(id: String, result: Result<Decision, StoreError>)] = []
            for id in externalIDs {
                // A refusal (not found, still queued, decided by someone else) is found before anything is written.
                do {
                    results.append((id, .success(try await Self.decide(id, verdict: verdict, actor: actor, actorKind: .moderator, reason: reason,
                                                                       note: note, force: force, tokens: tokens[id], at: now, connection,
                                                                       logger: logger))))
                } catch let error as StoreError {
                    results.append((id, .failure(error)))
                }
            }
            return results
        }
    }

    @discardableResult
    public func rejectAndBlockAuthor(_ externalID: String, actor: String, reason: String, note: String?, force: Bool, tokens: [UInt64]?,
                                     at now: Date) async throws(StoreError) -> Decision {
        let logger = self.logger
        return try await transaction("rejecting and blocking") { connection in
            let decision = try await Self.decide(externalID, verdict: .rejected, actor: actor, actorKind: .moderator, reason: reason, note: note,
                                                 force: force, tokens: tokens, at: now, connection, logger: logger)
            guard let author = try await connection.row("SELECT author FROM comment WHERE external_id = \(externalID)", logger: logger)?
                .value("author", as: String.self) else {
                throw StoreError(.notFound, "no comment with id \(externalID)")
            }
            try await Self.addListEntry(list: "block", kind: "author", value: author, reason: "blocked with comment \(externalID)", by: actor,
                                        expiresAt: nil, at: now, connection, logger: logger)
            return decision
        }
    }

    /// A decision inside an open transaction, as a compare-and-set on the comment's state (its row is
    /// locked, so two moderators on two daemons cannot both win).
    static func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind, reason: String?, note: String?,
                       force: Bool, tokens: [UInt64]?, at now: Date, _ connection: PostgresConnection, logger: Logger) async throws -> Decision {
        guard let row = try await connection.row("""
            SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE external_id = \(externalID) FOR UPDATE
            """, logger: logger) else {
            throw StoreError(.notFound, "no comment with id \(externalID)")
        }
        let comment = try StoredComment(postgres: row)
        if comment.status == .queued {
            throw StoreError(.stillQueued, "comment \(externalID) is still queued and has no verdict yet; try again in a moment")
        }
        let decisions = try await connection.rows("""
            SELECT \(unescaped: Decision.postgresColumns) FROM decision WHERE comment_key = \(comment.key!) ORDER BY seq
            """, logger: logger).map { try Decision(postgres: $0) }
        try DecisionHistory(decisions).checkMayDecide(externalID, force: force)
        let status = CommentStatus(verdict)
        try await connection.run("UPDATE comment SET status = \(status.rawValue) WHERE key = \(comment.key!)", logger: logger)
        let decision = try await insertDecision(Decision(commentKey: comment.key!, status: status, previousStatus: comment.status, actor: actor,
                                                         actorKind: actorKind, reason: reason, note: note, at: now, revision: comment.revision),
                                                connection, logger: logger)
        // A person's decision teaches the site's learning layer and rules on the open reports.
        if verdict != .held && actorKind.isReview {
            try await learn(commentKey: comment.key!, unwanted: verdict == .rejected, tokens: tokens,
                            source: actorKind == .site ? "site" : "moderator", connection, logger: logger)
            // Approving a text a moderator edited or redacted since the reports came in upholds them: they had a point.
            let revised = try await connection.row("""
                SELECT EXISTS (SELECT 1 FROM comment_revision WHERE comment_key = \(comment.key!) AND kind <> 'edit'
                               AND at >= (SELECT min(at) FROM report WHERE comment_key = \(comment.key!) AND outcome IS NULL)) AS revised
                """, logger: logger)?.value("revised", as: Bool.self) ?? false
            let outcome: ReportOutcome = revised ? .upheld : ReportOutcome(verdict)
            try await connection.run("""
                UPDATE report SET outcome = \(outcome.rawValue), settled_by = \(decision.seq!)
                WHERE comment_key = \(comment.key!) AND outcome IS NULL
                """, logger: logger)
        }
        return decision
    }

    /// Inserts a decision under the feed's lock, so sequence numbers commit in order; returns it with its number.
    static func insertDecision(_ decision: Decision, _ connection: PostgresConnection, logger: Logger) async throws -> Decision {
        try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.decisions.rawValue))", logger: logger)
        var inserted = decision
        inserted.seq = try await connection.row("""
            INSERT INTO decision (comment_key, status, previous_status, actor, actor_kind, reason, note, at, undoes, revision)
            VALUES (\(decision.commentKey), \(decision.status.rawValue), \(decision.previousStatus?.rawValue), \(decision.actor),
                    \(decision.actorKind.rawValue), \(decision.reason), \(decision.note), \(decision.at), \(decision.undoes), \(decision.revision))
            RETURNING seq
            """, logger: logger)?.value("seq", as: Int64.self)
        return inserted
    }

    @discardableResult
    public func undo(_ externalID: String, actor: String, force: Bool, at now: Date) async throws(StoreError) -> Decision {
        let logger = self.logger
        return try await transaction("undoing a decision") { connection in
            guard let row = try await connection.row("""
                SELECT \(unescaped: StoredComment.postgresColumns) FROM comment WHERE external_id = \(externalID) FOR UPDATE
                """, logger: logger) else {
                throw StoreError(.notFound, "no comment with id \(externalID)")
            }
            let comment = try StoredComment(postgres: row)
            let decisions = try await connection.rows("""
                SELECT \(unescaped: Decision.postgresColumns) FROM decision WHERE comment_key = \(comment.key!) ORDER BY seq
                """, logger: logger).map { try Decision(postgres: $0) }
            let undo = try DecisionHistory(decisions).undo(externalID, by: actor, force: force)
            try await connection.run("UPDATE comment SET status = \(undo.restore.rawValue) WHERE key = \(comment.key!)", logger: logger)
            let decision = try await Self.insertDecision(
                DecisionHistory.undoDecision(of: undo.last, commentKey: comment.key!, restoring: undo.restore, from: comment.status, by: actor,
                                             revision: comment.revision, at: now),
                connection, logger: logger)
            try await Self.learn(commentKey: comment.key!, unwanted: undo.unwanted, tokens: nil, source: "moderator", connection, logger: logger)
            // The reports it ruled on are open again.
            try await connection.run("UPDATE report SET outcome = NULL, settled_by = NULL WHERE settled_by = \(undo.last.seq!)", logger: logger)
            return decision
        }
    }

    public func decisions(after seq: Int64, limit: Int) async throws(StoreError) -> [DecisionEntry] {
        let logger = self.logger
        return try await read("reading the decision feed") { connection in
            try await connection.rows("\(unescaped: DecisionEntry.postgresQuery) WHERE d.seq > \(seq) ORDER BY d.seq LIMIT \(limit)", logger: logger)
                .map { try DecisionEntry(postgres: $0) }
        }
    }

    public func history(of externalID: String) async throws(StoreError) -> [DecisionEntry] {
        let logger = self.logger
        return try await read("reading a comment's decisions") { connection in
            try await connection.rows("\(unescaped: DecisionEntry.postgresQuery) WHERE c.external_id = \(externalID) ORDER BY d.seq", logger: logger)
                .map { try DecisionEntry(postgres: $0) }
        }
    }

    public func decisionLog(actor: String?, since: Date?, limit: Int) async throws(StoreError) -> [DecisionEntry] {
        let logger = self.logger
        return try await read("reading the decision log") { connection in
            try await connection.rows("""
                \(unescaped: DecisionEntry.postgresQuery) WHERE true
                  AND (\(actor)::text IS NULL OR d.actor = \(actor)) AND (\(since)::timestamptz IS NULL OR d.at >= \(since))
                ORDER BY d.seq DESC LIMIT \(limit)
                """, logger: logger).map { try DecisionEntry(postgres: $0) }
        }
    }

    // MARK: The learning layer

    /// Makes the layer's knowledge of one comment match `unwanted` (nil: forget it), as SQLite's
    /// ``ModerationDatabase`` does: lessons keep their tokens, so unlearning is exact.
    static func learn(commentKey key: Int64, unwanted: Bool?, tokens: [UInt64]?, source: String, _ connection: PostgresConnection,
                      logger: Logger) async throws {
        let stored = try await connection.row("SELECT unwanted, tokens FROM classifier_training WHERE comment_key = \(key)", logger: logger)
        let previous = try stored.map { (unwanted: try $0.value("unwanted", as: Bool.self), tokens: LessonTokens.decode(try $0.value("tokens", as: Data?.self))) }
        guard let change = Relabel(previous: previous, unwanted: unwanted, tokens: tokens) else { return }
        if let kept = change.kept {
            try await connection.run("""
                INSERT INTO classifier_training (comment_key, unwanted, source, tokens)
                VALUES (\(key), \(kept.unwanted), \(source), \(LessonTokens.encode(kept.tokens)))
                ON CONFLICT (comment_key) DO UPDATE SET unwanted = excluded.unwanted, source = excluded.source, tokens = excluded.tokens
                """, logger: logger)
        } else {
            try await connection.run("DELETE FROM classifier_training WHERE comment_key = \(key)", logger: logger)
        }
        try await apply(change.deltas, unwantedDocuments: change.unwantedDocuments, wantedDocuments: change.wantedDocuments, connection, logger: logger)
    }

    /// Adds counts to the layer in one statement per table, under the layer's lock (two daemons
    /// updating the same tokens in different orders could otherwise deadlock).
    static func apply(_ deltas: [UInt64: TokenCounts], unwantedDocuments: Int, wantedDocuments: Int, _ connection: PostgresConnection,
                      logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.learning.rawValue))", logger: logger)
        let changed = deltas.filter { $0.value.unwanted != 0 || $0.value.wanted != 0 }.sorted { $0.key < $1.key }
        if !changed.isEmpty {
            let hashes = changed.map { Int64(bitPattern: $0.key) }
            let unwanted = changed.map { Int64($0.value.unwanted) }
            let wanted = changed.map { Int64($0.value.wanted) }
            try await connection.run("""
                WITH d AS (SELECT * FROM unnest(\(hashes)::bigint[], \(unwanted)::bigint[], \(wanted)::bigint[]) AS t(h, u, w)),
                     up AS (UPDATE classifier_token c SET unwanted = greatest(0, c.unwanted + d.u), wanted = greatest(0, c.wanted + d.w)
                            FROM d WHERE c.hash = d.h RETURNING c.hash)
                INSERT INTO classifier_token (hash, unwanted, wanted)
                SELECT h, greatest(0, u), greatest(0, w) FROM d WHERE h NOT IN (SELECT hash FROM up) AND (u > 0 OR w > 0)
                """, logger: logger)
            try await connection.run("DELETE FROM classifier_token WHERE unwanted = 0 AND wanted = 0 AND hash = ANY(\(hashes)::bigint[])", logger: logger)
        }
        try await connection.run("""
            UPDATE classifier_state SET unwanted_documents = greatest(0, unwanted_documents + \(unwantedDocuments)),
                                        wanted_documents = greatest(0, wanted_documents + \(wantedDocuments)), version = version + 1
            WHERE id = 1
            """, logger: logger)
    }

    public func classifierModel() async throws(StoreError) -> (model: ClassifierModel, version: Int) {
        let logger = self.logger
        return try await read("reading the classifier") { connection in
            let state = try await connection.row("SELECT unwanted_documents, wanted_documents, version FROM classifier_state WHERE id = 1",
                                                 logger: logger)
            var model = ClassifierModel(unwantedDocuments: try state?.value("unwanted_documents", as: Int.self) ?? 0,
                                        wantedDocuments: try state?.value("wanted_documents", as: Int.self) ?? 0)
            for try await (hash, unwanted, wanted) in try await connection.query("SELECT hash, unwanted, wanted FROM classifier_token",
                                                                                 logger: logger).decode((Int64, Int32, Int32).self) {
                model.tokens[UInt64(bitPattern: hash)] = TokenCounts(unwanted: unwanted, wanted: wanted)
            }
            return (model, try state?.value("version", as: Int.self) ?? 0)
        }
    }

    public func classifierVersion() async throws(StoreError) -> Int {
        let logger = self.logger
        return try await read("reading the classifier version") { connection in
            try await connection.row("SELECT version FROM classifier_state WHERE id = 1", logger: logger)?.value("version", as: Int.self) ?? 0
        }
    }

    public func trainClassifier(_ examples: [Lesson]) async throws(StoreError) {
        let logger = self.logger
        var start = 0
        while start < examples.count {
            let chunk = examples[start..<min(examples.count, start + ModerationDatabase.maintenanceChunk)]
            start += chunk.count
            let (counted, unwantedCount, wantedCount) = Relabel.counts(of: chunk)
            try await transaction("training the classifier") { connection in
                try await Self.apply(counted, unwantedDocuments: unwantedCount, wantedDocuments: wantedCount, connection, logger: logger)
            }
        }
    }

    public func resetClassifier() async throws(StoreError) {
        let logger = self.logger
        try await transaction("resetting the classifier") { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.learning.rawValue))", logger: logger)
            try await connection.run("DELETE FROM classifier_token", logger: logger)
            try await connection.run("DELETE FROM classifier_training", logger: logger)
            try await connection.run("""
                UPDATE classifier_state SET unwanted_documents = 0, wanted_documents = 0, version = version + 1 WHERE id = 1
                """, logger: logger)
        }
    }

    public func classifierStatistics() async throws(StoreError) -> ClassifierStatistics {
        let logger = self.logger
        return try await read("reading classifier statistics") { connection in
            let state = try await connection.row("SELECT unwanted_documents, wanted_documents, version FROM classifier_state WHERE id = 1",
                                                 logger: logger)
            let counts = try await connection.row("""
                SELECT (SELECT count(*) FROM classifier_token) AS tokens,
                       (SELECT count(*) FROM classifier_training WHERE source <> 'automatic') AS decisions,
                       (SELECT count(*) FROM classifier_training WHERE source = 'automatic') AS automatic
                """, logger: logger)
            return ClassifierStatistics(
                unwantedDocuments: try state?.value("unwanted_documents") ?? 0, wantedDocuments: try state?.value("wanted_documents") ?? 0,
                tokens: try counts?.value("tokens") ?? 0, version: try state?.value("version") ?? 0,
                fromDecisions: try counts?.value("decisions") ?? 0, fromAutomaticVerdicts: try counts?.value("automatic") ?? 0)
        }
    }
}
