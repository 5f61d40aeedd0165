import Foundation
import Hummingbird
import Judging
import Logging
import Moderation
import ModerationStore

/// The held and reported queues, the comment page, and what a moderator does there: approve, reject
/// with a reason, reject and block the author, skip, undo, edit and redact. Each decision goes through
/// the same ``Decider`` as `modctl`, under the signed-in moderator's name, so it reaches the feed, the
/// webhook and the learning layer alike.
struct QueueRoutes {
    let web: ModeratorWeb

    var store: any CommentStore { web.store }
    var dates: WebDates { WebDates(timeZone: web.configuration.timeZone) }

    func register(on group: RouterGroup<WebContext>) {
        group.get("") { _, _ in WebForm.redirect("/ui/queue") }
        group.get("queue") { request, context in try await queue(request, context) }
        group.post("next") { _, context in try await next(context, notice: nil) }
        // A comment's id may hold any character (`/`, `?`, `..`), so it travels in the query or the form.
        group.get("comment") { request, context in
            guard let id = request.uri.queryParameters["id"].map(String.init), !id.isEmpty else {
                throw WebProblem(.badRequest, "Which comment?", "The address names no comment (…/ui/comment?id=ID).")
            }
            return try await commentPage(id, context, review: request.uri.queryParameters["review"] == "1")
        }
        group.post("comment/:action") { _, context in
            let action = try context.parameters.require("action")
            guard let id = context.form["id"], !id.isEmpty else { throw WebProblem.staleForm }
            return try await act(action, on: id, context)
        }
    }

    /// A comment's page.
    static func page(of id: String, review: Bool = false) -> String {
        "/ui/comment?id=" + WebForm.encode(id) + (review ? "&review=1" : "")
    }

    // MARK: Pages

