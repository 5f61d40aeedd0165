import Foundation
import PostgresNIO

extension HourlyCounts {
    /// PostgreSQL keeps the hourly counts as SQLite does, with one difference: several daemons write at
    /// once, and an upsert on a busy hour's row would make their transactions wait on each other (and
    /// deadlock against the feed's advisory lock). So the triggers only append changes to a
    /// `…_change` table beside each count table; readers add the pending changes to the counts, and
    /// ``PostgresStore/settleCounts()`` folds them in (each daemon's poll, one daemon at a time).
    enum Postgres {
        static let dialect = Dialect.postgres

        static func change(_ table: String) -> String { "\(table)_change" }

        static func addTo(_ table: String, _ columns: [String]) -> String {
            columns.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")
        }

        /// The statements of schema version 2.
        static let schema: [String] = {
            let d = dialect
            let signalColumns = signalCountColumns.joined(separator: ", ")
            return [
                "ALTER TABLE comment ADD COLUMN system_status TEXT, ADD COLUMN human_status TEXT",
                // Partial hours of decisions, and the digest's offenders read from the index alone.
                "CREATE INDEX decision_by_time ON decision (at)",
                "CREATE INDEX comment_rejected ON comment (received_at) INCLUDE (author, network) WHERE status = 'rejected'",
            ] + definitions.flatMap { table in
                ["CREATE TABLE \(table.name) (\(table.definition))", "CREATE TABLE \(change(table.name)) (LIKE \(table.name) INCLUDING DEFAULTS)"]
            } + [
                // A person's decision: its count, the comment's move between statuses, and the review
                // the signal counts follow (the pipeline's are counted by the store's own code).
                decisionFunction(humanStatusUpdate: "UPDATE comment SET human_status = NEW.status WHERE key = NEW.comment_key;"),
                """
                CREATE TRIGGER hourly_counts_on_decision AFTER INSERT ON decision FOR EACH ROW WHEN (NEW.actor_kind <> 'system')
                EXECUTE FUNCTION hourly_counts_on_decision()
                """,
                """
                CREATE FUNCTION hourly_counts_on_review() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO hourly_signals_change (hour, name, source, \(signalColumns)) \(d.reviewChange);
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER hourly_counts_on_review AFTER UPDATE OF human_status ON comment
                FOR EACH ROW WHEN (OLD.human_status IS DISTINCT FROM NEW.human_status) EXECUTE FUNCTION hourly_counts_on_review()
                """,
            ]
        }()

        /// The function behind the trigger on people's decisions (and, since schema version 3, readers' holds).
        static func decisionFunction(humanStatusUpdate: String, replacing: Bool = false) -> String {
            let d = dialect
            let moves = ["approved", "held", "rejected"]
                .map { "\(Dialect.when("NEW.status = '\($0)'")) - \(Dialect.when("NEW.previous_status IS NOT DISTINCT FROM '\($0)'"))" }
            return """
            CREATE\(replacing ? " OR REPLACE" : "") FUNCTION hourly_counts_on_decision() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO hourly_decisions_change (hour, decider, decisions, approved, held, rejected)
                VALUES (\(d.hour("NEW.at")), NEW.actor, 1,
                        \(["approved", "held", "rejected"].map { Dialect.when("NEW.status = '\($0)'") }.joined(separator: ", ")));
                INSERT INTO hourly_comments_change (hour, article_id, approved, held, rejected)
                SELECT \(d.hour("c.received_at")), c.article_id, \(moves.joined(separator: ", ")) FROM comment c WHERE c.key = NEW.comment_key;
                \(humanStatusUpdate)
                RETURN NULL;
            END $$
            """
        }

        /// Schema version 3: a readers' hold moves the status counts but is not a review of the verdict.
        static let readersHold = decisionFunction(
            humanStatusUpdate: "UPDATE comment SET human_status = NEW.status WHERE key = NEW.comment_key AND NEW.actor_kind <> 'readers';",
            replacing: true)

