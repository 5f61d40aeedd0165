import Foundation
import Moderation

/// The counts the digest and the rule statistics read, kept per hour so that a report over a busy day
/// reads a few thousand rows instead of every comment.
///
/// Each table is kept three ways, which must agree (a test checks they do):
/// - **incrementally**, as comments arrive, verdicts and decisions are recorded: the store counts the
///   two busy changes itself, a batch at a time (``Batch``: arrivals, and the pipeline's verdicts with
///   their decisions), and triggers count what people decide: a trigger on `decision` moves the
///   comment between status counts by the decision's `previous_status` and sets `human_status`, whose
///   change re-counts the comment's signals (reviewed, overturned). A comment's signals, rating and
///   arrival never change after its verdict (erasure rewrites only their text);
/// - **derived** from the comments of a time range, by the same formulas in one `SELECT` per table:
///   `modctl recount` rebuilds the tables with it, and reports use it for the partial hours at the edges
///   of their period, so their figures are exact to the millisecond;
/// - **read** for whole hours.
///
/// Hours are whole hours since 1970 in UTC, of the comment's arrival (of the decision, for
/// `hourly_decisions`). Latencies are counted in buckets of three significant digits of milliseconds,
/// so percentiles are exact to 0.5%.
///
/// | table | key | counts |
/// |---|---|---|
/// | `hourly_comments` | hour, article | received, by status, by rating, judged, failed (a rule error or a pipeline failure) |
/// | `hourly_latency` | hour, milliseconds | comments judged that long after arrival |
/// | `hourly_signals` | hour, signal | comments hit, in shadow, reviewed by a person, overturned; errors; shadow hits agreed and disagreed with |
/// | `hourly_rating_bursts` | hour, article, rating | comments in a rating burst, of them by first-time authors |
/// | `hourly_decisions` | hour, decider | decisions by status |
///
/// `comment.system_status` (the pipeline's first verdict, set with it) and `comment.human_status` (the
/// latest decision by a moderator or the site, set by a trigger on `decision`) feed the signal counts.
enum HourlyCounts {
    static var tables: [String] { definitions.map(\.name) }

    /// A report period cut into whole hours, read from the tables, and ranges derived from the
    /// comments for the partial hours at its edges. A partial hour costs what its derived part holds,
    /// so when the period covers most of an hour, that hour is read whole and the part outside the
    /// period is taken away (a digest up to now takes away the empty rest of the current hour).
    struct Split: Equatable {
        /// Whole hours `lower..<upper` read from the tables, or nil when none.
        var hours: Range<Int64>?
        /// Time ranges `[start, end)` derived from the comments: added (`sign` 1) or taken away from a
        /// whole hour read (`sign` -1).
        var edges: [Edge]

        struct Edge: Equatable {
            var start: Date
            var end: Date
            var sign: Int
        }

        init(start: Date, end: Date?) {
            let from = start.timeIntervalSince1970
            let to = end?.timeIntervalSince1970 ?? .infinity
            edges = []
            guard from < to else {
                hours = nil
                return
            }
            let first = Int64((from / 3600).rounded(.down))
            // The last hour the period touches (for an open end, every hour to come).
            let last = end == nil ? Int64.max - 1 : Int64((to / 3600).rounded(.up)) - 1
            var edges: [Edge] = []
            /// Whether `hour` is read whole, adding the ranges that make it exact.
            func readWhole(_ hour: Int64) -> Bool {
                let (hourStart, hourEnd) = (Double(hour) * 3600, Double(hour + 1) * 3600)
                let (inStart, inEnd) = (max(from, hourStart), min(to, hourEnd))
                let inside = inEnd - inStart
                if inside >= 3600 { return true }
                if 3600 - inside < inside {
                    if hourStart < inStart { edges.append(Edge(start: Self.date(hourStart), end: Self.date(inStart), sign: -1)) }
                    if inEnd < hourEnd { edges.append(Edge(start: Self.date(inEnd), end: Self.date(hourEnd), sign: -1)) }
                    return true
                }
                edges.append(Edge(start: Self.date(inStart), end: Self.date(inEnd), sign: 1))
                return false
            }
            if first == last {
                hours = readWhole(first) ? first..<first + 1 : nil
            } else {
                let lower = readWhole(first) ? first : first + 1
                let upper = end == nil || readWhole(last) ? last + 1 : last
                hours = lower < upper ? lower..<upper : nil
            }
            self.edges = edges
        }

