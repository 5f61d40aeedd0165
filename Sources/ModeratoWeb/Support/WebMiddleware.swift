import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import ModerationStore

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Refuses a form sent from another origin, before any cookie is looked at: what the browser says
/// (`Sec-Fetch-Site`), else the `Origin` against the host the request was sent to (or, behind a proxy,
/// its `X-Forwarded-Host`). A page on another port or a sibling subdomain cannot plant a cookie and
/// post the sign-in form with it. Clients that send neither (not browsers) are let through: the CSRF
/// token still applies to them.
struct SameOriginMiddleware: RouterMiddleware {
    typealias Context = WebContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post {
            if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" {
                throw WebProblem.crossSite
            }
            if let origin = request.headers[.origin] {
                let hosts = [request.head.authority, request.headers[.xForwardedHost]?.split(separator: ",").first.map {
                    $0.trimmingCharacters(in: .whitespaces) }].compactMap { $0?.lowercased() }
                guard let url = URL(string: origin), var host = url.host?.lowercased() else { throw WebProblem.crossSite }
                if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
                guard hosts.contains(host + (url.port.map { ":\($0)" } ?? "")) else {
                    throw WebProblem.crossSite
                }
            }
        }
        return try await next(request, context)
    }
}

/// Every page: scripts and styles from `/ui/assets/` only, no framing, no caching, no sniffing.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = WebContext

    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Turns failures into pages a moderator can read (the API's errors are JSON; these are HTML).
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let pages: WebPages
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as WebProblem {
            return page(problem, context)
        } catch let error as StoreError {
            switch error.code {
            case .notFound:
                return page(WebProblem(.notFound, "Not found", error.message), context)
            case .busy:
                return page(WebProblem(.serviceUnavailable, "The database is busy", "\(error.message). Nothing was changed; try again."), context)
            default:
                logger.error("a review page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error.message)"])
                return page(WebProblem(.internalServerError, "Something went wrong", "\(error.message). Nothing was changed."), context)
            }
        } catch let error as HTTPError where error.status == .notFound {
            return page(WebProblem(.notFound, "Not found", "There is no page at \(request.uri.path)."), context)
        }
    }

    func page(_ problem: WebProblem, _ context: Context) -> Response {
        var values: [String: Any] = ["title": problem.heading, "heading": problem.heading, "text": problem.text, "page": "message"]
        if let moderator = context.moderator, let session = context.sessions.session {
            values["signed_in"] = true
            values["moderator_name"] = moderator.name
            values["csrf"] = session.csrf
            values["link"] = "/ui/queue"
            values["link_text"] = "Back to the queue"
        } else {
            values["link"] = "/ui/login"
            values["link_text"] = "Sign in"
        }
        var response = pages.render("message", values, status: problem.status)
        response.headers.append(contentsOf: problem.headers)
        return response
    }
}

/// Lets only a signed-in moderator through, with a session opened after their last password change;
/// checks every POST's CSRF token against the session's before anything else reads the form.
struct SignedInMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let store: any CommentStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        guard let session = context.sessions.session,
              let account = try await store.moderatorAccount(named: session.moderator),
              abs(account.passwordChangedAt.timeIntervalSince1970 - session.passwordStamp) < 0.001 else {
            if context.sessions.session != nil { context.sessions.clearSession() }
            if request.method == .post { throw WebProblem.staleForm }
            let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return WebForm.redirect("/ui/login?next=" + WebForm.encode(path))
        }
        context.moderator = account
        if request.method == .post {
            let form = try await WebForm.read(&request)
            guard let token = form["csrf"], WebForm.constantTimeEquals(token, session.csrf) else { throw WebProblem.staleForm }
            context.form = form
        }
        let path = request.uri.path
        if account.mustChangePassword, path != "/ui/password", path != "/ui/logout" {
            return WebForm.redirect("/ui/password")
        }
        return try await next(request, context)
    }
}
