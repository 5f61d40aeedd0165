import Foundation
import ModeratoReports
import Testing

@Suite struct JSONDigestRendererTests {
    @Test func readsBackAsTheSameDigest() throws {
        let json = try DigestRenderer.render(DigestFixtures.sample, as: .json)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(Digest.self, from: Data(json.utf8))
        #expect(decoded == DigestFixtures.sample)
    }

    @Test func writesEveryKeyWithSnakeCase() throws {
        let json = try DigestRenderer.render(DigestFixtures.empty, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == [
            "auto_shadowed", "average_rating", "backlog_ages", "blocks_added", "blocks_expired", "busiest_articles",
            "by_decider", "by_verdict", "end", "generated_at", "held_now", "hourly", "is_empty", "latency_p50",
            "latency_p95", "latency_p99", "median_time_to_decision", "oldest_held_age", "over_sla", "pipeline_errors",
            "rating_alerts", "rating_distribution", "received", "rule_errors", "rule_stats", "shadow_agreement",
            "site_name", "sla_hours", "start", "summary", "throughput_per_hour", "top_authors", "top_domains",
            "top_networks", "webhook_backlog", "webhook_failures",
        ])
    }

    @Test func refusesNumbersJSONCannotHold() {
        var digest = DigestFixtures.sample
        digest.throughputPerHour = .infinity
        #expect {
            try DigestRenderer.render(digest, as: .json)
        } throws: { error in
            let error = error as? DigestRenderingError
            return error?.code == .unrepresentableValue && error?.format == .json
                && error?.message.contains("throughput_per_hour") == true
        }
        // The human formats never fail.
        for format in DigestFormat.allCases where format != .json {
            #expect(throws: Never.self) { try DigestRenderer.render(digest, as: format) }
        }
    }
}
