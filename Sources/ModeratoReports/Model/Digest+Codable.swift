import Foundation

// The JSON schema is documented on `Digest`. Keys are spelled out here, not derived with a key
// strategy, so that renaming a property never changes the schema.
extension Digest {
    enum CodingKeys: String, CodingKey {
        case start, end, received, hourly
        case generatedAt = "generated_at"
        case siteName = "site_name"
        case byVerdict = "by_verdict"
        case byDecider = "by_decider"
        case busiestArticles = "busiest_articles"
        case ratingDistribution = "rating_distribution"
        case averageRating = "average_rating"
        case ratingAlerts = "rating_alerts"
        case heldNow = "held_now"
        case oldestHeldAge = "oldest_held_age"
        case overSLA = "over_sla"
        case slaHours = "sla_hours"
        case medianTimeToDecision = "median_time_to_decision"
        case backlogAges = "backlog_ages"
        case ruleStats = "rule_stats"
        case ruleErrors = "rule_errors"
        case autoShadowed = "auto_shadowed"
        case shadowAgreement = "shadow_agreement"
        case topAuthors = "top_authors"
        case topNetworks = "top_networks"
        case topDomains = "top_domains"
        case blocksAdded = "blocks_added"
        case blocksExpired = "blocks_expired"
        case latencyP50 = "latency_p50"
        case latencyP95 = "latency_p95"
        case latencyP99 = "latency_p99"
        case throughputPerHour = "throughput_per_hour"
        case pipelineErrors = "pipeline_errors"
        case webhookFailures = "webhook_failures"
        case webhookBacklog = "webhook_backlog"
    }

    /// Keys that are written for readers of the JSON but never decoded.
    enum DerivedKeys: String, CodingKey {
        case isEmpty = "is_empty"
        case summary
    }

    /// Writes every key, `null` included, so that the schema does not depend on the data.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(siteName, forKey: .siteName)
        try c.encode(received, forKey: .received)
        try c.encode(byVerdict, forKey: .byVerdict)
        try c.encode(byDecider, forKey: .byDecider)
        try c.encode(hourly, forKey: .hourly)
        try c.encode(busiestArticles, forKey: .busiestArticles)
        try c.encode(ratingDistribution, forKey: .ratingDistribution)
        try c.encode(averageRating, forKey: .averageRating)
        try c.encode(ratingAlerts, forKey: .ratingAlerts)
        try c.encode(heldNow, forKey: .heldNow)
        try c.encode(oldestHeldAge, forKey: .oldestHeldAge)
        try c.encode(overSLA, forKey: .overSLA)
        try c.encode(slaHours, forKey: .slaHours)
        try c.encode(medianTimeToDecision, forKey: .medianTimeToDecision)
        try c.encode(backlogAges, forKey: .backlogAges)
        try c.encode(ruleStats, forKey: .ruleStats)
        try c.encode(ruleErrors, forKey: .ruleErrors)
        try c.encode(autoShadowed, forKey: .autoShadowed)
        try c.encode(shadowAgreement, forKey: .shadowAgreement)
        try c.encode(topAuthors, forKey: .topAuthors)
        try c.encode(topNetworks, forKey: .topNetworks)
        try c.encode(topDomains, forKey: .topDomains)
        try c.encode(blocksAdded, forKey: .blocksAdded)
        try c.encode(blocksExpired, forKey: .blocksExpired)
        try c.encode(latencyP50, forKey: .latencyP50)
        try c.encode(latencyP95, forKey: .latencyP95)
        try c.encode(latencyP99, forKey: .latencyP99)
        try c.encode(throughputPerHour, forKey: .throughputPerHour)
        try c.encode(pipelineErrors, forKey: .pipelineErrors)
        try c.encode(webhookFailures, forKey: .webhookFailures)
        try c.encode(webhookBacklog, forKey: .webhookBacklog)

        var derived = encoder.container(keyedBy: DerivedKeys.self)
        try derived.encode(isEmpty, forKey: .isEmpty)
        // The JSON is in UTC, its summary too, whatever zone the human formats use.
        var utc = self
        utc.timeZone = TimeZone(identifier: "UTC")!
        try derived.encode(DigestFacts(utc).summary, forKey: .summary)
    }
}
