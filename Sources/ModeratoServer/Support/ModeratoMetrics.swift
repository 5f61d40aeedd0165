import Foundation
import Metrics
import Moderation

/// The daemon's own metrics, through swift-metrics (exposed by `GET /metrics` in Prometheus format):
/// verdicts, queue depth, receipt-to-verdict latency, rule errors and webhook failures. HTTP requests
/// by route and status come from Hummingbird's metrics middleware.
enum ModeratoMetrics {
    static func recordVerdict(_ judgement: Judgement, receivedAt: Date, judgedAt: Date) {
        Counter(label: "moderato_verdicts_total", dimensions: [("verdict", judgement.verdict.rawValue)]).increment()
        Timer(label: "moderato_receipt_to_verdict_seconds").recordSeconds(max(0, judgedAt.timeIntervalSince(receivedAt)))
        for signal in judgement.signals where signal.isRuleError || signal.source == .pipeline {
            Counter(label: "moderato_rule_errors_total", dimensions: [("rule", signal.name)]).increment()
        }
    }

    static func recordQueueDepth(_ depth: Int) {
        Gauge(label: "moderato_queue_depth").record(depth)
    }

    static func recordWebhook(failed: Bool) {
        Counter(label: failed ? "moderato_webhook_failures_total" : "moderato_webhook_deliveries_total").increment()
    }

    static func recordAccepted(_ count: Int) {
        Counter(label: "moderato_comments_accepted_total").increment(by: count)
    }
}
