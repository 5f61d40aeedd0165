import Foundation
import Judging
import Logging
import Moderation
import ModerationStore
import PCRE2
import ServiceLifecycle
import Synchronization

/// Drains the durable queue: judges comments in batches and records each batch in one transaction.
/// Akismet checks, which need their verdict at once, are judged and recorded here too
/// (``judgeNow(_:extraSignals:)``), so every verdict goes through the same recording, queue
/// accounting, metrics and rule-traffic check.
///
/// On graceful shutdown it finishes the batch in hand and returns. After a crash, comments that were
/// claimed but not recorded are still `queued` and are judged on the next start; recording only
/// touches comments that are still queued, so none is judged twice.
public final class QueueWorker: Service, Sendable {
    let database: any CommentStore
    let pipelines: PipelineController
    let notifier: QueueNotifier
    let batchSize: Int
    /// How long a claim on queued comments lasts (for a store several daemons share).
    let claimLease: TimeInterval
    let judge: CommentJudge
    let depth: QueueDepth?
    /// When readers' reports made while a comment was queued hold it once the pipeline approves it.
    let reportPolicy: ReportPolicy
    let logger: Logger
    /// Which rules hit an implausible share of the traffic, and when each was last looked at.
    private let traffic: Mutex<(monitor: RuleTrafficMonitor, checked: [String: Date])>

    public init(database: any CommentStore, pipelines: PipelineController, notifier: QueueNotifier, batchSize: Int, claimLease: TimeInterval = 60,
                ruleTraffic: RuleTrafficConfiguration = RuleTrafficConfiguration(),
                heuristics: HeuristicsConfiguration = HeuristicsConfiguration(), depth: QueueDepth? = nil,
                reportPolicy: ReportPolicy = .default, logger: Logger) {
        self.database = database
        self.reportPolicy = reportPolicy
        self.depth = depth
        self.judge = CommentJudge(database: database, heuristics: heuristics)
        self.pipelines = pipelines
        self.notifier = notifier
        self.batchSize = batchSize
        self.claimLease = claimLease
        self.traffic = Mutex((RuleTrafficMonitor(configuration: ruleTraffic), [:]))
        self.logger = logger
    }

    public func run() async throws {
        let scratch = MatchScratch()
        await holdReportedLeftOver()
        // Judge whatever a previous run left queued before waiting for news.
        try await drain(scratch: scratch)
        for await _ in notifier.stream.cancelOnGracefulShutdown() {
            try await drain(scratch: scratch)
        }
        logger.info("queue worker stopped")
    }

    /// Judges one queued comment now, out of the queue's order, and records its verdict (an Akismet
    /// check). If the worker recorded it first, nothing is recorded twice.
    public func judgeNow(_ item: QueuedComment, extraSignals: [Signal]) async throws(StoreError) {
        let scratch = MatchScratch()
        let pipeline = pipelines.pipeline
        let judgements = try await judge.judge([item], with: pipeline, scratch: scratch, extraSignals: extraSignals)
        await record(judgements, batch: [item], lessons: CommentJudge.lessons(for: [item], judgements, pipeline: pipeline, scratch: scratch))
        await watchTraffic(batch: [item], judgements)
    }

    /// The pipeline's verdict on an edited text of a judged comment (with the comment's history, as
    /// when it arrived); the caller records it with the edit.
    public func judgeEdit(of stored: StoredComment, body: String, rating: Int) async throws(StoreError) -> Judgement {
        var edited = stored
        edited.body = body
        edited.rating = rating
        let item = QueuedComment(key: stored.key!, comment: edited.comment, receivedAt: stored.receivedAt, stored: edited)
        return try await judge.judge([item], with: pipelines.pipeline, scratch: MatchScratch())[0].judgement
    }

