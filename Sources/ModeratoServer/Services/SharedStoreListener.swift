import Foundation
import Logging
import ModerationStore
import ServiceLifecycle

/// For daemons sharing a PostgreSQL database: wakes the queue worker when any daemon accepts comments
/// (`LISTEN moderato_queue`), reloads the rules when `modctl rules reload` asks (`LISTEN
/// moderato_reload`), and wakes the worker every few seconds in any case, so comments a crashed
/// daemon had claimed are judged once their lease ends; at each of those polls the daemon's count of
/// waiting comments (for backpressure) is read from the store, and the hourly counts' pending changes
/// are folded in (one daemon at a time). A lost connection is retried.
struct SharedStoreListener: Service, CustomStringConvertible {
    let store: PostgresStore
    let notifier: QueueNotifier
    let reloader: RuleReloader
    /// The daemon's count of waiting comments, which other daemons' work changes: set from the store at each poll.
    let depth: QueueDepth
    let logger: Logger
    /// How often the worker looks at the queue without being told.
    var pollInterval: Duration = .seconds(5)

    var description: String { "SharedStoreListener" }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            let notifier = self.notifier
            let reloader = self.reloader
            group.addTask { await keepListening("moderato_queue") { try await store.queueNotifications { notifier.notify() } } }
            group.addTask { await keepListening("moderato_reload") { try await store.reloadRequests { await reloader.reload() } } }
            let depth = self.depth
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    if let waiting = try? await store.queueDepth() { depth.set(waiting) }
                    do {
                        try await store.settleCounts()
                    } catch {
                        logger.warning("Could not fold the hourly counts' changes; reports still count them", metadata: ["error": "\(error)"])
                    }
                    notifier.notify()
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func keepListening(_ channel: String, _ listen: @Sendable () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await listen()
            } catch {
                if Task.isCancelled { return }
                logger.warning("lost the PostgreSQL notifications; listening again in 1 s", metadata: ["channel": "\(channel)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
