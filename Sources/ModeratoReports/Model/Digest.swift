import Foundation

/// What happened to reader comments over a period, for the editor's morning mail: volume, backlog,
/// rules, offenders and pipeline health.
///
/// A digest is plain data, built from the store by `modctl digest` and turned into text, Markdown,
/// HTML or JSON by ``DigestRenderer``. Only the period is required; every other section defaults to
/// "nothing happened".
///
/// ```swift
/// var digest = Digest(start: yesterday, end: now, generatedAt: now, siteName: "The Harbour Gazette")
/// digest.received = 1_234
/// let mail = try DigestRenderer.render(digest, as: .text)
/// ```
///
/// ## JSON schema
///
/// The JSON form (``DigestFormat/json``) is one object with sorted snake_case keys. Dates are ISO 8601
/// strings in UTC, durations are seconds (numbers), shares are fractions from 0 to 1. Every key is always
/// present; an unknown value is `null`.
///
/// Period:
/// - `start`, `end` (date): the period covered, start inclusive, end exclusive.
/// - `generated_at` (date): when the digest was built.
/// - `site_name` (string or null): the website's name, for the heading.
///
/// Volume:
/// - `received` (int): comments received in the period.
/// - `by_verdict` (array): `{verdict, count}` for `approved`, `held`, `rejected`, `queued`.
/// - `by_decider` (array): `{decider, approved, held, rejected}`; `decider` is `pipeline` or a moderator.
/// - `hourly` (array): `{hour, received, approved, held, rejected}`; `hour` is the start of the hour.
/// - `busiest_articles` (array): `{article_id, comments, held, rejected, average_rating, rating_counts}`;
///   `rating_counts` has five counts, for 1 to 5 stars; `average_rating` is null without ratings.
/// - `rating_distribution` (array of 5 ints): comments per rating, 1 to 5 stars.
/// - `average_rating` (number or null): the mean rating of the period.
/// - `rating_alerts` (array): `{article_id, window, extreme_ratings, share_from_new_authors, message}`.
///
/// Backlog:
/// - `held_now` (int): comments waiting for a moderator when the digest was built.
/// - `oldest_held_age` (seconds or null): how long the oldest of them has waited.
/// - `over_sla` (int): held comments older than `sla_hours`.
/// - `sla_hours` (number): the time a moderator should take to decide a held comment.
/// - `median_time_to_decision` (seconds or null): from receipt to a moderator's decision.
/// - `backlog_ages` (array): `{label, count}`, held comments by age (`<1h`, `1–4h`, ..., `>24h`).
///
/// Rules:
/// - `rule_stats` (array): `{rule_id, kind, mode, hits, reviewed, overturned, estimated_precision}`;
///   `kind` is `rule`, `heuristic` or `classifier`, `mode` is `active` or `shadow`, and
///   `estimated_precision` is `1 - overturned / reviewed`, or null when nothing was reviewed.
/// - `rule_errors` (array): `{rule_id, count}`, matching failures such as match-limit errors.
/// - `auto_shadowed` (array): `{rule_id, reason, at}`, rules the traffic monitor put in shadow mode.
/// - `shadow_agreement` (array): `{rule_id, hits, agreed_with_moderators, disagreed}` for shadow rules.
///
/// Offenders:
/// - `top_authors`, `top_networks`, `top_domains` (arrays): `{value, rejected}`.
/// - `blocks_added`, `blocks_expired` (int): block-list entries added and expired in the period.
///
/// Health:
/// - `latency_p50`, `latency_p95`, `latency_p99` (seconds or null): receipt to verdict.
/// - `throughput_per_hour` (number): comments judged per hour.
/// - `pipeline_errors`, `webhook_failures` (int): failures in the period.
/// - `webhook_backlog` (int): webhook deliveries still waiting.
///
/// Derived, written but never read back:
/// - `is_empty` (bool): ``isEmpty``.
/// - `summary` (string): the one-paragraph summary the other formats open with.
public struct Digest: Sendable, Codable, Equatable {
    // MARK: Period

    /// The start of the period, inclusive.
    public var start: Date
    /// The end of the period, exclusive.
    public var end: Date
    /// When the digest was built.
    public var generatedAt: Date
    /// The website's name, shown in the heading. The default is `nil` (no name).
    public var siteName: String?
    /// The zone the human formats show times in (UTC unless given; the JSON is always UTC). Hours are
    /// counted on the hour in UTC, which is the hour in every zone with a whole-hour offset.
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!

    // MARK: Volume

    /// Comments received in the period.
    public var received: Int
    /// Comments of the period by their current verdict: `approved`, `held`, `rejected`, `queued`.
    public var byVerdict: [VerdictCount]
    /// Decisions of the period by who made them: `pipeline` or a moderator's name.
    public var byDecider: [DeciderCount]
    /// Comments per hour of the period, oldest first.
    public var hourly: [HourBucket]
    /// The articles with the most comments, busiest first.
    public var busiestArticles: [ArticleVolume]
    /// Comments per rating, for 1 to 5 stars (five counts).
    public var ratingDistribution: [Int]
    /// The mean rating of the period's comments, or `nil` without comments.
    public var averageRating: Double?
    /// Articles whose ratings look organised: bursts of extreme ratings, many from new authors.
    public var ratingAlerts: [RatingAlert]

