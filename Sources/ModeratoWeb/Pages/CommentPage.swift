import Foundation
import Moderation
import ModerationStore

/// What the pages show of comments, worked out from the store's records: the comment page like
/// `modctl show`, and the queue's rows like `modctl queue`.
struct CommentPage {
    let details: CommentDetails
    let revisions: [CommentRevision]
    let related: (byAuthor: [StoredComment], byNetwork: [StoredComment])
    let articleMode: ArticleMode
    let claimedBy: String?
    let moderator: String
    let dates: WebDates

    func values() -> [String: Any] {
        let comment = details.comment
        var values: [String: Any] = [
            "id": comment.externalID, "path_id": WebForm.encode(comment.externalID), "status": comment.status.rawValue,
            "article": comment.articleID, "article_query": WebForm.encode(comment.articleID), "article_mode": articleMode.rawValue,
            "author": comment.author, "rating": comment.rating, "stars": String(repeating: "★", count: comment.rating)
                + String(repeating: "☆", count: max(0, 5 - comment.rating)),
            "received": dates.time(comment.receivedAt), "age": dates.age(since: comment.receivedAt),
            "edited": comment.isEdited, "revision": comment.revision, "body_value": UntrustedText.htmlEscaped(comment.body),
            "id_value": UntrustedText.htmlEscaped(comment.externalID),
            "body_html": bodyHTML(), "decidable": comment.status != .queued,
            "reasons": ReportReason.allCases.map { ["value": $0.rawValue, "selected": $0 == suggestedReason] },
        ]
        if let score = comment.score { values["score"] = Policy.format(score) }
        if let url = comment.articleURL { values["article_url"] = url }
        if let email = comment.email { values["email"] = email }
        if let ip = comment.ip { values["ip"] = ip }
        if let claimedBy { values["claimed_by"] = claimedBy }
        if let system = details.history.first(where: { $0.actorKind == .system }), let reason = system.reason { values["verdict"] = reason }
        if let mine = undoable, mine.actor == moderator {
            values["undoable"] = mine.status == .approved ? "approval" : mine.status == .rejected ? "rejection" : "decision"
        }
        values["signals"] = details.signals.map { signal -> [String: Any] in
            let effect = signal.action.map { $0.rawValue.uppercased() } ?? ((signal.score >= 0 ? "+" : "") + Policy.format(signal.score))
            let effectClass = signal.action != nil ? "action" : signal.score < 0 ? "negative" : "positive"
            return ["effect": effect, "effect_class": effectClass, "name": signal.name, "explanation": signal.explanation,
                    "shadow": signal.isShadow]
        }
        if !details.reports.isEmpty {
            let open = details.reports.filter { $0.outcome == nil }
            values["has_reports"] = true
            values["reports_summary"] = "\(details.reports.count); \(open.count) open, weighing \(String(format: "%.2f", open.reduce(0) { $0 + $1.weight }))"
            values["reports"] = details.reports.map { report -> [String: Any] in
                let standing = details.standings[report.reporter] ?? ReporterStanding(upheld: 0, dismissed: 0)
                var row: [String: Any] = ["reason": report.reason.rawValue, "reporter": report.reporter, "at": dates.time(report.at),
                                          "weight": String(format: "%.2f", report.weight), "trust": String(format: "%.2f", standing.trust),
                                          "upheld": standing.upheld, "dismissed": standing.dismissed]
                if let outcome = report.outcome { row["outcome"] = outcome.rawValue }
                if let note = report.note { row["note"] = note }
                return row
            }
        }
        if !revisions.isEmpty {
            values["has_revisions"] = true
            values["revisions"] = revisions.map { revision -> [String: Any] in
                let who = revision.kind == .edit ? "edited by the reader" : revision.kind == .redaction ? "redacted by \(revision.actor)"
                    : "edited by \(revision.actor)"
                var row: [String: Any] = ["at": dates.time(revision.at), "who": who, "previous": revision.previousBody]
                if let reason = revision.reason { row["reason"] = reason }
                return row
            }
        }
        values["history"] = details.history.map { entry -> [String: Any] in
            var row: [String: Any] = ["seq": entry.seq, "at": dates.time(entry.at), "status": entry.status.rawValue, "actor": entry.actor]
            if let from = entry.previousStatus { row["from"] = from.rawValue }
            if entry.actorKind != .moderator && entry.actorKind != .readers { row["kind"] = entry.actorKind.rawValue }
            if let reason = entry.reason { row["reason"] = reason }
            if let note = entry.note { row["note"] = note }
            return row
        }
        var counts: [CommentStatus: Int] = [:]
        for other in related.byAuthor { counts[other.status, default: 0] += 1 }
        values["author_summary"] = related.byAuthor.isEmpty ? "The first comment by \(comment.author)."
            : "\(comment.author): " + CommentStatus.allCases.compactMap { status in counts[status].map { "\($0) \(status.rawValue)" } }
                .joined(separator: ", ") + (related.byAuthor.count >= 8 ? " (latest 8)" : "") + "."
        values["by_author"] = related.byAuthor.prefix(5).map(Self.relatedRow)
        if let network = comment.network {
            values["network"] = network
            values["by_network"] = related.byNetwork.prefix(5).map(Self.relatedRow)
        }
        return values
    }