        /// Folds the pending changes of every table into its counts, one statement per table.
        static let settle: [String] = definitions.map { table in
            let keys = table.keyNames.joined(separator: ", ")
            let values = (table.label.map { ["min(\($0))"] } ?? []) + table.counts.map { "sum(\($0))" }
            return """
                WITH moved AS (DELETE FROM \(change(table.name)) RETURNING *)
                INSERT INTO \(table.name) (\(table.columnNames.joined(separator: ", ")))
                SELECT \(keys), \(values.joined(separator: ", ")) FROM moved GROUP BY \(keys)
                ON CONFLICT (\(keys)) DO UPDATE SET \(addTo(table.name, table.counts))
                """
        }

        /// Empties every table and its changes and fills it again from the comments and decisions.
        static let recount: [String] = [dialect.reviewStatuses]
            + ["TRUNCATE \((tables + tables.map(change)).joined(separator: ", "))"] + dialect.refill
    }
}

extension HourlyCounts.Batch {
    /// Appends the batch's counts to the change tables: one statement per table.
    func apply(_ connection: PostgresConnection, logger: Logger) async throws {
        for table in HourlyCounts.definitions {
            guard let entries = rows[table.name], !entries.isEmpty else { continue }
            var objects: [[String: HourlyCounts.Cell]] = []
            for (key, entry) in entries {
                var object: [String: HourlyCounts.Cell] = [:]
                for (column, cell) in zip(table.keyNames, key) { object[column] = cell }
                if let label = table.label, let value = entry.label { object[label] = .text(value) }
                for (column, count) in zip(table.counts, entry.counts) { object[column] = .integer(count) }
                objects.append(object)
            }
            let json = String(decoding: try JSONEncoder().encode(objects), as: UTF8.self)
            var bindings = PostgresBindings()
            bindings.append(json)
            let columns = table.columnNames.joined(separator: ", ")
            try await connection.run(PostgresQuery(unsafeSQL: """
                INSERT INTO \(HourlyCounts.Postgres.change(table.name)) (\(columns))
                SELECT \(columns) FROM jsonb_to_recordset($1::jsonb) AS t(\(table.recordType))
                """, binds: bindings), logger: logger)
        }
    }
}