        static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
        static func date(_ hour: Int64) -> Date { Date(timeIntervalSince1970: Double(hour) * 3600) }
    }

    /// The columns of a `SELECT` from a count table or a derived range: keys as they are, counts
    /// negated for a range taken away.
    static func columns(keys: [String], counts: [String], sign: Int) -> String {
        (keys + counts.map { sign < 0 ? "-(\($0)) AS \($0)" : $0 }).joined(separator: ", ")
    }

    /// What differs between SQLite's SQL and PostgreSQL's for the counts.
    struct Dialect: Sendable {
        /// Whole hours since 1970 of a time.
        var hour: @Sendable (String) -> String
        /// Milliseconds from arrival to verdict of a comment row, to three significant digits.
        func latencyBucket(_ row: String) -> String { latency("\(row).judged_at", "\(row).received_at") }
        /// Milliseconds from the second time to the first, to three significant digits.
        var latency: @Sendable (_ judged: String, _ received: String) -> String
        /// The `FROM` item of a comment row's signals, as `s`.
        var signals: @Sendable (String) -> String
        /// A signal's field as text.
        var text: @Sendable (String) -> String
        /// A signal's numeric field, 0 when absent.
        var number: @Sendable (String) -> String
        /// A signal's boolean field as 0 or 1.
        var flag: @Sendable (String) -> String

        static let sqlite = Dialect(
            hour: { "(CAST(strftime('%s', \($0)) AS INTEGER) / 3600)" },
            latency: { judged, received in
                let ms = "max((julianday(\(judged)) - julianday(\(received))) * 86400000.0, 0.001)"
                let unit = "pow(10, floor(log10(\(ms))) - 2)"
                return "(round(\(ms) / \(unit)) * \(unit))"
            },
            signals: { "json_each(\($0).signals) s" },
            text: { "json_extract(s.value, '$.\($0)')" },
            number: { "coalesce(json_extract(s.value, '$.\($0)'), 0)" },
            flag: { "(coalesce(json_extract(s.value, '$.\($0)'), 0) <> 0)" })

        static let postgres = Dialect(
            hour: { "floor(extract(epoch FROM \($0)) / 3600)::bigint" },
            latency: { judged, received in
                let ms = "greatest(extract(epoch FROM (\(judged) - \(received)))::double precision * 1000, 0.001)"
                let unit = "power(10::double precision, floor(log(\(ms))) - 2)"
                return "(round(\(ms) / \(unit)) * \(unit))"
            },
            signals: { "jsonb_array_elements(\($0).signals) s(value)" },
            text: { "(s.value->>'\($0)')" },
            number: { "coalesce((s.value->>'\($0)')::double precision, 0)" },
            flag: { "coalesce((s.value->>'\($0)')::boolean, false)" })

        static func when(_ condition: String) -> String { "CASE WHEN \(condition) THEN 1 ELSE 0 END" }

        /// The columns of one comment's signals that the counts keep, per signal name, each 0 or 1 for
        /// the comment (errors: how many): `hour, name, source, hits, shadow, reviewed, overturned,
        /// errors, shadow_hits, shadow_agreed, shadow_disagreed`. The caller groups by name.
        func signalFacts(_ row: String) -> String {
            let (human, system) = ("\(row).human_status", "\(row).system_status")
            let (source, score, action) = (text("source"), number("score"), text("action"))
            let counted = "(NOT \(flag("error")) AND \(source) <> 'pipeline')"
            let overturns = """
                ((\(human) = 'approved' AND \(system) <> 'approved' AND (\(score) > 0 OR \(action) IN ('hold', 'reject'))) \
                OR (\(human) = 'rejected' AND \(system) = 'approved' AND \(score) < 0))
                """
            let any = { (condition: String) in "max(\(Self.when(condition)))" }
            return """
                \(hour("\(row).received_at")) AS hour, \(text("name")) AS name, min(\(source)) AS source,
                \(any(counted)) AS hits,
                \(any("\(counted) AND \(flag("shadow"))")) AS shadow,
                \(any(counted)) * \(Self.when("\(human) IS NOT NULL")) AS reviewed,
                \(any("\(counted) AND coalesce(\(overturns), false)")) AS overturned,
                sum(\(Self.when(flag("error")))) AS errors,
                \(any(flag("shadow"))) AS shadow_hits,
                \(any(flag("shadow"))) * \(Self.when("\(human) IS NOT NULL AND \(human) <> 'approved'")) AS shadow_agreed,
                \(any(flag("shadow"))) * \(Self.when("\(human) = 'approved'")) AS shadow_disagreed
                """
        }

