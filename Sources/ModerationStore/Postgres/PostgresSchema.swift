import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema: the same tables as SQLite's, in PostgreSQL's types, plus the claim columns
/// several daemons need. Versioned in `moderato_schema`; only a migrating opener (the daemon, `modctl
/// migrate`) creates or changes it, under an advisory lock so daemons starting together do it once.
enum PostgresSchema {
    /// Advisory lock keys (the first argument of `pg_advisory_xact_lock`): one per kind of work that
    /// must happen one at a time across daemons.
    enum Lock: Int64 {
        case schema = 0x4D4F_4400_0001
        /// Held while inserting comments, so comment keys commit in order.
        case comments = 0x4D4F_4400_0002
        /// Held while inserting decisions, so the feed's sequence numbers commit in order.
        case decisions = 0x4D4F_4400_0003
        /// Retention and outbox pruning: one daemon at a time.
        case maintenance = 0x4D4F_4400_0004
        /// The learning layer's counts.
        case learning = 0x4D4F_4400_0005
        /// Held (per session) by the one daemon doing singleton work (``PostgresStore/exclusively(_:_:)``).
        case singleton = 0x4D4F_4400_0006
        /// Folding the hourly counts' changes, and recounting them.
        case counts = 0x4D4F_4400_0007
    }

    static func prepare(_ store: PostgresStore, access: SchemaAccess) async throws(StoreError) {
        let version = try await store.read("reading the schema version") { connection -> Int? in
            let exists = try await connection.row("SELECT to_regclass('moderato_schema') IS NOT NULL AS present", logger: store.logger)
            guard try exists?.value("present", as: Bool.self) == true else { return nil }
            return try await connection.row("SELECT max(version) AS version FROM moderato_schema", logger: store.logger)?
                .value("version", as: Int?.self)
        }
        switch (version, access) {
        case (let version?, _) where version > PostgresStore.schemaVersion:
            throw StoreError(.newerSchema, "the database \(store.location) was written by a newer version of Moderato; upgrade this program")
        case (PostgresStore.schemaVersion?, _):
            return
        case (_, .migrate):
            try await store.transaction("creating the schema") { connection in
                try await connection.run("SELECT pg_advisory_xact_lock(\(Lock.schema.rawValue))", logger: store.logger)
                let present = try await connection.row("SELECT to_regclass('moderato_schema') IS NOT NULL AS present", logger: store.logger)
                var current = 0
                if try present?.value("present", as: Bool.self) == true {
                    current = try await connection.row("SELECT max(version) AS version FROM moderato_schema", logger: store.logger)?
                        .value("version", as: Int?.self) ?? 0
                }
                guard current < versions.count else { return }
                for statement in versions[current...].joined() {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                }
                try await connection.run("DELETE FROM moderato_schema", logger: store.logger)
                try await connection.run("INSERT INTO moderato_schema (version) VALUES (\(PostgresStore.schemaVersion))", logger: store.logger)
            }
        case (nil, _):
            throw StoreError(.olderSchema, "\(store.location) is not a Moderato database yet; start moderatod once, or run `modctl migrate`")
        case (let version?, _):
            throw StoreError(.olderSchema, "the database \(store.location) has an older schema (\(version) of \(PostgresStore.schemaVersion)); "
                             + "stop moderatod, back it up, then run `modctl migrate` or start the newer moderatod")
        }
    }

    /// The statements of each schema version, in order: a database at version N runs those after it.
    static let versions: [[String]] = [
        statements,
        // 2: the hourly counts reports read, filled from what is there.
        HourlyCounts.Postgres.schema + HourlyCounts.Postgres.recount,
        // 3: readers' reports and holds, and comments' revisions.
        reportsAndRevisions,
        // 4: each decision keeps the revision of the text it was about.
        [
            "ALTER TABLE decision ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
            """
            CREATE OR REPLACE FUNCTION decision_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq AND NEW.comment_key = OLD.comment_key AND NEW.status = OLD.status
                   AND NEW.previous_status IS NOT DISTINCT FROM OLD.previous_status AND NEW.actor = OLD.actor
                   AND NEW.actor_kind = OLD.actor_kind AND NEW.reason IS NOT DISTINCT FROM OLD.reason AND NEW.at = OLD.at
                   AND NEW.undoes IS NOT DISTINCT FROM OLD.undoes AND NEW.revision = OLD.revision AND NEW.note IS NULL THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'decisions are append-only (only a note can be erased)';
            END $$
            """,
        ],
        // 5: accounts of the browser queue and their sessions.
        [
            """
            CREATE TABLE moderator (
                name TEXT PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 64),
                password_hash TEXT NOT NULL,
                must_change_password BOOLEAN NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                password_changed_at TIMESTAMPTZ NOT NULL,
                failed_logins INTEGER NOT NULL DEFAULT 0,
                locked_until TIMESTAMPTZ,
                last_login_at TIMESTAMPTZ
            )
            """,
            "CREATE TABLE ui_session (key TEXT PRIMARY KEY, value BYTEA NOT NULL, expires_at TIMESTAMPTZ)",
            "CREATE INDEX ui_session_by_expiry ON ui_session (expires_at) WHERE expires_at IS NOT NULL",
        ],
    ]

