import ArgumentParser
import Foundation
import Moderation
import ModerationStore

/// `modctl show ID`: one comment with its matched spans, signals and history.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a comment, why it was judged as it was, and its history.", discussion: "Example:\n  modctl show c-1002")

    @OptionGroup var store: DatabaseOptions

    @Argument(help: "The comment's id.")
    var id: String

    @Flag(help: "Print {\"comment\": ..., \"signals\": [...], \"decisions\": [...], \"reports\": [...]} as JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let database = try await store.open(.readOnly)
            guard let details = try await database.details(of: id) else {
                throw CLIError("no comment with id \(id)")
            }
            if json {
                struct Shown: Encodable {
                    var comment: CommentJSON
                    var signals: [SignalJSON]
                    var decisions: [DecisionJSON]
                    var reports: [ReportJSON]
                }
                try Output.json(Shown(comment: CommentJSON(details.comment, reasons: nil, includePersonalData: true),
                                      signals: details.signals.map(SignalJSON.init), decisions: details.history.map(DecisionJSON.init),
                                      reports: details.reports.map { ReportJSON($0, standing: details.standings[$0.reporter]) }))
                return
            }
            print(try await DetailsRenderer.render(details, database: database))
        }
    }
}

/// The full view for `show` and review's details: the comment, then the author's history, neighbours
/// on the same network, and the article's mode.
enum DetailsRenderer {
    static func render(_ details: CommentDetails, database: any CommentStore) async throws -> String {
        var lines = [CommentRenderer.render(details)]
        let comment = details.comment
        let revisions = try await database.revisions(of: comment.externalID)
        if !revisions.isEmpty {
            lines.append("")
            lines.append(Output.styled("Revisions", .bold) + " (the text above is revision \(comment.revision); each line shows the text it replaced)")
            for revision in revisions {
                let who = revision.kind == .edit ? "edited by the reader" : revision.kind == .redaction ? "redacted by \(Output.safe(revision.actor))"
                    : "edited by \(Output.safe(revision.actor))"
                lines.append("  \(revision.number). \(Output.timestamp(revision.at))  \(who)" + (revision.reason.map { ": \(Output.safe($0))" } ?? ""))
                lines.append("     was: " + Output.excerpt(revision.previousBody, width: max(20, Output.width - 10)))
            }
        }
        let related = try await database.relatedComments(to: comment, limit: 8)
        lines.append("")
        lines.append(Output.styled("Author history", .bold) + " (\(Output.safe(comment.author)))")
        if related.byAuthor.isEmpty {
            lines.append("  first comment by this author")
        } else {
            var counts: [CommentStatus: Int] = [:]
            for other in related.byAuthor { counts[other.status, default: 0] += 1 }
            lines.append("  " + CommentStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }.joined(separator: ", ")
                + (related.byAuthor.count == 8 ? " (latest 8)" : ""))
            for other in related.byAuthor.prefix(5) {
                lines.append("  \(Output.cell(other.externalID, 12)) \(Output.statusStyled(other.status))  \(Output.excerpt(other.body, width: 60))")
            }
        }
        if let network = comment.network {
            lines.append("")
            lines.append(Output.styled("Same network", .bold) + " (\(Output.safe(network)))")
            if related.byNetwork.isEmpty { lines.append("  no other authors from this network among nearby comments") }
            for other in related.byNetwork.prefix(5) {
                lines.append("  \(Output.cell(other.externalID, 12)) \(Output.cell(other.author, 14)) \(Output.statusStyled(other.status))  \(Output.excerpt(other.body, width: 44))")
            }
        }
        let mode = try await database.articleMode(comment.articleID)
        lines.append("")
        lines.append(Output.styled("Article", .bold) + " \(Output.safe(comment.articleID)): \(mode.rawValue)"
            + (mode == .open ? "" : mode == .premoderate ? " (every comment is held)" : " (new comments are rejected)"))
        return lines.joined(separator: "\n")
    }
}

