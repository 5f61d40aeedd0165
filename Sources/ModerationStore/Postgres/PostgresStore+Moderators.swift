import Foundation
import Logging
import PostgresNIO

extension PostgresStore {
    // MARK: Moderator accounts

    public func addModerator(_ account: ModeratorAccount) async throws(StoreError) {
        let logger = self.logger
        let added = try await read("adding a moderator") { connection in
            try await connection.row("""
                INSERT INTO moderator (name, password_hash, must_change_password, created_at, password_changed_at)
                VALUES (\(account.name), \(account.passwordHash), \(account.mustChangePassword), \(account.createdAt), \(account.passwordChangedAt))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """, logger: logger) != nil
        }
        if !added { throw StoreError(.conflict, "a moderator named \(account.name) already exists") }
    }

    public func moderatorAccounts() async throws(StoreError) -> [ModeratorAccount] {
        let logger = self.logger
        return try await read("reading the moderators") { connection in
            try await connection.rows("SELECT * FROM moderator ORDER BY name", logger: logger).map(Self.account)
        }
    }

    public func moderatorAccount(named name: String) async throws(StoreError) -> ModeratorAccount? {
        let logger = self.logger
        return try await read("reading a moderator") { connection in
            try await connection.row("SELECT * FROM moderator WHERE name = \(name)", logger: logger).map(Self.account)
        }
    }

    public func removeModerator(named name: String) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("removing a moderator") { connection in
            try await connection.row("DELETE FROM moderator WHERE name = \(name) RETURNING name", logger: logger) != nil
        }
    }

    public func setModeratorPassword(named name: String, passwordHash: String, mustChange: Bool, at now: Date) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("changing a moderator's password") { connection in
            try await connection.row("""
                UPDATE moderator SET password_hash = \(passwordHash), must_change_password = \(mustChange), password_changed_at = \(now),
                                     failed_logins = 0, locked_until = NULL
                WHERE name = \(name) RETURNING name
                """, logger: logger) != nil
        }
    }

    public func recordLoginAttempt(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount? {
        try await updateAccount(named: name, "counting a sign-in attempt") { $0.afterLoginAttempt(policy: policy, at: now) }
    }

    public func recordLoginFailure(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount? {
        try await updateAccount(named: name, "counting a failed sign-in") { $0.afterFailedLogin(policy: policy, at: now) }
    }

    /// Reads an account (locking its row), changes its sign-in counts and writes them back, in one transaction.
    private func updateAccount(named name: String, _ doing: String,
                               _ change: @escaping @Sendable (ModeratorAccount) -> ModeratorAccount) async throws(StoreError) -> ModeratorAccount? {
        let logger = self.logger
        return try await transaction(doing) { connection -> ModeratorAccount? in
            guard let row = try await connection.row("SELECT * FROM moderator WHERE name = \(name) FOR UPDATE", logger: logger) else { return nil }
            let account = change(try Self.account(row))
            try await connection.run("""
                UPDATE moderator SET failed_logins = \(account.failedLogins), locked_until = \(account.lockedUntil) WHERE name = \(name)
                """, logger: logger)
            return account
        }
    }

    public func recordLoginSuccess(named name: String, at now: Date) async throws(StoreError) {
        let logger = self.logger
        try await read("recording a sign-in") { connection in
            try await connection.run("UPDATE moderator SET failed_logins = 0, locked_until = NULL, last_login_at = \(now) WHERE name = \(name)",
                                     logger: logger)
        }
    }

    private static func account(_ row: PostgresRandomAccessRow) throws -> ModeratorAccount {
        ModeratorAccount(name: try row.value("name"), passwordHash: try row.value("password_hash"),
                         mustChangePassword: try row.value("must_change_password"), createdAt: try row.value("created_at"),
                         passwordChangedAt: try row.value("password_changed_at"), failedLogins: try row.value("failed_logins", as: Int.self),
                         lockedUntil: try row.value("locked_until"), lastLoginAt: try row.value("last_login_at"))
    }

    // MARK: Browser sessions

    public func session(key: String, at now: Date) async throws(StoreError) -> StoredSession? {
        let logger = self.logger
        return try await read("reading a session") { connection in
            try await connection.row("""
                SELECT value, expires_at FROM ui_session WHERE key = \(key) AND (expires_at IS NULL OR expires_at > \(now))
                """, logger: logger).map { StoredSession(value: try $0.value("value", as: Data.self), expiresAt: try $0.value("expires_at")) }
        }
    }

    public func setSession(key: String, _ session: StoredSession, onlyIfNew: Bool) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await read("saving a session") { connection in
            if !onlyIfNew && session.expiresAt == nil {
                // A change to a session that has ended (signed out, expired, pruned) does not bring it back.
                return try await connection.row("UPDATE ui_session SET value = \(session.value) WHERE key = \(key) RETURNING key",
                                                 logger: logger) != nil
            }
            if onlyIfNew {
                return try await connection.row("""
                    INSERT INTO ui_session (key, value, expires_at) VALUES (\(key), \(session.value), \(session.expiresAt))
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, logger: logger) != nil
            }
            try await connection.run("""
                INSERT INTO ui_session (key, value, expires_at) VALUES (\(key), \(session.value), \(session.expiresAt))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                """, logger: logger)
            return true
        }
    }

    public func removeSession(key: String) async throws(StoreError) {
        let logger = self.logger
        try await read("ending a session") { connection in
            try await connection.run("DELETE FROM ui_session WHERE key = \(key)", logger: logger)
        }
    }

    public func pruneSessions(at now: Date) async throws(StoreError) -> Int {
        let logger = self.logger
        return try await read("removing expired sessions") { connection in
            try await connection.rows("DELETE FROM ui_session WHERE expires_at <= \(now) RETURNING key", logger: logger).count
        }
    }
}