    /// Judges batches until the queue is empty or shutdown begins.
    ///
    /// Two batches overlap: while one batch's verdicts are being written (waiting for the single
    /// writer), the next batch is read and judged. Records still land one batch at a time, in order.
    func drain(scratch: MatchScratch) async throws {
        var recording: Task<Void, Never>?
        var lastInFlight: Int64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch: [QueuedComment]
            do {
                batch = try await database.claimQueued(limit: batchSize, after: lastInFlight, worker: DaemonIdentity.current,
                                                       lease: claimLease, at: Date())
            } catch {
                logger.error("cannot read the queue; retrying in 1 s", metadata: ["error": "\(error.message)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if batch.isEmpty {
                if let inFlight = recording {
                    // Look again once the last batch has landed: a comment it failed to record stays queued.
                    await inFlight.value
                    recording = nil
                    lastInFlight = nil
                    continue
                }
                depth?.set(0)
                return
            }
            await refreshClassifier()
            let pipeline = pipelines.pipeline
            let judgements: [(key: Int64, judgement: Judgement)]
            do {
                judgements = try await judge.judge(batch, with: pipeline, scratch: scratch)
            } catch {
                logger.warning("the database is busy (maintenance?); judging waits and retries in 1 s", metadata: ["error": "\(error.message)"])
                await recording?.value
                recording = nil
                lastInFlight = nil
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if database.takeWindowsTruncationNotice() {
                logger.warning("""
                    more comments arrived within a day than the history windows keep (\(RecentComments.defaultCapacity)); \
                    the oldest are left out, so floods, duplicates and rating bursts look back less far than configured
                    """)
            }
            await recording?.value
            let lessons = CommentJudge.lessons(for: batch, judgements, pipeline: pipeline, scratch: scratch)
            recording = Task { await self.record(judgements, batch: batch, lessons: lessons) }
            lastInFlight = batch.last?.key
            await watchTraffic(batch: batch, judgements)
        }
        // Shutting down: finish the batch in hand.
        await recording?.value
        recording = nil
    }

    /// Counts the rules' hits by source and looks at those hitting an implausible share.
    func watchTraffic(batch: [QueuedComment], _ judgements: [(key: Int64, judgement: Judgement)]) async {
        let now = Date()
        let due = traffic.withLock { traffic -> [(id: String, share: Double)] in
            var candidates: [String: Double] = [:]
            for (item, entry) in zip(batch, judgements) {
                for (id, share) in traffic.monitor.record(hits: entry.judgement.activeRuleHits, network: item.stored.network,
                                                          author: item.comment.author) {
                    candidates[id] = share
                }
            }
            let interval = traffic.monitor.configuration.recheckInterval
            var due: [(id: String, share: Double)] = []
            for (id, share) in candidates.sorted(by: { $0.key < $1.key }) {
                if let last = traffic.checked[id], now.timeIntervalSince(last) < interval { continue }
                traffic.checked[id] = now
                due.append((id, share))
            }
            return due
        }
        for (id, share) in due { await considerShadowing(id, share: share) }
    }

    /// The emergency brake: a rule that hits an implausible share of the traffic's sources is looked
    /// at, and switched to shadow (kept recorded, no longer deciding) only when it may be switched at
    /// all and moderators have overturned most of its recent verdicts.
    func considerShadowing(_ ruleID: String, share: Double) async {
        let now = Date()
        let (configuration, windowSize, sources) = traffic.withLock { ($0.monitor.configuration, $0.monitor.windowSize, $0.monitor.sources) }
        guard let rule = pipelines.pipeline.ruleSet.rule(id: ruleID), configuration.mayShadowAutomatically(rule) else { return }
        let reviews: RuleStatistics
        do {
            reviews = try await database.reviewStatistics(ofSignal: ruleID, since: now.addingTimeInterval(-configuration.reviewPeriod))
        } catch {
            logger.error("cannot read a rule's reviews for the shadow check", metadata: ["rule.id": "\(ruleID)", "error": "\(error.message)"])
            return
        }
        guard configuration.isMisfiring(reviewed: reviews.reviewed, overturned: reviews.overturned) else { return }
        let percent = Int((share * 100).rounded())
        let days = Int((configuration.reviewPeriod / 86_400).rounded())
        let reason = "switched to shadow automatically: it hit \(percent)% of the sources of the last \(windowSize) comments "
            + "(\(sources.networks) networks, \(sources.authors) authors), and moderators overturned \(reviews.overturned) "
            + "of its \(reviews.reviewed) verdicts they reviewed in the last \(days) days"
        logger.warning("rule switched to shadow: it hit many sources and moderators overturned most of its verdicts; check the rule and re-activate it with modctl rules activate",
                       metadata: ["rule.id": "\(ruleID)", "rule.share": "\(percent)%", "rule.reviewed": "\(reviews.reviewed)",
                                  "rule.overturned": "\(reviews.overturned)"])
        do {
            try await database.setRuleState(RuleState(ruleID: ruleID, mode: .shadow, reason: reason, changedBy: Decision.systemActor,
                                                      changedAt: now), for: ruleID)
        } catch {
            logger.error("cannot record the switch to shadow", metadata: ["rule.id": "\(ruleID)", "error": "\(error.message)"])
        }
        traffic.withLock { $0.monitor.forget(ruleID) }
        // In place, on whatever pipeline is in force: a reload meanwhile read the state recorded above.
        pipelines.update { $0.ruleSet = $0.ruleSet.withModes([ruleID: .shadow]) }
        // The other daemons on a shared database reload, and so read the switch too.
        if database.isShared { try? await database.signalDaemons() }
    }

    /// Picks up what the site's learning layer learned from moderators since the last batch.
    func refreshClassifier() async {
        guard pipelines.pipeline.model != nil else { return }
        do {
            let version = try await database.classifierVersion()
            guard version != pipelines.classifierVersion else { return }
            let loaded = try await database.classifierModel()
            pipelines.refreshSiteLayer(loaded.model, version: loaded.version)
            logger.debug("classifier updated", metadata: ["classifier.version": "\(loaded.version)"])
        } catch {
            logger.error("cannot read the classifier; keeping the previous one", metadata: ["error": "\(error.message)"])
        }
    }

    /// Records a batch. While the database is busy (another process holds the write lock past the busy
    /// timeout, as long maintenance may) it waits and tries again, as long as it takes: a busy database
    /// is no reason to change a verdict. If the batch fails for another reason, it records comments one
    /// by one, so that one bad comment is held with an error signal instead of stopping the queue.
    func record(_ judgements: [(key: Int64, judgement: Judgement)], batch: [QueuedComment], lessons: [Int64: Lesson]) async {
        let now = Date()
        defer {
            depth?.add(-batch.count)
            let judgedAt = Date()
            for (item, entry) in zip(batch, judgements) {
                ModeratoMetrics.shared.recordVerdict(entry.judgement, receivedAt: item.receivedAt, judgedAt: judgedAt)
            }
            ModeratoMetrics.shared.recordQueueDepth(depth?.current ?? 0)
        }
        var waitedForLock = false
        while true {
            do {
                try await database.record(judgements, at: now, lessons: lessons)
                for (item, entry) in zip(batch, judgements) {
                    logger.debug("judged", metadata: ["comment.id": "\(item.comment.id)", "verdict": "\(entry.judgement.verdict.rawValue)"])
                }
                if waitedForLock { logger.notice("the database is free again; verdicts recorded") }
                await holdReported(judgements, at: now)
                return
            } catch where error.isTransient && !Task.isCancelled {
                if !waitedForLock {
                    logger.warning("the database is busy (maintenance?); recording waits and retries", metadata: ["error": "\(error.message)"])
                }
                waitedForLock = true
                try? await Task.sleep(for: .seconds(1))
            } catch {
                logger.error("cannot record a batch of verdicts; recording one by one", metadata: ["batch.count": "\(judgements.count)", "error": "\(error.message)"])
                break
            }
        }
        for (item, entry) in zip(batch, judgements) {
            do {
                try await database.record([entry], at: now)
            } catch {
                logger.error("cannot record a verdict; holding the comment", metadata: ["comment.id": "\(item.comment.id)", "error": "\(error.message)"])
                let held = CommentJudge.failed(pipeline: pipelines.pipeline, because: error.message)
                do {
                    try await database.record([(key: entry.key, judgement: held)], at: now)
                } catch {
                    logger.critical("cannot record even a hold; the comment stays queued", metadata: ["comment.id": "\(item.comment.id)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        await holdReported(judgements, at: now)
    }

    /// Published comments whose reports reached the threshold while their hold could not be recorded
    /// (a crash between a verdict and its reports' hold): held at start.
    func holdReportedLeftOver() async {
        var filter = CommentFilter()
        filter.reportedOnly = true
        filter.limit = 1_000
        do {
            let approved = try await database.comments(matching: filter).filter { $0.comment.status == .approved }.compactMap(\.comment.key)
            for hold in try await database.holdReported(keys: approved, policy: reportPolicy, at: Date()) {
                logger.info("readers' reports held an approved comment", metadata: ["comment.key": "\(hold.commentKey)"])
            }
        } catch {
            logger.error("cannot apply the reports left over from the last run", metadata: ["error": "\(error.message)"])
        }
    }

    /// Reports readers sent while comments were queued count once the pipeline approves them.
    func holdReported(_ judgements: [(key: Int64, judgement: Judgement)], at now: Date) async {
        let approved = judgements.filter { $0.judgement.verdict == .approved }.map(\.key)
        do {
            for hold in try await database.holdReported(keys: approved, policy: reportPolicy, at: now) {
                let reason: String = hold.reason ?? ""
                logger.info("readers' reports held an approved comment", metadata: ["comment.key": "\(hold.commentKey)", "reason": "\(reason)"])
            }
        } catch {
            logger.error("cannot apply the reports made while comments were queued", metadata: ["error": "\(error.message)"])
        }
    }
}

extension QueueWorker: CustomStringConvertible {
    // ServiceLifecycle logs services by description; the default would reflect over the whole pipeline.
    public var description: String { "QueueWorker(batchSize: \(batchSize))" }
}