/// The text view of a comment for `show` and `review`.
enum CommentRenderer {
    static func render(_ details: CommentDetails) -> String {
        let comment = details.comment
        var lines: [String] = []
        let score = comment.score.map { " · score \(Policy.format($0))" } ?? ""
        lines.append(Output.styled("Comment \(Output.safe(comment.externalID))", .bold) + " · " + Output.statusStyled(comment.status) + score)
        var about = "On \(Output.safe(comment.articleID))"
        if let url = comment.articleURL { about += " (\(Output.safe(url)))" }
        lines.append(about)
        var who = "By \(Output.safe(comment.author))"
        if let email = comment.email { who += " <\(Output.safe(email))>" }
        if let ip = comment.ip { who += " from \(Output.safe(ip))" }
        lines.append(who + " · " + Output.stars(comment.rating) + " (\(comment.rating)/5)")
        lines.append("Received \(Output.timestamp(comment.receivedAt)) (\(Output.age(since: comment.receivedAt)) ago)"
            + (comment.isEdited ? " · edited (revision \(comment.revision))" : ""))
        lines.append("")
        // A moderator's edit keeps the verdict's signals, whose spans mark the text they were found in.
        let marksApply = details.lastRevisionKind == nil || details.lastRevisionKind == .edit
        let bodySpans = marksApply ? details.signals.compactMap { $0.span }.filter { $0.field == .body } : []
        let body = highlight(comment.body, spans: bodySpans)
        lines += body.split(separator: "\n", omittingEmptySubsequences: false).map { "  │ " + $0 }
        if comment.body.isEmpty { lines.append("  │ " + Output.styled("(no text, rating only)", .dim)) }
        lines.append("")
        lines.append(Output.styled("Signals", .bold))
        if details.signals.isEmpty {
            lines.append("  none: nothing in this comment matched a rule or heuristic")
        }
        for signal in details.signals {
            lines.append(signalLines(signal))
        }
        if let system = details.history.first(where: { $0.actorKind == .system }), let reason = system.reason {
            lines.append("")
            lines.append(Output.styled("Verdict", .bold) + ": " + Output.safe(reason))
        }
        if !details.reports.isEmpty {
            lines.append("")
            let open = details.reports.filter { $0.outcome == nil }
            let weight = open.reduce(0) { $0 + $1.weight }
            lines.append(Output.styled("Reports", .bold) + " (\(details.reports.count); \(open.count) open, weighing \(String(format: "%.2f", weight)))")
            for report in details.reports {
                let standing = details.standings[report.reporter] ?? ReporterStanding(upheld: 0, dismissed: 0)
                var line = "  \(Output.timestamp(report.at))  " + Output.styled(Output.cell(report.reason.rawValue, 13), .yellow)
                    + " by \(Output.safe(report.reporter)) (counts \(String(format: "%.2f", report.weight)); trust now "
                    + "\(String(format: "%.2f", standing.trust)): \(standing.upheld) upheld, \(standing.dismissed) dismissed)"
                if let outcome = report.outcome { line += " · \(outcome.rawValue)" }
                if let note = report.note { line += "\n    “\(Output.safe(note))”" }
                lines.append(line)
            }
        }
        lines.append("")
        lines.append(Output.styled("History", .bold))
        for entry in details.history {
            let from = entry.previousStatus.map { "\($0.rawValue) → " } ?? ""
            var line = "  #\(entry.seq) \(Output.timestamp(entry.at))  \(from)\(entry.status.rawValue)  by \(Output.safe(entry.actor))"
            if entry.actorKind != .moderator && entry.actorKind != .readers { line += " (\(entry.actorKind.rawValue))" }
            if let reason = entry.reason { line += ": \(Output.safe(reason))" }
            if let note = entry.note { line += " — \(Output.safe(note))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// A signal in two lines: effect and name, then the explanation.
    static func signalLines(_ signal: Signal) -> String {
        let effect = signal.action.map { $0.rawValue.uppercased() } ?? ((signal.score >= 0 ? "+" : "") + Policy.format(signal.score))
        let shadow = signal.isShadow ? Output.styled(" (shadow, not counted)", .dim) : ""
        return "  " + Output.styled(Output.cell(effect, 6), signal.action == nil ? .yellow : .red) + " "
            + Output.styled(Output.safe(signal.name), .bold) + shadow + "\n         " + Output.safe(signal.explanation)
    }

    /// Marks matched spans: inverse video on a terminal, «guillemets» otherwise.
    static func highlight(_ text: String, spans: [Span]) -> String {
        let utf8 = Array(text.utf8)
        let ranges = spans.map { max(0, $0.utf8Start)..<min(utf8.count, $0.utf8End) }.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [Range<Int>] = []
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        var result = ""
        var position = 0
        for range in merged {
            result += UntrustedText.multiLine(String(decoding: utf8[position..<range.lowerBound], as: UTF8.self))
            let marked = UntrustedText.multiLine(String(decoding: utf8[range], as: UTF8.self))
            result += Output.isTerminal ? Output.styled(marked, .inverse, .red) : "«\(marked)»"
            position = range.upperBound
        }
        result += UntrustedText.multiLine(String(decoding: utf8[position...], as: UTF8.self))
        return result
    }
}
