import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import Moderation
import ModerationStore
import Mustache

/// The browser review queue at `/ui/`: moderators sign in with accounts made by `modctl moderator`,
/// work the held and reported queues, and decide, edit and redact as `modctl` does, under their name.
///
/// Server-rendered pages with Mustache, one stylesheet and one small script (no build step, nothing
/// loaded from elsewhere). Sessions live in the store behind a `HttpOnly`, `SameSite=Strict` cookie;
/// every form carries the session's CSRF token. The API's bearer token opens none of it, and a session
/// opens none of the API.
///
/// ```swift
/// ModeratorWeb(store: database, configuration: WebConfiguration(), logger: logger).register(on: router)
/// ```
public struct ModeratorWeb: Sendable {
    let store: any CommentStore
    let configuration: WebConfiguration
    let logger: Logger
    let pages: WebPages
    let loginsByAddress: RateLimiter

    /// Where sessions are kept in the store, before the hash of their cookie.
    static let sessionKeyPrefix = "ui."

    public init(store: any CommentStore, configuration: WebConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.pages = WebPages(siteName: configuration.siteName)
        self.loginsByAddress = RateLimiter(perHour: configuration.loginsPerAddressPerHour)
    }

    public func register(on router: Router<DaemonContext>) {
        // The assets need no session: they are the same for everyone.
        router.get("ui/assets/app.css") { _, _ in WebPages.asset(Assets.css, type: "text/css; charset=utf-8") }
        router.get("ui/assets/app.js") { _, _ in WebPages.asset(Assets.javascript, type: "text/javascript; charset=utf-8") }

        let cookie = SessionCookieParameters(name: configuration.sessionCookie.name, path: configuration.sessionCookie.path,
                                             secure: configuration.secureCookies, sameSite: .strict)
        let sessions = SessionMiddleware<WebContext>(
            storage: StoreSessionDriver(store: store),
            configuration: SessionMiddlewareConfiguration(sessionCookieParameters: cookie, keyPrefix: Self.sessionKeyPrefix,
                                                          defaultSessionExpiration: .seconds(Int64(configuration.sessionHours * 3600))))
        let ui = router.group("ui", context: WebContext.self)
            .add(middleware: SecurityHeadersMiddleware())
            .add(middleware: OneSessionCookieMiddleware(store: store, cookieName: configuration.sessionCookie.name))
            .add(middleware: sessions)
            .add(middleware: WebErrorMiddleware(pages: pages, logger: logger))
            .add(middleware: SameOriginMiddleware(publicAuthority: configuration.publicAuthority))
        SignInRoutes(web: self).register(on: ui)
        let signedIn = ui.group().add(middleware: SignedInMiddleware(store: store))
        SignInRoutes(web: self).registerSignedIn(on: signedIn)
        QueueRoutes(web: self).register(on: signedIn)
        NewsroomRoutes(web: self).register(on: signedIn)
    }

    /// The values every signed-in page's layout needs: the counts in the bar, the name, the form token
    /// and the notice left by the last action.
    func layout(_ context: WebContext, page: String, title: String) async throws -> [String: Any] {
        var values: [String: Any] = ["page": page, "title": title]
        guard let session = context.sessions.session, let moderator = context.moderator else { return values }
        let held = try await store.statusCounts()[.held] ?? 0
        var reportedFilter = CommentFilter(status: .held)
        reportedFilter.reportedOnly = true
        reportedFilter.limit = 1000
        let reported = try await store.comments(matching: reportedFilter).count
        values["signed_in"] = true
        values["moderator_name"] = moderator.name
        values["csrf"] = session.csrf
        values["held_count"] = held
        values["reported_count"] = reported
        values["nav_" + page] = true
        if let notice = session.notice {
            values["notice"] = notice
            context.sessions.withLockedSession { $0?.notice = nil }
        }
        return values
    }

    /// Leaves a line for the next page.
    func notify(_ context: WebContext, _ notice: String) {
        context.sessions.withLockedSession { $0?.notice = notice }
    }
}

/// Mustache's own HTML escaping looks at whole characters, so a `"` or `<` joined by a combining mark
/// would pass unescaped: every value goes through ``UntrustedText/html(_:keepsLineBreaks:)`` instead,
/// which escapes each code point and shows controls and bidi overrides as visible marks.
struct SafeHTML: MustacheContentType {
    func escapeText(_ text: String) -> String {
        UntrustedText.html(text, keepsLineBreaks: true)
    }
}

/// Renders the templates, with the layout, into responses.
struct WebPages: Sendable {
    let library: MustacheLibrary
    let siteName: String?

    init(siteName: String?) {
        MustacheContentTypes.register(SafeHTML(), named: "SAFEHTML")
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            // The templates are part of this program: one that does not parse is a programming error.
            do { try library.register(text, named: name) } catch { preconditionFailure("the \(name) template does not parse: \(error)") }
        }
        self.library = library
        self.siteName = siteName
    }

    func render(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        if let siteName { values["site"] = siteName }
        let html = library.render(values, withTemplate: template) ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600", .xContentTypeOptions: "nosniff"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
