import Foundation
import GRDB
import Logging
import Moderation
import Synchronization

/// Settings for opening the database.
public struct StoreConfiguration: Sendable {
    /// How long a writer waits for another process's lock before giving up. The default is 10 seconds.
    public var busyTimeout: TimeInterval = 10
    /// Create the file (mode 0600) and its folder when missing. The default is true; `modctl` sets it
    /// to false so a mistyped path is an error, not a new empty database.
    public var createIfMissing: Bool = true
    /// Use `synchronous=FULL` so a committed comment survives a power loss. The default is true.
    public var isDurable: Bool = true
    /// Page cache per connection, in MiB. The indexes a busy queue touches at random (authors,
    /// addresses, text fingerprints) should fit, or every insert and history query reads pages back
    /// from the file. The default is 16 MiB.
    public var cacheMegabytes: Int = 16
    /// What the opener may do to the schema. The default, ``SchemaAccess/migrate``, is the daemon's
    /// (and `modctl migrate`'s); every other command opens with ``SchemaAccess/readWrite`` or
    /// ``SchemaAccess/readOnly``, so a newer `modctl` never changes the schema under a running daemon.
    public var schemaAccess: SchemaAccess = .migrate

    public init() {}
}

/// How a program opens the database's schema.
public enum SchemaAccess: Sendable {
    /// Bring the schema up to date (create it in a new file).
    case migrate
    /// Read and write, but only a schema exactly as new as this build; refuse an older or newer one.
    case readWrite
    /// Read only (SQLite refuses every write), and only a schema exactly as new as this build.
    case readOnly
}

/// The Moderato database: the queue, comments, signals and decisions, in one SQLite file (WAL).
///
/// The daemon and `modctl` open the same file; SQLite's locking and a busy timeout keep them apart.
///
/// ```swift
/// let database = try ModerationDatabase(path: "var/moderato.sqlite")
/// let outcome = try await database.accept([comment], at: Date())
/// ```
public final class ModerationDatabase: Sendable {
    /// The GRDB connection pool.
    let pool: DatabasePool
    /// The path of the database file.
    public let path: String
    /// The comments of the last day, for the judge's windows (see ``StoreHistory``); empty until the
    /// first comment is judged.
    let recentComments = Mutex(RecentComments())
    private let truncationReported = Atomic<Bool>(false)

    /// True once: the first time it is asked after the in-memory windows had to leave out comments
    /// still inside them (more than their capacity within the longest window), so the daemon can say so.
    public func takeWindowsTruncationNotice() -> Bool {
        guard recentComments.withLock({ $0.isTruncated }) else { return false }
        return !truncationReported.exchange(true, ordering: .relaxed)
    }

    /// Opens (and if allowed creates) the database and brings its schema up to date.
    /// - Throws: ``StoreError`` when the file is missing, unreadable, not a database, or newer than this build.
    public init(path: String, configuration: StoreConfiguration = StoreConfiguration()) throws(StoreError) {
        self.path = path
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard configuration.createIfMissing else {
                throw StoreError(.missingDatabase, "no database at \(path); start moderatod first, or pass --database or set MODERATO_DB")
            }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do {
                try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError(.cannotOpen, "cannot create the folder \(folder): \(error.localizedDescription)")
            }
            // Create the file ourselves so it is private from the first byte; SQLite gives the
            // -wal and -shm files the same mode.
            guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StoreError(.cannotOpen, "cannot create the database file \(path); check the folder's permissions")
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.readonly = configuration.schemaAccess == .readOnly
        let cachePages = -1024 * configuration.cacheMegabytes  // negative: KiB rather than pages
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA cache_size = \(cachePages)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if configuration.isDurable && configuration.schemaAccess != .readOnly {
                // DatabasePool sets synchronous=NORMAL on its writer; a 202 promises more than that.
                // Checkpoints every 8,000 WAL pages (32 MB) instead of 1,000: the pages every commit
                // rewrites (the tails of the table and its indexes) are copied into the file once per
                // checkpoint, so fewer checkpoints copy much less (5 to 9% more throughput at full load).
                try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 8000") }
            }
        } catch {
            throw StoreError(.cannotOpen, "cannot open the database \(path): \(Self.describe(error))", cause: error)
        }
        let state = try schemaState()
        switch (state, configuration.schemaAccess) {
        case (.newer, _):
            throw StoreError(.newerSchema, "the database \(path) was written by a newer version of Moderato; upgrade this program")
        case (.current, _):
            break
        case (.older, .migrate), (.empty, .migrate):
            try migrate()
        case (.empty, _):
            throw StoreError(.olderSchema, "\(path) is not a Moderato database yet; start moderatod once, or run `modctl migrate`")
        case (.older(let applied, let known), _):
            throw StoreError(.olderSchema, "the database \(path) has an older schema (\(applied) of \(known) changes); "
                             + "stop moderatod, back it up (`modctl backup`), then run `modctl migrate` or start the newer moderatod")
        }
    }

    /// Where the file's schema stands against this build's.
    public enum SchemaState: Sendable, Equatable {
        /// No Moderato table yet.
        case empty
        /// Some of this build's changes are missing.
        case older(applied: Int, known: Int)
        /// Exactly this build's schema.
        case current
        /// Changes this build does not know.
        case newer
    }

    /// The number of schema changes this build knows.
    public static var schemaVersion: Int { Schema.migrator.migrations.count }

    /// Where the file's schema stands against this build's.
    public func schemaState() throws(StoreError) -> SchemaState {
        let migrator = Schema.migrator
        do {
            return try pool.read { db in
                if try migrator.hasBeenSuperseded(db) { return .newer }
                let applied = try migrator.appliedIdentifiers(db)
                if applied.isEmpty { return .empty }
                if try migrator.hasCompletedMigrations(db) { return .current }
                return .older(applied: applied.count, known: migrator.migrations.count)
            }
        } catch {
            throw StoreError(.cannotOpen, "cannot open the database \(path): \(Self.describe(error))", cause: error)
        }
    }

    private func migrate() throws(StoreError) {
        do {
            try Schema.migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.cannotOpen, "cannot open the database \(path): \(Self.describe(error))", cause: error)
        }
    }

    /// A short description of a database error without statement arguments (which may hold personal data).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }

    /// Wraps any error as a ``StoreError``.
    public static func wrap(_ error: any Error, _ doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(.busy, "the database stayed locked by another process while \(doing); try again", cause: error)
            case .SQLITE_CONSTRAINT:
                return StoreError(.constraint, "the database refused the data while \(doing): \(describe(error))", cause: error)
            default:
                break
            }
        }
        return StoreError(.database, "database error while \(doing): \(describe(error))", cause: error)
    }
}
