import Foundation
import Judging
import Moderation
import ModerationStore
import ModeratoWeb

/// A setting whose value cannot be used, named as the settings file names it.
public struct SettingProblem: Sendable, Equatable, CustomStringConvertible {
    /// The setting's dotted name in the settings file: `batch_size`, `policy.hold_threshold`.
    public var setting: String
    /// What is wrong, to follow the setting's name: "must be from 1 to 10000; got 0".
    public var message: String

    public init(setting: String, message: String) {
        self.setting = setting
        self.message = message
    }

    public var description: String { "\(setting) \(message)" }
}

/// Everything the daemon needs to run, defaulted as `moderatod` documents.
public struct ServerConfiguration: Sendable {
    /// The SQLite database file. The default is `var/moderato.sqlite`.
    public var databasePath: String = "var/moderato.sqlite"
    /// The host to listen on. The default is `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// The port to listen on; 0 picks a free port. The default is 8088.
    public var port: Int = 8088
    /// Rule folders in load order; later folders override earlier ones by rule id. The default is `Rules`.
    public var ruleDirectories: [String] = ["Rules"]
    /// The API token clients must send as `Authorization: Bearer TOKEN`.
    public var apiToken: String = ""
    /// Whether listening on a non-loopback address is allowed. The default is false.
    public var allowsRemote: Bool = false
    /// Size limits for submissions.
    public var limits: CommentLimits = .default
    /// Score thresholds.
    public var policy: PolicyConfiguration = PolicyConfiguration()
    /// Above this many queued comments, submissions get 503 with Retry-After. The default is 20,000.
    public var maximumQueueDepth: Int = 20_000
    /// Open connections at most; past it, new connections wait to be accepted. The default is 1,024.
    public var maximumConnections: Int = 1_024
    /// A connection that sends nothing for this many seconds is closed. The default is 30.
    public var idleTimeout: Double = 30
    /// How many queued comments a worker judges per transaction. The default is 256.
    public var batchSize: Int = 256
    /// With a database several daemons share: how long a daemon's claim on queued comments (or a webhook
    /// delivery) lasts, so another daemon judges what a crashed one had claimed once this has passed.
    /// Judging a batch takes well under a second. The default is 60 seconds.
    public var claimLease: Double = 60
    /// Settings for every heuristic.
    public var heuristics: HeuristicsConfiguration = HeuristicsConfiguration()
    /// Settings for the site's learning layer.
    public var classifier: ClassifierConfiguration = ClassifierConfiguration()
    /// The model file (nil: the shipped one) and how its probabilities become scores.
    public var model: ModelConfiguration = ModelConfiguration()
    /// Accept and queue comments but judge none. The default is false.
    public var isJudgingPaused: Bool = false
    /// A spool folder whose `incoming/` files are accepted as comments, if any.
    public var spoolDirectory: String?
    /// Remove IP addresses, emails and user agents from comments older than this many days (nil: keep).
    public var retentionDays: Double?
    /// The Akismet-compatible endpoint's settings (nil: the endpoint is off). The default is on, no prefix.
    public var akismet: AkismetConfiguration? = AkismetConfiguration()
    /// Where decisions are POSTed, if anywhere.
    public var webhook: WebhookConfiguration?
    /// When readers' reports take an approved comment back for review, and how many reports each
    /// reader and network may send.
    public var reports: ReportsConfiguration = ReportsConfiguration()
    /// The browser review queue at `/ui/`, when it is on (`--ui` or `ui.enabled`). Off by default.
    public var ui: WebConfiguration?
    /// The queue's settings from the file even while it is off, so `--ui` turns them on.
    public var uiSettings = WebConfiguration()
    /// When a rule that hits too much recent traffic is switched to shadow.
    public var ruleTraffic: RuleTrafficConfiguration = RuleTrafficConfiguration()
    /// The least severe log level written: trace, debug, info, notice, warning, error or critical. The
    /// default is info.
    public var logLevel: String = "info"
    /// `text` (one readable line per event) or `json` (one object per line). The default is text.
    public var logFormat: String = "text"

    public init() {}

    /// A problem as the operator reads it, said where the value came from: `settings.yml:4: setting
    /// \`batch_size\` must be from 1 to 10000; got 0`, or `--batch-size must be …` for a flag.
    public static func describe(_ problem: SettingProblem, origin: String?) -> String {
        guard let origin else { return "setting `\(problem.setting)` \(problem.message)" }
        if origin.hasPrefix("-") || origin.hasPrefix("MODERATO_") { return "\(origin) \(problem.message)" }
        return "\(origin): setting `\(problem.setting)` \(problem.message)"
    }

