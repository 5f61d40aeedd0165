import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Judging
import Logging
import Moderation
import ModerationStore
import ModeratoWeb
import PCRE2
import Synchronization

/// Settings for the Akismet-compatible endpoint.
public struct AkismetConfiguration: Sendable {
    /// A path prefix for the routes (`/akismet` gives `/akismet/1.1/comment-check`). The default is none.
    public var prefix: String = ""
    /// Keys accepted besides the API token (one per site, say). The default is none.
    public var extraKeys: Set<String> = []
    /// The rating given to comments checked through Akismet, whose protocol has none (a client may
    /// send a `rating` field). The default is 3.
    public var defaultRating: Int = 3

    public init() {}
}

/// The Akismet protocol (`verify-key`, `comment-check`, `submit-spam`, `submit-ham`, `usage-limit`), so
/// existing comment plugins can switch to Moderato by changing their API host. Checks go through the
/// same validation, pipeline and store as `POST /v1/comments`, so they show in `modctl` and the digest.
struct AkismetRoutes<Context: RequestContext> {
    let configuration: AkismetConfiguration
    let apiToken: String
    let database: any CommentStore
    let pipelines: PipelineController
    /// Judges and records checks as it does the queue's comments.
    let worker: QueueWorker
    /// Commits checks with the API's comments (group commit, queue accounting).
    let batcher: IngestBatcher
    let backpressure: Backpressure
    /// Checks judged inline at once; more are answered 503, so a flood of checks cannot take every core.
    let inlineChecks = InlineCheckLimit(maximum: 16)
    /// How long a form body may take to arrive.
    let bodyDeadline: Duration
    /// Judging is paused for maintenance: checks, which need a verdict now, are turned away.
    let isJudgingPaused: Bool
    /// The installation's key for comment ids: an id made from a comment's fields cannot be predicted,
    /// or collided with, by anyone without it.
    let idKey: SymmetricKey
    /// Submit-spam is the site's report: it is recorded as one, beside the site's rejection.
    var reportPolicy: ReportPolicy = .default

    static var thanks: String { "Thanks for making the web a better place." }

    func register(on router: Router<Context>) {
        let group = configuration.prefix.isEmpty ? router.group() : router.group(RouterPath(configuration.prefix))
        group.post("1.1/verify-key", use: verifyKey)
        group.post("1.1/comment-check", use: commentCheck)
        group.post("1.1/submit-spam") { request, context in try await submit(request, context: context, spam: true) }
        group.post("1.1/submit-ham") { request, context in try await submit(request, context: context, spam: false) }
        group.get("1.2/usage-limit", use: usageLimit)
    }

    // MARK: Protocol helpers

