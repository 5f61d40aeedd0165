import ArgumentParser
import Foundation
import Logging
import ModerationStore
import ModeratoServer

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

    @Option(help: "The database: a SQLite file, or a postgres:// URL for several daemons on one PostgreSQL. (default: $MODERATO_DB, else var/moderato.sqlite)")
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

    @Option(help: "The toxicity and spam model file. (default: $MODERATO_MODEL, else Models/moderato.model)")
    var model: String?

    @Flag(help: "Serve the browser review queue at /ui/ (moderators sign in with accounts made by `modctl moderator add`).")
    var ui = false

    @Flag(help: "Hold every comment until moderators have approved 10 and rejected 10 comments, so the site's learning layer can speak.")
    var premoderateWhileLearning = false

    @Flag(help: "Accept and queue comments but judge none (for maintenance; restart without it to judge the queue).")
    var pauseJudging = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (default: info)")
    var logLevel: Logger.Level?

    @Option(help: "Log format: text (one readable line per event) or json (one object per line, for log collectors). (default: text)")
    var logFormat: String?

    @Option(help: "A YAML settings file; flags override it, and it overrides the defaults.")
    var config: String?

    /// Sets what the flags give; returns the flag behind each setting it set, by the setting's name in
    /// the settings file.
    func applyFlags(to configuration: inout ServerConfiguration) -> [String: String] {
        var origins: [String: String] = [:]
        if let database {
            configuration.databasePath = database
            origins["database"] = "--database"
        } else if let database = ProcessInfo.processInfo.environment["MODERATO_DB"], !database.isEmpty {
            configuration.databasePath = database
            origins["database"] = "MODERATO_DB"
        }
        if let listen, let address = ServerConfiguration.parseListen(listen) {
            configuration.host = address.host
            configuration.port = address.port
            origins["listen"] = "--listen"
        }
        if allowRemote { configuration.allowsRemote = true }
        if !rules.isEmpty {
            configuration.ruleDirectories = rules
            origins["rules"] = "--rules"
        }
        if ui {
            configuration.ui = configuration.ui ?? configuration.uiSettings
            origins["ui.enabled"] = "--ui"
        }
        if let spool {
            configuration.spoolDirectory = spool
            origins["spool"] = "--spool"
        }
        if let retentionDays {
            configuration.retentionDays = retentionDays
            origins["retention_days"] = "--retention-days"
        }
        if let maxQueue {
            configuration.maximumQueueDepth = maxQueue
            origins["max_queue"] = "--max-queue"
        }
        if let batchSize {
            configuration.batchSize = batchSize
            origins["batch_size"] = "--batch-size"
        }
        if let model {
            configuration.model.file = model
            origins["model.file"] = "--model"
        }
        if pauseJudging { configuration.isJudgingPaused = true }
        if premoderateWhileLearning { configuration.classifier.holdsWhileLearning = true }
        if let share = autoShadowShare {
            configuration.ruleTraffic.maximumShare = share
            configuration.ruleTraffic.isEnabled = share > 0
            origins["auto_shadow.share"] = "--auto-shadow-share"
        }
        if let window = autoShadowWindow {
            configuration.ruleTraffic.window = window
            origins["auto_shadow.window"] = "--auto-shadow-window"
        }
        if let minimum = autoShadowMinimum {
            configuration.ruleTraffic.minimumComments = minimum
            origins["auto_shadow.minimum"] = "--auto-shadow-minimum"
        }
        if let prefix = akismetPrefix {
            if prefix == "off" {
                configuration.akismet = nil
            } else {
                var akismet = configuration.akismet ?? AkismetConfiguration()
                akismet.prefix = prefix
                configuration.akismet = akismet
                origins["akismet.prefix"] = "--akismet-prefix"
            }
        }
        if let webhook {
            configuration.webhook = WebhookConfiguration(url: webhook, secret: configuration.webhook?.secret ?? "")
            origins["webhook.url"] = "--webhook"
        }
        if let hours = webhookGiveUpHours {
            configuration.webhook?.giveUpAfter = hours * 3600
            origins["webhook.give_up_hours"] = "--webhook-give-up-hours"
        }
        if let logFormat {
            configuration.logFormat = logFormat
            origins["log_format"] = "--log-format"
        }
        if let logLevel {
            configuration.logLevel = logLevel.rawValue
            origins["log_level"] = "--log-level"
        }
        return origins
    }

    func validate() throws {
        if let listen, ServerConfiguration.parseListen(listen) == nil {
            throw ValidationError("--listen must be HOST:PORT, such as 127.0.0.1:8088 or [::1]:8088; got \(listen)")
        }
        // The flags' values go through the same checks as the settings file's.
        var configuration = ServerConfiguration()
        let flagged = applyFlags(to: &configuration)
        if let problem = configuration.validate().first(where: { flagged[$0.setting] != nil }), let flag = flagged[problem.setting] {
            throw ValidationError("\(flag) \(problem.message)")
        }
    }

    func run() async throws {
        // Settings: defaults < file < environment < flags, then one check of the result.
        var configuration = ServerConfiguration()
        var origins: [String: String] = [:]
        var settingsError: DaemonError?
        if let config {
            do {
                let file = try ConfigFile.load(path: config)
                try file.apply(to: &configuration)
                origins = file.origins
            } catch let error as DaemonError {
                settingsError = error
            }
        }
        let environment = ProcessInfo.processInfo.environment
        if let token = environment["MODERATO_API_TOKEN"], !token.isEmpty { configuration.apiToken = token }
        if let keys = environment["MODERATO_AKISMET_KEYS"], configuration.akismet != nil {
            configuration.akismet?.extraKeys.formUnion(keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            origins["akismet.keys"] = "MODERATO_AKISMET_KEYS"
        }
        let webhookSecret = environment["MODERATO_WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        origins.merge(applyFlags(to: &configuration)) { $1 }
        if let webhookSecret, configuration.webhook != nil {
            configuration.webhook?.secret = webhookSecret
            origins["webhook.secret"] = "MODERATO_WEBHOOK_SECRET"
        }
        configuration.ruleTraffic.minimumComments = min(configuration.ruleTraffic.minimumComments, configuration.ruleTraffic.window)
        let problems = configuration.validate()

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let json = configuration.logFormat == "json"
        LoggingSystem.bootstrap { label -> any LogHandler in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "moderatod")
        /// Why the daemon cannot start: a paragraph for a person in text logs, a constant message with
        /// the reason as metadata in JSON logs.
        func cannotStart(_ reason: String) {
            if json {
                logger.critical("cannot start", metadata: ["reason": "\(reason)"])
            } else {
                logger.critical("\(reason)")
            }
        }
        if let settingsError {
            cannotStart(settingsError.message)
            throw ExitCode(2)
        }
        if !problems.isEmpty {
            for problem in problems {
                cannotStart(ServerConfiguration.describe(problem, origin: origins[problem.setting]))
            }
            throw ExitCode(2)
        }

        do {
            if configuration.apiToken.isEmpty, configuration.isLoopback {
                // Beside a SQLite file; for a database server, in var/ of the working folder.
                let besideDatabase = StoreLocation.isServer(configuration.databasePath) ? "var/postgres" : configuration.databasePath
                let development = try DevelopmentToken.loadOrCreate(besideDatabase: besideDatabase)
                configuration.apiToken = development.token
                // The token itself stays out of the log; the file is readable only by this user.
                logger.notice("MODERATO_API_TOKEN is not set; using the development token in the file token.file (cat it to use it)",
                              metadata: ["token.file": "\(development.path)"])
            }
            try await ModeratoDaemon(configuration: configuration, logger: logger).run()
        } catch let error as DaemonError {
            cannotStart(error.message)
            throw ExitCode(2)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
