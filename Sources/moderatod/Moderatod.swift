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
            a development token is created beside the database (api-token, mode 0600).
            """
    )

    @Option(help: "The SQLite database file. (default: var/moderato.sqlite)")
    var database: String?

    @Option(help: "Where to listen, as HOST:PORT; port 0 picks a free port. (default: 127.0.0.1:8088)")
    var listen: String?

    @Option(help: "A rule folder; repeat for more. Later folders override earlier ones by rule id. (default: Rules)")
    var rules: [String] = []

    @Flag(help: "Allow listening on a non-loopback address (a token must then be set explicitly).")
    var allowRemote = false

    @Option(help: "Above this many queued comments, submissions get 503 with Retry-After. (default: 20000)")
    var maxQueue: Int?

    @Option(help: "How many queued comments to judge per transaction. (default: 256)")
    var batchSize: Int?

    @Option(help: "Switch a rule to shadow when it hits more than this share of recent comments; 0 turns the check off. (default: 0.2)")
    var autoShadowShare: Double?

    @Option(help: "How many recent comments the automatic shadow check watches. (default: 1000)")
    var autoShadowWindow: Int?

    @Option(help: "How many comments must be seen before the automatic shadow check acts. (default: 200)")
    var autoShadowMinimum: Int?

    @Option(help: "Also accept comments from files in DIR/incoming/ (one JSON object per file).")
    var spool: String?

    @Option(help: "Remove IP addresses, emails and user agents from comments older than this many days.")
    var retentionDays: Double?

    @Option(help: "Path prefix of the Akismet-compatible routes (such as /akismet); \"off\" turns them off.")
    var akismetPrefix: String?

    @Option(help: "POST every decision to this URL (signed with MODERATO_WEBHOOK_SECRET).")
    var webhook: String?

    @Option(help: "Give up delivering a decision to the webhook after this many hours. (default: 24)")
    var webhookGiveUpHours: Double?

    @Flag(help: "Hold every comment until the learning filter knows 20 approved and 20 rejected comments.")
    var premoderateWhileLearning = false

    @Flag(help: "Accept and queue comments but judge none (for maintenance; restart without it to judge the queue).")
    var pauseJudging = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (default: info)")
    var logLevel: Logger.Level?

    @Option(help: "A YAML settings file; flags override it, and it overrides the defaults.")
    var config: String?

    func validate() throws {
        if let listen, ServerConfiguration.parseListen(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8088 or [::1]:8088; got \(listen)")
        }
        if let batchSize, !(1...10_000).contains(batchSize) { throw ValidationError("--batch-size must be from 1 to 10000") }
        if let webhook {
            guard let url = URL(string: webhook), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--webhook must be an http:// or https:// URL")
            }
        }
        if let webhookGiveUpHours, webhookGiveUpHours <= 0 { throw ValidationError("--webhook-give-up-hours must be positive") }
        if let retentionDays, retentionDays <= 0 { throw ValidationError("--retention-days must be positive") }
        if let maxQueue, maxQueue < 1 { throw ValidationError("--max-queue must be at least 1") }
        if let autoShadowShare, !(0...1).contains(autoShadowShare) { throw ValidationError("--auto-shadow-share must be from 0 to 1") }
        if let window = autoShadowWindow, window < 1 { throw ValidationError("--auto-shadow-window must be at least 1") }
        if let minimum = autoShadowMinimum, minimum < 1 { throw ValidationError("--auto-shadow-minimum must be at least 1") }
    }

    func run() async throws {
        // Settings: defaults < file < environment < flags.
        var configuration = ServerConfiguration()
        var fileLogLevel: Logger.Level?
        var settingsError: DaemonError?
        if let config {
            do {
                let file = try ConfigFile.load(path: config)
                try file.apply(to: &configuration)
                fileLogLevel = file.logLevel.flatMap(Logger.Level.init(rawValue:))
            } catch let error as DaemonError {
                settingsError = error
            }
        }
        let level = logLevel ?? fileLogLevel ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "moderatod")
        if let settingsError {
            logger.critical("\(settingsError.message)")
            throw ExitCode(2)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let environment = ProcessInfo.processInfo.environment
        if let token = environment["MODERATO_API_TOKEN"], !token.isEmpty { configuration.apiToken = token }
        if let keys = environment["MODERATO_AKISMET_KEYS"], configuration.akismet != nil {
            configuration.akismet?.extraKeys.formUnion(keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        if let secret = environment["MODERATO_WEBHOOK_SECRET"], !secret.isEmpty, configuration.webhook != nil {
            configuration.webhook?.secret = secret
        }

        if let database { configuration.databasePath = database }
        if let listen, let address = ServerConfiguration.parseListen(listen) {
            configuration.host = address.host
            configuration.port = address.port
        }
        if allowRemote { configuration.allowsRemote = true }
        if !rules.isEmpty { configuration.ruleDirectories = rules }
        if let spool { configuration.spoolDirectory = spool }
        if let retentionDays { configuration.retentionDays = retentionDays }
        if let maxQueue { configuration.maximumQueueDepth = maxQueue }
        if let batchSize { configuration.batchSize = batchSize }
        if pauseJudging { configuration.isJudgingPaused = true }
        if premoderateWhileLearning { configuration.classifier.holdsWhileLearning = true }
        if let share = autoShadowShare {
            configuration.ruleTraffic.maximumShare = share
            configuration.ruleTraffic.isEnabled = share > 0
        }
        if let window = autoShadowWindow { configuration.ruleTraffic.window = window }
        if let minimum = autoShadowMinimum { configuration.ruleTraffic.minimumComments = minimum }
        configuration.ruleTraffic.minimumComments = min(configuration.ruleTraffic.minimumComments, configuration.ruleTraffic.window)
        if let prefix = akismetPrefix {
            if prefix == "off" {
                configuration.akismet = nil
            } else {
                var akismet = configuration.akismet ?? AkismetConfiguration()
                akismet.prefix = prefix
                configuration.akismet = akismet
            }
        }
        if let webhook {
            configuration.webhook = WebhookConfiguration(url: webhook, secret: environment["MODERATO_WEBHOOK_SECRET"] ?? configuration.webhook?.secret ?? "")
        }
        if let hours = webhookGiveUpHours { configuration.webhook?.giveUpAfter = hours * 3600 }
        if let webhook = configuration.webhook, webhook.secret.isEmpty {
            logger.critical("the webhook needs MODERATO_WEBHOOK_SECRET (or webhook.secret in the settings file), the key the website checks signatures with")
            throw ExitCode(2)
        }

        do {
            if configuration.apiToken.isEmpty, configuration.isLoopback {
                let development = try DevelopmentToken.loadOrCreate(besideDatabase: configuration.databasePath)
                configuration.apiToken = development.token
                // The token itself stays out of the log; the file is readable only by this user.
                logger.notice("MODERATO_API_TOKEN is not set; using the development token in \(development.path) (cat it to use it)")
            }
            try await ModeratoDaemon(configuration: configuration, logger: logger, metrics: registry).run()
        } catch let error as DaemonError {
            logger.critical("\(error.message)")
            throw ExitCode(2)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
