import Foundation
import Moderation
import ModerationStore
import ModeratoTestSupport
import Testing

/// The browser queue's accounts, sessions and claims, on both stores.
@Suite struct ModeratorStoreTests {
    static let base = Date(timeIntervalSince1970: 1_795_849_200)

    static func store(_ kind: TestStore, _ label: String) async throws -> (any CommentStore, TemporaryDirectory) {
        let directory = TemporaryDirectory(label)
        let location = kind == .sqlite ? directory.path("moderato.sqlite") : try TestPostgres.freshDatabase(label)
        return (try await StoreLocation.open(location), directory)
    }

    static func account(_ name: String, at time: Date = base) -> ModeratorAccount {
        ModeratorAccount(name: name, passwordHash: "$2b$04$hash-of-\(name)", mustChangePassword: true, createdAt: time, passwordChangedAt: time)
    }

    @Test(arguments: TestStore.available) func accountsAreAddedListedLockedAndRemoved(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind, "accounts")
        _ = directory
        try await store.addModerator(Self.account("bo"))
        try await store.addModerator(Self.account("ann"))
        await #expect(throws: StoreError.self) { try await store.addModerator(Self.account("ann")) }
        #expect(try await store.moderatorAccounts().map(\.name) == ["ann", "bo"])
        #expect(try await store.moderatorAccount(named: "ann") == Self.account("ann"))
        #expect(try await store.moderatorAccount(named: "cy") == nil)

        // Five wrong passwords in a row lock the account for the policy's time; the lock ends by itself.
        let policy = LoginPolicy(maximumFailures: 5, lockout: 900)
        var after: ModeratorAccount?
        for attempt in 1...5 {
            let time = Self.base.addingTimeInterval(Double(attempt))
            let counted = try await store.recordLoginAttempt(named: "ann", policy: policy, at: time)
            #expect(counted?.failedLogins == attempt && counted?.lockedUntil == nil)
            after = try await store.recordLoginFailure(named: "ann", policy: policy, at: time)
        }
        #expect(after?.isLocked(at: Self.base.addingTimeInterval(10)) == true)
        #expect(after?.lockedUntil == Self.base.addingTimeInterval(905))
        // Attempts while locked neither extend the lock nor count.
        let during = try await store.recordLoginAttempt(named: "ann", policy: policy, at: Self.base.addingTimeInterval(600))
        #expect(during?.lockedUntil == Self.base.addingTimeInterval(905) && during?.failedLogins == 5)
        // After it, an attempt starts a new count.
        let later = try await store.recordLoginAttempt(named: "ann", policy: policy, at: Self.base.addingTimeInterval(1000))
        #expect(later?.failedLogins == 1 && later?.lockedUntil == nil)
        #expect(try await store.recordLoginAttempt(named: "nobody", policy: policy, at: Self.base) == nil)
        try await store.recordLoginSuccess(named: "ann", at: Self.base.addingTimeInterval(1001))
        let signedIn = try #require(try await store.moderatorAccount(named: "ann"))
        #expect(signedIn.failedLogins == 0 && signedIn.lastLoginAt == Self.base.addingTimeInterval(1001))
        // Attempts at the same moment, none of them checked yet: the one past the limit is refused.
        for _ in 1...5 { _ = try await store.recordLoginAttempt(named: "bo", policy: policy, at: Self.base) }
        #expect(try await store.recordLoginAttempt(named: "bo", policy: policy, at: Self.base)?.isLocked(at: Self.base) == true)