    static let reportsAndRevisions: [String] = [
        """
        ALTER TABLE decision DROP CONSTRAINT decision_actor_kind_check,
            ADD CONSTRAINT decision_actor_kind_check CHECK (actor_kind IN ('system', 'moderator', 'site', 'readers'))
        """,
        HourlyCounts.Postgres.readersHold,
        """
        CREATE TABLE report (
            key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            comment_key BIGINT NOT NULL REFERENCES comment(key) ON DELETE CASCADE,
            reporter TEXT NOT NULL CHECK (char_length(reporter) BETWEEN 1 AND 200),
            reason TEXT NOT NULL CHECK (reason IN (\(Schema.reportReasons))),
            note TEXT,
            network TEXT,
            weight DOUBLE PRECISION NOT NULL CHECK (weight > 0 AND weight <= 1),
            outcome TEXT CHECK (outcome IN ('upheld', 'dismissed')),
            settled_by BIGINT,
            at TIMESTAMPTZ NOT NULL,
            UNIQUE (comment_key, reporter)
        )
        """,
        "CREATE INDEX report_by_reporter ON report (reporter, outcome)",
        "CREATE INDEX report_open ON report (comment_key) WHERE outcome IS NULL",
        "CREATE INDEX report_by_settlement ON report (settled_by) WHERE settled_by IS NOT NULL",
        """
        CREATE TABLE comment_revision (
            key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            comment_key BIGINT NOT NULL REFERENCES comment(key) ON DELETE CASCADE,
            number INTEGER NOT NULL CHECK (number > 0),
            kind TEXT NOT NULL CHECK (kind IN ('edit', 'moderator-edit', 'redaction')),
            actor TEXT NOT NULL,
            reason TEXT,
            previous_body TEXT NOT NULL,
            previous_rating INTEGER,
            at TIMESTAMPTZ NOT NULL,
            UNIQUE (comment_key, number)
        )
        """,
        "ALTER TABLE comment ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
    ]

