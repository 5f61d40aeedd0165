/// A failure of the store, with a message that says what to do next.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// Stable reasons.
    public enum Code: String, Sendable {
        /// The database file does not exist (and was not to be created).
        case missingDatabase = "missing_database"
        /// The file cannot be opened or is not a Moderato database.
        case cannotOpen = "cannot_open"
        /// The database was written by a newer Moderato.
        case newerSchema = "newer_schema"
        /// The database's schema is older than this build's and the opener may not migrate it.
        case olderSchema = "older_schema"
        /// No comment has that id.
        case notFound = "not_found"
        /// The comment has not been judged yet.
        case stillQueued = "still_queued"
        /// A moderator already decided the comment; only an explicit override changes it.
        case alreadyDecided = "already_decided"
        /// The same id was sent before with different content.
        case conflict
        /// A limit on what one comment may accumulate was reached (``RevisionOutcome/maximumRevisions`` edits).
        case limitReached = "limit_reached"
        /// The database is locked by another process for longer than the busy timeout: retry later.
        case busy
        /// The database refused the data (a constraint of its schema): retrying will not help.
        case constraint
        /// Any other database failure.
        case database
    }

    public var code: Code
    public var message: String
    /// The underlying error, such as a GRDB `DatabaseError`.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }

    /// Whether trying again later may succeed (the database was busy), as opposed to a failure that
    /// will repeat.
    public var isTransient: Bool { code == .busy }
}