        /// 1 when the comment has a pipeline failure or a failed rule, else 0.
        func failed(_ row: String) -> String {
            Self.when("EXISTS (SELECT 1 FROM \(signals(row)) WHERE \(text("source")) = 'pipeline' OR \(flag("error")))")
        }

        /// 1 when the rating-burst heuristic fired on the comment, else 0.
        func inBurst(_ row: String) -> String {
            Self.when("EXISTS (SELECT 1 FROM \(signals(row)) WHERE \(text("name")) = 'ratings.bombing')")
        }

        /// One comment's contribution to `hourly_comments`, in ``commentCountColumns`` order.
        func commentContribution(_ row: String) -> [String] {
            ["1"] + ["approved", "held", "rejected"].map { Self.when("\(row).status = '\($0)'") }
                + (1...5).map { Self.when("\(row).rating = \($0)") }
                + [Self.when("\(row).judged_at IS NOT NULL"), failed(row)]
        }

        // Derived from the comments (decisions) in `range`, a condition on `c` (`d`).

        func comments(where range: String) -> String {
            """
            SELECT \(hour("c.received_at")) AS hour, c.article_id, \(zip(commentContribution("c"), commentCountColumns)
                .map { "sum(\($0)) AS \($1)" }.joined(separator: ", "))
            FROM comment c WHERE \(range) GROUP BY 1, 2
            """
        }

        func latency(where range: String) -> String {
            """
            SELECT \(hour("c.received_at")) AS hour, \(latencyBucket("c")) AS millis, count(*) AS comments
            FROM comment c WHERE c.judged_at IS NOT NULL AND \(range) GROUP BY 1, 2
            """
        }

        func signals(where range: String) -> String {
            let sums = signalCountColumns.map { "sum(\($0)) AS \($0)" }.joined(separator: ", ")
            return """
                SELECT hour, name, min(source) AS source, \(sums)
                FROM (SELECT \(signalFacts("c")) FROM comment c, \(signals("c"))
                      WHERE c.signals IS NOT NULL AND \(range) GROUP BY c.key, 2) facts
                WHERE name IS NOT NULL GROUP BY hour, name
                """
        }

        func ratingBursts(where range: String) -> String {
            """
            SELECT \(hour("c.received_at")) AS hour, c.article_id, c.rating, count(*) AS comments,
                   sum(\(Self.when("c.author_is_new"))) AS new_authors
            FROM comment c WHERE c.signals IS NOT NULL AND \(inBurst("c")) = 1 AND \(range) GROUP BY 1, 2, 3
            """
        }

        func decisions(where range: String) -> String {
            """
            SELECT \(hour("d.at")) AS hour, CASE d.actor_kind WHEN 'system' THEN 'pipeline' ELSE d.actor END AS decider,
                   count(*) AS decisions, \(["approved", "held", "rejected"].map { "sum(\(Self.when("d.status = '\($0)'"))) AS \($0)" }
                .joined(separator: ", "))
            FROM decision d WHERE \(range) GROUP BY 1, 2
            """
        }

        /// In a trigger on a comment's update: its signal counts as rows to add, the new row's counted
        /// and the old row's taken away (a review changed, so reviewed and overturned may have).
        var reviewChange: String {
            let sides = [("-1", "OLD"), ("1", "NEW")].map { sign, row in
                "SELECT \(sign) AS sign, facts.* FROM (SELECT \(signalFacts(row)) FROM \(signals(row)) GROUP BY 2) facts"
            }
            let sums = signalCountColumns.map { "sum(sign * \($0))" }.joined(separator: ", ")
            let changed = signalCountColumns.map { "sum(sign * \($0)) <> 0" }.joined(separator: " OR ")
            return """
                SELECT hour, name, min(source), \(sums) FROM (\(sides.joined(separator: " UNION ALL "))) sides
                WHERE name IS NOT NULL GROUP BY hour, name HAVING \(changed)
                """
        }

