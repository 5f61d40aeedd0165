import Foundation
import Moderation
import ModeratoReports

/// Everything Moderato keeps, behind one protocol: the queue, verdicts, decisions and their feed, the
/// history the pipeline looks at, the learning layer's counts, lists and article modes, the webhook
/// outbox, retention and erasure, and the digest's figures.
///
/// Two implementations: ``ModerationDatabase`` (SQLite through GRDB, the embedded default) and
/// ``PostgresStore`` (PostgreSQL through PostgresNIO, for several daemons on one database). The daemon,
/// `modctl` and the reports use only this protocol; SQL lives in the implementations alone. The store
/// records what it is given: it never judges, normalizes or tokenizes (the judging layer does that).
///
/// Open one with ``StoreLocation``.
public protocol CommentStore: CommentHistoryProvider, Sendable {
    /// Where the store is, as the user gave it (a file path, or a `postgres://` URL without its password).
    var location: String { get }

    /// Whether several daemons may serve this store at once (PostgreSQL), rather than one (SQLite).
    var isShared: Bool { get }

    // MARK: The queue

    /// Stores comments in the queue, in one transaction; returns only after the commit.
    /// Re-sending an id is idempotent: the stored comment is left as it is.
    func accept(_ arrivals: [Arrival], at now: Date) async throws(StoreError) -> [AcceptOutcome]

    /// Claims up to `limit` queued comments, oldest first, for this worker to judge. Comments claimed
    /// by another worker whose lease has not expired are skipped. (With one daemon on SQLite, a claim
    /// is the position after `key`: the comments before it are being recorded.)
    func claimQueued(limit: Int, after key: Int64?, worker: String, lease: TimeInterval, at now: Date) async throws(StoreError) -> [QueuedComment]

    /// One comment, if it is still queued.
    func queuedComment(externalID: String) async throws(StoreError) -> QueuedComment?

    /// How many comments wait to be judged.
    func queueDepth() async throws(StoreError) -> Int

    /// Records the pipeline's verdicts for a batch in one transaction (see ``ModerationDatabase/record(_:at:lessons:)``).
    @discardableResult
    func record(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date, lessons: [Int64: Lesson]) async throws(StoreError) -> Int

    /// True once after the in-memory history windows had to leave out comments still inside them.
    func takeWindowsTruncationNotice() -> Bool

    // MARK: Decisions