    static let statements: [String] = [
        "CREATE TABLE moderato_schema (version INTEGER NOT NULL)",
        """
        CREATE TABLE comment (
            key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            external_id TEXT NOT NULL UNIQUE CHECK (char_length(external_id) BETWEEN 1 AND 200),
            article_id TEXT NOT NULL CHECK (char_length(article_id) BETWEEN 1 AND 200),
            article_url TEXT,
            author TEXT NOT NULL,
            email TEXT,
            ip TEXT,
            user_agent TEXT,
            body TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            submitted_at TIMESTAMPTZ,
            received_at TIMESTAMPTZ NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'approved', 'held', 'rejected')),
            score DOUBLE PRECISION,
            judged_at TIMESTAMPTZ,
            ruleset_version TEXT,
            signals JSONB,
            network TEXT,
            author_is_new BOOLEAN NOT NULL DEFAULT false,
            fingerprint BIGINT,
            claimed_by TEXT,
            claimed_until TIMESTAMPTZ
        )
        """,
        "CREATE INDEX comment_queued ON comment (key) WHERE status = 'queued'",
        "CREATE INDEX comment_by_status ON comment (status, key)",
        "CREATE INDEX comment_by_article ON comment (article_id, received_at)",
        "CREATE INDEX comment_by_author ON comment (author, received_at, status)",
        "CREATE INDEX comment_by_received ON comment (received_at)",
        "CREATE INDEX comment_by_network ON comment (network, received_at) WHERE network IS NOT NULL",
        """
        CREATE TABLE decision (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            comment_key BIGINT NOT NULL REFERENCES comment (key),
            status TEXT NOT NULL CHECK (status IN ('queued', 'approved', 'held', 'rejected')),
            previous_status TEXT CHECK (previous_status IN ('queued', 'approved', 'held', 'rejected')),
            actor TEXT NOT NULL CHECK (char_length(actor) > 0),
            actor_kind TEXT NOT NULL CHECK (actor_kind IN ('system', 'moderator', 'site')),
            reason TEXT,
            note TEXT,
            at TIMESTAMPTZ NOT NULL,
            undoes BIGINT REFERENCES decision (seq)
        )
        """,
        "CREATE INDEX decision_by_comment ON decision (comment_key, seq)",
        "CREATE INDEX decision_by_actor ON decision (actor, at)",
        "CREATE INDEX decision_by_people ON decision (at) WHERE actor_kind <> 'system'",
        """
        CREATE FUNCTION decision_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq AND NEW.comment_key = OLD.comment_key AND NEW.status = OLD.status
               AND NEW.previous_status IS NOT DISTINCT FROM OLD.previous_status AND NEW.actor = OLD.actor
               AND NEW.actor_kind = OLD.actor_kind AND NEW.reason IS NOT DISTINCT FROM OLD.reason AND NEW.at = OLD.at
               AND NEW.undoes IS NOT DISTINCT FROM OLD.undoes AND NEW.note IS NULL THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'decisions are append-only (only a note can be erased)';
        END $$
        """,
        "CREATE TRIGGER decision_is_append_only BEFORE UPDATE OR DELETE ON decision FOR EACH ROW EXECUTE FUNCTION decision_is_append_only()",
        """
        CREATE TABLE rule_state (
            rule_id TEXT PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('active', 'shadow')),
            reason TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            changed_at TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE TABLE daemon_status (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL)",
        """
        CREATE TABLE classifier_token (
            hash BIGINT PRIMARY KEY,
            unwanted INTEGER NOT NULL DEFAULT 0 CHECK (unwanted >= 0),
            wanted INTEGER NOT NULL DEFAULT 0 CHECK (wanted >= 0)
        )
        """,
        """
        CREATE TABLE classifier_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            unwanted_documents INTEGER NOT NULL DEFAULT 0 CHECK (unwanted_documents >= 0),
            wanted_documents INTEGER NOT NULL DEFAULT 0 CHECK (wanted_documents >= 0),
            version BIGINT NOT NULL DEFAULT 0
        )
        """,
        "INSERT INTO classifier_state (id) VALUES (1)",
        """
        CREATE TABLE classifier_training (
            comment_key BIGINT PRIMARY KEY REFERENCES comment (key) ON DELETE CASCADE,
            unwanted BOOLEAN NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('moderator', 'automatic', 'site')),
            tokens BYTEA
        )
        """,
        """
        CREATE TABLE block (
            key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            list TEXT NOT NULL CHECK (list IN ('block', 'allow')),
            kind TEXT NOT NULL CHECK (kind IN ('ip', 'network', 'email', 'author', 'domain')),
            value TEXT NOT NULL CHECK (char_length(value) > 0),
            reason TEXT,
            created_by TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ,
            UNIQUE (list, kind, value)
        )
        """,
        "CREATE INDEX block_by_value ON block (kind, value)",
        """
        CREATE TABLE article (
            article_id TEXT PRIMARY KEY,
            mode TEXT NOT NULL CHECK (mode IN ('open', 'premoderate', 'closed')),
            changed_by TEXT NOT NULL,
            changed_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE claim (
            comment_key BIGINT PRIMARY KEY REFERENCES comment (key) ON DELETE CASCADE,
            moderator TEXT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL
        )
        """,
        """
        CREATE TABLE outbox (
            seq BIGINT PRIMARY KEY REFERENCES decision (seq),
            comment_key BIGINT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            delivered_at TIMESTAMPTZ,
            failed_at TIMESTAMPTZ,
            last_error TEXT,
            claimed_by TEXT,
            claimed_until TIMESTAMPTZ
        )
        """,
        "CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL AND failed_at IS NULL",
        """
        CREATE FUNCTION decision_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM daemon_status WHERE key = 'webhook_url' AND value <> '') THEN
                INSERT INTO outbox (seq, comment_key) VALUES (NEW.seq, NEW.comment_key);
            END IF;
            RETURN NEW;
        END $$
        """,
        "CREATE TRIGGER decision_to_outbox AFTER INSERT ON decision FOR EACH ROW EXECUTE FUNCTION decision_to_outbox()",
        "CREATE TABLE installation_secret (name TEXT PRIMARY KEY, value BYTEA NOT NULL CHECK (octet_length(value) >= 32))",
        /// Each signal of each judged comment as a row, as SQLite's view gives them.
        """
        CREATE VIEW signal AS
        SELECT s.ordinality AS key, c.key AS comment_key, s.value->>'source' AS source, s.value->>'name' AS name,
               (s.value->>'score')::double precision AS score, s.value->>'action' AS action, s.value->>'explanation' AS explanation,
               coalesce((s.value->>'shadow')::boolean, false) AS is_shadow, s.value->>'field' AS field,
               (s.value->>'start')::integer AS span_start, (s.value->>'end')::integer AS span_end, s.value->>'text' AS matched_text,
               coalesce((s.value->>'error')::boolean, false) AS is_error
        FROM comment c, jsonb_array_elements(c.signals) WITH ORDINALITY s(value, ordinality)
        WHERE c.signals IS NOT NULL
        """,
    ]
}