        /// Whether a decision is a person's review (``Decision/ActorKind/isReview``), in the form the
        /// partial index on people's decisions (`actor_kind <> 'system'`) serves.
        static func review(_ column: String) -> String { "\(column) <> 'system' AND \(column) <> 'readers'" }

        /// Rebuilds `comment.system_status` and `comment.human_status` from the decisions.
        var reviewStatuses: String {
            let system = "(SELECT status FROM decision WHERE comment_key = comment.key AND actor_kind = 'system' ORDER BY seq LIMIT 1)"
            let human = "(SELECT status FROM decision WHERE comment_key = comment.key AND \(Self.review("actor_kind")) ORDER BY seq DESC LIMIT 1)"
            return """
                UPDATE comment SET system_status = \(system), human_status = \(human)
                WHERE system_status IS DISTINCT FROM \(system) OR human_status IS DISTINCT FROM \(human)
                """
        }

        /// The statements that fill the emptied tables again from every comment and decision.
        var refill: [String] {
            [
                "INSERT INTO hourly_comments (hour, article_id, \(commentCountColumns.joined(separator: ", "))) \(comments(where: "true"))",
                "INSERT INTO hourly_latency (hour, millis, comments) \(latency(where: "true"))",
                "INSERT INTO hourly_signals (hour, name, source, \(signalCountColumns.joined(separator: ", "))) \(signals(where: "true"))",
                "INSERT INTO hourly_rating_bursts (hour, article_id, rating, comments, new_authors) \(ratingBursts(where: "true"))",
                "INSERT INTO hourly_decisions (hour, decider, decisions, approved, held, rejected) \(decisions(where: "true"))",
            ]
        }
    }

    static let signalCountColumns = ["hits", "shadow", "reviewed", "overturned", "errors", "shadow_hits", "shadow_agreed", "shadow_disagreed"]
    static let commentCountColumns = ["received", "approved", "held", "rejected", "r1", "r2", "r3", "r4", "r5", "judged", "failed"]

    /// One count table: its key columns (with their SQL types), a text column that is not a key
    /// (`source`), and its counts (all `BIGINT`).
    struct Table: Sendable {
        var name: String
        var keys: [(name: String, type: String)]
        var label: String? = nil
        var counts: [String]

        var keyNames: [String] { keys.map(\.name) }
        var columnNames: [String] { keyNames + (label.map { [$0] } ?? []) + counts }
        /// `CREATE TABLE`'s column list and primary key.
        var definition: String {
            (keys.map { "\($0.name) \($0.type) NOT NULL" } + (label.map { ["\($0) TEXT NOT NULL"] } ?? [])
                + counts.map { "\($0) BIGINT NOT NULL DEFAULT 0" } + ["PRIMARY KEY (\(keyNames.joined(separator: ", ")))"])
                .joined(separator: ", ")
        }
        /// The columns as `jsonb_to_recordset` reads them.
        var recordType: String {
            (keys.map { "\($0.name) \($0.type)" } + (label.map { ["\($0) text"] } ?? []) + counts.map { "\($0) bigint" })
                .joined(separator: ", ")
        }
    }

    static let comments = Table(name: "hourly_comments", keys: [("hour", "BIGINT"), ("article_id", "TEXT")], counts: commentCountColumns)
    static let latency = Table(name: "hourly_latency", keys: [("hour", "BIGINT"), ("millis", "DOUBLE PRECISION")], counts: ["comments"])
    static let signals = Table(name: "hourly_signals", keys: [("hour", "BIGINT"), ("name", "TEXT")], label: "source", counts: signalCountColumns)
    static let ratingBursts = Table(name: "hourly_rating_bursts", keys: [("hour", "BIGINT"), ("article_id", "TEXT"), ("rating", "INTEGER")],
                                    counts: ["comments", "new_authors"])
    static let decisions = Table(name: "hourly_decisions", keys: [("hour", "BIGINT"), ("decider", "TEXT")],
                                 counts: ["decisions", "approved", "held", "rejected"])
    static let definitions = [comments, latency, signals, ratingBursts, decisions]

