import Foundation
import ModeratoTestSupport
import Testing

/// The browser review queue over HTTP, against the real daemon and `modctl`: accounts, sessions and
/// their cookies, CSRF refusals, sign-in limits, decisions and edits under the moderator's name in the
/// feed, claims, and the separation of the API's token from the queue's sessions.
@Suite struct ReviewQueueTests {
    static let password = "correct horse battery"

    /// A daemon with the queue on, a moderator `ann`, and held comments c1…cN on a premoderated article.
    static func start(_ store: TestStore = .sqlite, label: String, comments: Int = 3, arguments: [String] = []) async throws -> DaemonHarness {
        let daemon = try await DaemonHarness.start(extraArguments: ["--ui"] + arguments, database: try store.database(label))
        try addModerator(daemon, "ann")
        #expect(try daemon.modctl(["article", "set", "news-1", "--mode", "premoderate", "--as", "ann"]).status == 0)
        for index in 0..<comments {
            let body = ["The ferry timetable changed again without notice.", "Thanks for covering the school closures.",
                        "Councillor Dean answered none of the questions asked.", "Lovely photos of the harbour."][index % 4]
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "c\(index + 1)", author: "Reader\(index + 1)", body: body)).status == 202)
            #expect(try await daemon.waitForVerdict("c\(index + 1)")["status"] as? String == "held")
        }
        return daemon
    }

    static func addModerator(_ daemon: DaemonHarness, _ name: String, password: String = password) throws {
        let added = try CommandRunner.run("modctl", ["moderator", "add", name, "--password-stdin"],
                                          environment: ["MODERATO_DB": daemon.databasePath], stdin: password + "\n")
        #expect(added.status == 0, "\(added.stderr)")
    }

    /// Signs in through the form, as a browser does.
    @discardableResult
    static func signIn(_ browser: BrowserSession, _ name: String, password: String = password, next: String? = nil,
                       headers: [String: String] = [:]) async throws -> BrowserSession.Page {
        let form = try await browser.get("/ui/login" + (next.map { "?next=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""))
        var fields = ["csrf": form.formToken ?? "", "name": name, "password": password]
        if let next { fields["next"] = next }
        return try await browser.post("/ui/login", form: fields, headers: headers)
    }

    static func decisions(_ daemon: DaemonHarness) async throws -> [[String: Any]] {
        try await daemon.get("/v1/decisions?after=0").json["decisions"] as? [[String: Any]] ?? []
    }

    @Test func theQueueIsOffUnlessAskedFor() async throws {
        let daemon = try await DaemonHarness.start()
        let browser = BrowserSession(port: daemon.port)
        #expect(try await browser.get("/ui/login").status == 404)
        #expect(try await browser.get("/ui/queue").status == 404)
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func aModeratorSignsInDecidesAndSignsOut(store: TestStore) async throws {
        let daemon = try await Self.start(store, label: "ui_decide")
        let browser = BrowserSession(port: daemon.port)
        // Signed out, every page leads to the sign-in form, which sets its own token cookie.
        let away = try await browser.get("/ui/comment?id=c1")
        #expect(away.status == 303 && away.location == "/ui/login?next=%2Fui%2Fcomment%3Fid%3Dc1")
        let login = try await browser.get("/ui/login")
        #expect(login.status == 200 && login.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(login.setCookies.contains { $0.hasPrefix("moderato_login=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })

        let wrong = try await Self.signIn(browser, "ann", password: "not the password")
        #expect(wrong.status == 401 && wrong.text.contains("Wrong name or password."))
        #expect(browser.cookies["moderato_session"] == nil)
        let nobody = try await Self.signIn(browser, "nobody")
        #expect(nobody.status == 401 && nobody.text.contains("Wrong name or password."))

        let signedIn = try await Self.signIn(browser, "ann", next: "/ui/comment?id=c2")
        #expect(signedIn.status == 303 && signedIn.location == "/ui/comment?id=c2")
        let cookie = try #require(signedIn.setCookies.first { $0.hasPrefix("moderato_session=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui") && !cookie.contains("Secure"), "\(cookie)")

        let queue = try await browser.get("/ui/queue")
        #expect(queue.status == 200 && queue.text.contains(">c1</a>") && queue.text.contains(">c3</a>") && queue.text.contains("3 held"))
        let token = try #require(queue.formToken)

        // Without the session's token, or with another session's, a form changes nothing.
        #expect(try await browser.post("/ui/comment/approve", form: ["id": "c1"]).status == 403)
        let other = BrowserSession(port: daemon.port)
        try await Self.signIn(other, "ann")
        let otherToken = try #require(try await other.get("/ui/queue").formToken)
        let stale = try await browser.post("/ui/comment/approve", form: ["id": "c1", "csrf": otherToken])
        #expect(stale.status == 403 && stale.text.contains("This form has expired"))
        #expect(try await daemon.get("/v1/comments/c1").json["status"] as? String == "held")

        // With it, each decision is the moderator's, in the feed.
        let approved = try await browser.post("/ui/comment/approve", form: ["id": "c1", "csrf": token])
        #expect(approved.status == 303 && approved.location == "/ui/queue")
        #expect(try await browser.get("/ui/queue").text.contains("Approved c1."))
        let rejected = try await browser.post("/ui/comment/reject", form: ["id": "c2", "csrf": token, "reason": "abuse", "note": "name-calling"])
        #expect(rejected.status == 303)
        let badReason = try await browser.post("/ui/comment/reject", form: ["id": "c3", "csrf": token, "reason": "boring"])
        #expect(badReason.status == 400 && badReason.text.contains("spam, abuse, personal-data"))
        let feed = try await Self.decisions(daemon).filter { $0["actor_kind"] as? String == "moderator" }
        #expect(feed.count == 2)
        #expect(feed.first { $0["id"] as? String == "c1" }?["status"] as? String == "approved")
        #expect(feed.allSatisfy { $0["actor"] as? String == "ann" })
        #expect(feed.first { $0["id"] as? String == "c2" }?["reason"] as? String == "abuse")
        #expect(try daemon.modctl(["log"]).stdout.contains("name-calling"))

        // Deciding again is refused with who decided, and undo restores it.
        let again = try await browser.post("/ui/comment/reject", form: ["id": "c1", "csrf": token, "reason": "spam"])
        #expect(again.status == 409 && again.text.contains("already approved by ann"))
        #expect(try await browser.post("/ui/comment/undo", form: ["id": "c1", "csrf": token]).status == 303)
        #expect(try await daemon.get("/v1/comments/c1").json["status"] as? String == "held")
        // Undone, there is nothing left of ann's to undo: no button, and a plain answer if asked.
        #expect(!(try await browser.get("/ui/comment?id=c1").text.contains("id=\"undo\"")))
        let nothing = try await browser.post("/ui/comment/undo", form: ["id": "c1", "csrf": token])
        #expect(nothing.status == 409 && nothing.text.contains("There is no decision of yours to undo on c1."))

        // The API's token opens no page; the session opens none of the API.
        let withToken = BrowserSession(port: daemon.port)
        #expect(try await withToken.get("/ui/queue", headers: ["Authorization": "Bearer \(daemon.token)"]).status == 303)
        let withCookie = try await browser.get("/v1/comments/c1")
        #expect(withCookie.status == 401)
        let sent = try await browser.send("POST", "/v1/comments", body: commentJSON(id: "x1", body: "hello"), headers: ["Content-Type": "application/json"])
        #expect(sent.status == 401)

        // Signing out ends the session for good: the old cookie opens nothing.
        let saved = try #require(browser.cookies["moderato_session"])
        #expect(try await browser.post("/ui/logout", form: ["csrf": token]).location == "/ui/login")
        let replay = BrowserSession(port: daemon.port)
        replay.setCookie("moderato_session", saved)
        #expect(try await replay.get("/ui/queue").status == 303)
        #expect(try await daemon.stop() == 0)
    }

    @Test func wrongPasswordsLockTheAccountUntilReset() async throws {
        let daemon = try await Self.start(label: "ui_lock", comments: 0)
        let browser = BrowserSession(port: daemon.port)
        for _ in 0..<4 {
            #expect(try await Self.signIn(browser, "ann", password: "guess guess guess").status == 401)
        }
        let fifth = try await Self.signIn(browser, "ann", password: "guess guess guess")
        #expect(fifth.status == 403 && fifth.text.contains("This account is locked after 5 wrong passwords"))
        // Locked, even the right password is refused, and the wait is said.
        let right = try await Self.signIn(browser, "ann")
        #expect(right.status == 403 && Int(right.header("Retry-After") ?? "") ?? 0 > 800)
        #expect(browser.cookies["moderato_session"] == nil)
        #expect(try daemon.modctl(["moderator", "list"]).stdout.contains("locked until"))
        // An administrator's reset unlocks it with a one-time password to change at once.
        let reset = try daemon.modctl(["moderator", "reset-password", "ann"])
        #expect(reset.status == 0)
        let lines = reset.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let oneTime = try #require(lines.first { $0.count == 23 && $0.split(separator: "-").count == 4 })
        let signedIn = try await Self.signIn(browser, "ann", password: oneTime)
        #expect(signedIn.status == 303 && signedIn.location == "/ui/password")
        #expect(try await browser.get("/ui/queue").location == "/ui/password")
        let page = try await browser.get("/ui/password")
        let token = try #require(page.formToken)
        let short = try await browser.post("/ui/password", form: ["csrf": token, "current": oneTime, "new": "short", "again": "short"])
        #expect(short.status == 400 && short.text.contains("at least 10 characters"))
        let changed = try await browser.post("/ui/password", form: ["csrf": token, "current": oneTime, "new": "a much better one", "again": "a much better one"])
        #expect(changed.status == 303 && changed.location == "/ui/queue")
        #expect(try await browser.get("/ui/queue").status == 200)
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", password: "a much better one").status == 303)
        // Guessing the current password on the password page counts like signing in: the fifth wrong one locks and signs out.
        let newToken = try #require(try await browser.get("/ui/password").formToken)
        for attempt in 1...5 {
            let guess = try await browser.post("/ui/password", form: ["csrf": newToken, "current": "guess \(attempt) guess", "new": "x", "again": "x"])
            #expect(guess.status == (attempt < 5 ? 401 : 403), "\(attempt)")
        }
        #expect(try await browser.get("/ui/queue").status == 303)
        #expect(try await daemon.stop() == 0)
    }

    @Test func signInsFromOneAddressAreLimited() async throws {
        let directory = TemporaryDirectory("ui-limit")
        try "ui:\n  login_attempts_per_hour: 3\n  public_url: https://moderation.example.org\n".write(toFile: directory.path("moderato.yml"),
                                                                                                     atomically: true, encoding: .utf8)
        let daemon = try await Self.start(label: "ui_limit", comments: 0, arguments: ["--config", directory.path("moderato.yml")])
        let browser = BrowserSession(port: daemon.port)
        let first = try await Self.signIn(browser, "ann")
        #expect(first.status == 303)
        // Served over HTTPS (public_url), the cookie is Secure, and `__Host-` (no sibling subdomain can plant one).
        // (Hummingbird writes a cookie's attributes in no fixed order.)
        #expect(first.setCookies.contains { cookie in
            let attributes = Set(cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) })
            return cookie.hasPrefix("__Host-moderato_session=") && attributes.contains("Secure") && attributes.contains("Path=/")
        },
                "\(first.setCookies)")
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", password: "wrong wrong wrong").status == 401)
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", password: "wrong wrong wrong").status == 401)
        let limited = try await Self.signIn(BrowserSession(port: daemon.port), "ann")
        #expect(limited.status == 429 && Int(limited.header("Retry-After") ?? "") ?? 0 > 0 && limited.text.contains("Too many sign-in attempts"))
        // Behind the declared proxy on this machine, each browser's address counts on its own.
        let forwarded = ["X-Forwarded-For": "198.51.100.1, 203.0.113.9"]
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", headers: forwarded).status == 303)
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", headers: forwarded).status == 303)
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", headers: forwarded).status == 303)
        #expect(try await Self.signIn(BrowserSession(port: daemon.port), "ann", headers: forwarded).status == 429)
        #expect(daemon.log.contains("address=203.0.113.9"))
        // The public name is answered; another name (a DNS name rebound to the daemon) is not.
        #expect(try await BrowserSession(port: daemon.port).get("/ui/login", headers: ["Host": "moderation.example.org"]).status == 200)
        let rebound = try await BrowserSession(port: daemon.port).get("/ui/login", headers: ["Host": "evil.example:\(daemon.port)"])
        #expect(rebound.status == 421 && rebound.text.contains("ui.public_url"))
        for host in ["[::1]evil.example", "127.0.0.1:evil", "127.0.0.1:", "moderation.example.org.evil"] {
            #expect(try await BrowserSession(port: daemon.port).get("/ui/login", headers: ["Host": host]).status == 421, "\(host)")
        }
        let bad = directory.path("bad.yml")
        try "ui:\n  public_url: moderation.example.org/ui\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run("moderatod", ["--config", bad, "--database", directory.path("x.sqlite")], timeout: 20)
        #expect(refused.status == 2 && refused.stderr.contains("bad.yml:2: setting ui.public_url must be the address browsers use"), "\(refused.stderr)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aStaleSignInFormIsRefused() async throws {
        let daemon = try await Self.start(label: "ui_login_csrf", comments: 0)
        let browser = BrowserSession(port: daemon.port)
        // A form posted from elsewhere has no token cookie to match.
        let forged = try await browser.post("/ui/login", form: ["csrf": "made-up", "name": "ann", "password": Self.password])
        #expect(forged.status == 403 && browser.cookies["moderato_session"] == nil)
        // A form that is not a form is refused.
        _ = try await browser.get("/ui/login")
        let json = try await browser.send("POST", "/ui/login", body: #"{"name":"ann"}"#, headers: ["Content-Type": "application/json"])
        #expect(json.status == 415)
        // A return address elsewhere is ignored.
        let elsewhere = try await Self.signIn(browser, "ann", next: "//evil.example/")
        #expect(elsewhere.status == 303 && elsewhere.location == "/ui/queue")
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func twoModeratorsReviewingGetDifferentComments(store: TestStore) async throws {
        let daemon = try await Self.start(store, label: "ui_claims", comments: 2)
        try Self.addModerator(daemon, "bo")
        let ann = BrowserSession(port: daemon.port), bo = BrowserSession(port: daemon.port)
        try await Self.signIn(ann, "ann")
        try await Self.signIn(bo, "bo")
        let annToken = try #require(try await ann.get("/ui/queue").formToken)
        let boToken = try #require(try await bo.get("/ui/queue").formToken)
        let annNext = try await ann.post("/ui/next", form: ["csrf": annToken])
        let boNext = try await bo.post("/ui/next", form: ["csrf": boToken])
        #expect(annNext.location == "/ui/comment?id=c1&review=1" && boNext.location == "/ui/comment?id=c2&review=1")
        // Each sees who is on the other's comment.
        #expect(try await bo.get("/ui/queue").text.contains("ann is on it"))
        #expect(try await bo.get("/ui/comment?id=c1").text.contains("ann is looking at this comment too"))
        // Deciding in review moves on to the next comment nobody else holds; then the queue is clear.
        let decided = try await ann.post("/ui/comment/approve", form: ["id": "c1", "csrf": annToken, "review": "1"])
        #expect(decided.location == "/ui/queue", "c2 is bo's: \(decided.location ?? "")")
        #expect(try await ann.get("/ui/queue").text.contains("Approved c1. No more held comments to review."))
        let skipped = try await bo.post("/ui/comment/skip", form: ["id": "c2", "csrf": boToken])
        #expect(skipped.location == "/ui/queue")
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func editsAndRedactionsFromTheQueue(store: TestStore) async throws {
        let daemon = try await Self.start(store, label: "ui_edit", comments: 2)
        let browser = BrowserSession(port: daemon.port)
        try await Self.signIn(browser, "ann")
        let page = try await browser.get("/ui/comment?id=c1")
        let token = try #require(page.formToken)
        #expect(page.field("revision") == "0")
        // Too long a text changes nothing and keeps what was typed.
        let long = String(repeating: "x", count: 20_000)
        let refused = try await browser.post("/ui/comment/edit", form: ["id": "c1", "csrf": token, "revision": "0", "body": long])
        #expect(refused.status == 400 && refused.text.contains("The new text cannot be used"))
        #expect(try daemon.modctl(["show", "c1"]).stdout.contains("The ferry timetable changed again without notice."))
        // Edit and approve: the feed carries the edited text under ann's name.
        let edited = try await browser.post("/ui/comment/edit", form: ["id": "c1", "csrf": token, "revision": "0", "approve": "1",
                                                                           "body": "The ferry timetable changed again.", "reason": "trimmed"])
        #expect(edited.status == 303)
        let approval = try #require(try await Self.decisions(daemon).last)
        #expect(approval["id"] as? String == "c1" && approval["status"] as? String == "approved" && approval["actor"] as? String == "ann")
        #expect(approval["edited"] as? Bool == true && approval["body"] as? String == "The ferry timetable changed again.")
        // A stale revision is a conflict, not a lost edit.
        let conflict = try await browser.post("/ui/comment/edit", form: ["id": "c1", "csrf": token, "revision": "0", "body": "Other text."])
        #expect(conflict.status == 409 && conflict.text.contains("&#10;Other text.</textarea>"), "what was typed is kept")
        // Redaction replaces every occurrence of the selected text; a text not there is refused.
        let missing = try await browser.post("/ui/comment/redact", form: ["id": "c2", "csrf": token, "revision": "0", "text": "nowhere", "reason": "x"])
        #expect(missing.status == 400 && missing.text.contains("is not in the text"))
        let redacted = try await browser.post("/ui/comment/redact", form: ["id": "c2", "csrf": token, "revision": "0", "text": "school closures",
                                                                               "reason": "test"])
        #expect(redacted.status == 303)
        let shown = try await browser.get("/ui/comment?id=c2")
        #expect(shown.text.contains("Thanks for covering the [removed].") && shown.text.contains("redacted by ann: test"))
        #expect(shown.text.contains("was: Thanks for covering the school closures."))
        #expect(try await daemon.stop() == 0)
    }

    @Test(arguments: TestStore.available) func reportsBlocksArticlesAndTheDigest(store: TestStore) async throws {
        let daemon = try await Self.start(store, label: "ui_newsroom", comments: 2)
        // A published comment on another article, reported by three readers, is back in the reported queue.
        #expect(try await daemon.post("/v1/comments", json: commentJSON(id: "p1", article: "news-2", author: "Vic",
                                                                        body: "The lifeboat crew deserve a medal.")).status == 202)
        #expect(try await daemon.waitForVerdict("p1")["status"] as? String == "approved")
        for reader in ["r1", "r2", "r3"] {
            #expect(try await daemon.post("/v1/comments/p1/reports", json: #"{"reporter":"\#(reader)","reason":"spam","note":"<i>ad</i>"}"#).status == 202)
        }
        let browser = BrowserSession(port: daemon.port)
        try await Self.signIn(browser, "ann")
        let reported = try await browser.get("/ui/queue?reported=1")
        #expect(reported.status == 200 && reported.text.contains(">p1</a>") && reported.text.contains("⚑ 3 spam") && !reported.text.contains(">c1</a>"))
        let page = try await browser.get("/ui/comment?id=p1")
        #expect(page.text.contains("“&lt;i&gt;ad&lt;/i&gt;”") && page.text.contains("by readers"), "notes are escaped")
        let token = try #require(page.formToken)
        // The queue's filters are modctl queue's.
        #expect(try await browser.get("/ui/queue?author=Reader2").text.contains(">c2</a>"))
        #expect(!(try await browser.get("/ui/queue?author=Reader2").text.contains(">c1</a>")))
        #expect(try await browser.get("/ui/queue?older_than=1h").text.contains("No held comments match these filters."))
        #expect(try await browser.get("/ui/queue?older_than=soon").status == 400)

        // Reject and block: the author is on the block list, by ann.
        let blocked = try await browser.post("/ui/comment/reject", form: ["id": "c1", "csrf": token, "reason": "spam", "block": "1"])
        #expect(blocked.status == 303)
        #expect(try await browser.get("/ui/queue").text.contains("Rejected c1 (spam); Reader1 is blocked."))
        let list = try daemon.modctl(["block", "list"])
        #expect(list.stdout.contains("Reader1") && list.stdout.contains("ann"), "\(list.stdout)")

        // Article modes, as modctl article sets them.
        let articles = try await browser.get("/ui/articles")
        #expect(articles.status == 200 && articles.text.contains("news-1") && articles.text.contains("news-2"))
        #expect(try await browser.post("/ui/articles", form: ["csrf": token, "article": "court-7", "mode": "closed"]).status == 303)
        #expect(try daemon.modctl(["article", "list"]).stdout.contains("court-7"))
        #expect(try await browser.post("/ui/articles", form: ["csrf": token, "article": "court-7", "mode": "shut"]).status == 400)
        #expect(try await browser.post("/ui/articles", form: ["article": "court-8", "mode": "closed"]).status == 403)

        // The digest, with its charts, for the periods offered only.
        let digest = try await browser.get("/ui/digest?since=7d")
        #expect(digest.status == 200 && digest.text.contains("<svg") && digest.text.contains("Moderation digest"))
        #expect(try await browser.get("/ui/digest?since=1y").status == 400)
        let missing = try await browser.get("/ui/comment?id=nope")
        #expect(missing.status == 404 && missing.text.contains("Back to the queue") && missing.text.contains("Sign out"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func hostileCommentsFormsAndOriginsAreHarmless() async throws {
        let daemon = try await Self.start(label: "ui_hostile", comments: 0)
        // Markup joined by combining marks (one Swift Character with the mark) in the author, the text,
        // the article and a report's note; ids that are no path segment.
        let author = "Spammer\"\u{301} formaction=/ui/comment/approve x="
        let body = "Nice \u{600}<meta http-equiv=refresh content=0;url=http://127.0.0.1:1/phish>\u{301} and \u{600}</textarea>\u{301}<b>bold</b>\u{202E}"
        for id in ["x1", "a/b?c=1&d#e", ".."] {
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: id, article: "news-1", author: author, body: body)).status == 202)
            #expect(try await daemon.waitForVerdict(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)["status"] as? String == "held")
        }
        let browser = BrowserSession(port: daemon.port)
        try await Self.signIn(browser, "ann")
        let queue = try await browser.get("/ui/queue")
        let page = try await browser.get("/ui/comment?id=x1")
        // (The edit box holds the text exactly as it is, escaped; everything shown is checked.)
        let shown = page.text.replacingOccurrences(of: #"(?s)<textarea.*?</textarea>"#, with: "", options: .regularExpression)
        #expect(page.text.contains("&#10;Nice \u{600}&lt;meta"))
        for text in [queue.text, shown] {
            #expect(!text.contains("<meta http-equiv") && !text.contains("<b>bold") && !text.contains("\"\u{301} formaction"))
            #expect(!text.contains("</textarea>\u{301}") && !text.contains("\u{202E}"))
        }
        #expect(page.text.contains("&lt;meta http-equiv") && page.text.contains("[U+202E]"))
        // Odd ids open, and are decided, by their own id.
        #expect(queue.text.contains("/ui/comment?id=a%2Fb%3Fc%3D1%26d%23e"))
        for id in ["a/b?c=1&d#e", ".."] {
            let opened = try await browser.get("/ui/comment?id=" + id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(opened.status == 200 && opened.text.contains("data-id=\"\(id == ".." ? ".." : "a/b?c=1&amp;d#e")\""), "\(id)")
        }
        let token = try #require(page.formToken)
        #expect(try await browser.post("/ui/comment/approve", form: ["id": "a/b?c=1&d#e", "csrf": token]).status == 303)
        #expect(try daemon.modctl(["show", "a/b?c=1&d#e"]).stdout.contains("by ann"))

        // What a form sends back is the comment's own id and text, not the marks shown in their place.
        for id in ["z\u{202E}1", "z[U+202E]1"] {
            #expect(try await daemon.post("/v1/comments", json: commentJSON(id: id, article: "news-1", author: "Zed",
                                                                            body: "price \u{202E}01$\u{202C} ok")).status == 202)
        }
        _ = try await daemon.waitForVerdict("z%E2%80%AE1")
        _ = try await daemon.waitForVerdict("z%5BU%2B202E%5D1")
        let bidi = try await browser.get("/ui/comment?id=z%E2%80%AE1")
        #expect(bidi.field("id") == "z\u{202E}1")
        #expect(bidi.text.contains("&#10;price \u{202E}01$\u{202C} ok</textarea>"))
        #expect(try await browser.post("/ui/comment/approve", form: ["id": bidi.field("id") ?? "", "csrf": token]).status == 303)
        #expect(try await daemon.get("/v1/comments/z%E2%80%AE1").json["status"] as? String == "approved")
        #expect(try await daemon.get("/v1/comments/z%5BU%2B202E%5D1").json["status"] as? String == "held")

        // Forms that are not forms are refused, and the daemon stays up.
        for bad in ["a=%ZZ", "name=%E0%A4", "csrf=\u{0}"] {
            let refused = try await browser.send("POST", "/ui/comment/approve", body: bad, headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(refused.status == 400 || refused.status == 403, "\(bad): \(refused.status)")
            let signIn = try await BrowserSession(port: daemon.port).send("POST", "/ui/login", body: bad,
                                                                       headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(signIn.status == 400 || signIn.status == 403)
        }
        #expect(daemon.isRunning)
        #expect(try await browser.get("/ui/queue").status == 200)

        // A form from another origin is refused even with the right token; from this one it is not.
        let crossSite = try await browser.post("/ui/comment/approve", form: ["id": "x1", "csrf": token], headers: ["Sec-Fetch-Site": "same-site"])
        #expect(crossSite.status == 403 && crossSite.text.contains("This form came from another site"))
        let otherPort = try await browser.post("/ui/comment/approve", form: ["id": "x1", "csrf": token], headers: ["Origin": "http://127.0.0.1:1"])
        #expect(otherPort.status == 403)
        #expect(try await daemon.get("/v1/comments/x1").json["status"] as? String == "held")
        let sameOrigin = try await browser.post("/ui/comment/approve", form: ["id": "x1", "csrf": token],
                                                headers: ["Origin": "http://127.0.0.1:\(daemon.port)", "Sec-Fetch-Site": "same-origin"])
        #expect(sameOrigin.status == 303)
        // Without a declared proxy, X-Forwarded-For is not believed (any local client could send it).
        #expect(!daemon.log.contains("address=203.0.113.77"))
        _ = try await Self.signIn(BrowserSession(port: daemon.port), "ann", headers: ["X-Forwarded-For": "203.0.113.77"])
        #expect(!daemon.log.contains("address=203.0.113.77") && daemon.log.contains("address=127.0.0.1"))
        // Another port's page cannot make a moderator fetch a page (and so claim a comment) without navigating.
        let image = try await browser.get("/ui/comment?id=x1", headers: ["Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"])
        #expect(image.status == 403)
        #expect(try await browser.get("/ui/comment?id=x1", headers: ["Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate"]).status == 200)
        // ... nor load one into a frame or an object.
        #expect(try await browser.get("/ui/comment?id=x1", headers: ["Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate",
                                                                   "Sec-Fetch-Dest": "iframe"]).status == 403)
        // Two session cookies (one planted with a longer path, or behind a character the cookie parser
        // drops) end both sessions and clear every cookie of that name the request could carry.
        let mine = try #require(browser.cookies["moderato_session"])
        let planted = BrowserSession(port: daemon.port)
        try await Self.signIn(planted, "ann")
        let theirs = try #require(planted.cookies["moderato_session"])
        let twice = try await BrowserSession(port: daemon.port).get("/ui/queue", headers: ["Cookie": "moderato_session=\(theirs);\tmoderato_session=\(mine)"])
        #expect(twice.status == 303 && twice.location == "/ui/login")
        let cleared = twice.setCookies.filter { $0.contains("Max-Age=0") }
        for path in ["/", "/ui", "/ui/", "/ui/queue", "/ui/queue/"] { #expect(cleared.contains { $0.contains("Path=\(path);") }, "\(path)") }
        #expect(try await browser.get("/ui/queue").status == 303, "the session is over")
        #expect(try await planted.get("/ui/queue").status == 303, "so is the other")
        try await Self.signIn(browser, "ann")
        let token2 = try #require(try await browser.get("/ui/queue").formToken)
        // A sign-in form posted from another port with a planted token cookie does not sign anyone in.
        let plantedLogin = BrowserSession(port: daemon.port)
        plantedLogin.setCookie("moderato_login", "KNOWN")
        let forged = try await plantedLogin.post("/ui/login", form: ["csrf": "KNOWN", "name": "ann", "password": Self.password],
                                            headers: ["Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"])
        #expect(forged.status == 403 && plantedLogin.cookies["moderato_session"] == nil)
        // An id cut at a NUL is no id; a name with a line break cannot forge a log line.
        #expect(try await browser.get("/ui/comment?id=x1%00y").status == 404)
        _ = try await Self.signIn(BrowserSession(port: daemon.port), "ann\n2026-01-01 info moderator signed in moderator=root")
        #expect(!daemon.log.contains("\n2026-01-01 info") && daemon.log.contains("ann 2026-01-01 info moderator signed in moderator=root"),
                "\(daemon.log.split(separator: "\n").filter { $0.contains("2026-01-01") })")
        #expect(try await daemon.stop() == 0)
    }

    @Test func moderatorCommandsRefuseBadInput() async throws {
        let daemon = try await Self.start(label: "ui_accounts", comments: 0)
        let again = try CommandRunner.run("modctl", ["moderator", "add", "ann", "--password-stdin"],
                                          environment: ["MODERATO_DB": daemon.databasePath], stdin: "another password\n")
        #expect(again.status == 1 && again.stderr.contains("a moderator named ann already exists"))
        let short = try CommandRunner.run("modctl", ["moderator", "add", "cy", "--password-stdin"],
                                          environment: ["MODERATO_DB": daemon.databasePath], stdin: "short\n")
        #expect(short.status == 1 && short.stderr.contains("at least 10 characters"))
        #expect(try daemon.modctl(["moderator", "add", "two words"]).status == 64)
        #expect(try daemon.modctl(["moderator", "add", "moderato"]).status == 64)
        let unknown = try daemon.modctl(["moderator", "remove", "nobody"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no moderator named nobody"))
        let list = try daemon.modctl(["moderator", "list", "--json"])
        let moderators = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["moderators"] as? [[String: Any]]
        #expect(moderators?.map { $0["name"] as? String } == ["ann"])
        // Removing an account ends its sessions at once.
        let browser = BrowserSession(port: daemon.port)
        try await Self.signIn(browser, "ann")
        #expect(try await browser.get("/ui/queue").status == 200)
        #expect(try daemon.modctl(["moderator", "remove", "ann"]).status == 0)
        #expect(try await browser.get("/ui/queue").status == 303)
        #expect(try await daemon.stop() == 0)
    }
}
