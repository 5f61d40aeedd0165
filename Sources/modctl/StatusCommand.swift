import ArgumentParser
import Foundation
import ModerationStore

/// `modctl status`: is the daemon up, and how is the queue doing.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show whether moderatod runs, the queue, the backlog, webhooks and the rules in force.", discussion: "Example:\n  modctl status --json")

    @OptionGroup var store: DatabaseOptions

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open(.readOnly)
            let daemons = try await database.servingDaemons()
            let pid = DaemonLock.holder(forDatabase: store.path)
            let running = !daemons.isEmpty
            let daemon = try await database.daemonStatus()
            let counts = try await database.statusCounts()
            let webhook = try await database.outboxStatus()
            let oldestHeld = try await database.comments(matching: { var filter = CommentFilter(status: .held); filter.limit = 1; return filter }())
                .first?.comment.receivedAt
            struct Report: Encodable {
                var running: Bool; var pid: Int32?; var listen: String?; var queued: Int; var held: Int
                var oldestHeldSeconds: Double?; var webhook: String?; var webhookBacklog: Int; var webhookFailed: Int
                var webhookLastError: String?; var rulesVersion: String?; var rulesErrors: String?
                enum CodingKeys: String, CodingKey {
                    case running, pid, listen, queued, held, webhook
                    case oldestHeldSeconds = "oldest_held_seconds"
                    case webhookBacklog = "webhook_backlog"
                    case webhookFailed = "webhook_failed"
                    case webhookLastError = "webhook_last_error"
                    case rulesVersion = "rules_version"
                    case rulesErrors = "rules_errors"
                }
            }
            let report = Report(running: running, pid: running ? pid : nil, listen: daemon["listen"], queued: counts[.queued] ?? 0,
                                held: counts[.held] ?? 0, oldestHeldSeconds: oldestHeld.map { Date().timeIntervalSince($0) },
                                webhook: daemon["webhook_url"].flatMap { $0.isEmpty ? nil : $0 }, webhookBacklog: webhook.backlog,
                                webhookFailed: webhook.failed, webhookLastError: webhook.lastError, rulesVersion: daemon["rules_version"],
                                rulesErrors: daemon["rules_errors"].flatMap { $0.isEmpty ? nil : $0 })
            if json {
                try Output.json(report)
                return
            }
            if !running {
                Output.line(Output.styled("moderatod is not running", .red) + " for \(database.location)")
            } else if let pid {
                Output.line(Output.styled("moderatod is running", .green) + " (pid \(pid)" + (report.listen.map { ", \($0)" } ?? "") + ")")
            } else {
                Output.line(Output.styled("\(daemons.count) moderatod\(daemons.count == 1 ? " is" : "s are") running", .green)
                    + " on \(database.location): " + daemons.joined(separator: "; "))
            }
            Output.line("queue: \(report.queued) waiting to be judged")
            Output.line("held: \(report.held)" + (oldestHeld.map { ", oldest waiting \(Output.age(since: $0))" } ?? ""))
            if let url = report.webhook {
                Output.line("webhook: \(url) — \(report.webhookBacklog) to deliver, \(report.webhookFailed) given up"
                    + (report.webhookLastError.map { "; last error: \($0)" } ?? ""))
            } else {
                Output.line("webhook: none (the website reads GET /v1/decisions)")
            }
            Output.line("rules: \(report.rulesVersion ?? "unknown")" + (report.rulesErrors.map { "\n" + Output.styled("last reload refused:", .red) + "\n\($0)" } ?? ""))
        }
    }
}