    /// When a judged comment changes after its verdict (a reader's edit, judged again), its part of the
    /// counts is taken away as derived from its row before the change and added back as derived after
    /// it: the statements for one comment, `placeholder` standing for its key. On SQLite they upsert
    /// into the tables; on PostgreSQL they append to the `…_change` tables.
    static func oneComment(sign: Int, _ dialect: Dialect, placeholder: String, postgres: Bool) -> [String] {
        let derived: [(Table, String)] = [
            (comments, dialect.comments(where: "c.key = \(placeholder)")), (latency, dialect.latency(where: "c.key = \(placeholder)")),
            (signals, dialect.signals(where: "c.key = \(placeholder)")), (ratingBursts, dialect.ratingBursts(where: "c.key = \(placeholder)")),
        ]
        return derived.map { table, query in add(table, query, sign: sign, postgres: postgres) }
    }

    /// The statement that counts one decision (`placeholder` standing for its sequence number) the
    /// store wrote itself.
    static func oneDecision(_ dialect: Dialect, placeholder: String, postgres: Bool) -> String {
        add(decisions, dialect.decisions(where: "d.seq = \(placeholder)"), sign: 1, postgres: postgres)
    }

    static func add(_ table: Table, _ query: String, sign: Int, postgres: Bool) -> String {
        let select = "SELECT \(columns(keys: table.keyNames + (table.label.map { [$0] } ?? []), counts: table.counts, sign: sign)) FROM (\(query)) one"
        let names = table.columnNames.joined(separator: ", ")
        if postgres { return "INSERT INTO \(Postgres.change(table.name)) (\(names)) \(select)" }
        return "INSERT INTO \(table.name) (\(names)) \(select) WHERE true ON CONFLICT (\(table.keyNames.joined(separator: ", "))) "
            + "DO UPDATE SET \(SQLite.addTo(table.counts))"
    }