    @discardableResult
    func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind, reason: String?, note: String?,
                force: Bool, tokens: [UInt64]?, at now: Date) async throws(StoreError) -> Decision
    func decide(_ externalIDs: [String], verdict: Verdict, actor: String, reason: String?, note: String?, force: Bool,
                tokens: [String: [UInt64]], at now: Date) async throws(StoreError) -> [(id: String, result: Result<Decision, StoreError>)]
    @discardableResult
    func rejectAndBlockAuthor(_ externalID: String, actor: String, reason: String, note: String?, force: Bool, tokens: [UInt64]?,
                              at now: Date) async throws(StoreError) -> Decision
    @discardableResult
    func undo(_ externalID: String, actor: String, force: Bool, at now: Date) async throws(StoreError) -> Decision
    /// Decisions after a feed position, oldest first: the website's change feed.
    func decisions(after seq: Int64, limit: Int) async throws(StoreError) -> [DecisionEntry]
    func history(of externalID: String) async throws(StoreError) -> [DecisionEntry]
    func decisionLog(actor: String?, since: Date?, limit: Int) async throws(StoreError) -> [DecisionEntry]

    // MARK: Reading comments

    func details(of externalID: String) async throws(StoreError) -> CommentDetails?
    func comments(withIDs externalIDs: [String]) async throws(StoreError) -> [String: Comment]
    func comments(matching filter: CommentFilter) async throws(StoreError) -> [CommentSummary]
    func commentCount(idPrefix: String, receivedSince start: Date) async throws(StoreError) -> Int
    func humanDecidedComments(since: Date?) async throws(StoreError) -> [StoredComment]
    func judgedComments(since: Date, limit: Int) async throws(StoreError) -> [(comment: StoredComment, systemVerdict: CommentStatus)]
    func statusCounts() async throws(StoreError) -> [CommentStatus: Int]
    func relatedComments(to comment: StoredComment, limit: Int) async throws(StoreError) -> (byAuthor: [StoredComment], byNetwork: [StoredComment])
    func claimNextHeld(moderator: String, excluding excluded: Set<String>, ttl: TimeInterval, at now: Date) async throws(StoreError) -> StoredComment?
    func releaseClaims(moderator: String) async throws(StoreError)
    /// Claims one comment for `moderator` (releasing their other claims), unless another moderator's
    /// claim on it is still running: then returns that moderator's name and claims nothing.
    func claim(_ externalID: String, moderator: String, ttl: TimeInterval, at now: Date) async throws(StoreError) -> String?
    /// Who is looking at which comment now, by comment id.
    func claims(at now: Date) async throws(StoreError) -> [String: String]

    // MARK: Readers' reports

    /// Records a reader's report and, when the open reports on an approved comment reach the policy's
    /// threshold, holds it with a readers' decision, in one transaction (see
    /// ``ModerationDatabase/report(_:_:policy:at:)``).
    /// - Throws: ``StoreError`` `.notFound`.
    func report(_ externalID: String, _ report: ReaderReport, policy: ReportPolicy, at now: Date) async throws(StoreError) -> ReportReceipt
    /// Holds those of these just-judged comments whose open reports, made while they were queued,
    /// reach the threshold.
    func holdReported(keys: [Int64], policy: ReportPolicy, at now: Date) async throws(StoreError) -> [Decision]
    /// A comment's reports, oldest first, with each reporter's standing now.
    func reports(of externalID: String) async throws(StoreError) -> [(report: StoredReport, standing: ReporterStanding)]

    // MARK: Edits

    /// A reader's edit forwarded by the website: the old text kept, the new one judged (see
    /// ``ModerationDatabase/revise(_:body:rating:judgement:revision:at:)``).
    func revise(_ externalID: String, body: String, rating: Int, judgement: Judgement, revision: Int, at now: Date) async throws(StoreError) -> RevisionOutcome
    /// A moderator's edit or redaction (see ``ModerationDatabase/edit(_:body:kind:actor:reason:revision:at:)``).
    func edit(_ externalID: String, body: String, kind: RevisionKind, actor: String, reason: String?, revision: Int,
              at now: Date) async throws(StoreError) -> RevisionOutcome
    /// A comment's revisions, oldest first.
    func revisions(of externalID: String) async throws(StoreError) -> [CommentRevision]

    // MARK: Moderators of the browser queue

    /// Adds an account. - Throws: ``StoreError`` `.conflict` when the name is taken.
    func addModerator(_ account: ModeratorAccount) async throws(StoreError)
    func moderatorAccounts() async throws(StoreError) -> [ModeratorAccount]
    func moderatorAccount(named name: String) async throws(StoreError) -> ModeratorAccount?
    /// Removes an account; its sessions end with it (they name an account that no longer exists).
    func removeModerator(named name: String) async throws(StoreError) -> Bool
    /// Sets a new password hash, clears failures and the lock, and so ends the account's open sessions.
    func setModeratorPassword(named name: String, passwordHash: String, mustChange: Bool, at now: Date) async throws(StoreError) -> Bool
    /// Counts a sign-in attempt as a wrong password until it proves right (see
    /// ``ModeratorAccount/afterLoginAttempt(policy:at:)``); returns the account after, nil for no account.
    func recordLoginAttempt(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount?
    /// After a wrong password: locks the account once the count reached the policy's limit.
    func recordLoginFailure(named name: String, policy: LoginPolicy, at now: Date) async throws(StoreError) -> ModeratorAccount?
    /// Clears the failures after a right password.
    func recordLoginSuccess(named name: String, at now: Date) async throws(StoreError)

    /// Browser sessions, by a key derived from the cookie; expired ones read as absent. Setting one
    /// without an expiry only changes a session that still exists (false when none does).
    func session(key: String, at now: Date) async throws(StoreError) -> StoredSession?
    func setSession(key: String, _ session: StoredSession, onlyIfNew: Bool) async throws(StoreError) -> Bool
    func removeSession(key: String) async throws(StoreError)
    /// Deletes sessions that expired before `now`.
    func pruneSessions(at now: Date) async throws(StoreError) -> Int

    // MARK: The learning layer

    func classifierModel() async throws(StoreError) -> (model: ClassifierModel, version: Int)
    func classifierVersion() async throws(StoreError) -> Int
    func trainClassifier(_ examples: [Lesson]) async throws(StoreError)
    func resetClassifier() async throws(StoreError)
    func classifierStatistics() async throws(StoreError) -> ClassifierStatistics

    // MARK: Rules and the daemon's state

    func ruleStates() async throws(StoreError) -> [String: RuleState]
    func setRuleState(_ state: RuleState?, for ruleID: String) async throws(StoreError)
    func signalStatistics(since: Date) async throws(StoreError) -> [String: RuleStatistics]
    func reviewStatistics(ofSignal name: String, since: Date) async throws(StoreError) -> RuleStatistics
    func setDaemonStatus(_ values: [String: String], at now: Date) async throws(StoreError)
    func daemonStatus() async throws(StoreError) -> [String: String]
    func installationSecret(named name: String) async throws(StoreError) -> [UInt8]
    /// Asks the daemons serving the store to reload their rules.
    /// - Throws: ``StoreError`` `.notFound` when no daemon serves it.
    func signalDaemons() async throws(StoreError)
    /// The daemons serving the store now, described for `modctl status` (empty when none runs).
    func servingDaemons() async throws(StoreError) -> [String]

    // MARK: Lists and articles

    func addListEntry(list: String, kind: String, value: String, reason: String?, by actor: String, expiresAt: Date?,
                      at now: Date) async throws(StoreError)
    func removeListEntry(list: String, kind: String, value: String) async throws(StoreError) -> Bool
    func listEntries(list: String, at now: Date) async throws(StoreError) -> [ListEntry]
    func setArticleMode(_ articleID: String, mode: ArticleMode, by actor: String, at now: Date) async throws(StoreError)
    func articles(limit: Int) async throws(StoreError) -> [ArticleSummary]
    func articleMode(_ articleID: String) async throws(StoreError) -> ArticleMode

    // MARK: The webhook's outbox

    /// Claims deliveries that are due for this worker for `lease` seconds, so each is sent by one daemon.
    func dueDeliveries(at now: Date, limit: Int, worker: String, lease: TimeInterval) async throws(StoreError) -> [PendingDelivery]
    func markDelivered(_ seq: Int64, at now: Date) async throws(StoreError)
    func markAttemptFailed(_ seq: Int64, error message: String, retryAt: Date?, at now: Date) async throws(StoreError)
    func pruneOutbox(finishedBefore cutoff: Date) async throws(StoreError) -> Int
    func outboxStatus() async throws(StoreError) -> OutboxStatus

    // MARK: Retention and erasure

    /// Runs singleton work (retention, pruning) unless another daemon sharing the store is running it
    /// now; returns nil when it was skipped for that reason.
    func exclusively<T: Sendable>(_ work: String, _ body: @Sendable () async throws -> T) async throws -> T?

    /// `progress` hears how many comments were cleaned so far, after each chunk.
    func purgePersonalData(receivedBefore cutoff: Date, progress: @Sendable (Int) -> Void) async throws(StoreError) -> Int
    func export(_ subject: DataSubject) async throws(StoreError) -> AuthorExport
    @discardableResult
    func forget(_ subject: DataSubject) async throws(StoreError) -> Int

    /// Copies the whole database, consistently, into a new file while the daemon keeps running
    /// (SQLite's online backup); `progress` hears the fraction done. PostgreSQL refuses: use `pg_dump`.
    func backup(to path: String, progress: @Sendable (Double) -> Void) async throws(StoreError)

    // MARK: Reports

    /// The digest of a period (everything but the figures worked out from comment text).
    func digest(_ request: DigestRequest) async throws(StoreError) -> DigestFigures
    /// Rebuilds the hourly counts reports read (``HourlyCounts``) and names the tables that changed;
    /// with `onlyCheck`, changes nothing.
    func recount(onlyCheck: Bool) async throws(StoreError) -> [String]
}