    /// The log levels `logLevel` may name.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Every setting whose value cannot be used, by its name in the settings file. The one check for
    /// values from the file and from the flags alike.
    public func validate() -> [SettingProblem] {
        var problems: [SettingProblem] = []
        func check(_ isValid: Bool, _ setting: String, _ message: @autoclosure () -> String) {
            if !isValid { problems.append(SettingProblem(setting: setting, message: message())) }
        }
        func whole(_ value: Double) -> String { value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value) }
        check(!ruleDirectories.isEmpty, "rules", "must name at least one rule folder")
        check(ruleDirectories.allSatisfy { !$0.isEmpty }, "rules", "must not name an empty folder")
        check((1...10_000).contains(batchSize), "batch_size", "must be from 1 to 10000; got \(batchSize)")
        check((1...3_600).contains(claimLease), "claim_lease_seconds", "must be from 1 to 3600; got \(whole(claimLease))")
        check(maximumQueueDepth >= 1, "max_queue", "must be at least 1; got \(maximumQueueDepth)")
        check(maximumConnections >= 1, "max_connections", "must be at least 1; got \(maximumConnections)")
        check((1...86_400).contains(idleTimeout), "idle_timeout_seconds", "must be from 1 to 86400; got \(whole(idleTimeout))")
        if let retentionDays {
            check(retentionDays > 0 && retentionDays.isFinite, "retention_days", "must be a positive number of days; got \(whole(retentionDays))")
        }
        if let spoolDirectory { check(!spoolDirectory.isEmpty, "spool", "must be a folder") }
        if let webhook {
            let url = URL(string: webhook.url)
            check(["http", "https"].contains(url?.scheme?.lowercased() ?? "") && url?.host != nil, "webhook.url",
                  "must be an http:// or https:// URL")
            check(!webhook.secret.isEmpty, "webhook.secret",
                  "is needed (or MODERATO_WEBHOOK_SECRET): the key the website checks signatures with")
            check(webhook.giveUpAfter > 0 && webhook.giveUpAfter.isFinite, "webhook.give_up_hours",
                  "must be a positive number of hours; got \(whole(webhook.giveUpAfter / 3600))")
        }
        check(policy.holdThreshold.isFinite, "policy.hold_threshold", "must be a number")
        check(policy.rejectThreshold.isFinite, "policy.reject_threshold", "must be a number")
        check(policy.holdThreshold < policy.rejectThreshold, "policy.hold_threshold",
              "must be below policy.reject_threshold (\(whole(policy.holdThreshold)) is not below \(whole(policy.rejectThreshold)))")
        if let file = model.file { check(!file.isEmpty, "model.file", "must be a model file") }
        for (name, output) in [("toxicity", model.toxicity), ("spam", model.spam), ("site", model.site)] {
            check(output.isValid, "model.\(name)_hold",
                  "and model.\(name)_lean and model.\(name)_reject must be probabilities with lean < hold < reject, between 0 and 1 "
                  + "(got \(output.lean), \(output.hold), \(output.reject))")
        }
        check((0...1).contains(ruleTraffic.maximumShare), "auto_shadow.share", "must be from 0 to 1; got \(ruleTraffic.maximumShare)")
        check(ruleTraffic.window >= 1, "auto_shadow.window", "must be at least 1; got \(ruleTraffic.window)")
        check(ruleTraffic.minimumComments >= 1, "auto_shadow.minimum", "must be at least 1; got \(ruleTraffic.minimumComments)")
        check(ruleTraffic.minimumReviews >= 1, "auto_shadow.reviews", "must be at least 1; got \(ruleTraffic.minimumReviews)")
        check(ruleTraffic.recheckInterval >= 0 && ruleTraffic.recheckInterval.isFinite, "auto_shadow.recheck_seconds",
              "must be 0 or more; got \(whole(ruleTraffic.recheckInterval))")
        if let akismet {
            check(akismet.prefix.isEmpty || (akismet.prefix.hasPrefix("/") && !akismet.prefix.contains(where: \.isWhitespace)),
                  "akismet.prefix", "must be empty or a path starting with /, such as /akismet; got \(akismet.prefix)")
            check(akismet.extraKeys.allSatisfy { $0.count >= 8 }, "akismet.keys", "must each be at least 8 characters")
        }
        check(reports.policy.holdAfter > 0 && reports.policy.holdAfter.isFinite, "reports.hold_after",
              "must be a positive number of reports; got \(whole(reports.policy.holdAfter))")
        check(reports.policy.holdAfterUrgent > 0 && reports.policy.holdAfterUrgent.isFinite, "reports.hold_after_urgent",
              "must be a positive number of reports; got \(whole(reports.policy.holdAfterUrgent))")
        if let ui {
            check(ui.sessionHours > 0 && ui.sessionHours <= 24 * 30, "ui.session_hours", "must be more than 0 and at most 720; got \(ui.sessionHours)")
            check(ui.loginsPerAddressPerHour >= 1, "ui.login_attempts_per_hour", "must be at least 1; got \(ui.loginsPerAddressPerHour)")
        }
        check(reports.perReporterPerHour >= 1, "reports.per_reporter_per_hour", "must be at least 1; got \(reports.perReporterPerHour)")
        check(reports.perNetworkPerHour >= 1, "reports.per_network_per_hour", "must be at least 1; got \(reports.perNetworkPerHour)")
        check(["text", "json"].contains(logFormat), "log_format", "must be text or json; got \(logFormat)")
        check(Self.logLevels.contains(logLevel), "log_level", "must be one of \(Self.logLevels.joined(separator: ", ")); got \(logLevel)")
        return problems
    }

    /// Whether `host` is a loopback address.
    /// What the daemon's pipelines are made of.
    public var judging: JudgingConfiguration {
        var judging = JudgingConfiguration()
        judging.ruleDirectories = ruleDirectories
        judging.heuristics = heuristics
        judging.policy = policy
        judging.model = model
        judging.classifier = classifier
        return judging
    }

    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `HOST:PORT` (or `[V6]:PORT`) into host and port.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}

/// Readers' reports: when they hold a comment (``ReportPolicy``) and how fast one reader may send them.
public struct ReportsConfiguration: Sendable {
    public var policy: ReportPolicy = .default
    /// Reports one reporter may send in an hour; more are answered 429. The default is 30.
    public var perReporterPerHour: Int = 30
    /// Reports from one network (a /24 or /64, when the website sends the reader's `ip`) in an hour.
    /// The default is 120.
    public var perNetworkPerHour: Int = 120

    public init() {}
}