    /// A key or label value of a count row.
    enum Cell: Hashable, Sendable, Encodable {
        case integer(Int64)
        case real(Double)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .integer(let value): try container.encode(value)
            case .real(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    /// Counts gathered by the store's own code for the busy paths (arrivals and the pipeline's
    /// verdicts), added to the tables with one statement per key and batch: no trigger runs for them.
    struct Batch: Sendable {
        struct Entry: Sendable {
            var label: String?
            var counts: [Int64]
        }
        /// Per table name, per key.
        private(set) var rows: [String: [[Cell]: Entry]] = [:]

        var isEmpty: Bool { rows.values.allSatisfy(\.isEmpty) }

        mutating func add(_ table: Table, _ key: [Cell], label: String? = nil, _ counts: [Int64]) {
            precondition(counts.count == table.counts.count && key.count == table.keys.count)
            var entry = rows[table.name, default: [:]][key] ?? Entry(label: label, counts: Array(repeating: 0, count: counts.count))
            for index in counts.indices { entry.counts[index] += counts[index] }
            if let label, entry.label.map({ label < $0 }) ?? true { entry.label = label }
            rows[table.name, default: [:]][key] = entry
        }

        /// A new comment of `hour` on `article`.
        mutating func arrived(hour: Int64, article: String, rating: Int) {
            add(HourlyCounts.comments, [.integer(hour), .text(article)], [1, 0, 0, 0] + (1...5).map { $0 == rating ? 1 : 0 } + [0, 0])
        }

        /// The pipeline's verdict on a comment that arrived in `hour`: its status, latency, signals and
        /// decision (made in `decisionHour`), as the derived queries count them (nobody has reviewed it yet).
        mutating func judged(hour: Int64, article: String, rating: Int, authorIsNew: Bool, status: CommentStatus, millis: Double,
                             signals: [Signal], decisionHour: Int64) {
            let failed = signals.contains { $0.source == .pipeline || $0.isRuleError }
            add(HourlyCounts.comments, [.integer(hour), .text(article)],
                [0] + [CommentStatus.approved, .held, .rejected].map { status == $0 ? 1 : 0 } + [0, 0, 0, 0, 0, 1, failed ? 1 : 0])
            add(HourlyCounts.latency, [.integer(hour), .real(millis)], [1])
            for (name, group) in Dictionary(grouping: signals, by: \.name) {
                let counted = group.contains { !$0.isRuleError && $0.source != .pipeline }
                let shadow = group.contains { !$0.isRuleError && $0.source != .pipeline && $0.isShadow }
                let errors = group.filter(\.isRuleError).count
                let shadowHit = group.contains(where: \.isShadow)
                add(HourlyCounts.signals, [.integer(hour), .text(name)], label: group.map(\.source.rawValue).min(),
                    [counted ? 1 : 0, shadow ? 1 : 0, 0, 0, Int64(errors), shadowHit ? 1 : 0, 0, 0])
            }
            if signals.contains(where: { $0.name == "ratings.bombing" }) {
                add(HourlyCounts.ratingBursts, [.integer(hour), .text(article), .integer(Int64(rating))], [1, authorIsNew ? 1 : 0])
            }
            add(HourlyCounts.decisions, [.integer(decisionHour), .text("pipeline")],
                [1] + [CommentStatus.approved, .held, .rejected].map { status == $0 ? 1 : 0 })
        }
    }

    // MARK: SQLite

    enum SQLite {
        static let dialect = Dialect.sqlite

        static func addTo(_ columns: [String]) -> String {
            columns.map { "\($0) = \($0) + excluded.\($0)" }.joined(separator: ", ")
        }

        /// The decision trigger's statement that follows people's reviews, as schema 14 wrote it…
        static let humanStatusUpdate = "UPDATE comment SET human_status = NEW.status WHERE key = NEW.comment_key;"
        /// …and since 15, when readers' holds (which move counts but review nothing) are decisions too.
        static let reviewStatusUpdate = "UPDATE comment SET human_status = NEW.status WHERE key = NEW.comment_key AND NEW.actor_kind <> 'readers';"

        static let schema: String = {
            let d = dialect
            let signalColumns = signalCountColumns.joined(separator: ", ")
            return """
                ALTER TABLE comment ADD COLUMN system_status TEXT;
                ALTER TABLE comment ADD COLUMN human_status TEXT;
                -- Partial hours of decisions, and the digest's offenders read from the index alone.
                CREATE INDEX decision_by_time ON decision(at);
                CREATE INDEX comment_rejected ON comment(received_at, author, network) WHERE status = 'rejected';
                \(definitions.map { "CREATE TABLE \($0.name) (\($0.definition)) WITHOUT ROWID;" }.joined(separator: "\n"))

                CREATE TRIGGER hourly_counts_on_decision AFTER INSERT ON decision WHEN NEW.actor_kind <> 'system' BEGIN
                    INSERT INTO hourly_decisions (hour, decider, decisions, approved, held, rejected)
                    VALUES (\(d.hour("NEW.at")), NEW.actor, 1, NEW.status = 'approved', NEW.status = 'held', NEW.status = 'rejected')
                    ON CONFLICT (hour, decider) DO UPDATE SET \(addTo(["decisions", "approved", "held", "rejected"]));
                    UPDATE hourly_comments SET \(["approved", "held", "rejected"].map { "\($0) = \($0) + (NEW.status = '\($0)') - (NEW.previous_status IS '\($0)')" }
                        .joined(separator: ", "))
                    WHERE (hour, article_id) = (SELECT \(d.hour("received_at")), article_id FROM comment WHERE key = NEW.comment_key);
                    \(humanStatusUpdate)
                END;

                CREATE TRIGGER hourly_counts_on_review AFTER UPDATE OF human_status ON comment
                WHEN OLD.human_status IS NOT NEW.human_status BEGIN
                    INSERT INTO hourly_signals (hour, name, source, \(signalColumns)) \(d.reviewChange)
                    ON CONFLICT (hour, name) DO UPDATE SET \(addTo(signalCountColumns));
                END;
                """
        }()

        /// Rebuilds every table from the comments and decisions.
        static let recount = ([dialect.reviewStatuses] + tables.map { "DELETE FROM \($0)" } + dialect.refill)
            .map { $0 + ";" }.joined(separator: "\n")
    }
}
