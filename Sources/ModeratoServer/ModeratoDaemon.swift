import Crypto
import Foundation
import Hummingbird
import Judging
import Logging
import Moderation
import Prometheus
import ModerationStore
import ModeratoWeb
import ServiceLifecycle

/// A reason the daemon cannot start, in one paragraph a sysadmin can act on.
public struct DaemonError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The Moderato daemon: the HTTP API and the queue worker over one database and one rule set.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.apiToken = "secret"
/// try await ModeratoDaemon(configuration: configuration, logger: logger).run()
/// ```
public struct ModeratoDaemon: Sendable {
    public var configuration: ServerConfiguration
    public var logger: Logger
    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// How the daemon makes its pipelines: the configured rules, heuristics, thresholds, model and
    /// the site's learning layer.
    public var pipelineFactory: PipelineFactory {
        PipelineFactory(configuration.judging)
    }

    /// The daemon's routes: health, metrics, the API's OpenAPI document, `/v1` and (with a key) the Akismet routes.
    func makeRouter(database: any CommentStore, pipelines: PipelineController, worker: QueueWorker, batcher: IngestBatcher,
                    backpressure: Backpressure, akismetKey: SymmetricKey?) -> Router<DaemonContext> {
        let router = Router(context: DaemonContext.self)
        let routes = RouteTable()
        router.add(middleware: ErrorMiddleware(routes: routes))
        let metrics = ModeratoMetrics.shared
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        HealthRoutes(database: database, pipelines: pipelines).register(on: router)
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.group("metrics").add(middleware: TokenAuthMiddleware(token: configuration.apiToken)).get { _, _ in
            // The backlog is read from the store at each scrape, so every daemon on a shared database reports it.
            var oldest = CommentFilter(status: .held)
            oldest.limit = 1
            let held = try await database.statusCounts()[.held] ?? 0
            metrics.recordHeld(count: held, oldestReceivedAt: try await database.comments(matching: oldest).first?.comment.receivedAt)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        let api = router.group("v1").add(middleware: TokenAuthMiddleware(token: configuration.apiToken))
        CommentRoutes(database: database, batcher: batcher, worker: worker, backpressure: backpressure,
                      decoder: CommentDecoder(limits: configuration.limits), bodyDeadline: .seconds(configuration.idleTimeout))
            .register(on: api)
        ReportRoutes(database: database, configuration: configuration.reports, bodyDeadline: .seconds(configuration.idleTimeout))
            .register(on: api)
        if let akismet = configuration.akismet, let akismetKey {
            AkismetRoutes(configuration: akismet, apiToken: configuration.apiToken, database: database,
                          pipelines: pipelines, worker: worker, batcher: batcher,
                          backpressure: backpressure, bodyDeadline: .seconds(configuration.idleTimeout), isJudgingPaused: configuration.isJudgingPaused,
                          idKey: akismetKey, reportPolicy: configuration.reports.policy)
                .register(on: router)
        }
        if let ui = configuration.ui {
            ModeratorWeb(store: database, configuration: ui, logger: logger).register(on: router)
        }
        routes.load(router)
        return router
    }

    /// The shortest API token accepted on a non-loopback address.
    public static let minimumRemoteTokenLength = 20

    /// Opens the database, loads the rules, and serves until SIGTERM or SIGINT.
    public func run() async throws {
        guard configuration.isLoopback || configuration.allowsRemote else {
            throw DaemonError("refusing to listen on \(configuration.host), which is not a loopback address; pass --allow-remote to do so deliberately")
        }
        guard !configuration.apiToken.isEmpty else {
            throw DaemonError("no API token; set MODERATO_API_TOKEN")
        }
        guard configuration.isLoopback || configuration.apiToken.count >= Self.minimumRemoteTokenLength else {
            throw DaemonError("the API token is too short to face a network (\(configuration.apiToken.count) characters; at least "
                + "\(Self.minimumRemoteTokenLength)); make one with: openssl rand -hex 24")
        }
        // A SQLite file's folder is the daemon's own, and one daemon at a time serves the file: the lock
        // is taken before anything, migrations included, touches it. PostgreSQL is shared by design.
        let isServer = StoreLocation.isServer(configuration.databasePath)
        var lock: DaemonLock?
        if !isServer {
            do {
                let folder = URL(fileURLWithPath: configuration.databasePath).deletingLastPathComponent().path
                close(try PrivateFiles.prepareFolder(folder, what: "the database folder"))
                lock = try DaemonLock.acquire(forDatabase: configuration.databasePath)
            } catch {
                throw DaemonError(error.message)
            }
        }
        defer { lock?.release() }
        let database: any CommentStore
        do {
            database = try await StoreLocation.open(configuration.databasePath, logger: logger)
        } catch {
            throw DaemonError(error.message)
        }
        if isServer { logger.info("using PostgreSQL", metadata: ["database": "\(database.location)"]) }
        let factory = pipelineFactory
        let model: ModerationModel?
        let ruleSet: RuleSet
        do {
            model = try factory.loadModel()
            ruleSet = try factory.loadRules()
        } catch {
            throw DaemonError(error.message + (error.message.hasPrefix("the rule packs") ? "\nfix them (modctl rules check) and start again" : ""))
        }
        if let model {
            logger.info("model loaded", metadata: ["model.name": "\(model.name)", "model.sha256": "\(model.sha256.prefix(12))",
                                                   "model.file": "\(factory.modelPath)"])
        }
        for warning in ruleSet.warnings {
            logger.warning("a rule pack has a warning", metadata: ["warning": "\(warning.description)"])
        }
        let pipelines = PipelineController(try await factory.make(ruleSet: ruleSet, model: model, store: database),
                                           classifierVersion: (try? await database.classifierVersion()) ?? 0)
        logger.info("rules loaded", metadata: [
            "rules.count": "\(ruleSet.rules.count)",
            "rules.prefiltered": "\(ruleSet.prefilter.gatedCount)",
            "rules.version": "\(ruleSet.version)",
        ])
        try? await database.setDaemonStatus(["rules_version": ruleSet.version, "rules_errors": "", "rules_reload": "ok",
                                             "started_at": ISO8601DateFormatter().string(from: Date()),
                                             "pid": "\(getpid())"])
        let notifier = QueueNotifier()
        let depth = QueueDepth((try? await database.queueDepth()) ?? 0)
        let worker = QueueWorker(database: database, pipelines: pipelines, notifier: notifier,
                                 batchSize: configuration.batchSize, claimLease: configuration.claimLease, ruleTraffic: configuration.ruleTraffic,
                                 heuristics: configuration.heuristics, depth: depth, reportPolicy: configuration.reports.policy, logger: logger)
        let batcher = IngestBatcher(database: database, notifier: notifier, depth: depth, logger: logger)
        let backpressure = Backpressure(depth: depth, batcher: batcher, maximum: configuration.maximumQueueDepth)
        let reloader = RuleReloader(daemon: self, database: database, pipelines: pipelines, logger: logger)
        // Shutdown runs in reverse: the server stops taking requests and the spool stops reading files,
        // then the batcher commits what they gave it, then the worker finishes the batch in hand.
        var services: [any Service] = configuration.isJudgingPaused ? [reloader, batcher] : [reloader, worker, batcher]
        if let shared = database as? PostgresStore {
            // Other daemons' comments and reload requests arrive as notifications; a slow poll also
            // picks up comments whose claim a crashed daemon left behind.
            services.append(SharedStoreListener(store: shared, notifier: notifier, reloader: reloader, depth: depth, logger: logger))
        }
        if configuration.isJudgingPaused { logger.warning("judging is paused: comments are accepted and queued, not judged") }
        // Decisions enter the outbox only while a webhook is configured.
        // On a shared database another daemon may deliver to a webhook: one without a webhook says nothing.
        if configuration.webhook != nil || !database.isShared {
            try? await database.setDaemonStatus(["webhook_url": configuration.webhook?.shownURL ?? ""])
        }
        if var webhook = configuration.webhook {
            webhook.claimLease = configuration.claimLease
            services.append(WebhookDelivery(configuration: webhook, database: database, logger: logger))
            logger.info("delivering decisions to the webhook", metadata: ["webhook.url": "\(webhook.shownURL)"])
        }
        if let spool = configuration.spoolDirectory {
            let ingest = SpoolIngest(directory: spool, batcher: batcher, decoder: CommentDecoder(limits: configuration.limits),
                                     backpressure: backpressure, logger: logger)
            do {
                try ingest.prepare()
            } catch {
                throw DaemonError("cannot use the spool: \(error.message)")
            }
            services.append(ingest)
            logger.info("accepting comments from the spool", metadata: ["spool.path": "\(spool)"])
        }
        if let days = configuration.retentionDays {
            services.append(RetentionService(database: database, days: days, logger: logger))
        }

        var akismetKey: SymmetricKey?
        if configuration.akismet != nil {
            do {
                akismetKey = SymmetricKey(data: try await database.installationSecret(named: "akismet-ids"))
            } catch {
                throw DaemonError(error.message)
            }
        }
        let router = makeRouter(database: database, pipelines: pipelines, worker: worker, batcher: batcher, backpressure: backpressure,
                                akismetKey: akismetKey)

        let logger = self.logger
        let host = configuration.host
        let app = Application(
            router: router,
            // Hummingbird's idle timeout runs from a connection's start (or its last response) until a
            // complete request head: a head trickled byte by byte is cut off like a silent connection.
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "moderatod",
                                 availableConnectionsDelegate: .maximum(configuration.maximumConnections, logger: logger)),
            services: services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                logger.info("listening", metadata: ["address": "http://\(shown):\(port)"])
                try? await database.setDaemonStatus(["listen": "http://\(shown):\(port)"])
                SystemdNotifier.notify("READY=1\nSTATUS=listening on http://\(shown):\(port)")
            },
            logger: logger
        )
        try await app.runService()
        SystemdNotifier.notify("STOPPING=1")
        logger.info("moderatod stopped")
    }
}