    static func text(_ body: String, debugHelp: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let debugHelp { headers[HTTPField.Name("X-akismet-debug-help")!] = debugHelp }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The largest form body read.
    static var maximumBodyBytes: Int { 64 * 1024 }

    /// The fields of a form-encoded body, then of the query for fields the body lacks. The key is read
    /// from the body only, so it does not end up in proxy logs.
    func fields(_ request: Request) async throws -> [String: String] {
        let buffer = try await BodyReader.collect(request, upTo: Self.maximumBodyBytes, within: bodyDeadline)
        var fields = Self.parse(String(buffer: buffer))
        for (key, value) in Self.parse(request.uri.query ?? "") where fields[key] == nil && key != "key" && key != "api_key" {
            fields[key] = value
        }
        return fields
    }

    static func parse(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            guard let name = parts.first.map(decode) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    func isValid(_ key: String?) -> Bool {
        guard let key, !key.isEmpty else { return false }
        // Every key is compared in full, so the time taken says nothing about which one came close.
        let given = Array(key.utf8)
        var valid = ConstantTime.equals(given, Array(apiToken.utf8))
        for extra in configuration.extraKeys {
            valid = ConstantTime.equals(given, Array(extra.utf8)) || valid
        }
        return valid
    }

    static var invalidKeyHelp: String { "We were unable to verify your API key; use a Moderato API token or a configured Akismet key." }

    // MARK: Endpoints

    @Sendable func verifyKey(_ request: Request, context: Context) async throws -> Response {
        let fields = try await self.fields(request)
        guard isValid(fields["key"] ?? fields["api_key"]) else { return Self.text("invalid", debugHelp: Self.invalidKeyHelp) }
        guard let blog = fields["blog"], blog.hasPrefix("http://") || blog.hasPrefix("https://") else {
            return Self.text("invalid", debugHelp: "The blog field must be the site's full URL, starting with http:// or https://.")
        }
        return Self.text("valid")
    }

    /// Checks the required fields and the key; an error response, or nil when the request may proceed.
    func refusal(_ fields: [String: String]) -> Response? {
        guard isValid(fields["api_key"] ?? fields["key"]) else { return Self.text("invalid", debugHelp: Self.invalidKeyHelp) }
        for required in ["blog", "user_ip"] where (fields[required] ?? "").isEmpty {
            return Self.text("Missing required field: \(required).", debugHelp: "Empty \"\(required)\" value")
        }
        return nil
    }

    /// The comment a request describes, with a stable id so a later submit-spam or submit-ham finds it.
    func comment(from fields: [String: String]) -> Comment {
        let blog = fields["blog"] ?? ""
        let permalink = fields["permalink"].flatMap { $0.isEmpty ? nil : $0 }
        let article = permalink ?? blog
        let articleID = article.unicodeScalars.count <= 200 && !article.contains(where: \.isWhitespace) ? article : "akismet-" + keyedHash([article])
        var rating = configuration.defaultRating
        if let given = fields["rating"].flatMap(Int.init), (1...5).contains(given) { rating = given }
        let email = fields["comment_author_email"].flatMap { CommentDecoder.looksLikeEmail($0) ? $0 : nil }
        let ip = fields["user_ip"].flatMap { IPAddress($0) == nil ? nil : $0 }
        let author = fields["comment_author"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.prefix(100)) } ?? "anonymous"
        let articleURL = permalink.flatMap { ($0.hasPrefix("http://") || $0.hasPrefix("https://")) && $0.count <= 2048 ? $0 : nil }
        let id = "akismet-" + keyedHash(["blog", "permalink", "comment_author", "comment_author_email", "comment_content"].map { fields[$0] ?? "" })
        return Comment(id: id, articleID: articleID, author: author,
                       body: String((fields["comment_content"] ?? "").prefix(CommentLimits.default.maxBodyCharacters)), rating: rating,
                       articleURL: articleURL, email: email, ip: ip,
                       userAgent: fields["user_agent"].map { String($0.prefix(CommentLimits.default.maxUserAgentCharacters)) },
                       submittedAt: fields["comment_date_gmt"].flatMap(CommentDecoder.parseTimestamp))
    }

    /// 32 hex digits of the HMAC-SHA256 of the parts, keyed with the installation's secret.
    func keyedHash(_ parts: [String]) -> String {
        var message = Data()
        for part in parts {
            message.append(Data(part.utf8))
            message.append(0)  // a separator no form field contains
        }
        let code = HMAC<SHA256>.authenticationCode(for: message, using: idKey)
        return code.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Stores a comment and judges it now (not in the queue's order); returns its status, score and signals.
    ///
    /// The comment is committed with the API's comments but without waking the queue worker, so this
    /// request normally judges it; if the worker was draining and got there first, its recorded verdict
    /// is the answer.
    func checkNow(_ comment: Comment, extraSignals: [Signal]) async throws -> (status: CommentStatus, score: Double, signals: [Signal]) {
        let outcome = try await batcher.accept(comment, wakesWorker: false)
        if outcome == .conflict {
            // Another comment holds this id (the same fields with another rating): answer for this one,
            // judged on its own, and never with the other's verdict.
            let judgement = pipelines.pipeline.judge(CommentAnalysis(comment: comment, scratch: MatchScratch()), extraSignals: extraSignals)
            return (CommentStatus(judgement.verdict), judgement.score, judgement.signals)
        }
        if let item = try await database.queuedComment(externalID: comment.id) {
            try await worker.judgeNow(item, extraSignals: extraSignals)
        }
        guard let details = try await database.details(of: comment.id) else { return (.held, 0, []) }
        return (details.comment.status, details.comment.score ?? 0, details.signals)
    }

    @Sendable func commentCheck(_ request: Request, context: Context) async throws -> Response {
        let fields = try await self.fields(request)
        if let refusal = refusal(fields) { return refusal }
        let comment = comment(from: fields)
        do {
            try CommentDecoder().validate(comment)
        } catch {
            return Self.text("Invalid comment: \(error.description)", debugHelp: error.message)
        }
        var extra: [Signal] = []
        if let honeypot = fields["honeypot_field_name"], !honeypot.isEmpty, let trap = fields[honeypot], !trap.isEmpty {
            extra.append(Signal(source: .heuristic, name: "akismet.honeypot", score: 0, action: .reject,
                                explanation: "The hidden form field \(honeypot) was filled in, which only robots do"))
        }
        // The same backpressure as POST /v1/comments, and a cap on checks judged at once. (Reports of
        // spam and ham are not turned away: they settle a comment rather than queue one.)
        if isJudgingPaused || backpressure.isFull || !inlineChecks.enter() {
            throw backpressure.refusal(code: "busy", message: "Comments cannot be checked right now; retry shortly.")
        }
        defer { inlineChecks.leave() }
        let result = try await checkNow(comment, extraSignals: extra)
        if result.status == .approved { return Self.text("false") }
        var response = Self.text("true")
        let forced = result.signals.contains { $0.action == .reject && !$0.isShadow }
        if result.status == .rejected, forced || result.score >= 15 {
            response.headers[HTTPField.Name("X-akismet-pro-tip")!] = "discard"
        }
        return response
    }

    func submit(_ request: Request, context: Context, spam: Bool) async throws -> Response {
        let fields = try await self.fields(request)
        if let refusal = refusal(fields) { return refusal }
        let comment = comment(from: fields)
        if try await database.details(of: comment.id) == nil {
            guard (try? CommentDecoder().validate(comment)) != nil else {
                return Self.text("Invalid comment", debugHelp: "The comment's fields do not make a valid comment.")
            }
            _ = try await checkNow(comment, extraSignals: [])
        }
        let actor = String((fields["blog"] ?? "site").prefix(200))
        if spam {
            // The site's report, as readers' are recorded: it shows with them, and the rejection below upholds it.
            // The store counts scalars: at most 200 with the prefix.
            let reporter: String = "site:" + String(String.UnicodeScalarView(actor.unicodeScalars.prefix(195)))
            let report = ReaderReport(reporter: reporter, reason: .spam, note: "submit-spam through the Akismet endpoint")
            _ = try await database.report(comment.id, report, policy: reportPolicy, at: Date())
        }
        try await Decider(store: database).decide(comment.id, verdict: spam ? .rejected : .approved, actor: actor, actorKind: .site,
                                  reason: spam ? "spam" : nil, note: "submit-\(spam ? "spam" : "ham") through the Akismet endpoint",
                                  force: true, at: Date())
        return Self.text(Self.thanks)
    }

    @Sendable func usageLimit(_ request: Request, context: Context) async throws -> Response {
        let fields = Self.parse(request.uri.query ?? "")
        guard isValid(fields["api_key"] ?? fields["key"]) else { return Self.text("invalid", debugHelp: Self.invalidKeyHelp) }
        let usage = try await database.commentCount(idPrefix: "akismet-", receivedSince: Date().addingTimeInterval(-30 * 86_400))
        return try JSONResponse.make(.ok, AkismetUsage(limit: "none", usage: usage, percentage: "0.00", throttled: false))
    }
}

/// The `usage-limit` answer: Moderato has no limit.
struct AkismetUsage: Encodable {
    var limit: String
    var usage: Int
    var percentage: String
    var throttled: Bool
}

/// How many Akismet checks are being judged inline; past the maximum, new ones are turned away.
final class InlineCheckLimit: Sendable {
    private let running = Atomic<Int>(0)
    let maximum: Int

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a place, or returns false when all are taken.
    func enter() -> Bool {
        if running.add(1, ordering: .relaxed).newValue > maximum {
            running.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        running.subtract(1, ordering: .relaxed)
    }
}
