import Foundation
import Moderation

/// SQLite as a ``CommentStore``: one daemon per file (``DaemonLock``), so a claim on the queue is the
/// position after the batch being recorded and the outbox needs no lease.
extension ModerationDatabase: CommentStore {
    public var location: String { path }

    public var isShared: Bool { false }

    public func claimQueued(limit: Int, after key: Int64?, worker: String, lease: TimeInterval,
                            at now: Date) async throws(StoreError) -> [QueuedComment] {
        try await queuedComments(limit: limit, after: key)
    }

    public func dueDeliveries(at now: Date, limit: Int, worker: String, lease: TimeInterval) async throws(StoreError) -> [PendingDelivery] {
        try await dueDeliveries(at: now, limit: limit)
    }

    public func contexts(for queries: [HistoryQuery], windows: HistoryWindows) async throws -> [CommentContext] {
        do {
            return try await StoreHistory(database: self).contexts(for: queries, windows: windows)
        } catch {
            throw Self.wrap(error, "reading the history of a batch")
        }
    }

    /// SIGHUP to the process holding the database's lock, as the kernel reports it.
    public func signalDaemons() async throws(StoreError) {
        guard let pid = DaemonLock.holder(forDatabase: path) else {
            throw StoreError(.notFound, "no moderatod is running for \(path) (nothing holds \(DaemonLock.path(forDatabase: path)))")
        }
        guard kill(pid, SIGHUP) == 0 else {
            throw StoreError(.database, "cannot signal moderatod (pid \(pid)): \(String(cString: strerror(errno)))")
        }
    }

    public func servingDaemons() async throws(StoreError) -> [String] {
        DaemonLock.holder(forDatabase: path).map { ["pid \($0)"] } ?? []
    }

    /// One daemon serves a SQLite file: the work always runs.
    public func exclusively<T: Sendable>(_ work: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await body()
    }
}