    // MARK: Backlog

    /// Comments waiting for a moderator when the digest was built.
    public var heldNow: Int
    /// How long the oldest held comment has waited, or `nil` when nothing is held.
    public var oldestHeldAge: TimeInterval?
    /// Held comments that have waited longer than ``slaHours``.
    public var overSLA: Int
    /// The time a moderator should take to decide a held comment, in hours. The default is 24.
    public var slaHours: Double
    /// The median time from receipt to a moderator's decision, or `nil` without such decisions.
    public var medianTimeToDecision: TimeInterval?
    /// Held comments by how long they have waited, youngest bucket first.
    public var backlogAges: [AgeBucket]

    // MARK: Rules

    /// Hits and moderator reviews per rule, heuristic or classifier, in any order.
    public var ruleStats: [RuleStat]
    /// Rules that failed while matching (for example hit the match limit), with the number of failures.
    public var ruleErrors: [RuleErrorStat]
    /// Rules the traffic monitor switched to shadow mode during the period.
    public var autoShadowed: [ShadowedRule]
    /// How often shadow rules agreed with what moderators decided.
    public var shadowAgreement: [ShadowAgreement]

    // MARK: Offenders

    /// Authors with the most rejected comments.
    public var topAuthors: [Offender]
    /// Networks (IP prefixes) with the most rejected comments.
    public var topNetworks: [Offender]
    /// Link domains with the most rejected comments.
    public var topDomains: [Offender]
    /// Block-list entries added in the period.
    public var blocksAdded: Int
    /// Block-list entries that expired in the period.
    public var blocksExpired: Int

    // MARK: Health

    /// The median time from receipt to verdict, or `nil` without verdicts.
    public var latencyP50: TimeInterval?
    /// The 95th percentile of the time from receipt to verdict.
    public var latencyP95: TimeInterval?
    /// The 99th percentile of the time from receipt to verdict.
    public var latencyP99: TimeInterval?
    /// Comments judged per hour over the period.
    public var throughputPerHour: Double
    /// Comments the pipeline failed to judge.
    public var pipelineErrors: Int
    /// Webhook deliveries that failed.
    public var webhookFailures: Int
    /// Webhook deliveries still waiting when the digest was built.
    public var webhookBacklog: Int

    /// Whether nothing happened: no comment was received and none is waiting.
    public var isEmpty: Bool { received == 0 && heldNow == 0 }

    /// A digest of a period; every section not given is empty.
    public init(
        start: Date,
        end: Date,
        generatedAt: Date,
        siteName: String? = nil,
        received: Int = 0,
        byVerdict: [VerdictCount] = [],
        byDecider: [DeciderCount] = [],
        hourly: [HourBucket] = [],
        busiestArticles: [ArticleVolume] = [],
        ratingDistribution: [Int] = [0, 0, 0, 0, 0],
        averageRating: Double? = nil,
        ratingAlerts: [RatingAlert] = [],
        heldNow: Int = 0,
        oldestHeldAge: TimeInterval? = nil,
        overSLA: Int = 0,
        slaHours: Double = 12,
        medianTimeToDecision: TimeInterval? = nil,
        backlogAges: [AgeBucket] = [],
        ruleStats: [RuleStat] = [],
        ruleErrors: [RuleErrorStat] = [],
        autoShadowed: [ShadowedRule] = [],
        shadowAgreement: [ShadowAgreement] = [],
        topAuthors: [Offender] = [],
        topNetworks: [Offender] = [],
        topDomains: [Offender] = [],
        blocksAdded: Int = 0,
        blocksExpired: Int = 0,
        latencyP50: TimeInterval? = nil,
        latencyP95: TimeInterval? = nil,
        latencyP99: TimeInterval? = nil,
        throughputPerHour: Double = 0,
        pipelineErrors: Int = 0,
        webhookFailures: Int = 0,
        webhookBacklog: Int = 0
    ) {
        self.start = start
        self.end = end
        self.generatedAt = generatedAt
        self.siteName = siteName
        self.received = received
        self.byVerdict = byVerdict
        self.byDecider = byDecider
        self.hourly = hourly
        self.busiestArticles = busiestArticles
        self.ratingDistribution = ratingDistribution
        self.averageRating = averageRating
        self.ratingAlerts = ratingAlerts
        self.heldNow = heldNow
        self.oldestHeldAge = oldestHeldAge
        self.overSLA = overSLA
        self.slaHours = slaHours
        self.medianTimeToDecision = medianTimeToDecision
        self.backlogAges = backlogAges
        self.ruleStats = ruleStats
        self.ruleErrors = ruleErrors
        self.autoShadowed = autoShadowed
        self.shadowAgreement = shadowAgreement
        self.topAuthors = topAuthors
        self.topNetworks = topNetworks
        self.topDomains = topDomains
        self.blocksAdded = blocksAdded
        self.blocksExpired = blocksExpired
        self.latencyP50 = latencyP50
        self.latencyP95 = latencyP95
        self.latencyP99 = latencyP99
        self.throughputPerHour = throughputPerHour
        self.pipelineErrors = pipelineErrors
        self.webhookFailures = webhookFailures
        self.webhookBacklog = webhookBacklog
    }
}