/// What a digest covers.
public struct DigestRequest: Sendable {
    public var start: Date
    public var end: Date
    /// "Now", for the backlog.
    public var now: Date
    /// Held comments older than this many hours are over the service level.
    public var slaHours: Double
    public var siteName: String?

    public init(start: Date, end: Date, now: Date, slaHours: Double, siteName: String?) {
        self.start = start
        self.end = end
        self.now = now
        self.slaHours = slaHours
        self.siteName = siteName
    }
}

/// A digest's figures from the store, with the rejected comments' texts for the figures the judging
/// code works out from text (the domains they linked to).
public struct DigestFigures: Sendable {
    public var digest: Digest
    public var rejectedBodies: [String]

    public init(digest: Digest, rejectedBodies: [String]) {
        self.digest = digest
        self.rejectedBodies = rejectedBodies
    }
}

extension CommentStore {
    @discardableResult
    public func decide(_ externalID: String, verdict: Verdict, actor: String, actorKind: Decision.ActorKind = .moderator,
                       reason: String?, note: String? = nil, force: Bool = false, tokens: [UInt64]?,
                       at now: Date) async throws(StoreError) -> Decision {
        try await decide(externalID, verdict: verdict, actor: actor, actorKind: actorKind, reason: reason, note: note, force: force,
                         tokens: tokens, at: now)
    }

    @discardableResult
    public func undo(_ externalID: String, actor: String, at now: Date) async throws(StoreError) -> Decision {
        try await undo(externalID, actor: actor, force: false, at: now)
    }

    @discardableResult
    public func record(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date) async throws(StoreError) -> Int {
        try await record(judgements, at: now, lessons: [:])
    }

    public func setDaemonStatus(_ values: [String: String]) async throws(StoreError) {
        try await setDaemonStatus(values, at: Date())
    }

    public func humanDecidedComments() async throws(StoreError) -> [StoredComment] {
        try await humanDecidedComments(since: nil)
    }

    public func export(author: String) async throws(StoreError) -> AuthorExport {
        try await export(DataSubject(author: author))
    }

    @discardableResult
    public func purgePersonalData(receivedBefore cutoff: Date) async throws(StoreError) -> Int {
        try await purgePersonalData(receivedBefore: cutoff, progress: { _ in })
    }

    @discardableResult
    public func forget(author: String) async throws(StoreError) -> Int {
        try await forget(DataSubject(author: author))
    }

    public func context(for query: HistoryQuery, windows: HistoryWindows) async throws -> CommentContext {
        try await contexts(for: [query], windows: windows)[0]
    }
}