    /// The decision an undo would take back: the latest person's decision still in force. Each undo
    /// (recorded with the reason `undo`) took back the latest one before it.
    var undoable: DecisionEntry? {
        var inForce: [DecisionEntry] = []
        for entry in details.history where entry.actorKind.isReview {
            if entry.reason == "undo" { _ = inForce.popLast() } else { inForce.append(entry) }
        }
        return inForce.last
    }

    /// The rejection reason the strongest signals point to, preselected in the form.
    var suggestedReason: ReportReason {
        // Signals that act (hold, reject) first, then the highest scores.
        let names = details.signals.filter { !$0.isShadow }
            .sorted { ($0.action != nil ? 1 : 0, $0.score) > ($1.action != nil ? 1 : 0, $1.score) }.map(\.name)
        for name in names {
            if name.hasPrefix("personal.") { return .personalData }
            if name.hasPrefix("spam.") || name == "model.spam" || name.hasPrefix("links.") { return .spam }
            if name.hasPrefix("abuse.") || name.hasPrefix("civility.") || name == "model.toxicity" { return .abuse }
        }
        if let reports = details.reports.first(where: { $0.outcome == nil }) { return reports.reason }
        return .spam
    }

    static func relatedRow(_ other: StoredComment) -> [String: Any] {
        ["id": other.externalID, "path_id": WebForm.encode(other.externalID), "author": other.author, "status": other.status.rawValue,
         "excerpt": excerpt(other.body, 90)]
    }

    /// The text, escaped, with the spans signals matched marked and named; a moderator's redaction or
    /// edit leaves no marks (the spans were found in the text before it).
    func bodyHTML() -> String {
        let body = details.comment.body
        guard !body.isEmpty else { return "<span class=\"none\">(no text, rating only)</span>" }
        let marksApply = details.lastRevisionKind == nil || details.lastRevisionKind == .edit
        let utf8 = Array(body.utf8)
        var marks: [(range: Range<Int>, names: [String])] = []
        if marksApply {
            let spans = details.signals.compactMap { signal in signal.span.flatMap { $0.field == .body ? ($0, signal.name) : nil } }
            for (span, name) in spans.sorted(by: { $0.0.utf8Start < $1.0.utf8Start }) {
                let range = max(0, span.utf8Start)..<min(utf8.count, span.utf8End)
                guard !range.isEmpty else { continue }
                if let last = marks.last, range.lowerBound <= last.range.upperBound {
                    marks[marks.count - 1] = (last.range.lowerBound..<max(last.range.upperBound, range.upperBound), last.names + [name])
                } else {
                    marks.append((range, [name]))
                }
            }
        }
        var html = ""
        var position = 0
        for mark in marks {
            html += escape(String(decoding: utf8[position..<mark.range.lowerBound], as: UTF8.self))
            let title = escape(Array(Set(mark.names)).sorted().joined(separator: ", "))
            html += "<mark title=\"\(title)\">" + escape(String(decoding: utf8[mark.range], as: UTF8.self)) + "</mark>"
            position = mark.range.upperBound
        }
        html += escape(String(decoding: utf8[position...], as: UTF8.self))
        return html
    }

    /// One row of the held or reported queue.
    static func queueRow(_ summary: CommentSummary, claimedBy: String?, reported: Bool, dates: WebDates) -> [String: Any] {
        let comment = summary.comment
        var row: [String: Any] = [
            "id": comment.externalID, "path_id": WebForm.encode(comment.externalID), "age": dates.age(since: comment.receivedAt),
            "article": comment.articleID, "article_query": WebForm.encode(comment.articleID), "author": comment.author,
            "author_query": WebForm.encode(comment.author), "score": comment.score.map(Policy.format) ?? "–",
            "reasons": Array(summary.reasons.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.prefix(3)), "excerpt": excerpt(comment.body, 160), "status": comment.status.rawValue,
        ]
        if reported { row["status_label"] = comment.status == .held ? "held" : "published" }
        if let reports = summary.reports { row["report_line"] = "\(reports.count) " + reports.reasons.joined(separator: ", ") }
        if let claimedBy { row["claimed_by"] = claimedBy }
        return row
    }

    static func excerpt(_ text: String, _ length: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }

    /// HTML escaping for text this module places inside markup itself.
    func escape(_ text: String) -> String { UntrustedText.html(text, keepsLineBreaks: true) }
}

/// Times and ages as the pages show them, in the configured zone.
struct WebDates: Sendable {
    let timeZone: TimeZone

    func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = "d MMM HH:mm"
        return formatter.string(from: date) + " " + timeZone.label(at: date)
    }

    func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86_400 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        return "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
    }
}
