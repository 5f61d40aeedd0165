import Foundation
import GRDB
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

    /// SQLite's online backup, a few hundred pages at a time so the daemon's writes go on meanwhile.
    /// The new file is private (0600) and must not exist yet.
    public func backup(to destination: String, progress: @Sendable (Double) -> Void) async throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw StoreError(.cannotOpen, "\(destination) exists already; give a new file name")
        }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.cannotOpen, "cannot create \(destination); check that its folder exists and is writable")
        }
        do {
            let target = try DatabaseQueue(path: destination)
            try withoutActuallyEscaping(progress) { progress in
                try pool.backup(to: target, pagesPerStep: 256) { step in
                    progress(step.totalPageCount == 0 ? 1 : Double(step.completedPageCount) / Double(step.totalPageCount))
                }
            }
            try target.close()
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            throw Self.wrap(error, "backing up the database")
        }
    }
}
