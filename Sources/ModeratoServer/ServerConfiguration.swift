import Foundation
import Moderation

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
    /// Settings for every heuristic.
    public var heuristics: HeuristicsConfiguration = HeuristicsConfiguration()
    /// Settings for the learning filter.
    public var classifier: ClassifierConfiguration = ClassifierConfiguration()
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
    /// When a rule that hits too much recent traffic is switched to shadow.
    public var ruleTraffic: RuleTrafficConfiguration = RuleTrafficConfiguration()

    public init() {}

    /// Whether `host` is a loopback address.
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
