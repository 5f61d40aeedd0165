import Foundation

/// Asks the daemons serving a store to re-read their rule packs, and waits for an answer: the store
/// signals them (``CommentStore/signalDaemons()``: SIGHUP to the SQLite file's one daemon, a
/// notification to every daemon on PostgreSQL), and a daemon records the outcome (with a new reload id)
/// in the daemon status that `modctl status` shows too.
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
    public static func send(to database: any CommentStore, timeout: TimeInterval = 15) async throws(StoreError) -> Outcome {
        let before = try await database.daemonStatus()["rules_reload_id"]
        try await database.signalDaemons()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            let status = try await database.daemonStatus()
            guard status["rules_reload_id"] != before else { continue }
            if status["rules_reload"] == "ok" { return .reloaded(version: status["rules_version"] ?? "?") }
            return .refused(errors: status["rules_errors"] ?? "")
        }
        throw StoreError(.busy, "moderatod did not report a reload within \(Int(timeout)) s; see its log")
    }
}
