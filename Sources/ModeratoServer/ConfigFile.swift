import Foundation
import Moderation
import Yams

/// The daemon's settings file (`moderatod --config FILE`), in YAML. Every key is optional; what the
/// file sets overrides the defaults, the environment overrides the file, and flags override both.
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
        enum CodingKeys: String, CodingKey {
            case holdThreshold = "hold_threshold"
            case rejectThreshold = "reject_threshold"
        }
    }

    public struct Webhook: Decodable, Sendable {
        public var url: String
        public var secret: String?
        public var giveUpHours: Double?
        enum CodingKeys: String, CodingKey {
            case url, secret
            case giveUpHours = "give_up_hours"
        }
    }

    public struct AutoShadow: Decodable, Sendable {
        public var share: Double?
        public var window: Int?
        public var minimum: Int?
    }

    public struct Akismet: Decodable, Sendable {
        public var enabled: Bool?
        public var prefix: String?
        public var keys: [String]?
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
    public var retentionDays: Double?
    public var akismet: Akismet?
    public var policy: Policy?
    public var premoderateWhileLearning: Bool?
    public var holdFirstComments: Bool?
    public var autoShadow: AutoShadow?
    public var logLevel: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case database, listen, rules, spool, webhook, akismet, policy
        case allowRemote = "allow_remote"
        case apiToken = "api_token"
        case maxQueue = "max_queue"
        case maxConnections = "max_connections"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case batchSize = "batch_size"
        case retentionDays = "retention_days"
        case premoderateWhileLearning = "premoderate_while_learning"
        case holdFirstComments = "hold_first_comments"
        case autoShadow = "auto_shadow"
        case logLevel = "log_level"
    }

    /// Reads and checks a settings file.
    /// - Throws: ``DaemonError`` naming the file, and the line for unknown keys and YAML errors.
    public static func load(path: String) throws -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DaemonError("cannot read the settings file \(path)")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        do {
            if let mapping = try Yams.compose(yaml: text)?.mapping {
                for key in mapping.keys {
                    if let name = key.string, !known.contains(name) {
                        throw DaemonError("\(path):\(key.mark?.line ?? 1): unknown setting `\(name)`; the settings are \(known.sorted().joined(separator: ", "))")
                    }
                }
            } else if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DaemonError("\(path): the settings file must be a YAML mapping such as `listen: 127.0.0.1:8088`")
            }
            return try YAMLDecoder().decode(ConfigFile.self, from: text)
        } catch let error as DaemonError {
            throw error
        } catch let error as YamlError {
            throw DaemonError("\(path): YAML error: \(error)")
        } catch let error as DecodingError {
            throw DaemonError("\(path): \(Self.describe(error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "setting `\(path)`: \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "setting `\(path)` is required here"
        @unknown default:
            return "\(error)"
        }
    }

    /// Applies the file's settings to a configuration.
    public func apply(to configuration: inout ServerConfiguration) throws {
        if let database { configuration.databasePath = database }
        if let listen {
            guard let address = ServerConfiguration.parseListen(listen) else {
                throw DaemonError("settings: listen must be HOST:PORT, such as 127.0.0.1:8088; got \(listen)")
            }
            configuration.host = address.host
            configuration.port = address.port
        }
        if let allowRemote { configuration.allowsRemote = allowRemote }
        if let rules, !rules.isEmpty { configuration.ruleDirectories = rules }
        if let spool { configuration.spoolDirectory = spool }
        if let apiToken, !apiToken.isEmpty { configuration.apiToken = apiToken }
        if let webhook {
            var settings = WebhookConfiguration(url: webhook.url, secret: webhook.secret ?? "")
            if let hours = webhook.giveUpHours { settings.giveUpAfter = hours * 3600 }
            configuration.webhook = settings
        }
        if let maxQueue { configuration.maximumQueueDepth = maxQueue }
        if let maxConnections {
            guard maxConnections >= 1 else { throw DaemonError("settings: max_connections must be at least 1") }
            configuration.maximumConnections = maxConnections
        }
        if let idleTimeoutSeconds {
            guard (1...86_400).contains(idleTimeoutSeconds) else {
                throw DaemonError("settings: idle_timeout_seconds must be from 1 to 86400")
            }
            configuration.idleTimeout = idleTimeoutSeconds
        }
        if let batchSize { configuration.batchSize = batchSize }
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
        if let policy {
            if let hold = policy.holdThreshold { configuration.policy.holdThreshold = hold }
            if let reject = policy.rejectThreshold { configuration.policy.rejectThreshold = reject }
            guard configuration.policy.holdThreshold < configuration.policy.rejectThreshold else {
                throw DaemonError("settings: policy.hold_threshold must be below policy.reject_threshold")
            }
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
        }
    }
}
