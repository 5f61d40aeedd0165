import GRDB

/// An `INSERT … VALUES (…), (…), …` for many rows at once, in chunks of 64, 32, …, 1 rows: at most
/// seven statement shapes are prepared and cached per table, and a chunk stays under SQLite's
/// oldest limit of 999 arguments.
struct MultiRowInsert {
    /// The statement up to `VALUES`.
    let head: String
    /// One row's placeholders, with its parentheses.
    let row: String
    /// How many arguments a row takes.
    let width: Int

    static let largestChunk = 64

    /// The system's decision on a queued comment.
    static let decision = MultiRowInsert(
        head: "INSERT INTO decision (comment_key, status, previous_status, actor, actor_kind, reason, at) VALUES",
        row: "(?, ?, 'queued', ?, 'system', ?, ?)", width: 5)

    /// An empty set of rows to insert with this statement.
    func rows() -> Rows {
        Rows(insert: self)
    }

    func sql(rows count: Int) -> String {
        head + " " + repeatElement(row, count: count).joined(separator: ", ")
    }

    /// Rows gathered in order, written by ``insert(_:)``.
    struct Rows {
        let insert: MultiRowInsert
        private var values: [DatabaseValue] = []

        init(insert: MultiRowInsert) {
            self.insert = insert
        }

        var count: Int { values.count / insert.width }

        mutating func append(_ row: [DatabaseValue]) {
            precondition(row.count == insert.width, "a row of \(insert.width) values")
            values.append(contentsOf: row)
        }

        /// Inserts the rows in the order they were appended.
        func insert(_ db: Database) throws {
            var start = 0
            var chunk = MultiRowInsert.largestChunk
            while start < values.count {
                let remaining = (values.count - start) / insert.width
                while chunk > remaining { chunk /= 2 }
                let end = start + chunk * insert.width
                try db.cachedStatement(sql: insert.sql(rows: chunk)).execute(arguments: StatementArguments(values[start..<end]))
                start = end
            }
        }
    }
}
