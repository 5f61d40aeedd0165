import Foundation
import GRDB

extension HourlyCounts.SQLite {
    /// The hour (since 1970) of a stored time, as the triggers and derived queries compute it.
    static func hour(of time: DatabaseValue, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT \(dialect.hour("?"))"), arguments: [time]) ?? 0
    }
}

extension HourlyCounts.Batch {
    /// Adds the batch's counts to the tables: one upsert per key.
    func apply(_ db: Database) throws {
        for table in HourlyCounts.definitions {
            guard let entries = rows[table.name], !entries.isEmpty else { continue }
            let columns = table.columnNames
            let statement = try db.cachedStatement(sql: """
                INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                ON CONFLICT (\(table.keyNames.joined(separator: ", "))) DO UPDATE SET \(HourlyCounts.SQLite.addTo(table.counts))
                """)
            for (key, entry) in entries {
                var values: [DatabaseValue] = key.map { cell in
                    switch cell {
                    case .integer(let value): value.databaseValue
                    case .real(let value): value.databaseValue
                    case .text(let value): value.databaseValue
                    }
                }
                if table.label != nil { values.append(entry.label.databaseValue) }
                values += entry.counts.map(\.databaseValue)
                try statement.execute(arguments: StatementArguments(values))
            }
        }
    }
}

extension ModerationDatabase {
    /// The hourly counts of a period: whole hours read from the tables, partial hours derived from the
    /// comments and decisions (see ``HourlyCounts``).
    static func hourlyRows(_ db: Database, _ split: HourlyCounts.Split) throws -> HourlyRows {
        let sql = HourlyCounts.Dialect.sqlite
        func fetch(_ table: String, keys: [String], counts: [String], _ derive: (String) -> String, time: String) throws -> [Row] {
            var parts: [String] = []
            var arguments = StatementArguments()
            if let hours = split.hours {
                parts.append("SELECT \(HourlyCounts.columns(keys: keys, counts: counts, sign: 1)) FROM \(table) WHERE hour >= ? AND hour < ?")
                arguments += [hours.lowerBound, hours.upperBound]
            }
            for edge in split.edges {
                parts.append("SELECT \(HourlyCounts.columns(keys: keys, counts: counts, sign: edge.sign)) FROM (\(derive("\(time) >= ? AND \(time) < ?")))")
                arguments += [edge.start, edge.end]
            }
            guard !parts.isEmpty else { return [] }
            return try Row.fetchAll(db, sql: parts.joined(separator: " UNION ALL "), arguments: arguments)
        }

        var rows = HourlyRows()
        rows.comments = try fetch("hourly_comments", keys: ["hour", "article_id"], counts: HourlyCounts.commentCountColumns,
                                  sql.comments(where:), time: "c.received_at").map { row in
            HourlyRows.Comments(hour: row["hour"], articleID: row["article_id"], received: row["received"], approved: row["approved"],
                                held: row["held"], rejected: row["rejected"], ratings: [row["r1"], row["r2"], row["r3"], row["r4"], row["r5"]],
                                judged: row["judged"], failed: row["failed"])
        }
        rows.latency = try fetch("hourly_latency", keys: ["millis"], counts: ["comments"], sql.latency(where:), time: "c.received_at").map {
            (millis: $0["millis"], comments: $0["comments"])
        }
        rows.signals = try fetch("hourly_signals", keys: ["name", "source"], counts: HourlyCounts.signalCountColumns,
                                 sql.signals(where:), time: "c.received_at").map { row in
            HourlyRows.Signals(name: row["name"], source: row["source"], hits: row["hits"], shadow: row["shadow"], reviewed: row["reviewed"],
                               overturned: row["overturned"], errors: row["errors"], shadowHits: row["shadow_hits"],
                               shadowAgreed: row["shadow_agreed"], shadowDisagreed: row["shadow_disagreed"])
        }
        rows.ratingBursts = try fetch("hourly_rating_bursts", keys: ["article_id", "rating"], counts: ["comments", "new_authors"],
                                      sql.ratingBursts(where:), time: "c.received_at").map { row in
            HourlyRows.RatingBurst(articleID: row["article_id"], rating: row["rating"], comments: row["comments"], newAuthors: row["new_authors"])
        }
        rows.decisions = try fetch("hourly_decisions", keys: ["decider"], counts: ["decisions", "approved", "held", "rejected"],
                                   sql.decisions(where:), time: "d.at").map { row in
            HourlyRows.Decisions(decider: row["decider"], decisions: row["decisions"], approved: row["approved"], held: row["held"],
                                 rejected: row["rejected"])
        }
        return rows
    }

    /// Rebuilds the hourly counts from the comments and decisions, in one transaction, and names the
    /// tables whose counts the rebuild changed (none, unless something edited the database behind the
    /// triggers' back). With `onlyCheck`, nothing is changed.
    public func recount(onlyCheck: Bool) async throws(StoreError) -> [String] {
        do {
            return try await pool.write { db in
                var differing: [String] = []
                try db.inSavepoint {
                    let before = try Self.hourlyCounts(db)
                    try db.execute(sql: HourlyCounts.SQLite.recount)
                    let after = try Self.hourlyCounts(db)
                    differing = HourlyCounts.tables.filter { before[$0] != after[$0] }
                    return onlyCheck ? .rollback : .commit
                }
                return differing
            }
        } catch {
            throw Self.wrap(error, "recounting the hourly figures")
        }
    }

    /// Every row of every hourly table, as text; keys whose counts are all zero are left out (the same as no row).
    static func hourlyCounts(_ db: Database) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        for table in HourlyCounts.definitions {
            tables[table.name] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) ORDER BY \(table.keyNames.joined(separator: ", "))")
                .compactMap { row in
                    guard table.counts.contains(where: { (row[$0] as Int?) != 0 }) else { return nil }
                    return row.description
                }
        }
        return tables
    }
}
