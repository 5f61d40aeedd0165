import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import ModerationStore
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Settings for sending decisions to the website.
public struct WebhookConfiguration: Sendable {
    /// Where to POST each decision.
    public var url: String
    /// The key for the `X-Moderato-Signature: sha256=HEX` header: the HMAC-SHA256 of `TIMESTAMP.BODY`,
    /// where TIMESTAMP is the `X-Moderato-Timestamp` header (Unix seconds).
    public var secret: String
    /// Stop retrying a decision this long after it was made. The default is 24 hours.
    public var giveUpAfter: TimeInterval = 86_400
    /// The longest wait between attempts. The default is 10 minutes.
    public var maximumBackoff: TimeInterval = 600
    /// How long one request may take. The default is 10 seconds.
    public var timeout: TimeInterval = 10
    /// How long this daemon's claim on a delivery lasts when several daemons share the database.
    public var claimLease: TimeInterval = 60
    /// How long delivered (and given-up) entries stay in the outbox before they are removed. The
    /// default is 7 days.
    public var outboxRetention: TimeInterval = 7 * 86_400

    /// The URL's scheme, host and port only, for logs and status: a user, password, query or even a
    /// path (as some chat services use) may hold credentials.
    public var shownURL: String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(unparsable URL)"
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let path = components.path.isEmpty || components.path == "/" ? "" : "/…"
        return "\(scheme)://\(host)\(port)\(path)"
    }

    public init(url: String, secret: String) {
        self.url = url
        self.secret = secret
    }
}

/// Delivers every decision (the pipeline's included) to the website's webhook from the outbox table:
/// one POST per decision, in order for each comment, retried with exponential backoff, surviving
/// restarts because the outbox is in the database.
public struct WebhookDelivery: Service, CustomStringConvertible {
    let configuration: WebhookConfiguration
    let database: any CommentStore
    let logger: Logger

    public var description: String { "WebhookDelivery" }

    public init(configuration: WebhookConfiguration, database: any CommentStore, logger: Logger) {
        self.configuration = configuration
        self.database = database
        self.logger = logger
    }

    /// The signature header value for a body sent at `timestamp` (Unix seconds): `sha256=` and the
    /// HMAC-SHA256 of `TIMESTAMP.BODY` with the secret. Signing the time lets the website refuse an old
    /// delivery replayed to it.
    public static func signature(of body: Data, timestamp: Int, secret: String) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    public func run() async throws {
        // Redirects are never followed: a delivery goes to the configured URL or fails, so an answer
        // from the website (or whoever holds its address) cannot send decisions elsewhere.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            try await deliver(with: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    func deliver(with client: HTTPClient) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var lastPrune = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if Date().timeIntervalSince(lastPrune) > 3600 {
                lastPrune = Date()
                do {
                    let database = self.database
                    let cutoff = lastPrune.addingTimeInterval(-configuration.outboxRetention)
                    // On a shared database, one daemon at a time prunes.
                    let removed = try await database.exclusively("outbox pruning") { try await database.pruneOutbox(finishedBefore: cutoff) }
                    if let removed, removed > 0 { logger.info("webhook outbox pruned", metadata: ["outbox.removed": "\(removed)"]) }
                } catch {
                    logger.error("cannot prune the webhook outbox", metadata: ["error": "\((error as? StoreError)?.message ?? "\(error)")"])
                }
            }
            let due: [PendingDelivery]
            do {
                due = try await database.dueDeliveries(at: Date(), limit: 50, worker: DaemonIdentity.current, lease: configuration.claimLease)
            } catch {
                logger.error("cannot read the webhook outbox", metadata: ["error": "\(error.message)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if due.isEmpty {
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            for delivery in due where !Task.isShuttingDownGracefully {
                let entry = delivery.entry
                let body = try encoder.encode(DecisionDocument(entry, includingNote: false))
                let failure = await send(body, client: client)
                let now = Date()
                ModeratoMetrics.shared.recordWebhook(failed: failure != nil)
                if let failure {
                    let age = now.timeIntervalSince(entry.at)
                    let wait = min(configuration.maximumBackoff, pow(2, Double(delivery.attempts)))
                    let givesUp = age + wait > configuration.giveUpAfter
                    logger.warning(givesUp ? "webhook delivery given up" : "webhook delivery failed; will retry",
                                   metadata: ["decision.seq": "\(entry.seq)", "attempts": "\(delivery.attempts + 1)", "error": "\(failure)"])
                    try? await database.markAttemptFailed(entry.seq, error: failure, retryAt: givesUp ? nil : now.addingTimeInterval(wait), at: now)
                } else {
                    try? await database.markDelivered(entry.seq, at: now)
                }
            }
        }
    }

    /// Sends one body; the failure's description, or nil on a 2xx answer.
    func send(_ body: Data, client: HTTPClient) async -> String? {
        do {
            var request = HTTPClientRequest(url: configuration.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "moderatod")
            let timestamp = Int(Date().timeIntervalSince1970)
            request.headers.add(name: "X-Moderato-Timestamp", value: "\(timestamp)")
            request.headers.add(name: "X-Moderato-Signature", value: Self.signature(of: body, timestamp: timestamp, secret: configuration.secret))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .seconds(Int64(configuration.timeout)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let code = Int(response.status.code)
            if (300..<400).contains(code) { return "HTTP \(code): redirects are not followed; configure the webhook's final URL" }
            return (200..<300).contains(code) ? nil : "HTTP \(code)"
        } catch {
            return "\(error)"
        }
    }
}
