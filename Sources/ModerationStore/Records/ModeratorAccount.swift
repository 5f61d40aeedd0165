import Foundation

/// A moderator who may sign in to the browser queue. The store keeps only a slow salted hash of the
/// password (made by the web layer with bcrypt); it never sees the password itself.
public struct ModeratorAccount: Sendable, Equatable {
    public var name: String
    public var passwordHash: String
    /// Set for a password made by `modctl moderator add` or `reset-password`: the moderator chooses their
    /// own at the first sign-in.
    public var mustChangePassword: Bool
    public var createdAt: Date
    /// When the password last changed. Sessions opened before it are no longer valid.
    public var passwordChangedAt: Date
    /// Wrong passwords in a row since the last sign-in.
    public var failedLogins: Int
    /// Until when sign-ins are refused after too many wrong passwords.
    public var lockedUntil: Date?
    public var lastLoginAt: Date?

    public init(name: String, passwordHash: String, mustChangePassword: Bool, createdAt: Date, passwordChangedAt: Date,
                failedLogins: Int = 0, lockedUntil: Date? = nil, lastLoginAt: Date? = nil) {
        self.name = name
        self.passwordHash = passwordHash
        self.mustChangePassword = mustChangePassword
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.lastLoginAt = lastLoginAt
    }

    /// Whether sign-ins are refused at `now`.
    public func isLocked(at now: Date) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }

    /// The account once a sign-in attempt starts. The attempt counts as a wrong password until the
    /// password proves right (then ``CommentStore/recordLoginSuccess(named:at:)`` clears the count), so
    /// attempts made at the same moment cannot all pass a check made before any of them failed. A lock
    /// that ran out starts a new count; an attempt past the limit locks the account.
    public func afterLoginAttempt(policy: LoginPolicy, at now: Date) -> ModeratorAccount {
        if isLocked(at: now) { return self }
        var account = self
        if lockedUntil != nil {
            account.failedLogins = 0
            account.lockedUntil = nil
        }
        if account.failedLogins >= policy.maximumFailures {
            account.lockedUntil = now.addingTimeInterval(policy.lockout)
        } else {
            account.failedLogins += 1
        }
        return account
    }

    /// The account after a wrong password (already counted by ``afterLoginAttempt(policy:at:)``): locked
    /// once the count reaches the limit.
    public func afterFailedLogin(policy: LoginPolicy, at now: Date) -> ModeratorAccount {
        var account = self
        if account.lockedUntil == nil && account.failedLogins >= policy.maximumFailures {
            account.lockedUntil = now.addingTimeInterval(policy.lockout)
        }
        return account
    }

    /// A moderator's name: what decisions are recorded under, so the same rules as `modctl --as`.
    public static func validateName(_ name: String) -> String? {
        if name.isEmpty || name.count > 64 { return "a moderator's name has 1 to 64 characters" }
        if name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            return "a moderator's name has no spaces or control characters"
        }
        if name == Decision.systemActor || name == Decision.readersActor {
            return "\(name) is the pipeline's own name; choose another"
        }
        return nil
    }
}

/// How many wrong passwords lock an account, and for how long.
public struct LoginPolicy: Sendable, Equatable {
    public var maximumFailures: Int
    public var lockout: TimeInterval

    public init(maximumFailures: Int = 5, lockout: TimeInterval = 15 * 60) {
        self.maximumFailures = maximumFailures
        self.lockout = lockout
    }
}

/// A browser session's data as the store keeps it: opaque bytes under a key the web layer derives from
/// the cookie (never the cookie itself), until it expires.
public struct StoredSession: Sendable, Equatable {
    public var value: Data
    public var expiresAt: Date?

    public init(value: Data, expiresAt: Date?) {
        self.value = value
        self.expiresAt = expiresAt
    }
}
