import ArgumentParser
import Foundation
import Logging
import Metrics
import ModeratoServer
import Prometheus

@main
struct Moderatod: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderatod",
        abstract: "The Moderato daemon: accepts comments over HTTP, judges them, records verdicts.",
        discussion: """
            The API token comes from MODERATO_API_TOKEN. Without it, and only on a loopback address, \
            a development token is created beside the database (api-token, mode 0600) and printed.
            """
    )

    @Option(help: "The SQLite database file.")
    var database = "var/moderato.sqlite"

    @Option(help: "Where to listen, as HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:8088"

    @Option(help: "A rule folder; repeat for more. Later folders override earlier ones by rule id. (default: Rules)")
    var rules: [String] = []

    @Flag(help: "Allow listening on a non-loopback address (a token must then be set explicitly).")
    var allowRemote = false

    @Option(help: "Above this many queued comments, submissions get 503 with Retry-After.")
    var maxQueue = 20_000

    @Option(help: "How many queued comments to judge per transaction.")
    var batchSize = 256

    @Option(help: "Switch a rule to shadow when it hits more than this share of recent comments (0 turns the check off).")
    var autoShadowShare = 0.2

    @Option(help: "How many recent comments the automatic shadow check watches.")
    var autoShadowWindow = 1_000

    @Option(help: "How many comments must be seen before the automatic shadow check acts.")
    var autoShadowMinimum = 200

    @Option(help: "Also accept comments from files in DIR/incoming/ (one JSON object per file).")
    var spool: String?

    @Option(help: "Remove IP addresses, emails and user agents from comments older than this many days.")
    var retentionDays: Double?

    @Option(help: "Path prefix of the Akismet-compatible routes (such as /akismet); \"off\" turns them off.")
    var akismetPrefix: String = ""

    @Option(help: "POST every decision to this URL (signed with MODERATO_WEBHOOK_SECRET).")
    var webhook: String?

    @Option(help: "Give up delivering a decision to the webhook after this many hours.")
    var webhookGiveUpHours: Double = 24

    @Flag(help: "Hold every comment until the learning filter knows 20 approved and 20 rejected comments.")
    var premoderateWhileLearning = false

    @Flag(help: "Accept and queue comments but judge none (for maintenance; restart without it to judge the queue).")
    var pauseJudging = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard ServerConfiguration.parseListen(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8088 or [::1]:8088; got \(listen)")
        }
        guard batchSize >= 1 && batchSize <= 10_000 else {
            throw ValidationError("--batch-size must be from 1 to 10000")
        }
        if let webhook {
            guard let url = URL(string: webhook), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--webhook must be an http:// or https:// URL")
            }
            guard webhookGiveUpHours > 0 else { throw ValidationError("--webhook-give-up-hours must be positive") }
        }
        if let retentionDays, retentionDays <= 0 { throw ValidationError("--retention-days must be positive") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue must be at least 1") }
        guard (0...1).contains(autoShadowShare) else { throw ValidationError("--auto-shadow-share must be from 0 to 1") }
        guard autoShadowWindow >= 1, autoShadowMinimum >= 1 else {
            throw ValidationError("--auto-shadow-window and --auto-shadow-minimum must be at least 1")
        }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "moderatod")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        var configuration = ServerConfiguration()
        configuration.databasePath = database
        let address = ServerConfiguration.parseListen(listen)!
        configuration.host = address.host
        configuration.port = address.port
        configuration.allowsRemote = allowRemote
        configuration.batchSize = batchSize
        configuration.maximumQueueDepth = maxQueue
        configuration.spoolDirectory = spool
        configuration.isJudgingPaused = pauseJudging
        configuration.classifier.holdsWhileLearning = premoderateWhileLearning
        configuration.retentionDays = retentionDays
        if akismetPrefix == "off" {
            configuration.akismet = nil
        } else {
            var akismet = AkismetConfiguration()
            akismet.prefix = akismetPrefix
            if let keys = ProcessInfo.processInfo.environment["MODERATO_AKISMET_KEYS"] {
                akismet.extraKeys = Set(keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            configuration.akismet = akismet
        }
        configuration.ruleTraffic.isEnabled = autoShadowShare > 0
        configuration.ruleTraffic.maximumShare = autoShadowShare
        configuration.ruleTraffic.window = autoShadowWindow
        configuration.ruleTraffic.minimumComments = min(autoShadowMinimum, autoShadowWindow)
        if !rules.isEmpty { configuration.ruleDirectories = rules }
        if let webhook {
            guard let secret = ProcessInfo.processInfo.environment["MODERATO_WEBHOOK_SECRET"], !secret.isEmpty else {
                logger.critical("--webhook needs MODERATO_WEBHOOK_SECRET, the key the website checks signatures with")
                throw ExitCode(2)
            }
            var settings = WebhookConfiguration(url: webhook, secret: secret)
            settings.giveUpAfter = webhookGiveUpHours * 3600
            configuration.webhook = settings
        }
        do {
            if let token = ProcessInfo.processInfo.environment["MODERATO_API_TOKEN"], !token.isEmpty {
                configuration.apiToken = token
            } else if configuration.isLoopback {
                let development = try DevelopmentToken.loadOrCreate(besideDatabase: database)
                configuration.apiToken = development.token
                logger.notice("MODERATO_API_TOKEN is not set; using the development token from \(development.path): \(development.token)")
            }
            try await ModeratoDaemon(configuration: configuration, logger: logger, metrics: registry).run()
        } catch let error as DaemonError {
            logger.critical("\(error.message)")
            throw ExitCode(2)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
