import Crypto
import Foundation
import Hummingbird
import Synchronization

/// A local HTTP server that records webhook deliveries, checks their signatures, and can be told to
/// fail, for testing delivery, retries and ordering.
public final class WebhookReceiver: Sendable {
    /// One delivery as received.
    public struct Delivery: Sendable {
        public var body: [String: String]
        /// Whether the signature is the HMAC of `TIMESTAMP.BODY` and the timestamp is at most five
        /// minutes old, as a website must check.
        public var signatureValid: Bool
        public var timestamp: Int?
    }

    struct State {
        var deliveries: [Delivery] = []
        var failuresLeft = 0
        var port = 0
        var redirectsAnswered = 0
    }

    private let state = Mutex(State())
    private let secret: String
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)

    public init(secret: String) {
        self.secret = secret
    }

    /// Starts listening on 127.0.0.1 with a free port.
    public func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let data = Data(buffer.readableBytesView)
            let failing = self.state.withLock { state -> Bool in
                if state.failuresLeft > 0 { state.failuresLeft -= 1; return true }
                return false
            }
            if failing { return Response(status: .serviceUnavailable) }
            func header(_ name: String) -> String? { request.headers.first(where: { $0.name.canonicalName == name })?.value }
            let timestamp = header("x-moderato-timestamp").flatMap(Int.init)
            var signed = Data("\(timestamp ?? 0).".utf8)
            signed.append(data)
            let expected = "sha256=" + HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(self.secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            let fresh = timestamp.map { abs(Int(Date().timeIntervalSince1970) - $0) <= 300 } ?? false
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            let body = object.mapValues { "\($0)" }
            self.state.withLock {
                $0.deliveries.append(Delivery(body: body, signatureValid: fresh && header("x-moderato-signature") == expected, timestamp: timestamp))
            }
            return Response(status: .noContent)
        }
        // A route that sends the delivery elsewhere: a daemon must not follow it.
        router.post("/moved") { _, _ -> Response in
            self.state.withLock { $0.redirectsAnswered += 1 }
            return Response(status: .temporaryRedirect, headers: [.location: "/hook"])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port ?? 0 } })
        let running = Task { try await app.run() }
        task.withLock { $0 = running }
        let deadline = Date().addingTimeInterval(30)
        while port == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard port != 0 else { throw HarnessError("the webhook receiver did not start") }
    }

    public var port: Int { state.withLock { $0.port } }
    public var url: String { "http://127.0.0.1:\(port)/hook" }
    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    /// How many deliveries the redirecting route `/moved` answered.
    public var redirectsAnswered: Int { state.withLock { $0.redirectsAnswered } }

    /// Answers the next `count` deliveries with 503.
    public func fail(next count: Int) {
        state.withLock { $0.failuresLeft = count }
    }

    /// Waits until at least `count` deliveries arrived.
    public func wait(for count: Int, timeout: TimeInterval = 30) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while deliveries.count < count {
            guard Date() < deadline else { throw HarnessError("only \(deliveries.count) of \(count) webhook deliveries arrived") }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    public func stop() {
        task.withLock { $0?.cancel() }
    }
}
