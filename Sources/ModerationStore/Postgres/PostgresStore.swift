import Foundation
import Logging
import Moderation
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// Moderato's store on PostgreSQL (through PostgresNIO), for sites that run several `moderatod`
/// behind a load balancer: any number of daemons on any number of machines share one database.
///
/// - The queue is claimed with `FOR UPDATE SKIP LOCKED` and a lease: a daemon that dies holding a
///   claim loses it when the lease ends, and a verdict is recorded only while its comment is still
///   queued, so each comment is judged exactly once however many workers race for it.
/// - Comments and decisions are inserted under transaction-scoped advisory locks, so keys and
///   decision sequence numbers commit in order: a reader of the feed (`seq > n`) can never see a later
///   decision before an earlier one that was still being committed, and the history windows (read as
///   `key > last`) never miss a comment another daemon committed late.
/// - Every daemon keeps the history windows in memory and brings them up to date from the comment
///   table before each batch, so floods and duplicates count comments accepted by every daemon from
///   the moment they commit (the bound: a comment is seen by the next batch judged after its commit).
/// - Every commit waits for the server's durable commit (`synchronous_commit = on`), so a 202 is only
///   sent for a comment PostgreSQL has made durable.
public final class PostgresStore: CommentStore, @unchecked Sendable {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger: Logger
    public let location: String
    public var isShared: Bool { true }
    /// The comments of the last day, for the judge's windows; see ``contexts(for:windows:)``.
    let recentComments = Mutex(RecentComments())
    private let truncationReported = Atomic<Bool>(false)

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.versions.count }

    /// Connects to the database at a `postgres://` (or `postgresql://`) URL and checks (or, with
    /// ``SchemaAccess/migrate``, creates) its schema.
    ///
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`; `?host=/run/postgresql` connects through a Unix
    /// socket in that folder instead, and `?sslmode=require` insists on TLS (the default uses TLS when the
    /// server offers it). The password may also come from `PGPASSWORD`.
    /// - Throws: ``StoreError`` `.cannotOpen` with what is wrong, `.olderSchema` or `.newerSchema`.
    public init(url: String, access: SchemaAccess = .migrate, logger: Logger = Logger(label: "moderato.postgres")) async throws(StoreError) {
        let configuration = try Self.configuration(url)
        try await Self.probe(configuration.probe, shown: configuration.shown)
        var clientConfiguration = configuration.client
        clientConfiguration.options.maximumConnections = 16
        // A commit returns only once the server made it durable, whatever the server's default: a 202
        // promises that. Read-only commands cannot write by mistake.
        clientConfiguration.options.additionalStartupParameters = [("synchronous_commit", "on")]
        if access == .readOnly {
            clientConfiguration.options.additionalStartupParameters.append(("default_transaction_read_only", "on"))
        }
        // The pool's own chatter (connections opened and closed, leases waiting for `run()` to start)
        // stays out of the log; failures reach the caller as errors.
        var poolLogger = logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: poolLogger)
        self.client = client
        self.runner = Task { await client.run() }
        self.logger = logger
        self.location = configuration.shown
        do {
            try await PostgresSchema.prepare(self, access: access)
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit {
        runner.cancel()
    }

    /// Whether a `--database` value names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// The client's settings from a URL, and the URL as it may be shown (without its password).
    static func configuration(_ url: String) throws(StoreError) -> (client: PostgresClient.Configuration, shown: String,
                                                                   probe: PostgresConnection.Configuration) {
        guard isURL(url), let components = URLComponents(string: url) else {
            throw StoreError(.cannotOpen, "cannot read the database URL; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? user : path
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let shown = "postgres://\(user)@\(components.host ?? "")\(components.port.map { ":\($0)" } ?? "")/\(database)"
        var client: PostgresClient.Configuration
        var probe: PostgresConnection.Configuration
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            let port = components.port ?? 5432
            client = PostgresClient.Configuration(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password,
                                                  database: database)
            probe = PostgresConnection.Configuration(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password,
                                                     database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw StoreError(.cannotOpen, "the database URL names no host; write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE")
            }
            let tls: PostgresClient.Configuration.TLS
            let probeTLS: PostgresConnection.Configuration.TLS
            do {
                switch query["sslmode"] ?? "prefer" {
                case "disable":
                    (tls, probeTLS) = (.disable, .disable)
                case "require", "verify-ca", "verify-full":
                    (tls, probeTLS) = (.require(.makeClientConfiguration()), .require(try NIOSSLContext(configuration: .makeClientConfiguration())))
                default:
                    (tls, probeTLS) = (.prefer(.makeClientConfiguration()), .prefer(try NIOSSLContext(configuration: .makeClientConfiguration())))
                }
            } catch {
                throw StoreError(.cannotOpen, "cannot set up TLS for \(shown): \(error)")
            }
            client = PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user, password: password,
                                                  database: database, tls: tls)
            probe = PostgresConnection.Configuration(host: host, port: components.port ?? 5432, username: user, password: password,
                                                     database: database, tls: probeTLS)
        }
        client.options.connectTimeout = .seconds(10)
        probe.options.connectTimeout = .seconds(10)
        return (client, shown, probe)
    }

    /// Connects once, so that a wrong URL, a server that is down or refuses the user, or a missing
    /// database is an error at once with the server's reason (the pool would keep retrying).
    static func probe(_ configuration: PostgresConnection.Configuration, shown: String) async throws(StoreError) {
        var quiet = Logger(label: "moderato.postgres.probe")
        quiet.logLevel = .critical
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: quiet)
            try? await connection.close()
        } catch let error as PSQLError {
            let reason = error.serverInfo?[.message] ?? error.underlying.map { "\($0)" } ?? "\(error.code)"
            throw StoreError(.cannotOpen, "cannot connect to PostgreSQL at \(shown): \(reason)")
        } catch {
            throw StoreError(.cannotOpen, "cannot connect to PostgreSQL at \(shown): \(error)")
        }
    }

    // MARK: Running statements

    /// Runs `body` on one connection, outside a transaction (each statement commits on its own).
    func read<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw wrap(error, doing)
        }
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<T: Sendable>(_ doing: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw wrap(error, doing)
        }
    }

    /// A store error for any failure, with the server's message and never the statement's arguments.
    func wrap(_ error: any Error, _ doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "SQLSTATE \(state)"
                switch state {
                case "40001", "40P01", "55P03", "57014":
                    return StoreError(.busy, "the database was busy while \(doing) (\(message)); try again", cause: error)
                case let state where state.hasPrefix("23") || state.hasPrefix("22"):
                    return StoreError(.constraint, "the database refused the data while \(doing): \(message)", cause: error)
                case "25006":
                    return StoreError(.database, "the database is open read-only for this command while \(doing)", cause: error)
                default:
                    return StoreError(.database, "database error while \(doing): \(message)", cause: error)
                }
            }
            // No answer from the server: the connection failed or was lost. Worth trying again.
            return StoreError(.busy, "cannot reach PostgreSQL at \(location) while \(doing) (\(error.code)); is the server running?", cause: error)
        }
        return StoreError(.database, "database error while \(doing): \(error)", cause: error)
    }

    public func takeWindowsTruncationNotice() -> Bool {
        guard recentComments.withLock({ $0.isTruncated }) else { return false }
        return !truncationReported.exchange(true, ordering: .relaxed)
    }
}

// MARK: Reading rows

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self, context: .default)
    }
}

extension PostgresRowSequence {
    /// Every row, for random access by column name.
    func all() async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in self { rows.append(row.makeRandomAccess()) }
        return rows
    }
}

extension PostgresConnection {
    /// Runs a statement and returns its rows.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).all()
    }

    /// Runs a statement and returns its first row.
    func row(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRandomAccessRow? {
        try await rows(query, logger: logger).first
    }

    /// Runs a statement for its effect.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).all()
    }
}

extension StoredComment {
    /// The columns a ``StoredComment`` is read from.
    static let postgresColumns = """
        key, external_id, article_id, article_url, author, email, ip, user_agent, body, rating, submitted_at, received_at, status,
        score, judged_at, ruleset_version, network, author_is_new, fingerprint, revision
        """

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(externalID: try row.value("external_id"), articleID: try row.value("article_id"), author: try row.value("author"),
                  body: try row.value("body"), rating: try row.value("rating", as: Int.self), receivedAt: try row.value("received_at"),
                  status: CommentStatus(rawValue: try row.value("status")) ?? .queued)
        key = try row.value("key", as: Int64.self)
        articleURL = try row.value("article_url")
        email = try row.value("email")
        ip = try row.value("ip")
        userAgent = try row.value("user_agent")
        submittedAt = try row.value("submitted_at")
        score = try row.value("score")
        judgedAt = try row.value("judged_at")
        rulesetVersion = try row.value("ruleset_version")
        network = try row.value("network")
        authorIsNew = try row.value("author_is_new")
        fingerprint = try row.value("fingerprint")
        revision = Int(try row.value("revision", as: Int32.self))
    }
}

extension DecisionEntry {
    /// The columns and joins a ``DecisionEntry`` is read from, to be followed by a WHERE clause.
    static let postgresQuery = """
        SELECT d.seq, c.external_id, d.status, d.previous_status, d.actor, d.actor_kind, d.reason, d.note, d.at,
               d.revision, CASE WHEN d.revision = 0 THEN NULL WHEN d.revision = c.revision THEN c.body
                   ELSE (SELECT r.previous_body FROM comment_revision r WHERE r.comment_key = c.key AND r.number = d.revision + 1) END AS body
        FROM decision d JOIN comment c ON c.key = d.comment_key
        """

    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(seq: try row.value("seq"), externalID: try row.value("external_id"),
                  status: CommentStatus(rawValue: try row.value("status")) ?? .held,
                  previousStatus: (try row.value("previous_status", as: String?.self)).flatMap(CommentStatus.init(rawValue:)),
                  actor: try row.value("actor"), actorKind: Decision.ActorKind(rawValue: try row.value("actor_kind")) ?? .system,
                  reason: try row.value("reason"), note: try row.value("note"), at: try row.value("at"))
        revision = Int(try row.value("revision", as: Int32.self))
        body = try row.value("body")
    }
}

extension Decision {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(commentKey: try row.value("comment_key"), status: CommentStatus(rawValue: try row.value("status")) ?? .held,
                  previousStatus: (try row.value("previous_status", as: String?.self)).flatMap(CommentStatus.init(rawValue:)),
                  actor: try row.value("actor"), actorKind: Decision.ActorKind(rawValue: try row.value("actor_kind")) ?? .system,
                  reason: try row.value("reason"), note: try row.value("note"), at: try row.value("at"),
                  undoes: try row.value("undoes"), revision: Int(try row.value("revision", as: Int32.self)))
        seq = try row.value("seq")
    }

    /// The columns a ``Decision`` is read from.
    static let postgresColumns = "seq, comment_key, status, previous_status, actor, actor_kind, reason, note, at, undoes, revision"
}
