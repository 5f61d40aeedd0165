import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Moderation
import ModerationStore

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let secFetchMode = Self("Sec-Fetch-Mode")!
    static let secFetchDest = Self("Sec-Fetch-Dest")!
}

/// Answers only requests for this daemon's own names, and refuses what another origin sends, before
/// any cookie is looked at.
///
/// - `Host` must be a loopback name or an IP literal, or the host of ``WebConfiguration/publicURL``: a
///   page whose DNS name was rebound to the daemon's address is refused.
/// - A form (POST) whose browser says it came from another site or origin (`Sec-Fetch-Site`), or whose
///   `Origin` is not the host it was sent to, is refused: a page on another port or a sibling
///   subdomain cannot plant a cookie and post the sign-in form with it. Clients that send neither
///   (not browsers) are let through; the CSRF token still applies to them.
/// - A page fetched by another site's page without navigating to it (an image, a script) is refused,
///   so a page on another port cannot make a moderator claim comments.
struct SameOriginMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let publicAuthority: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let host = (request.head.authority ?? "").lowercased()
        guard Self.isAllowed(host: host, publicAuthority: publicAuthority) else {
            throw WebProblem(.misdirectedRequest, "Unknown address",
                             "This review queue answers at its own address only. To serve it under a name, set ui.public_url.")
        }
        let site = request.headers[.secFetchSite]
        let crossSite = site != nil && site != "same-origin" && site != "none"
        if request.method == .post {
            if crossSite { throw WebProblem.crossSite }
            if let origin = request.headers[.origin] {
                guard let url = URL(string: origin), var originHost = url.host?.lowercased() else { throw WebProblem.crossSite }
                if originHost.contains(":") && !originHost.hasPrefix("[") { originHost = "[\(originHost)]" }
                let authority = originHost + (url.port.map { ":\($0)" } ?? "")
                guard authority == host || authority == publicAuthority else { throw WebProblem.crossSite }
            }
        } else if crossSite && (request.headers[.secFetchMode] != "navigate" || (request.headers[.secFetchDest].map { $0 != "document" } ?? false)) {
            // Another site's page may link to a page (a top-level navigation), not load one into a
            // frame, an object or an image, where the daemon would claim a comment unseen.
            throw WebProblem.crossSite
        }
        return try await next(request, context)
    }

    /// A loopback name, an IP literal, or the public host, each with or without a port.
    static func isAllowed(host authority: String, publicAuthority: String?) -> Bool {
        if let publicAuthority, authority == publicAuthority { return true }
        var name = Substring(authority)
        var port: Substring = ""
        if name.hasPrefix("[") {
            guard let end = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: end)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return false }
            port = rest.dropFirst()
            name = name[name.index(after: name.startIndex)..<end]
        } else if let colon = name.lastIndex(of: ":") {
            port = name[name.index(after: colon)...]
            name = name[..<colon]
            guard !port.isEmpty else { return false }
        }
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }), port.count <= 5 else { return false }
        return name == "localhost" || IPAddress(String(name)) != nil
    }
}

/// Refuses a request that carries two session cookies: one planted by a page on another port of the
/// same host (cookies do not keep ports apart) with a longer path would be read first. Both sessions
/// end, and every cookie of that name this request could have carried is cleared (at each path that
/// leads to it), so a planted one cannot keep the moderator signed out.
struct OneSessionCookieMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let store: any CommentStore
    let cookieName: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let prefix = cookieName + "="
        // Split and trimmed as Hummingbird reads cookies, so what is counted is what it would read.
        let values = request.headers[values: .cookie].flatMap { $0.split(separator: ";") }
            .map { $0.drop(while: \.isWhitespace) }.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        guard values.count > 1 else { return try await next(request, context) }
        for value in values {
            try? await store.removeSession(key: StoreSessionDriver.storedKey(ModeratorWeb.sessionKeyPrefix + value))
        }
        context.logger.warning("a request carried two session cookies; both sessions ended", metadata: ["path": "\(UntrustedText.singleLine(request.uri.path))"])
        var response = WebForm.redirect("/ui/login")
        for path in Self.paths(leadingTo: request.uri.path) {
            response.headers[values: .setCookie].append("\(cookieName)=; Max-Age=0; Path=\(path); HttpOnly; SameSite=Strict")
        }
        return response
    }

    /// Every cookie path a browser would send a cookie of for this request path: `/`, `/ui`, `/ui/`,
    /// `/ui/queue`, ….
    static func paths(leadingTo path: String) -> [String] {
        var paths = ["/"]
        var current = ""
        for segment in path.split(separator: "/", omittingEmptySubsequences: true).prefix(8) {
            current += "/" + segment
            paths.append(current)
            paths.append(current + "/")
        }
        return paths.filter { !$0.contains(";") && !$0.unicodeScalars.contains { $0.value < 0x21 || $0.value > 0x7E } }
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
                logger.error("a review page failed", metadata: ["path": "\(UntrustedText.singleLine(request.uri.path))", "error": "\(error.message)"])
                return page(WebProblem(.internalServerError, "Something went wrong", "\(error.message). Nothing was changed."), context)
            }
        } catch let error as HTTPError where error.status == .notFound {
            return page(WebProblem(.notFound, "Not found", "There is no page at \(request.uri.path)."), context)
        }
    }

    func page(_ problem: WebProblem, _ context: Context) -> Response {
        var values: [String: Any] = ["title": problem.heading, "heading": problem.heading, "text": problem.text, "page": "message"]
        // (The signed-in check sets the account on its own copy of the context; the session is shared.)
        if let session = context.sessions.session {
            values["signed_in"] = true
            values["moderator_name"] = session.moderator
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
            guard let token = form["csrf"], ConstantTime.equals(token.utf8, session.csrf.utf8) else { throw WebProblem.staleForm }
            context.form = form
        }
        let path = request.uri.path
        if account.mustChangePassword, path != "/ui/password", path != "/ui/logout" {
            return WebForm.redirect("/ui/password")
        }
        return try await next(request, context)
    }
}
