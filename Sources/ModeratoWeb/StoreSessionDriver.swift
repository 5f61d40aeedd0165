import Crypto
import Foundation
import Hummingbird
import ModerationStore

/// Keeps browser sessions in Moderato's own store, so they survive a restart and every daemon on a
/// shared PostgreSQL database knows them. Keys are stored as their SHA-256, so reading the database
/// does not give anyone a session cookie.
struct StoreSessionDriver: PersistDriver {
    let store: any CommentStore

    static func storedKey(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await store.setSession(key: Self.storedKey(key), try Self.stored(value, expires: expires), onlyIfNew: true) else {
            throw PersistError.duplicate
        }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        _ = try await store.setSession(key: Self.storedKey(key), try Self.stored(value, expires: expires), onlyIfNew: false)
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        let now = Date()
        guard let session = try await store.session(key: Self.storedKey(key), at: now) else { return nil }
        guard let object = try? JSONDecoder().decode(Object.self, from: session.value) else { throw PersistError.invalidConversion }
        return (object, session.expiresAt.map { .seconds(max(0, $0.timeIntervalSince(now))) })
    }

    func remove(key: String) async throws {
        try await store.removeSession(key: Self.storedKey(key))
    }

    private static func stored(_ value: some Encodable, expires: Duration?) throws -> StoredSession {
        StoredSession(value: try JSONEncoder().encode(value), expiresAt: expires.map { Date().addingTimeInterval(TimeInterval($0.components.seconds)) })
    }
}