        // A new password clears failures and the lock and moves the stamp sessions are checked against.
        #expect(try await store.setModeratorPassword(named: "bo", passwordHash: "new", mustChange: false, at: Self.base.addingTimeInterval(60)))
        let reset = try #require(try await store.moderatorAccount(named: "bo"))
        #expect(reset.passwordHash == "new" && !reset.mustChangePassword && reset.failedLogins == 0 && reset.lockedUntil == nil
                && reset.passwordChangedAt == Self.base.addingTimeInterval(60))
        #expect(try await !store.setModeratorPassword(named: "cy", passwordHash: "x", mustChange: false, at: Self.base))
        #expect(try await store.removeModerator(named: "bo"))
        #expect(try await !store.removeModerator(named: "bo"))
        #expect(try await store.moderatorAccounts().map(\.name) == ["ann"])
    }

    @Test(arguments: TestStore.available) func sessionsExpireAndAreCreatedOnce(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind, "sessions")
        _ = directory
        let session = StoredSession(value: Data("{\"moderator\":\"ann\"}".utf8), expiresAt: Self.base.addingTimeInterval(3600))
        #expect(try await store.setSession(key: "k1", session, onlyIfNew: true))
        #expect(try await !store.setSession(key: "k1", session, onlyIfNew: true))
        #expect(try await store.session(key: "k1", at: Self.base) == session)
        // An update without an expiry keeps the one it had.
        let updated = StoredSession(value: Data("{\"moderator\":\"ann\",\"notice\":\"hi\"}".utf8), expiresAt: nil)
        #expect(try await store.setSession(key: "k1", updated, onlyIfNew: false))
        #expect(try await store.session(key: "k1", at: Self.base) == StoredSession(value: updated.value, expiresAt: session.expiresAt))
        // Expired, it reads as absent and is pruned.
        #expect(try await store.session(key: "k1", at: Self.base.addingTimeInterval(3600)) == nil)
        #expect(try await store.setSession(key: "k2", StoredSession(value: Data("{}".utf8), expiresAt: Self.base.addingTimeInterval(7200)), onlyIfNew: true))
        #expect(try await store.pruneSessions(at: Self.base.addingTimeInterval(3601)) == 1)
        #expect(try await store.session(key: "k2", at: Self.base) != nil)
        try await store.removeSession(key: "k2")
        #expect(try await store.session(key: "k2", at: Self.base) == nil)
        // A change written after the session ended (a request that loaded it before sign-out) does not bring it back.
        #expect(try await !store.setSession(key: "k2", updated, onlyIfNew: false))
        #expect(try await store.session(key: "k2", at: Self.base) == nil)
    }

    @Test(arguments: TestStore.available) func aModeratorClaimsOneCommentAtATime(store kind: TestStore) async throws {
        let (store, directory) = try await Self.store(kind, "claims")
        _ = directory
        for id in ["h1", "h2"] {
            _ = try await store.accept([Arrival(Fixtures.comment(id, body: "Comment \(id) about the ferry."))], at: Self.base)
        }
        let queued = try await store.claimQueued(limit: 10, after: nil, worker: "test", lease: 600, at: Self.base)
        try await store.record(queued.map { ($0.key, Judgement(verdict: .held, score: 5, signals: [], reason: "test", rulesetVersion: "t")) },
                               at: Self.base)
        let now = Self.base.addingTimeInterval(10)
        #expect(try await store.claim("h1", moderator: "ann", ttl: 600, at: now) == nil)
        #expect(try await store.claim("h1", moderator: "bo", ttl: 600, at: now) == "ann")
        #expect(try await store.claimNextHeld(moderator: "bo", excluding: [], ttl: 600, at: now)?.externalID == "h2")
        // Looking at another's comment keeps one's own claim.
        #expect(try await store.claim("h1", moderator: "bo", ttl: 600, at: now) == "ann")
        #expect(try await store.claims(at: now) == ["h1": "ann", "h2": "bo"])
        // A moderator holds one claim: ann moving to h2 is refused while bo has it; after it runs out she gets it.
        #expect(try await store.claim("h2", moderator: "ann", ttl: 600, at: now) == "bo")
        #expect(try await store.claim("h2", moderator: "ann", ttl: 600, at: now.addingTimeInterval(601)) == nil)
        #expect(try await store.claims(at: now.addingTimeInterval(601)) == ["h2": "ann"])
        await #expect(throws: StoreError.self) { try await store.claim("nope", moderator: "ann", ttl: 600, at: now) }
    }
}
