import Foundation
import Moderation
import Prometheus
import Synchronization

/// The daemon's metrics, named and described as Prometheus's naming guide asks (`moderato_` prefix,
/// base units, `_total` on counters, `_seconds` on durations, HELP on every metric), and exposed by
/// `GET /metrics`:
///
/// | Metric | Type | What |
/// |---|---|---|
/// | `moderato_comments_received_total` | counter | comments accepted into the queue (API, spool, Akismet) |
/// | `moderato_verdicts_total{status}` | counter | verdicts recorded, by status |
/// | `moderato_receipt_to_verdict_seconds` | histogram | time from receipt to verdict |
/// | `moderato_queue_depth` | gauge | comments waiting to be judged |
/// | `moderato_held_comments` | gauge | comments held for a moderator (read at each scrape) |
/// | `moderato_oldest_held_age_seconds` | gauge | how long the oldest held comment has waited (read at each scrape) |
/// | `moderato_rule_errors_total{rule}` | counter | rules that failed on a comment (match limits), and pipeline errors |
/// | `moderato_webhook_deliveries_total{result}` | counter | webhook delivery attempts, `delivered` or `failed` |
/// | `moderato_http_requests_total{method,route,status}` | counter | HTTP requests answered |
/// | `moderato_http_request_duration_seconds{method,route}` | histogram | time to answer them |
/// | `moderato_http_requests_in_flight` | gauge | requests being answered |
public final class ModeratoMetrics: Sendable {
    /// The process's metrics.
    public static let shared = ModeratoMetrics()

    public let registry: PrometheusCollectorRegistry
    private let received: Counter
    private let receiptToVerdict: ValueHistogram
    private let queueDepth: Gauge
    private let held: Gauge
    private let oldestHeldAge: Gauge
    private let inFlight: Gauge

    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "moderato", metricName: name, unitName: unit, helpText: help)
    }

    static var verdicts: MetricNameDescriptor { name("verdicts", "total", "Verdicts recorded by the pipeline, by status.") }
    static var ruleErrors: MetricNameDescriptor { name("rule_errors", "total", "Rules that failed on a comment (match limits) and pipeline errors, by rule.") }
    static var webhook: MetricNameDescriptor { name("webhook_deliveries", "total", "Webhook delivery attempts, by result.") }
    static var httpRequests: MetricNameDescriptor { name("http_requests", "total", "HTTP requests answered, by method, route and status.") }
    static var httpDuration: MetricNameDescriptor { name("http_request_duration", "seconds", "Time to answer an HTTP request, in seconds.") }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        received = registry.makeCounter(descriptor: Self.name("comments_received", "total",
                                                              "Comments accepted into the queue (HTTP API, spool and Akismet checks)."))
        receiptToVerdict = registry.makeValueHistogram(descriptor: Self.name("receipt_to_verdict", "seconds",
                                                                             "Time from a comment's receipt to its verdict, in seconds."),
                                                       buckets: Self.latencyBuckets)
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", "", "Comments waiting to be judged."))
        held = registry.makeGauge(descriptor: Self.name("held_comments", "", "Comments held for a moderator."))
        oldestHeldAge = registry.makeGauge(descriptor: Self.name("oldest_held_age", "seconds",
                                                                 "How long the oldest held comment has waited for a moderator, in seconds."))
        inFlight = registry.makeGauge(descriptor: Self.name("http_requests_in_flight", "", "HTTP requests being answered."))
    }

    func recordVerdict(_ judgement: Judgement, receivedAt: Date, judgedAt: Date) {
        registry.makeCounter(descriptor: Self.verdicts, labels: [("status", judgement.verdict.rawValue)]).increment()
        receiptToVerdict.record(max(0, judgedAt.timeIntervalSince(receivedAt)))
        for signal in judgement.signals where signal.isRuleError || signal.source == .pipeline {
            registry.makeCounter(descriptor: Self.ruleErrors, labels: [("rule", signal.name)]).increment()
        }
    }

    func recordQueueDepth(_ depth: Int) {
        queueDepth.set(Double(depth))
    }

    func recordWebhook(failed: Bool) {
        registry.makeCounter(descriptor: Self.webhook, labels: [("result", failed ? "failed" : "delivered")]).increment()
    }

    func recordReceived(_ count: Int) {
        received.increment(by: Int64(count))
    }

    func recordHeld(count: Int, oldestReceivedAt: Date?, now: Date = Date()) {
        held.set(Double(count))
        oldestHeldAge.set(oldestReceivedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    func requestStarted() { inFlight.increment() }

    func requestFinished(method: String, route: String, status: Int, seconds: Double) {
        inFlight.decrement()
        registry.makeCounter(descriptor: Self.httpRequests, labels: [("method", method), ("route", route), ("status", "\(status)")]).increment()
        registry.makeValueHistogram(descriptor: Self.httpDuration, labels: [("method", method), ("route", route)],
                                    buckets: Self.latencyBuckets).record(seconds)
    }
}
