import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl queue`: the held comments, oldest first.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List held comments, oldest first.", discussion: "Example:\n  modctl queue --article news-42 --older-than 2h")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Only comments on this article.")
    var article: String?

    @Option(help: "Only comments by this author.")
    var author: String?

    @Option(help: "Only comments this rule or heuristic fired on.")
    var rule: String?

    @Option(help: "Only comments older than this (30m, 12h, 2d).")
    var olderThan: String?

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
            filter.receivedBefore = olderThan.flatMap(TimeArguments.duration).map { Date().addingTimeInterval(-$0) }
            let comments = try await database.comments(matching: filter)
            if json {
                struct Listing: Encodable { var comments: [CommentJSON] }
                try Output.json(Listing(comments: comments.map { CommentJSON($0.comment, reasons: $0.reasons, includePersonalData: false) }))
                return
            }
            let total = try await database.statusCounts()[.held] ?? 0
            guard let oldest = comments.first else {
                Output.line(Output.styled("No held comments. The queue is clear.", .green))
                return
            }
            let shown = comments.count < total ? " (showing \(comments.count))" : ""
            Output.line(Output.styled("\(total) held\(shown) · oldest waiting \(Output.age(since: oldest.comment.receivedAt))", .bold))
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
                    + Output.styled(Output.cell(summary.reasons.prefix(3).joined(separator: ","), 22), .yellow) + " "
                    + Output.excerpt(comment.body, width: excerptWidth))
            }
        }
    }
}
