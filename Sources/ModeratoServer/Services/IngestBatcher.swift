import Foundation
import Logging
import Moderation
import ModerationStore
import ServiceLifecycle
import Synchronization

/// Commits concurrent submissions together (group commit): while one transaction is being made
/// durable, new comments gather, and the next transaction takes them all. Each request is answered
/// only after the transaction holding its comment has committed.
public final class IngestBatcher: Service, Sendable, CustomStringConvertible {
    struct Pending {
        var arrival: Arrival
        var wakesWorker: Bool
        var continuation: CheckedContinuation<AcceptOutcome, any Error>
    }

    private let database: any CommentStore
    private let notifier: QueueNotifier
    private let depth: QueueDepth
    private let logger: Logger
    private let pending = Mutex<[Pending]>([])
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// The most comments committed in one transaction.
    let maximumBatch = 1_000

    public var description: String { "IngestBatcher" }

    /// Comments received and not yet committed, the batch being committed included.
    public var uncommitted: Int { received.load(ordering: .relaxed) }
    private let received = Atomic<Int>(0)

    public init(database: any CommentStore, notifier: QueueNotifier, depth: QueueDepth, logger: Logger) {
        self.database = database
        self.notifier = notifier
        self.depth = depth
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Stores a comment durably; returns once it is committed.
    /// - Parameter wakesWorker: Whether the queue worker is told (false when the caller judges it at
    ///   once, as an Akismet check does).
    public func accept(_ comment: Comment, wakesWorker: Bool = true) async throws -> AcceptOutcome {
        // The facts the history looks comments up by are worked out here, in the request's task.
        var arrival = Arrival(comment)
        // A comment its caller judges at once is claimed for it, so no worker (of any daemon) takes it meanwhile.
        if !wakesWorker { arrival.claim = (DaemonIdentity.current, 60) }
        return try await withCheckedThrowingContinuation { continuation in
            received.add(1, ordering: .relaxed)
            pending.withLock { $0.append(Pending(arrival: arrival, wakesWorker: wakesWorker, continuation: continuation)) }
            wake.yield()
        }
    }

    public func run() async throws {
        // On shutdown the stream ends after the last wake-up, so everything already received is committed.
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                await commitPending()
            }
            await commitPending()
        } onGracefulShutdown: {
            self.wake.finish()
        }
    }

    private func commitPending() async {
        while true {
            let batch = pending.withLock { queue -> [Pending] in
                let taken = Array(queue.prefix(maximumBatch))
                queue.removeFirst(taken.count)
                return taken
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Pending]) async {
        do {
            let outcomes = try await database.accept(batch.map(\.arrival), at: Date())
            deliver(outcomes, to: batch)
        } catch {
            // One bad comment must not fail the others: commit them one by one.
            logger.warning("a group commit failed; committing its comments one by one", metadata: ["batch.count": "\(batch.count)", "error": "\(error.message)"])
            for item in batch {
                do {
                    let outcome = try await database.accept([item.arrival], at: Date())
                    deliver(outcome, to: [item])
                } catch {
                    received.subtract(1, ordering: .relaxed)
                    item.continuation.resume(throwing: error)
                }
            }
        }
    }

    private func deliver(_ outcomes: [AcceptOutcome], to batch: [Pending]) {
        received.subtract(batch.count, ordering: .relaxed)
        var accepted = 0
        var wakes = false
        for (item, outcome) in zip(batch, outcomes) where outcome == .accepted {
            accepted += 1
            wakes = wakes || item.wakesWorker
        }
        if accepted > 0 {
            depth.add(accepted)
            ModeratoMetrics.shared.recordReceived(accepted)
            ModeratoMetrics.shared.recordQueueDepth(depth.current)
            if wakes { notifier.notify() }
        }
        for (item, outcome) in zip(batch, outcomes) {
            item.continuation.resume(returning: outcome)
        }
    }
}

/// An approximate count of queued comments, kept in memory so every request can check it cheaply.
public final class QueueDepth: Sendable {
    private let value = Atomic<Int>(0)

    public init(_ initial: Int) {
        value.store(initial, ordering: .relaxed)
    }

    public var current: Int { value.load(ordering: .relaxed) }

    public func add(_ count: Int) {
        value.add(count, ordering: .relaxed)
    }

    public func set(_ count: Int) {
        value.store(count, ordering: .relaxed)
    }
}

/// The queue limit every way in shares (the API, the Akismet checks and the spool): comments queued
/// plus those still waiting for their commit, so a slow disk cannot pile them up in memory either.
public struct Backpressure: Sendable {
    let depth: QueueDepth
    let batcher: IngestBatcher
    let maximum: Int

    public init(depth: QueueDepth, batcher: IngestBatcher, maximum: Int) {
        self.depth = depth
        self.batcher = batcher
        self.maximum = maximum
    }

    /// Comments queued or waiting for their commit.
    public var waiting: Int { depth.current + batcher.uncommitted }

    public var isFull: Bool { waiting >= maximum }

    /// The 503 asking a client to come back, with `Retry-After`.
    func refusal(code: String = "queue_full", message: String? = nil) -> APIError {
        var error = APIError(.serviceUnavailable, code: code,
                             message: message ?? "\(waiting) comments are waiting to be judged; retry shortly.")
        error.headers[.retryAfter] = "5"
        return error
    }
}
