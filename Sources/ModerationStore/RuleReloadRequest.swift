import Foundation

/// Asks the daemon serving a database to re-read its rule packs, and waits for its answer: the daemon
/// holding the database's lock gets SIGHUP, and records the outcome (with a new reload id) in the
/// daemon status that `modctl status` shows too.
public enum RuleReloadRequest {
    /// What the daemon answered.
    public enum Outcome: Sendable, Equatable {
        /// The new rules are active; their version.
        case reloaded(version: String)
        /// The packs have errors; the previous rules stay active.
        case refused(errors: String)
    }

    /// Signals the daemon and waits up to `timeout` for its answer.
    /// - Throws: ``StoreError`` when no daemon serves the database, it cannot be signalled, or it does not answer in time.
    public static func send(to database: ModerationDatabase, timeout: TimeInterval = 15) async throws(StoreError) -> Outcome {
        // Only the process holding the database's lock is signalled, as the kernel reports it.
        guard let pid = DaemonLock.holder(forDatabase: database.path) else {
            throw StoreError(.notFound, "no moderatod is running for \(database.path) (nothing holds \(DaemonLock.path(forDatabase: database.path)))")
        }
        let before = try await database.daemonStatus()["rules_reload_id"]
        guard kill(pid, SIGHUP) == 0 else {
            throw StoreError(.database, "cannot signal moderatod (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            let status = try await database.daemonStatus()
            guard status["rules_reload_id"] != before else { continue }
            if status["rules_reload"] == "ok" { return .reloaded(version: status["rules_version"] ?? "?") }
            return .refused(errors: status["rules_errors"] ?? "")
        }
        throw StoreError(.busy, "moderatod (pid \(pid)) did not report a reload within \(Int(timeout)) s; see its log")
    }
}
