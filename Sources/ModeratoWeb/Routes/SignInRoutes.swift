import Foundation
import Hummingbird
import HummingbirdAuth
import Logging
import Moderation
import ModerationStore
import NIOPosix

/// Signing in and out, and choosing one's password.
///
/// The sign-in form is protected like the others, before there is a session: its token is also set in
/// a short-lived cookie of its own (`SameSite=Strict`), and the two must match. Attempts are limited
/// per address (in memory) and per account (in the store: too many wrong passwords lock it).
struct SignInRoutes {
    let web: ModeratorWeb

    func register(on group: RouterGroup<WebContext>) {
        group.get("login") { request, context in
            if context.sessions.session != nil, request.uri.queryParameters["next"] == nil {
                return WebForm.redirect("/ui/queue")
            }
            return loginPage(name: "", next: request.uri.queryParameters["next"].map(String.init), error: nil, status: .ok)
        }
        group.post("login") { request, context in
            var request = request
            let form = try await WebForm.read(&request)
            let name = form["name"] ?? ""
            let next = WebForm.safeNext(form["next"])
            guard let cookie = request.cookies[web.configuration.loginCookie.name]?.value, let token = form["csrf"],
                  ConstantTime.equals(cookie.utf8, token.utf8) else {
                return loginPage(name: name, next: next, error: "The sign-in form had expired. Please sign in again.", status: .forbidden)
            }
            let address = context.client(of: request, behindProxy: web.configuration.publicURL != nil)
            if let wait = web.loginsByAddress.take(address) {
                web.logger.warning("sign-in attempts from one address over the limit", metadata: ["address": "\(UntrustedText.singleLine(address))"])
                var response = loginPage(name: name, next: next, error: "Too many sign-in attempts from your address. Try again in \(Self.minutes(wait)).",
                                         status: .tooManyRequests)
                response.headers[.retryAfter] = "\(wait)"
                return response
            }
            let now = Date()
            // The attempt is counted before the password is checked, so a burst of guesses cannot all
            // get past the lock.
            guard let account = try await web.store.recordLoginAttempt(named: name, policy: web.configuration.login, at: now) else {
                // As long as a wrong password, so a name's existence does not show in the time taken.
                _ = await Self.verify(form["password"] ?? "", hash: ModeratorPasswords.decoy)
                web.logger.notice("sign-in refused: no such moderator", metadata: ["moderator": "\(UntrustedText.singleLine(name))", "address": "\(UntrustedText.singleLine(address))"])
                return loginPage(name: name, next: next, error: "Wrong name or password.", status: .unauthorized)
            }
            if account.isLocked(at: now) {
                return lockedPage(account, next: next)
            }
            guard await Self.verify(form["password"] ?? "", hash: account.passwordHash) else {
                let after = try await web.store.recordLoginFailure(named: name, policy: web.configuration.login, at: now)
                web.logger.notice("sign-in refused: wrong password", metadata: [
                    "moderator": "\(UntrustedText.singleLine(name))", "address": "\(UntrustedText.singleLine(address))", "failures": "\(after?.failedLogins ?? 0)"])
                if let after, after.isLocked(at: now) {
                    web.logger.warning("moderator account locked after wrong passwords", metadata: ["moderator": "\(UntrustedText.singleLine(name))"])
                    return lockedPage(after, next: next)
                }
                return loginPage(name: name, next: next, error: "Wrong name or password.", status: .unauthorized)
            }
            try await web.store.recordLoginSuccess(named: name, at: now)
            _ = try? await web.store.pruneSessions(at: now)
            // A new session, with a new id: a cookie planted before signing in is never promoted.
            context.sessions.createSession(WebSession(moderator: account.name, csrf: WebForm.randomToken(),
                                                      passwordStamp: account.passwordChangedAt.timeIntervalSince1970))
            web.logger.info("moderator signed in", metadata: ["moderator": "\(UntrustedText.singleLine(name))", "address": "\(UntrustedText.singleLine(address))"])
            var response = WebForm.redirect(account.mustChangePassword ? "/ui/password" : next)
            let login = web.configuration.loginCookie
            response.setCookie(Cookie(name: login.name, value: "", maxAge: 0, path: login.path, secure: web.configuration.secureCookies,
                                      httpOnly: true, sameSite: .strict))
            return response
        }
    }