    func queue(_ request: Request, _ context: WebContext) async throws -> Response {
        let query = request.uri.queryParameters
        let reported = query["reported"] == "1"
        func value(_ name: String) -> String? {
            query[Substring(name)].map(String.init).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        var filter = CommentFilter(status: .held)
        filter.articleID = value("article")
        filter.author = value("author")
        filter.signalName = value("rule")
        filter.reportedOnly = reported
        filter.limit = 100
        var values = try await web.layout(context, page: reported ? "reported" : "held", title: reported ? "Reported" : "Held comments")
        if let olderThan = value("older_than") {
            guard let seconds = TimeArguments.duration(olderThan) else {
                values["error"] = "“Older than” takes a length such as 30m, 12h or 2d."
                return web.pages.render("queue", values, status: .badRequest)
            }
            filter.receivedBefore = Date().addingTimeInterval(-seconds)
            values["filter_older_than"] = olderThan
        }
        let comments = try await store.comments(matching: filter)
        let claims = try await store.claims(at: Date())
        let me = context.moderator?.name
        values["reported"] = reported
        values["filter_article"] = filter.articleID ?? ""
        values["filter_author"] = filter.author ?? ""
        values["filter_rule"] = filter.signalName ?? ""
        values["filtered"] = filter.articleID != nil || filter.author != nil || filter.signalName != nil || filter.receivedBefore != nil
        values["has_comments"] = !comments.isEmpty
        values["comments"] = comments.map { summary in
            let claim = claims[summary.comment.externalID].flatMap { $0 == me ? nil : $0 }
            return CommentPage.queueRow(summary, claimedBy: claim, reported: reported, dates: dates)
        }
        if reported {
            values["heading"] = "Reported by readers"
            let held = comments.filter { $0.comment.status == .held }.count
            values["summary"] = comments.isEmpty ? "" : "\(comments.count) reported · \(held) held, \(comments.count - held) still published · most reported first"
            values["empty"] = "No reported comments waiting for a moderator."
        } else {
            values["heading"] = "Held comments"
            let total = values["held_count"] as? Int ?? comments.count
            values["summary"] = comments.first.map { "\(total) held\(comments.count < total ? " (showing \(comments.count))" : "") · oldest waiting \(dates.age(since: $0.comment.receivedAt))" } ?? ""
            values["empty"] = values["filtered"] as? Bool == true ? "No held comments match these filters." : "No held comments. The queue is clear."
        }
        return web.pages.render("queue", values)
    }

    func commentPage(_ id: String, _ context: WebContext, review: Bool, error: String? = nil, status: HTTPResponse.Status = .ok,
                     editedBody: String? = nil) async throws -> Response {
        guard let moderator = context.moderator else { throw WebProblem.staleForm }
        // No id holds NUL (the API refuses it); the store's lookup would stop there.
        guard !id.contains("\0") else { throw WebProblem.notFound(id) }
        guard let details = try await store.details(of: id) else { throw WebProblem.notFound(id) }
        // Looking at a held comment claims it, so "review one by one" gives others a different one.
        var claimedBy: String?
        if details.comment.status == .held {
            claimedBy = try await store.claim(id, moderator: moderator.name, ttl: web.configuration.claimSeconds, at: Date())
        }
        let page = CommentPage(details: details, revisions: try await store.revisions(of: id),
                               related: try await store.relatedComments(to: details.comment, limit: 8),
                               articleMode: try await store.articleMode(details.comment.articleID), claimedBy: claimedBy,
                               moderator: moderator.name, dates: dates)
        var values = try await web.layout(context, page: "comment", title: "Comment \(id)")
        values.merge(page.values()) { $1 }
        values["review"] = review
        if let error { values["error"] = error }
        if let editedBody {
            values["body_value"] = UntrustedText.htmlEscaped(editedBody)
            values["editing"] = true
        }
        return web.pages.render("comment", values, status: status)
    }

    /// Claims the next held comment for this moderator and opens it, or says the queue is clear.
    func next(_ context: WebContext, notice: String?) async throws -> Response {
        guard let moderator = context.moderator, let session = context.sessions.session else { throw WebProblem.staleForm }
        let claimed = try await store.claimNextHeld(moderator: moderator.name, excluding: Set(session.skipped),
                                                    ttl: web.configuration.claimSeconds, at: Date())
        guard let claimed else {
            web.notify(context, (notice.map { $0 + " " } ?? "") + "No more held comments to review. The queue is clear.")
            context.sessions.withLockedSession { $0?.skipped = [] }
            return WebForm.redirect("/ui/queue")
        }
        if let notice { web.notify(context, notice) }
        return WebForm.redirect(Self.page(of: claimed.externalID, review: true))
    }

    // MARK: Actions

    func act(_ action: String, on id: String, _ context: WebContext) async throws -> Response {
        guard let moderator = context.moderator?.name else { throw WebProblem.staleForm }
        guard !id.contains("\0") else { throw WebProblem.notFound(id) }
        let form = context.form
        let review = form["review"] == "1"
        let decider = Decider(store: store)
        let now = Date()
        /// After a decision: the next comment when reviewing one by one, else the queue.
        func done(_ notice: String) async throws -> Response {
            if review { return try await next(context, notice: notice) }
            web.notify(context, notice)
            return WebForm.redirect("/ui/queue")
        }
        do {
            switch action {
            case "approve":
                try await decider.decide(id, verdict: .approved, actor: moderator, reason: nil, at: now)
                log("approved", id, moderator)
                return try await done("Approved \(id).")
            case "reject":
                let reason = try Self.reason(form["reason"])
                let note = Self.optional(form["note"])
                if form["block"] == "1" {
                    guard let comment = try await store.comments(withIDs: [id])[id] else { throw WebProblem.notFound(id) }
                    try await decider.rejectAndBlockAuthor(id, actor: moderator, reason: reason, note: note, at: now)
                    log("rejected and blocked the author", id, moderator)
                    return try await done("Rejected \(id) (\(reason)); \(comment.author) is blocked.")
                }
                try await decider.decide(id, verdict: .rejected, actor: moderator, reason: reason, note: note, at: now)
                log("rejected", id, moderator)
                return try await done("Rejected \(id) (\(reason)).")
            case "skip":
                context.sessions.withLockedSession { session in
                    guard let skipped = session?.skipped, !skipped.contains(id) else { return }
                    session?.skipped = Array((skipped + [id]).suffix(200))
                }
                return try await next(context, notice: "Skipped \(id).")
            case "undo":
                let decision = try await store.undo(id, actor: moderator, at: now)
                log("undid a decision", id, moderator)
                web.notify(context, "Undid your decision on \(id): it is \(decision.status.rawValue) again.")
                return WebForm.redirect(Self.page(of: id))
            case "edit":
                return try await edit(id, context, moderator: moderator, approving: form["approve"] == "1")
            case "redact":
                return try await redact(id, context, moderator: moderator)
            default:
                throw WebProblem(.notFound, "Not found", "There is no action “\(action)”.")
            }
        } catch let error as StoreError where error.code == .alreadyDecided || error.code == .stillQueued || error.code == .limitReached
                    || error.code == .conflict {
            let message = error.message.replacingOccurrences(of: "; pass --force to override", with: "")
                .replacingOccurrences(of: "; pass --force to undo another moderator's decision", with: "")
            return try await commentPage(id, context, review: review, error: Self.sentence(message), status: .conflict,
                                         editedBody: action == "edit" ? form["body"] : nil)
        } catch let error as StoreError where error.code == .notFound && action == "undo" {
            return try await commentPage(id, context, review: review, error: "There is no decision of yours to undo on \(id).", status: .conflict)
        }
    }

    func edit(_ id: String, _ context: WebContext, moderator: String, approving: Bool) async throws -> Response {
        let form = context.form
        var body = (form["body"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        guard let revision = form["revision"].flatMap(Int.init) else { throw WebProblem.staleForm }
        // A browser sends an edit box's line breaks as CR LF: a text that differs only in them is the same text.
        if let current = try await store.comments(withIDs: [id])[id]?.body,
           body == current.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") {
            body = current
        }
        do {
            try CommentDecoder(limits: web.configuration.limits).validate(Comment(id: id, articleID: "a", author: "a", body: body, rating: 3))
        } catch {
            return try await commentPage(id, context, review: form["review"] == "1", error: "The new text cannot be used: \(error.message). Nothing was changed.",
                                         status: .badRequest, editedBody: body)
        }
        let outcome = try await store.edit(id, body: body, kind: .moderatorEdit, actor: moderator, reason: Self.optional(form["reason"]),
                                           revision: revision, at: Date())
        var notice = outcome.changed ? "Edited \(id) (revision \(outcome.revision))." : "The text was unchanged."
        if outcome.changed { log("edited", id, moderator) }
        if approving {
            if outcome.status == .approved {
                notice += " It is published; the website gets the new text in the feed."
            } else {
                do {
                    try await Decider(store: store).decide(id, verdict: .approved, actor: moderator, reason: nil, at: Date())
                    log("approved", id, moderator)
                    notice += " Approved."
                } catch {
                    guard error.code == .alreadyDecided else { throw error }
                    // The edit is kept; say plainly that the approval was not.
                    web.notify(context, notice + " Not approved: " + Self.sentence(error.message.replacingOccurrences(of: "; pass --force to override", with: "")))
                    return WebForm.redirect(Self.page(of: id))
                }
            }
            if form["review"] == "1" { return try await next(context, notice: notice) }
            web.notify(context, notice)
            return WebForm.redirect("/ui/queue")
        }
        web.notify(context, notice)
        return WebForm.redirect(Self.page(of: id))
    }

    func redact(_ id: String, _ context: WebContext, moderator: String) async throws -> Response {
        let form = context.form
        guard let revision = form["revision"].flatMap(Int.init) else { throw WebProblem.staleForm }
        guard let details = try await store.details(of: id) else { throw WebProblem.notFound(id) }
        let text = (form["text"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        guard let reason = Self.optional(form["reason"]) else {
            return try await commentPage(id, context, review: false, error: "Say why the text is removed.", status: .badRequest)
        }
        guard !text.isEmpty, details.comment.body.contains(text) else {
            return try await commentPage(id, context, review: false, error: "“\(CommentPage.excerpt(text, 60))” is not in the text: nothing was removed.",
                                         status: .badRequest)
        }
        let redacted = details.comment.body.replacingOccurrences(of: text, with: Redaction.placeholder)
        let outcome = try await store.edit(id, body: redacted, kind: .redaction, actor: moderator, reason: reason, revision: revision, at: Date())
        log("redacted", id, moderator)
        web.notify(context, "Redacted \(id) (revision \(outcome.revision))" + (outcome.decision != nil ? "; the website gets the new text in the feed." : "."))
        return WebForm.redirect(Self.page(of: id))
    }

    // MARK: Helpers

    func log(_ what: String, _ id: String, _ moderator: String) {
        web.logger.info("moderator \(what) a comment", metadata: ["moderator": "\(UntrustedText.singleLine(moderator))", "comment.id": "\(UntrustedText.singleLine(id))", "via": "ui"])
    }

    static func reason(_ value: String?) throws -> String {
        guard let value, let reason = ReportReason(rawValue: value) else {
            throw WebProblem(.badRequest, "Choose a reason", "A rejection needs one of the reasons: "
                + ReportReason.allCases.map(\.rawValue).joined(separator: ", ") + ". Nothing was changed.")
        }
        return reason.rawValue
    }

    static func optional(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return String(value.prefix(500))
    }

    static func sentence(_ message: String) -> String {
        (message.prefix(1).uppercased() + message.dropFirst()) + (message.hasSuffix(".") ? "" : ".")
    }
}
