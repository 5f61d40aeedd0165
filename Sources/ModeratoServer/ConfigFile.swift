import Foundation
import Moderation
import ModeratoWeb
import Yams

/// The daemon's settings file (`moderatod --config FILE`), in YAML. Every key is optional; what the
/// file sets overrides the defaults, the environment overrides the file, and flags override both.
///
/// The file is checked key by key, nested maps included: an unknown key or a value of the wrong type
/// is an error naming the file and line, and the values go through the same checks as the flags
/// (``ServerConfiguration/validate()``).
///
/// ```yaml
/// database: /var/lib/moderato/moderato.sqlite
/// listen: 127.0.0.1:8088
/// rules: [/opt/moderato/Rules, /etc/moderato/rules.d]
/// api_token: long-random-secret          # MODERATO_API_TOKEN overrides it
/// policy: {hold_threshold: 5, reject_threshold: 10}
/// hold_first_comments: true
/// webhook: {url: https://site.example/hook, secret: another-secret, give_up_hours: 24}
/// retention_days: 90
/// max_connections: 1024                 # past it, new connections wait
/// idle_timeout_seconds: 30              # close connections silent this long
/// ```
public struct ConfigFile: Decodable, Sendable {
    public struct Policy: Decodable, Sendable {
        public var holdThreshold: Double?
        public var rejectThreshold: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case holdThreshold = "hold_threshold"
            case rejectThreshold = "reject_threshold"
        }
    }

    /// `model:` the model file and where its probabilities lean, hold and reject.
    public struct Model: Decodable, Sendable {
        public var file: String?
        public var toxicityLean: Double?
        public var toxicityHold: Double?
        public var toxicityReject: Double?
        public var spamLean: Double?
        public var spamHold: Double?
        public var spamReject: Double?
        public var siteLean: Double?
        public var siteHold: Double?
        public var siteReject: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case file
            case toxicityLean = "toxicity_lean"
            case toxicityHold = "toxicity_hold"
            case toxicityReject = "toxicity_reject"
            case spamLean = "spam_lean"
            case spamHold = "spam_hold"
            case spamReject = "spam_reject"
            case siteLean = "site_lean"
            case siteHold = "site_hold"
            case siteReject = "site_reject"
        }
    }

    public struct Webhook: Decodable, Sendable {
        public var url: String
        public var secret: String?
        public var giveUpHours: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case url, secret
            case giveUpHours = "give_up_hours"
        }
    }

    public struct AutoShadow: Decodable, Sendable {
        public var share: Double?
        public var window: Int?
        public var minimum: Int?
        public var reviews: Int?
        public var recheckSeconds: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case share, window, minimum, reviews
            case recheckSeconds = "recheck_seconds"
        }
    }

    public struct Akismet: Decodable, Sendable {
        public var enabled: Bool?
        public var prefix: String?
        public var keys: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled, prefix, keys
        }
    }

    public struct Reports: Decodable, Sendable {
        public var holdAfter: Double?
        public var holdAfterUrgent: Double?
        public var perReporterPerHour: Int?
        public var perNetworkPerHour: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case holdAfter = "hold_after"
            case holdAfterUrgent = "hold_after_urgent"
            case perReporterPerHour = "per_reporter_per_hour"
            case perNetworkPerHour = "per_network_per_hour"
        }
    }

    /// `ui:` the browser review queue.
    public struct UI: Decodable, Sendable {
        public var enabled: Bool?
        public var secureCookies: Bool?
        public var sessionHours: Double?
        public var siteName: String?
        public var loginAttemptsPerHour: Int?
        public var publicURL: String?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case enabled
            case publicURL = "public_url"
            case secureCookies = "secure_cookies"
            case sessionHours = "session_hours"
            case siteName = "site_name"
            case loginAttemptsPerHour = "login_attempts_per_hour"
        }
    }

    public var database: String?
    public var listen: String?
    public var allowRemote: Bool?
    public var rules: [String]?
    public var spool: String?
    public var apiToken: String?
    public var webhook: Webhook?
    public var maxQueue: Int?
    public var maxConnections: Int?
    public var idleTimeoutSeconds: Double?
    public var batchSize: Int?
    public var claimLeaseSeconds: Double?
    public var retentionDays: Double?
    public var akismet: Akismet?
    public var reports: Reports?
    public var ui: UI?
    public var policy: Policy?
    public var model: Model?
    public var premoderateWhileLearning: Bool?
    public var holdFirstComments: Bool?
    public var autoShadow: AutoShadow?
    public var logLevel: String?
    public var logFormat: String?

    /// The line of each setting the file sets, by its dotted name (`batch_size`, `policy.hold_threshold`).
    public private(set) var lines: [String: Int] = [:]
    /// The file's path, for messages.
    public private(set) var path: String = ""

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, listen, rules, spool, webhook, akismet, reports, policy, model, ui
        case allowRemote = "allow_remote"
        case apiToken = "api_token"
        case maxQueue = "max_queue"
        case maxConnections = "max_connections"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case batchSize = "batch_size"
        case claimLeaseSeconds = "claim_lease_seconds"
        case retentionDays = "retention_days"
        case premoderateWhileLearning = "premoderate_while_learning"
        case holdFirstComments = "hold_first_comments"
        case autoShadow = "auto_shadow"
        case logLevel = "log_level"
        case logFormat = "log_format"
    }

    /// The keys each nested map may hold.
    static let nestedKeys: [String: [String]] = [
        "policy": Policy.CodingKeys.allCases.map(\.rawValue),
        "webhook": Webhook.CodingKeys.allCases.map(\.rawValue),
        "auto_shadow": AutoShadow.CodingKeys.allCases.map(\.rawValue),
        "akismet": Akismet.CodingKeys.allCases.map(\.rawValue),
        "reports": Reports.CodingKeys.allCases.map(\.rawValue),
        "ui": UI.CodingKeys.allCases.map(\.rawValue),
        "model": Model.CodingKeys.allCases.map(\.rawValue),
    ]

    /// Reads and checks a settings file.
    /// - Throws: ``DaemonError`` naming the file, and the line for unknown keys, YAML errors and values
    ///   of the wrong type.
    public static func load(path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DaemonError("cannot read the settings file \(path)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DaemonError("\(path): YAML error: \(error)")
        }
        guard let root else { return ConfigFile(path: path) }
        guard let mapping = root.mapping else {
            throw DaemonError("\(path):\(root.mark?.line ?? 1): the settings file must be a YAML mapping such as `listen: 127.0.0.1:8088`")
        }
        let lines = try checkKeys(mapping, path: path)
        var file: ConfigFile
        do {
            file = try YAMLDecoder().decode(ConfigFile.self, from: root)
        } catch let error as DecodingError {
            throw DaemonError(describe(error, in: root, path: path))
        }
        file.lines = lines
        file.path = path
        return file
    }

    init(path: String) {
        self.path = path
    }

    /// Checks every key, nested maps included, and returns the line of each setting.
    static func checkKeys(_ mapping: Node.Mapping, path: String) throws -> [String: Int] {
        let known = CodingKeys.allCases.map(\.rawValue)
        var lines: [String: Int] = [:]
        for (key, value) in mapping {
            guard let name = key.string, known.contains(name) else {
                throw DaemonError("\(path):\(key.mark?.line ?? 1): unknown setting `\(key.string ?? "?")`; the settings are "
                    + known.sorted().joined(separator: ", "))
            }
            lines[name] = key.mark?.line ?? 1
            guard let allowed = nestedKeys[name] else { continue }
            guard let nested = value.mapping else {
                throw DaemonError("\(path):\(value.mark?.line ?? 1): setting `\(name)` must be a map of \(allowed.joined(separator: ", "))")
            }
            for (nestedKey, _) in nested {
                guard let nestedName = nestedKey.string, allowed.contains(nestedName) else {
                    throw DaemonError("\(path):\(nestedKey.mark?.line ?? 1): unknown setting `\(name).\(nestedKey.string ?? "?")`; "
                        + "`\(name)` takes \(allowed.joined(separator: ", "))")
                }
                lines["\(name).\(nestedName)"] = nestedKey.mark?.line ?? 1
            }
        }
        return lines
    }

    /// A decoding error as `FILE:LINE: setting NAME: what is wrong`, the line found from the coding path.
    static func describe(_ error: DecodingError, in root: Node, path: String) -> String {
        let codingPath: [any CodingKey]
        let problem: String
        switch error {
        case .typeMismatch(let type, let context):
            codingPath = context.codingPath
            problem = "must be \(expectedKind(type))"
        case .valueNotFound(let type, let context):
            codingPath = context.codingPath
            problem = "must be \(expectedKind(type)), not empty"
        case .dataCorrupted(let context):
            codingPath = context.codingPath
            problem = context.debugDescription
        case .keyNotFound(let key, let context):
            codingPath = context.codingPath + [key]
            problem = "is required here"
        @unknown default:
            return "\(path): \(error)"
        }
        var node: Node? = root
        var line = root.mark?.line ?? 1
        for key in codingPath {
            if let index = key.intValue, let sequence = node?.sequence, index < sequence.count {
                node = sequence[index]
            } else {
                node = node?.mapping?[key.stringValue]
            }
            if let mark = node?.mark { line = mark.line }
        }
        let name = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
        return "\(path):\(line): setting `\(name)` \(problem)"
    }

    static func expectedKind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int?.Type: "a whole number"
        case is Double.Type, is Double?.Type: "a number"
        case is Bool.Type, is Bool?.Type: "true or false"
        case is String.Type, is String?.Type: "a text"
        case is [String].Type, is [String]?.Type: "a list of texts"
        default: "a value of another kind"
        }
    }

    /// Where each setting the file sets comes from, as `FILE:LINE`, for messages about its values.
    public var origins: [String: String] {
        lines.mapValues { "\(path):\($0)" }
    }

    /// Applies the file's settings to a configuration. Values are checked afterwards, with the flags',
    /// by ``ServerConfiguration/validate()``.
    public func apply(to configuration: inout ServerConfiguration) throws {
        if let database { configuration.databasePath = database }
        if let listen {
            guard let address = ServerConfiguration.parseListen(listen) else {
                throw DaemonError("\(path):\(lines["listen"] ?? 1): setting `listen` must be HOST:PORT, such as 127.0.0.1:8088; got \(listen)")
            }
            configuration.host = address.host
            configuration.port = address.port
        }
        if let allowRemote { configuration.allowsRemote = allowRemote }
        if let rules { configuration.ruleDirectories = rules }
        if let spool { configuration.spoolDirectory = spool }
        if let apiToken, !apiToken.isEmpty { configuration.apiToken = apiToken }
        if let webhook {
            var settings = WebhookConfiguration(url: webhook.url, secret: webhook.secret ?? "")
            if let hours = webhook.giveUpHours { settings.giveUpAfter = hours * 3600 }
            configuration.webhook = settings
        }
        if let maxQueue { configuration.maximumQueueDepth = maxQueue }
        if let maxConnections { configuration.maximumConnections = maxConnections }
        if let idleTimeoutSeconds { configuration.idleTimeout = idleTimeoutSeconds }
        if let batchSize { configuration.batchSize = batchSize }
        if let claimLeaseSeconds { configuration.claimLease = claimLeaseSeconds }
        if let retentionDays { configuration.retentionDays = retentionDays }
        if let akismet {
            if akismet.enabled == false {
                configuration.akismet = nil
            } else {
                var settings = AkismetConfiguration()
                settings.prefix = akismet.prefix ?? ""
                settings.extraKeys = Set(akismet.keys ?? [])
                configuration.akismet = settings
            }
        }
        if let reports {
            if let value = reports.holdAfter { configuration.reports.policy.holdAfter = value }
            if let value = reports.holdAfterUrgent { configuration.reports.policy.holdAfterUrgent = value }
            if let value = reports.perReporterPerHour { configuration.reports.perReporterPerHour = value }
            if let value = reports.perNetworkPerHour { configuration.reports.perNetworkPerHour = value }
        }
        if let ui {
            var settings = configuration.ui ?? WebConfiguration()
            if let value = ui.secureCookies { settings.secureCookies = value }
            if let value = ui.sessionHours { settings.sessionHours = value }
            if let value = ui.siteName { settings.siteName = value }
            if let value = ui.loginAttemptsPerHour { settings.loginsPerAddressPerHour = value }
            if let value = ui.publicURL {
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
                      url.path.isEmpty || url.path == "/", url.query == nil, url.user == nil else {
                    throw DaemonError("\(path):\(lines["ui.public_url"] ?? 1): setting ui.public_url must be the address browsers use, "
                        + "such as https://moderation.example.org; got \(value)")
                }
                settings.publicURL = url
                // Served over HTTPS, the session cookie goes over HTTPS only, unless the file says otherwise.
                if url.scheme?.lowercased() == "https" && ui.secureCookies == nil { settings.secureCookies = true }
            }
            configuration.ui = ui.enabled == true ? settings : nil
            configuration.uiSettings = settings
        }
        if let policy {
            if let hold = policy.holdThreshold { configuration.policy.holdThreshold = hold }
            if let reject = policy.rejectThreshold { configuration.policy.rejectThreshold = reject }
        }
        if let model {
            if let file = model.file { configuration.model.file = file }
            if let value = model.toxicityLean { configuration.model.toxicity.lean = value }
            if let value = model.toxicityHold { configuration.model.toxicity.hold = value }
            if let value = model.toxicityReject { configuration.model.toxicity.reject = value }
            if let value = model.spamLean { configuration.model.spam.lean = value }
            if let value = model.spamHold { configuration.model.spam.hold = value }
            if let value = model.spamReject { configuration.model.spam.reject = value }
            if let value = model.siteLean { configuration.model.site.lean = value }
            if let value = model.siteHold { configuration.model.site.hold = value }
            if let value = model.siteReject { configuration.model.site.reject = value }
        }
        if let premoderateWhileLearning { configuration.classifier.holdsWhileLearning = premoderateWhileLearning }
        if let holdFirstComments { configuration.heuristics.history.holdFirstComments = holdFirstComments }
        if let autoShadow {
            if let share = autoShadow.share {
                configuration.ruleTraffic.maximumShare = share
                configuration.ruleTraffic.isEnabled = share > 0
            }
            if let window = autoShadow.window { configuration.ruleTraffic.window = window }
            if let minimum = autoShadow.minimum { configuration.ruleTraffic.minimumComments = minimum }
            if let reviews = autoShadow.reviews { configuration.ruleTraffic.minimumReviews = reviews }
            if let seconds = autoShadow.recheckSeconds { configuration.ruleTraffic.recheckInterval = seconds }
        }
        if let logLevel { configuration.logLevel = logLevel }
        if let logFormat { configuration.logFormat = logFormat }
    }
}
