import Foundation
import Logging
import Moderation
import ModerationStore
import PCRE2
import ServiceLifecycle

/// Drains the durable queue: judges comments in batches and records each batch in one transaction.
///
/// On graceful shutdown it finishes the batch in hand and returns. After a crash, comments that were
/// claimed but not recorded are still `queued` and are judged on the next start; recording only
/// touches comments that are still queued, so none is judged twice.
public struct QueueWorker: Service {
    let database: ModerationDatabase
    let pipelines: PipelineHolder
    let notifier: QueueNotifier
    let batchSize: Int
    let ruleTraffic: RuleTrafficConfiguration
    let judge: CommentJudge
    let depth: QueueDepth?
    let logger: Logger

    public init(database: ModerationDatabase, pipelines: PipelineHolder, notifier: QueueNotifier, batchSize: Int,
                ruleTraffic: RuleTrafficConfiguration = RuleTrafficConfiguration(),
                heuristics: HeuristicsConfiguration = HeuristicsConfiguration(), depth: QueueDepth? = nil, logger: Logger) {
        self.database = database
        self.depth = depth
        self.judge = CommentJudge(database: database, heuristics: heuristics)
        self.pipelines = pipelines
        self.notifier = notifier
        self.batchSize = batchSize
        self.ruleTraffic = ruleTraffic
        self.logger = logger
    }

    public func run() async throws {
        let scratch = MatchScratch()
        var monitor = RuleTrafficMonitor(configuration: ruleTraffic)
        // Judge whatever a previous run left queued before waiting for news.
        try await drain(scratch: scratch, monitor: &monitor)
        for await _ in notifier.stream.cancelOnGracefulShutdown() {
            try await drain(scratch: scratch, monitor: &monitor)
        }
        logger.info("queue worker stopped")
    }

    /// Judges batches until the queue is empty or shutdown begins.
    ///
    /// Two batches overlap: while one batch's verdicts are being written (waiting for the single
    /// writer), the next batch is read and judged. Records still land one batch at a time, in order.
    func drain(scratch: MatchScratch, monitor: inout RuleTrafficMonitor) async throws {
        var checked: [String: Date] = [:]
        var recording: Task<Void, Never>?
        var lastInFlight: Int64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch: [QueuedComment]
            do {
                batch = try await database.queuedComments(limit: batchSize, after: lastInFlight)
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
            recording = Task { await self.record(judgements, batch: batch) }
            lastInFlight = batch.last?.key
            var candidates: [String: Double] = [:]
            for (item, entry) in zip(batch, judgements) {
                for (id, share) in monitor.record(hits: entry.judgement.activeRuleHits, network: item.stored.network,
                                                  author: item.comment.author) {
                    candidates[id] = share
                }
            }
            for (id, share) in candidates.sorted(by: { $0.key < $1.key }) {
                await considerShadowing(id, share: share, monitor: &monitor, checked: &checked)
            }
        }
        // Shutting down: finish the batch in hand.
        await recording?.value
        recording = nil
    }

    var learningConfidence: Double? {
        guard let configuration = pipelines.pipeline.model?.siteLayer.configuration, configuration.learnsFromAutomaticVerdicts else { return nil }
        return configuration.automaticConfidence
    }

    /// The emergency brake: a rule that hits an implausible share of the traffic's sources is looked
    /// at, and switched to shadow (kept recorded, no longer deciding) only when it may be switched at
    /// all and moderators have overturned most of its recent verdicts.
    func considerShadowing(_ ruleID: String, share: Double, monitor: inout RuleTrafficMonitor, checked: inout [String: Date]) async {
        let now = Date()
        let configuration = monitor.configuration
        if let last = checked[ruleID], now.timeIntervalSince(last) < configuration.recheckInterval { return }
        checked[ruleID] = now
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
        let sources = monitor.sources
        let days = Int((configuration.reviewPeriod / 86_400).rounded())
        let reason = "switched to shadow automatically: it hit \(percent)% of the sources of the last \(monitor.windowSize) comments "
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
        monitor.forget(ruleID)
        var pipeline = pipelines.pipeline
        pipeline.ruleSet = pipeline.ruleSet.withModes([ruleID: .shadow])
        pipelines.replace(with: pipeline)
    }

    /// Picks up what the site's learning layer learned from moderators since the last batch.
    func refreshClassifier() async {
        guard pipelines.pipeline.model != nil else { return }
        do {
            let version = try await database.classifierVersion()
            guard version != pipelines.classifierVersion else { return }
            let loaded = try await database.classifierModel()
            var pipeline = pipelines.pipeline
            pipeline.model?.siteLayer.counts = loaded.model
            pipelines.replace(with: pipeline, classifierVersion: loaded.version)
            logger.debug("classifier updated", metadata: ["classifier.version": "\(loaded.version)"])
        } catch {
            logger.error("cannot read the classifier; keeping the previous one", metadata: ["error": "\(error.message)"])
        }
    }

    /// Records a batch. While the database is busy (another process holds the write lock past the busy
    /// timeout, as long maintenance may) it waits and tries again, as long as it takes: a busy database
    /// is no reason to change a verdict. If the batch fails for another reason, it records comments one
    /// by one, so that one bad comment is held with an error signal instead of stopping the queue.
    func record(_ judgements: [(key: Int64, judgement: Judgement)], batch: [QueuedComment]) async {
        let now = Date()
        defer {
            depth?.add(-batch.count)
            let judgedAt = Date()
            for (item, entry) in zip(batch, judgements) {
                ModeratoMetrics.recordVerdict(entry.judgement, receivedAt: item.receivedAt, judgedAt: judgedAt)
            }
            ModeratoMetrics.recordQueueDepth(depth?.current ?? 0)
        }
        var waitedForLock = false
        while true {
            do {
                try await database.record(judgements, at: now, learningConfidence: learningConfidence)
                for (item, entry) in zip(batch, judgements) {
                    logger.debug("judged", metadata: ["comment.id": "\(item.comment.id)", "verdict": "\(entry.judgement.verdict.rawValue)"])
                }
                if waitedForLock { logger.notice("the database is free again; verdicts recorded") }
                return
            } catch where error.isTransient && !Task.isCancelled {
                if !waitedForLock {
                    logger.warning("the database is busy (maintenance?); recording waits and retries", metadata: ["error": "\(error.message)"])
                }
                waitedForLock = true
                try? await Task.sleep(for: .seconds(1))
            } catch {
                logger.error("cannot record a batch of \(judgements.count) verdicts; recording one by one", metadata: ["error": "\(error.message)"])
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
    }
}

extension QueueWorker: CustomStringConvertible {
    // ServiceLifecycle logs services by description; the default would reflect over the whole pipeline.
    public var description: String { "QueueWorker(batchSize: \(batchSize))" }
}
