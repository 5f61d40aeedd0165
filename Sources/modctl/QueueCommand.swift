import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl queue`: the held comments, oldest first, or the reported ones, most reported first.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List held comments, oldest first (or reported ones, most reported first).",
        discussion: "Examples:\n  modctl queue --article news-42 --older-than 2h\n  modctl queue --reported")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Only comments on this article.")
    var article: String?

    @Option(help: "Only comments by this author.")
    var author: String?

    @Option(help: "Only comments this rule or heuristic fired on.")
    var rule: String?

    @Option(help: "Only comments older than this (30m, 12h, 2d).")
    var olderThan: String?

    @Flag(help: "List comments readers reported that no moderator has ruled on since (held or published), most reported first.")
    var reported = false

    @Option(help: "Show at most this many comments.")
    var limit = 50

    @Flag(help: "Print {\"comments\": [...]} as JSON.")
    var json = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        if let olderThan, TimeArguments.duration(olderThan) == nil { throw ValidationError("--older-than must be a length such as 12h or 2d") }
    }

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open(.readOnly)
            var filter = CommentFilter(status: .held)
            filter.articleID = article
            filter.author = author
            filter.signalName = rule
            filter.limit = limit
            filter.reportedOnly = reported
            filter.receivedBefore = olderThan.flatMap(TimeArguments.duration).map { Date().addingTimeInterval(-$0) }
            let comments = try await database.comments(matching: filter)
            if json {
                struct Listing: Encodable { var comments: [CommentJSON] }
                try Output.json(Listing(comments: comments.map { CommentJSON($0.comment, reasons: $0.reasons, reports: $0.reports, includePersonalData: false) }))
                return
            }
            if reported {
                guard !comments.isEmpty else {
                    Output.line(Output.styled("No reported comments waiting for a moderator.", .green))
                    return
                }
                let held = comments.filter { $0.comment.status == .held }.count
                Output.line(Output.styled("\(comments.count) reported\(comments.count == limit ? " (showing \(limit))" : "") · "
                    + "\(held) held, \(comments.count - held) still published", .bold))
            } else {
                let total = try await database.statusCounts()[.held] ?? 0
                guard let oldest = comments.first else {
                    Output.line(Output.styled("No held comments. The queue is clear.", .green))
                    return
                }
                let shown = comments.count < total ? " (showing \(comments.count))" : ""
                Output.line(Output.styled("\(total) held\(shown) · oldest waiting \(Output.age(since: oldest.comment.receivedAt))", .bold))
            }
            let width = Output.width
            let fixed = 12 + 1 + 7 + 1 + 12 + 1 + 12 + 1 + 5 + 1 + 22 + 1
            let excerptWidth = max(10, width - fixed)
            Output.line(Output.styled(Output.cell("ID", 12) + " " + Output.cell("AGE", 7) + " " + Output.cell("ARTICLE", 12) + " "
                + Output.cell("AUTHOR", 12) + " " + Output.cell("SCORE", 5) + " " + Output.cell("REASONS", 22) + " COMMENT", .dim))
            for summary in comments {
                let comment = summary.comment
                let score = comment.score.map(Policy.format) ?? "-"
                Output.line(Output.cell(comment.externalID, 12) + " " + Output.cell(Output.age(since: comment.receivedAt), 7) + " "
                    + Output.cell(comment.articleID, 12) + " " + Output.cell(comment.author, 12) + " " + Output.cell(score, 5) + " "
                    + Output.styled(Output.cell(Self.reasons(summary), 22), .yellow) + " "
                    + Output.excerpt(comment.body, width: excerptWidth))
            }
        }
    }

    /// The reasons cell: readers' reports first (`⚑3 abuse,spam`), then the strongest signals.
    static func reasons(_ summary: CommentSummary) -> String {
        let signals = summary.reasons.prefix(3).joined(separator: ",")
        guard let reports = summary.reports else { return signals }
        return "⚑\(reports.count) " + reports.reasons.joined(separator: ",") + (signals.isEmpty ? "" : " " + signals)
    }
}
