import GRDB
import Moderation
import PCRE2

/// The database schema, as one migrator with stable migration names.
///
/// Constraints live in the schema: rating 1–5, known status values, one row per external id, and
/// decisions that can only be appended.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-comments-signals-decisions") { db in
            try db.execute(sql: """
                CREATE TABLE comment (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    external_id TEXT NOT NULL UNIQUE CHECK (length(external_id) BETWEEN 1 AND 200),
                    article_id TEXT NOT NULL CHECK (length(article_id) BETWEEN 1 AND 200),
                    article_url TEXT,
                    author TEXT NOT NULL,
                    email TEXT,
                    ip TEXT,
                    user_agent TEXT,
                    body TEXT NOT NULL,
                    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                    submitted_at DATETIME,
                    received_at DATETIME NOT NULL,
                    status TEXT NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'approved', 'held', 'rejected')),
                    score DOUBLE,
                    judged_at DATETIME,
                    ruleset_version TEXT
                );
                CREATE INDEX comment_by_status ON comment(status, key);
                CREATE INDEX comment_by_article ON comment(article_id, received_at);
                CREATE INDEX comment_by_author ON comment(author, received_at);

                CREATE TABLE signal (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    comment_key INTEGER NOT NULL REFERENCES comment(key) ON DELETE CASCADE,
                    source TEXT NOT NULL CHECK (source IN ('rule', 'heuristic', 'classifier', 'policy', 'pipeline')),
                    name TEXT NOT NULL,
                    score DOUBLE NOT NULL,
                    action TEXT CHECK (action IN ('hold', 'reject', 'approve')),
                    explanation TEXT NOT NULL,
                    is_shadow BOOLEAN NOT NULL DEFAULT 0,
                    field TEXT,
                    span_start INTEGER,
                    span_end INTEGER,
                    matched_text TEXT,
                    CHECK ((span_start IS NULL) = (span_end IS NULL)),
                    CHECK (span_start IS NULL OR span_start <= span_end)
                );
                CREATE INDEX signal_by_comment ON signal(comment_key);
                CREATE INDEX signal_by_name ON signal(name, comment_key);

                CREATE TABLE decision (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    comment_key INTEGER NOT NULL REFERENCES comment(key),
                    status TEXT NOT NULL CHECK (status IN ('queued', 'approved', 'held', 'rejected')),
                    previous_status TEXT CHECK (previous_status IN ('queued', 'approved', 'held', 'rejected')),
                    actor TEXT NOT NULL CHECK (length(actor) > 0),
                    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('system', 'moderator', 'site')),
                    reason TEXT,
                    note TEXT,
                    at DATETIME NOT NULL
                );
                CREATE INDEX decision_by_comment ON decision(comment_key, seq);
                CREATE INDEX decision_by_actor ON decision(actor, at);

                CREATE TRIGGER decision_is_append_only_update BEFORE UPDATE ON decision
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
                CREATE TRIGGER decision_is_append_only_delete BEFORE DELETE ON decision
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
                """)
        }
        migrator.registerMigration("v2-rule-state-daemon-status") { db in
            try db.execute(sql: """
                CREATE TABLE rule_state (
                    rule_id TEXT PRIMARY KEY NOT NULL,
                    mode TEXT NOT NULL CHECK (mode IN ('active', 'shadow')),
                    reason TEXT NOT NULL,
                    changed_by TEXT NOT NULL,
                    changed_at DATETIME NOT NULL
                );
                CREATE TABLE daemon_status (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL,
                    updated_at DATETIME NOT NULL
                );
                CREATE INDEX comment_by_received ON comment(received_at);
                ALTER TABLE signal ADD COLUMN is_error BOOLEAN NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v3-history-and-classifier") { db in
            try db.execute(sql: """
                ALTER TABLE comment ADD COLUMN network TEXT;
                ALTER TABLE comment ADD COLUMN author_is_new BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE comment ADD COLUMN fingerprint INTEGER;
                ALTER TABLE comment ADD COLUMN fp_band0 INTEGER;
                ALTER TABLE comment ADD COLUMN fp_band1 INTEGER;
                ALTER TABLE comment ADD COLUMN fp_band2 INTEGER;
                ALTER TABLE comment ADD COLUMN fp_band3 INTEGER;
                CREATE INDEX comment_by_ip ON comment(ip, received_at) WHERE ip IS NOT NULL;
                CREATE INDEX comment_by_network ON comment(network, received_at) WHERE network IS NOT NULL;
                CREATE INDEX comment_by_email ON comment(email, received_at) WHERE email IS NOT NULL;
                CREATE INDEX comment_by_band0 ON comment(fp_band0, received_at) WHERE fp_band0 IS NOT NULL;
                CREATE INDEX comment_by_band1 ON comment(fp_band1, received_at) WHERE fp_band1 IS NOT NULL;
                CREATE INDEX comment_by_band2 ON comment(fp_band2, received_at) WHERE fp_band2 IS NOT NULL;
                CREATE INDEX comment_by_band3 ON comment(fp_band3, received_at) WHERE fp_band3 IS NOT NULL;

                CREATE TABLE classifier_token (
                    hash INTEGER PRIMARY KEY NOT NULL,
                    unwanted INTEGER NOT NULL DEFAULT 0 CHECK (unwanted >= 0),
                    wanted INTEGER NOT NULL DEFAULT 0 CHECK (wanted >= 0)
                );
                CREATE TABLE classifier_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    unwanted_documents INTEGER NOT NULL DEFAULT 0 CHECK (unwanted_documents >= 0),
                    wanted_documents INTEGER NOT NULL DEFAULT 0 CHECK (wanted_documents >= 0),
                    version INTEGER NOT NULL DEFAULT 0
                );
                INSERT INTO classifier_state (id) VALUES (1);
                CREATE TABLE classifier_training (
                    comment_key INTEGER PRIMARY KEY REFERENCES comment(key) ON DELETE CASCADE,
                    unwanted BOOLEAN NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('moderator', 'automatic', 'site'))
                );
                """)
        }
        migrator.registerMigration("v4-workflow-lists-articles-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE block (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    list TEXT NOT NULL CHECK (list IN ('block', 'allow')),
                    kind TEXT NOT NULL CHECK (kind IN ('ip', 'network', 'email', 'author', 'domain')),
                    value TEXT NOT NULL CHECK (length(value) > 0),
                    reason TEXT,
                    created_by TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME,
                    UNIQUE (list, kind, value)
                );
                CREATE INDEX block_by_value ON block(kind, value);

                CREATE TABLE article (
                    article_id TEXT PRIMARY KEY NOT NULL,
                    mode TEXT NOT NULL CHECK (mode IN ('open', 'premoderate', 'closed')),
                    changed_by TEXT NOT NULL,
                    changed_at DATETIME NOT NULL
                );

                CREATE TABLE claim (
                    comment_key INTEGER PRIMARY KEY REFERENCES comment(key) ON DELETE CASCADE,
                    moderator TEXT NOT NULL,
                    expires_at DATETIME NOT NULL
                );

                ALTER TABLE decision ADD COLUMN undoes INTEGER REFERENCES decision(seq);

                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY REFERENCES decision(seq),
                    comment_key INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
                    delivered_at DATETIME,
                    failed_at DATETIME,
                    last_error TEXT
                );
                CREATE INDEX outbox_pending ON outbox(delivered_at, failed_at, comment_key, seq);
                CREATE TRIGGER decision_to_outbox AFTER INSERT ON decision
                WHEN EXISTS (SELECT 1 FROM daemon_status WHERE key = 'webhook_url' AND value != '')
                BEGIN INSERT INTO outbox (seq, comment_key) VALUES (NEW.seq, NEW.comment_key); END;
                """)
        }
        migrator.registerMigration("v5-six-fingerprint-bands") { db in
            try db.execute(sql: """
                ALTER TABLE comment ADD COLUMN fp_band4 INTEGER;
                ALTER TABLE comment ADD COLUMN fp_band5 INTEGER;
                CREATE INDEX comment_by_band4 ON comment(fp_band4, received_at) WHERE fp_band4 IS NOT NULL;
                CREATE INDEX comment_by_band5 ON comment(fp_band5, received_at) WHERE fp_band5 IS NOT NULL;
                """)
        }
        migrator.registerMigration("v6-windows-in-memory") { db in
            // The flood, duplicate and rating windows are answered from memory (RecentComments); these
            // indexes cost a random page write per comment each, and `modctl show` looks for the same
            // network among nearby comments instead. The fp_band columns stay, unused and empty in new
            // rows: dropping a column needs SQLite 3.35 and rewrites the table.
            try db.execute(sql: """
                DROP INDEX comment_by_ip;
                DROP INDEX comment_by_network;
                DROP INDEX comment_by_email;
                DROP INDEX comment_by_band0;
                DROP INDEX comment_by_band1;
                DROP INDEX comment_by_band2;
                DROP INDEX comment_by_band3;
                DROP INDEX comment_by_band4;
                DROP INDEX comment_by_band5;
                """)
        }
        migrator.registerMigration("v7-author-index-covers-status") { db in
            // The judge reads each author's latest statuses for every comment; with the status in the
            // index that is a few index pages instead of up to 30 table rows (about 4 times cheaper
            // when measured), for one more index entry to move when a verdict changes the status.
            try db.execute(sql: """
                DROP INDEX comment_by_author;
                CREATE INDEX comment_by_author ON comment(author, received_at, status);
                """)
        }
        migrator.registerMigration("v8-signals-with-their-comment") { db in
            // A verdict's signals are a JSON array in its comment's row, written by the same update
            // that sets the status: recording a verdict took five rows in three tables, now two
            // (measured: 40% less time a verdict). The `signal` view shows them one row each, with
            // the columns of the table it replaces, so reports read them as before.
            try db.execute(sql: """
                ALTER TABLE comment ADD COLUMN signals TEXT;
                UPDATE comment SET signals = (
                    SELECT json_group_array(json_object('source', source, 'name', name, 'score', score, 'action', action,
                                                        'explanation', explanation, 'shadow', is_shadow, 'field', field,
                                                        'start', span_start, 'end', span_end, 'text', matched_text, 'error', is_error))
                    FROM (SELECT * FROM signal WHERE comment_key = comment.key ORDER BY key))
                WHERE key IN (SELECT comment_key FROM signal);
                DROP TABLE signal;
                \(Self.signalView)
                """)
        }
        migrator.registerMigration("v9-moderator-decisions-by-time") { db in
            // The automatic shadow check reads the moderators' recent decisions; a partial index holds
            // only those (a few per hundred comments), so the pipeline's own decisions cost nothing more.
            try db.execute(sql: "CREATE INDEX decision_by_people ON decision(at) WHERE actor_kind != 'system'")
        }
        migrator.registerMigration("v10-decision-notes-can-be-erased") { db in
            // Decisions stay append-only, except that a note (free text, which may name a person) can be
            // erased for a data-subject request or by retention.
            try db.execute(sql: """
                DROP TRIGGER decision_is_append_only_update;
                CREATE TRIGGER decision_is_append_only_update BEFORE UPDATE ON decision
                WHEN NOT (NEW.seq IS OLD.seq AND NEW.comment_key IS OLD.comment_key AND NEW.status IS OLD.status
                          AND NEW.previous_status IS OLD.previous_status AND NEW.actor IS OLD.actor
                          AND NEW.actor_kind IS OLD.actor_kind AND NEW.reason IS OLD.reason AND NEW.at IS OLD.at
                          AND NEW.undoes IS OLD.undoes AND NEW.note IS NULL)
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only (only a note can be erased)'); END;
                """)
        }
        migrator.registerMigration("v11-installation-secrets") { db in
            // Secrets made once per installation (the key for Akismet comment ids), never shown.
            try db.execute(sql: """
                CREATE TABLE installation_secret (
                    name TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL CHECK (length(value) >= 32)
                );
                """)
        }
        migrator.registerMigration("v12-site-layer-tokens") { db in
            // The learning layer now counts the model's words, word pairs and facts: count again every
            // comment moderators (or confident verdicts) taught it, with the new tokens. What `modctl
            // train --csv` taught is not tied to stored comments and is dropped: train again.
            let hadTokens = (try Int.fetchOne(db, sql: "SELECT count(*) FROM classifier_token") ?? 0) > 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, t.unwanted AS learned_unwanted FROM classifier_training t JOIN comment c ON c.key = t.comment_key
                ORDER BY c.key
                """)
            guard hadTokens || !rows.isEmpty else { return }
            try db.execute(sql: """
                DELETE FROM classifier_token;
                UPDATE classifier_state SET unwanted_documents = 0, wanted_documents = 0 WHERE id = 1;
                """)
            var deltas: [UInt64: TokenCounts] = [:]
            var unwantedDocuments = 0
            var wantedDocuments = 0
            let scratch = MatchScratch()
            for row in rows {
                let stored = try StoredComment(row: row)
                let unwanted: Bool = row["learned_unwanted"]
                let analysis = CommentAnalysis(comment: stored.comment, scratch: scratch)
                for token in SiteLayer.tokens(analysis) { deltas[token, default: TokenCounts()].add(unwanted: unwanted, 1) }
                if unwanted { unwantedDocuments += 1 } else { wantedDocuments += 1 }
            }
            try ModerationDatabase.apply(deltas, unwantedDocuments: unwantedDocuments, wantedDocuments: wantedDocuments, db)
        }
        migrator.registerMigration("v13-lessons-keep-their-tokens") { db in
            // Each learned comment keeps the tokens it was learned with, so relabelling or forgetting it
            // takes back exactly those counts (and the store never works tokens out itself). Comments
            // learned before get the tokens the layer counted for them (v12 counted the same ones).
            try db.execute(sql: "ALTER TABLE classifier_training ADD COLUMN tokens BLOB")
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, t.unwanted AS learned_unwanted FROM classifier_training t JOIN comment c ON c.key = t.comment_key
                ORDER BY c.key
                """)
            let scratch = MatchScratch()
            let update = try db.makeStatement(sql: "UPDATE classifier_training SET tokens = ? WHERE comment_key = ?")
            for row in rows {
                let stored = try StoredComment(row: row)
                try update.execute(arguments: [LessonTokens.encode(SiteLayer.tokens(of: stored.comment, scratch: scratch)), stored.key!])
            }
        }
        migrator.registerMigration("v14-hourly-counts") { db in
            // Reports read counts kept per hour instead of every comment of their period (HourlyCounts).
            try db.execute(sql: HourlyCounts.SQLite.schema)
            try db.execute(sql: HourlyCounts.SQLite.recount)
        }
        migrator.registerMigration("v15-reports-and-revisions") { db in
            // Readers' holds are a fourth kind of decision. SQLite cannot change a CHECK constraint in
            // place: the decision table is rebuilt under the same definition, with its indexes and
            // triggers (GRDB runs migrations with foreign keys off and checks them after).
            let table = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'decision'") ?? ""
            let kinds = "('system', 'moderator', 'site')"
            guard table.contains(kinds) else { throw StoreError(.cannotOpen, "the decision table's definition is not the one expected") }
            let dependents = try String.fetchAll(db, sql: """
                SELECT sql FROM sqlite_schema WHERE tbl_name = 'decision' AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid
                """)
            try db.execute(sql: table.replacingOccurrences(of: "CREATE TABLE decision", with: "CREATE TABLE decision_new")
                .replacingOccurrences(of: kinds, with: "('system', 'moderator', 'site', 'readers')"))
            try db.execute(sql: """
                INSERT INTO decision_new SELECT * FROM decision;
                DROP TABLE decision;
                ALTER TABLE decision_new RENAME TO decision;
                """)
            // A readers' hold moves the status counts but is not a review of the pipeline's verdict.
            guard dependents.contains(where: { $0.contains(HourlyCounts.SQLite.humanStatusUpdate) }) else {
                throw StoreError(.cannotOpen, "the decision trigger's definition is not the one expected")
            }
            for statement in dependents {
                try db.execute(sql: statement.replacingOccurrences(of: HourlyCounts.SQLite.humanStatusUpdate,
                                                                   with: HourlyCounts.SQLite.reviewStatusUpdate))
            }
            try db.execute(sql: """
                CREATE TABLE report (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    comment_key INTEGER NOT NULL REFERENCES comment(key) ON DELETE CASCADE,
                    reporter TEXT NOT NULL CHECK (length(reporter) BETWEEN 1 AND 200),
                    reason TEXT NOT NULL CHECK (reason IN (\(Self.reportReasons))),
                    note TEXT,
                    network TEXT,
                    weight DOUBLE NOT NULL CHECK (weight > 0 AND weight <= 1),
                    outcome TEXT CHECK (outcome IN ('upheld', 'dismissed')),
                    -- The decision that gave the outcome, so undoing it reopens the report.
                    settled_by INTEGER,
                    at DATETIME NOT NULL,
                    UNIQUE (comment_key, reporter)
                );
                CREATE INDEX report_by_reporter ON report(reporter, outcome);
                CREATE INDEX report_open ON report(comment_key) WHERE outcome IS NULL;
                CREATE INDEX report_by_settlement ON report(settled_by) WHERE settled_by IS NOT NULL;

                -- Each change of a comment's text after it arrived, with the text it replaced.
                CREATE TABLE comment_revision (
                    key INTEGER PRIMARY KEY AUTOINCREMENT,
                    comment_key INTEGER NOT NULL REFERENCES comment(key) ON DELETE CASCADE,
                    number INTEGER NOT NULL CHECK (number > 0),
                    kind TEXT NOT NULL CHECK (kind IN ('edit', 'moderator-edit', 'redaction')),
                    actor TEXT NOT NULL,
                    reason TEXT,
                    previous_body TEXT NOT NULL,
                    previous_rating INTEGER,
                    at DATETIME NOT NULL,
                    UNIQUE (comment_key, number)
                );
                ALTER TABLE comment ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v16-decisions-know-their-revision") { db in
            // Each decision keeps the revision of the text it was about, so the feed gives an old decision
            // the text it approved, not today's; decisions stay append-only with it.
            try db.execute(sql: """
                ALTER TABLE decision ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                DROP TRIGGER decision_is_append_only_update;
                CREATE TRIGGER decision_is_append_only_update BEFORE UPDATE ON decision
                WHEN NOT (NEW.seq IS OLD.seq AND NEW.comment_key IS OLD.comment_key AND NEW.status IS OLD.status
                          AND NEW.previous_status IS OLD.previous_status AND NEW.actor IS OLD.actor
                          AND NEW.actor_kind IS OLD.actor_kind AND NEW.reason IS OLD.reason AND NEW.at IS OLD.at
                          AND NEW.undoes IS OLD.undoes AND NEW.revision IS OLD.revision AND NEW.note IS NULL)
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only (only a note can be erased)'); END;
                """)
        }
        migrator.registerMigration("v17-moderator-accounts-and-sessions") { db in
            // Accounts of the browser queue (a bcrypt hash, never the password) and their sessions (under
            // a hash of the cookie, never the cookie).
            try db.execute(sql: """
                CREATE TABLE moderator (
                    name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
                    password_hash TEXT NOT NULL,
                    must_change_password BOOLEAN NOT NULL,
                    created_at DATETIME NOT NULL,
                    password_changed_at DATETIME NOT NULL,
                    failed_logins INTEGER NOT NULL DEFAULT 0,
                    locked_until DATETIME,
                    last_login_at DATETIME
                );
                CREATE TABLE ui_session (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    expires_at DATETIME
                );
                CREATE INDEX ui_session_by_expiry ON ui_session(expires_at) WHERE expires_at IS NOT NULL;
                """)
        }
        return migrator
    }

    /// The report reasons, as an SQL list.
    static let reportReasons = ReportReason.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// Each signal of each judged comment as a row: `key` is its position among its comment's signals.
    /// Absent keys read as SQL NULL, and the flags as 0.
    static let signalView = """
        CREATE VIEW signal (key, comment_key, source, name, score, action, explanation, is_shadow, field, span_start, span_end,
                            matched_text, is_error) AS
        SELECT s.key, c.key, json_extract(s.value, '$.source'), json_extract(s.value, '$.name'), json_extract(s.value, '$.score'),
               json_extract(s.value, '$.action'), json_extract(s.value, '$.explanation'),
               coalesce(json_extract(s.value, '$.shadow'), 0), json_extract(s.value, '$.field'), json_extract(s.value, '$.start'),
               json_extract(s.value, '$.end'), json_extract(s.value, '$.text'), coalesce(json_extract(s.value, '$.error'), 0)
        FROM comment c, json_each(c.signals) s;
        """
}
