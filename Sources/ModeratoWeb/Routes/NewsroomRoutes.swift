import Foundation
import Hummingbird
import Moderation
import ModerationStore
import ModeratoReports

/// The article modes and the digest, as `modctl article` and `modctl digest` give them.
struct NewsroomRoutes {
    let web: ModeratorWeb

    static let periods: [(value: String, label: String)] = [("24h", "Last 24 hours"), ("7d", "Last 7 days"), ("30d", "Last 30 days")]

    func register(on group: RouterGroup<WebContext>) {
        group.get("articles") { _, context in try await articles(context) }
        group.post("articles") { _, context in
            guard let moderator = context.moderator?.name else { throw WebProblem.staleForm }
            let article = (context.form["article"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !article.isEmpty, article.count <= 200 else {
                throw WebProblem(.badRequest, "Which article?", "Give the article's id as the website sends it. Nothing was changed.")
            }
            guard let mode = context.form["mode"].flatMap(ArticleMode.init) else {
                throw WebProblem(.badRequest, "Which mode?", "An article is open, premoderate or closed. Nothing was changed.")
            }
            try await web.store.setArticleMode(article, mode: mode, by: moderator, at: Date())
            web.logger.info("moderator set an article's mode", metadata: ["moderator": "\(UntrustedText.singleLine(moderator))", "article.id": "\(UntrustedText.singleLine(article))", "mode": "\(mode.rawValue)"])
            web.notify(context, "\(article) is now \(mode.rawValue).")
            return WebForm.redirect("/ui/articles")
        }
        group.get("digest") { request, context in try await digest(request, context) }
    }

    func articles(_ context: WebContext) async throws -> Response {
        var values = try await web.layout(context, page: "articles", title: "Articles")
        let dates = WebDates(timeZone: web.configuration.timeZone)
        values["modes"] = ArticleMode.allCases.map(\.rawValue)
        values["articles"] = try await web.store.articles(limit: 200).map { article -> [String: Any] in
            [
                "article": article.articleID, "article_query": WebForm.encode(article.articleID), "comments": article.comments,
                "article_value": UntrustedText.htmlEscaped(article.articleID),
                "held": article.held,
                "mode_options": ArticleMode.allCases.map { ["value": $0.rawValue, "selected": $0 == article.mode] },
                "changed": article.changedAt.map { "\(dates.time($0)) by \(article.changedBy ?? "?")" } ?? "",
            ]
        }
        return web.pages.render("articles", values)
    }

    func digest(_ request: Request, _ context: WebContext) async throws -> Response {
        let since = request.uri.queryParameters["since"].map(String.init) ?? "24h"
        guard let seconds = Self.periods.first(where: { $0.value == since }).flatMap({ TimeArguments.duration($0.value) }) else {
            throw WebProblem(.badRequest, "Which period?", "The digest covers the last 24h, 7d or 30d.")
        }
        let now = Date()
        var builder = DigestBuilder(database: web.store)
        builder.now = now
        builder.slaHours = web.configuration.slaHours
        builder.siteName = web.configuration.siteName
        var digest = try await builder.build(from: now.addingTimeInterval(-seconds), to: now)
        digest.timeZone = web.configuration.timeZone
        var values = try await web.layout(context, page: "digest", title: "Digest")
        values["periods"] = Self.periods.map { ["value": $0.value, "label": $0.label, "selected": $0.value == since] }
        values["digest_html"] = DigestRenderer.htmlFragment(digest)
        return web.pages.render("digest", values)
    }
}
