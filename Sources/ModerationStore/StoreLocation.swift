import Foundation
import Logging

/// Opens the store a `--database` value names: a `postgres://` URL opens ``PostgresStore``, anything
/// else is a SQLite file (``ModerationDatabase``).
public enum StoreLocation {
    /// Opens the store, checking (or with ``SchemaAccess/migrate``, bringing up to date) its schema.
    public static func open(_ value: String, configuration: StoreConfiguration = StoreConfiguration(),
                            logger: Logger = Logger(label: "moderato.store")) async throws(StoreError) -> any CommentStore {
        if PostgresStore.isURL(value) {
            return try await PostgresStore(url: value, access: configuration.schemaAccess, logger: logger)
        }
        return try ModerationDatabase(path: value, configuration: configuration)
    }

    /// Whether the value names a database server rather than a file.
    public static func isServer(_ value: String) -> Bool {
        PostgresStore.isURL(value)
    }
}
