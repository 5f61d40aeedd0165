import Foundation
import GRDB

extension ModerationDatabase {
    // MARK: Moderator accounts

    public func addModerator(_ account: ModeratorAccount) async throws(StoreError) {
        do {
            try await pool.write { db in
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM moderator WHERE name = ?", arguments: [account.name]) == nil else {
                    throw StoreError(.conflict, "a moderator named \(account.name) already exists")
                }
                try db.execute(sql: """
                    INSERT INTO moderator (name, password_hash, must_change_password, created_at, password_changed_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [account.name, account.passwordHash, account.mustChangePassword, account.createdAt, account.passwordChangedAt])
            }
        } catch {
            throw Self.wrap(error, "adding a moderator")
        }
    }

    public func moderatorAccounts() async throws(StoreError) -> [ModeratorAccount] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM moderator ORDER BY name").map(Self.account)
            }
        } catch {
            throw Self.wrap(error, "reading the moderators")
        }
    }

    public func moderatorAccount(named name: String) async throws(StoreError) -> ModeratorAccount? {
        do {
            return try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM moderator WHERE name = ?", arguments: [name]).map(Self.account)
            }
        } catch {
            throw Self.wrap(error, "reading a moderator")
        }
    }

    public func removeModerator(named name: String) async throws(StoreError) -> Bool {
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM moderator WHERE name = ?", arguments: [name])
                return db.changesCount > 0
            }
        } catch {
            throw Self.wrap(error, "removing a moderator")
        }
    }

    public func setModeratorPassword(named name: String, passwordHash: String, mustChange: Bool, at now: Date) async throws(StoreError) -> Bool {
        do {
            return try await pool.write { db in
                try db.execute(sql: """
                    UPDATE moderator SET password_hash = ?, must_change_password = ?, password_changed_at = ?, failed_logins = 0,
                                         locked_until = NULL
                    WHERE name = ?
                    """, arguments: [passwordHash, mustChange, now, name])
                return db.changesCount > 0
            }
        } catch {
            throw Self.wrap(error, "changing a moderator's password")
        }
    }

    public func recordLoginAttempt(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount? {
        try await updateAccount(named: name, "counting a sign-in attempt") { $0.afterLoginAttempt(policy: policy, at: now) }
    }

    public func recordLoginFailure(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount? {
        try await updateAccount(named: name, "counting a failed sign-in") { $0.afterFailedLogin(policy: policy, at: now) }
    }

    /// Reads an account, changes its sign-in counts and writes them back, in one transaction.
    private func updateAccount(named name: String, _ doing: String,
                               _ change: @escaping @Sendable (ModeratorAccount) -> ModeratorAccount) async throws(StoreError) -> ModeratorAccount? {
        do {
            return try await pool.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM moderator WHERE name = ?", arguments: [name]) else { return nil }
                let account = change(Self.account(row))
                try db.execute(sql: "UPDATE moderator SET failed_logins = ?, locked_until = ? WHERE name = ?",
                               arguments: [account.failedLogins, account.lockedUntil, name])
                return account
            }
        } catch {
            throw Self.wrap(error, doing)
        }
    }

    public func recordLoginSuccess(named name: String, at now: Date) async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: "UPDATE moderator SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE name = ?",
                               arguments: [now, name])
            }
        } catch {
            throw Self.wrap(error, "recording a sign-in")
        }
    }

    private static func account(_ row: Row) -> ModeratorAccount {
        ModeratorAccount(name: row["name"], passwordHash: row["password_hash"], mustChangePassword: row["must_change_password"],
                         createdAt: row["created_at"], passwordChangedAt: row["password_changed_at"], failedLogins: row["failed_logins"],
                         lockedUntil: row["locked_until"], lastLoginAt: row["last_login_at"])
    }

    // MARK: Browser sessions

    public func session(key: String, at now: Date) async throws(StoreError) -> StoredSession? {
        do {
            return try await pool.read { db in
                try Row.fetchOne(db, sql: "SELECT value, expires_at FROM ui_session WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
                                 arguments: [key, now]).map { StoredSession(value: $0["value"], expiresAt: $0["expires_at"]) }
            }
        } catch {
            throw Self.wrap(error, "reading a session")
        }
    }

    public func setSession(key: String, _ session: StoredSession, onlyIfNew: Bool) async throws(StoreError) -> Bool {
        do {
            return try await pool.write { db in
                if !onlyIfNew && session.expiresAt == nil {
                    // A change to a session that has ended (signed out, expired, pruned) does not bring it back.
                    try db.execute(sql: "UPDATE ui_session SET value = ? WHERE key = ?", arguments: [session.value, key])
                    return db.changesCount > 0
                }
                try db.execute(sql: """
                    INSERT INTO ui_session (key, value, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (key) DO \(onlyIfNew ? "NOTHING" : "UPDATE SET value = excluded.value, expires_at = excluded.expires_at")
                    """, arguments: [key, session.value, session.expiresAt])
                return db.changesCount > 0
            }
        } catch {
            throw Self.wrap(error, "saving a session")
        }
    }

    public func removeSession(key: String) async throws(StoreError) {
        do {
            try await pool.write { db in
                try db.execute(sql: "DELETE FROM ui_session WHERE key = ?", arguments: [key])
            }
        } catch {
            throw Self.wrap(error, "ending a session")
        }
    }

    public func pruneSessions(at now: Date) async throws(StoreError) -> Int {
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM ui_session WHERE expires_at <= ?", arguments: [now])
                return db.changesCount
            }
        } catch {
            throw Self.wrap(error, "removing expired sessions")
        }
    }
}