    func registerSignedIn(on group: RouterGroup<WebContext>) {
        group.post("logout") { _, context in
            if let name = context.moderator?.name {
                try? await web.store.releaseClaims(moderator: name)
                web.logger.info("moderator signed out", metadata: ["moderator": "\(UntrustedText.singleLine(name))"])
            }
            context.sessions.clearSession()
            return WebForm.redirect("/ui/login")
        }
        group.get("password") { _, context in
            try await passwordPage(context, error: nil, status: .ok)
        }
        group.post("password") { _, context in
            guard let account = context.moderator else { throw WebProblem.staleForm }
            let form = context.form
            let new = form["new"] ?? ""
            // Guesses at the current password count like sign-in attempts, so a stolen session cannot
            // be used to find the password.
            let policy = web.configuration.login
            let attempt = try await web.store.recordLoginAttempt(named: account.name, policy: policy, at: Date())
            if let attempt, attempt.isLocked(at: Date()) {
                context.sessions.clearSession()
                return lockedPage(attempt, next: "/ui/queue")
            }
            guard await Self.verify(form["current"] ?? "", hash: account.passwordHash) else {
                if let after = try await web.store.recordLoginFailure(named: account.name, policy: policy, at: Date()), after.isLocked(at: Date()) {
                    web.logger.warning("moderator account locked after wrong passwords", metadata: ["moderator": "\(account.name)"])
                    context.sessions.clearSession()
                    return lockedPage(after, next: "/ui/queue")
                }
                return try await passwordPage(context, error: "The current password is wrong.", status: .unauthorized)
            }
            try await web.store.recordLoginSuccess(named: account.name, at: Date())
            if let problem = ModeratorPasswords.problem(with: new) {
                return try await passwordPage(context, error: problem.prefix(1).uppercased() + problem.dropFirst() + ".", status: .badRequest)
            }
            guard new == form["again"] else {
                return try await passwordPage(context, error: "The two new passwords differ.", status: .badRequest)
            }
            guard new != form["current"] else {
                return try await passwordPage(context, error: "Choose a password other than the one you were given.", status: .badRequest)
            }
            let hash = await Self.hash(new, cost: web.configuration.passwordCost)
            let now = Date()
            _ = try await web.store.setModeratorPassword(named: account.name, passwordHash: hash, mustChange: false, at: now)
            // Every other session of the account ends with the old password; this one starts anew.
            guard let changed = try await web.store.moderatorAccount(named: account.name) else { throw WebProblem.staleForm }
            context.sessions.createSession(WebSession(moderator: changed.name, csrf: WebForm.randomToken(),
                                                      passwordStamp: changed.passwordChangedAt.timeIntervalSince1970,
                                                      notice: "Your password is changed."))
            web.logger.info("moderator changed their password", metadata: ["moderator": "\(account.name)"])
            return WebForm.redirect("/ui/queue")
        }
    }

    func loginPage(name: String, next: String?, error: String?, status: HTTPResponse.Status) -> Response {
        let token = WebForm.randomToken()
        var values: [String: Any] = ["title": "Sign in", "page": "login", "login_csrf": token, "name": name, "next": WebForm.safeNext(next)]
        if let error { values["error"] = error }
        var response = web.pages.render("login", values, status: status)
        let login = web.configuration.loginCookie
        response.setCookie(Cookie(name: login.name, value: token, maxAge: 3600, path: login.path, secure: web.configuration.secureCookies,
                                  httpOnly: true, sameSite: .strict))
        return response
    }

    func lockedPage(_ account: ModeratorAccount, next: String) -> Response {
        let until = account.lockedUntil ?? Date()
        let wait = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
        var response = loginPage(name: account.name, next: next, error: "This account is locked after \(web.configuration.login.maximumFailures) wrong "
            + "passwords. Try again in \(Self.minutes(wait)), or ask an administrator to run: modctl moderator reset-password \(account.name)",
                                 status: .forbidden)
        response.headers[.retryAfter] = "\(wait)"
        return response
    }

    func passwordPage(_ context: WebContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        var values = try await web.layout(context, page: "password", title: "Your password")
        values["must_change"] = context.moderator?.mustChangePassword ?? false
        values["minimum_length"] = ModeratorPasswords.minimumLength
        if let error { values["error"] = error }
        return web.pages.render("password", values, status: status)
    }

    static func minutes(_ seconds: Int) -> String {
        seconds < 90 ? "\(seconds) seconds" : "\((seconds + 59) / 60) minutes"
    }

    /// bcrypt is slow on purpose: it runs on NIO's thread pool, not on the threads serving requests.
    static func verify(_ password: String, hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { ModeratorPasswords.verify(password, hash: hash) }) ?? false
    }

    static func hash(_ password: String, cost: UInt8) async -> String {
        (try? await NIOThreadPool.singleton.runIfActive { ModeratorPasswords.hash(password, cost: cost) }) ?? ModeratorPasswords.hash(password, cost: cost)
    }
}