extension PostgresStore {
    /// Folds the hourly counts' pending changes into the counts, unless another daemon is doing it.
    public func settleCounts() async throws(StoreError) {
        let logger = logger
        try await transaction("settling the hourly figures") { connection in
            let locked = try await connection.row("SELECT pg_try_advisory_xact_lock(\(PostgresSchema.Lock.counts.rawValue)) AS locked",
                                                  logger: logger)
            guard try locked?.value("locked", as: Bool.self) == true else { return }
            for statement in HourlyCounts.Postgres.settle {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
    }

    public func recount(onlyCheck: Bool) async throws(StoreError) -> [String] {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.run("SELECT pg_advisory_xact_lock(\(PostgresSchema.Lock.counts.rawValue))", logger: logger)
                    let before = try await Self.hourlyCounts(connection, logger: logger)
                    for statement in HourlyCounts.Postgres.recount {
                        try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    let after = try await Self.hourlyCounts(connection, logger: logger)
                    try await connection.query(onlyCheck ? "ROLLBACK" : "COMMIT", logger: logger)
                    return HourlyCounts.tables.filter { before[$0] != after[$0] }
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw wrap(error, "recounting the hourly figures")
        }
    }

    /// Every key of every hourly table with its counts (pending changes included) as text; keys whose
    /// counts are all zero are left out.
    static func hourlyCounts(_ connection: PostgresConnection, logger: Logger) async throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for table in HourlyCounts.definitions {
            let counts = table.counts
            let keys = table.keyNames.joined(separator: ", ")
            let sums = counts.map { "sum(\($0))::bigint" }.joined(separator: " || ',' || ")
            let sql = """
                SELECT concat_ws(',', \(table.keyNames.map { "\($0)::text" }.joined(separator: ", "))) || ':' || \(sums) AS line
                FROM (SELECT * FROM \(table.name) UNION ALL SELECT * FROM \(HourlyCounts.Postgres.change(table.name))) t
                GROUP BY \(keys) HAVING \(counts.map { "sum(\($0)) <> 0" }.joined(separator: " OR ")) ORDER BY \(keys)
                """
            tables[table.name] = try await connection.rows(PostgresQuery(unsafeSQL: sql), logger: logger).map { try $0.value("line", as: String.self) }
        }
        return tables
    }

    /// The hourly counts of a period: whole hours from the tables and their pending changes, partial
    /// hours derived from the comments and decisions.
    static func hourlyRows(_ connection: PostgresConnection, _ split: HourlyCounts.Split, logger: Logger) async throws -> HourlyRows {
        let sql = HourlyCounts.Dialect.postgres
        func fetch(_ table: String, keys: [String], counts: [String], _ derive: (String) -> String, time: String) async throws
            -> [PostgresRandomAccessRow] {
            var parts: [String] = []
            var bindings = PostgresBindings()
            let typed = counts.map { "(\($0))::bigint AS \($0)" }
            if let hours = split.hours {
                bindings.append(hours.lowerBound)
                bindings.append(hours.upperBound)
                let range = "hour >= $\(bindings.count - 1) AND hour < $\(bindings.count)"
                let columns = HourlyCounts.columns(keys: keys, counts: typed, sign: 1)
                parts.append("SELECT \(columns) FROM \(table) WHERE \(range)")
                parts.append("SELECT \(columns) FROM \(HourlyCounts.Postgres.change(table)) WHERE \(range)")
            }
            for edge in split.edges {
                bindings.append(edge.start)
                bindings.append(edge.end)
                let derived = derive("\(time) >= $\(bindings.count - 1) AND \(time) < $\(bindings.count)")
                let columns = HourlyCounts.columns(keys: keys, counts: counts.map { edge.sign < 0 ? "(-(\($0)))::bigint AS \($0)" : "(\($0))::bigint AS \($0)" },
                                                   sign: 1)
                parts.append("SELECT \(columns) FROM (\(derived)) edge")
            }
            guard !parts.isEmpty else { return [] }
            return try await connection.rows(PostgresQuery(unsafeSQL: parts.joined(separator: " UNION ALL "), binds: bindings), logger: logger)
        }
        var rows = HourlyRows()
        rows.comments = try await fetch("hourly_comments", keys: ["hour", "article_id"], counts: HourlyCounts.commentCountColumns,
                                        sql.comments(where:), time: "c.received_at").map { row in
            HourlyRows.Comments(hour: try row.value("hour"), articleID: try row.value("article_id"), received: try row.value("received"),
                                approved: try row.value("approved"), held: try row.value("held"), rejected: try row.value("rejected"),
                                ratings: try ["r1", "r2", "r3", "r4", "r5"].map { try row.value($0, as: Int.self) },
                                judged: try row.value("judged"), failed: try row.value("failed"))
        }
        rows.latency = try await fetch("hourly_latency", keys: ["millis"], counts: ["comments"], sql.latency(where:), time: "c.received_at")
            .map { (millis: try $0.value("millis", as: Double.self), comments: try $0.value("comments", as: Int.self)) }
        rows.signals = try await fetch("hourly_signals", keys: ["name", "source"], counts: HourlyCounts.signalCountColumns,
                                       sql.signals(where:), time: "c.received_at").map { row in
            HourlyRows.Signals(name: try row.value("name"), source: try row.value("source"), hits: try row.value("hits"),
                               shadow: try row.value("shadow"), reviewed: try row.value("reviewed"), overturned: try row.value("overturned"),
                               errors: try row.value("errors"), shadowHits: try row.value("shadow_hits"),
                               shadowAgreed: try row.value("shadow_agreed"), shadowDisagreed: try row.value("shadow_disagreed"))
        }
        rows.ratingBursts = try await fetch("hourly_rating_bursts", keys: ["article_id", "rating"], counts: ["comments", "new_authors"],
                                            sql.ratingBursts(where:), time: "c.received_at").map { row in
            HourlyRows.RatingBurst(articleID: try row.value("article_id"), rating: try row.value("rating"), comments: try row.value("comments"),
                                   newAuthors: try row.value("new_authors"))
        }
        rows.decisions = try await fetch("hourly_decisions", keys: ["decider"], counts: ["decisions", "approved", "held", "rejected"],
                                         sql.decisions(where:), time: "d.at").map { row in
            HourlyRows.Decisions(decider: try row.value("decider"), decisions: try row.value("decisions"), approved: try row.value("approved"),
                                 held: try row.value("held"), rejected: try row.value("rejected"))
        }
        return rows
    }
}
