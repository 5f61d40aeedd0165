import Foundation
import Hummingbird
import Logging
import Moderation
import ModerationStore
import ModeratoWeb

/// `POST /v1/comments/{id}/reports`: a reader reports a comment, through the website.
///
/// One report per reporter and comment counts. Once the open reports on an approved comment reach
/// ``ReportPolicy``'s threshold, it is held with a readers' decision in the feed, so the website
/// hides it until a moderator decides. A report of a comment still queued is kept and counts once
/// the pipeline approves it. Each reporter, and each reader's network when the website sends `ip`,
/// may send a limited number an hour (429 with `Retry-After` past it).
struct ReportRoutes<Context: RequestContext> {
    let database: any CommentStore
    let configuration: ReportsConfiguration
    let perReporter: RateLimiter
    let perNetwork: RateLimiter
    /// How long a request body may take to arrive.
    let bodyDeadline: Duration

    init(database: any CommentStore, configuration: ReportsConfiguration, bodyDeadline: Duration) {
        self.database = database
        self.configuration = configuration
        self.perReporter = RateLimiter(perHour: configuration.perReporterPerHour)
        self.perNetwork = RateLimiter(perHour: configuration.perNetworkPerHour)
        self.bodyDeadline = bodyDeadline
    }

    func register(on group: RouterGroup<Context>) {
        group.post("comments/{id}/reports", use: report)
    }

    struct Receipt: Encodable {
        var id: String
        var reporter: String
        /// False when this reporter had reported the comment before: nothing changed.
        var counted: Bool
        /// The comment's status after the report.
        var status: String
        /// Whether this report took the comment back for review.
        var held: Bool
    }

    @Sendable func report(_ request: Request, context: Context) async throws -> Response {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Send the report as application/json.")
        }
        guard let id = try context.parameters.require("id").removingPercentEncoding else {
            throw APIError(.badRequest, code: "invalid_value", message: "The id in the path is not valid percent-encoding.", field: "id")
        }
        let buffer = try await BodyReader.collect(request, upTo: ReportDecoder.maxRequestBytes, within: bodyDeadline)
        let report: ReaderReport
        do {
            report = try ReportDecoder().decode(buffer.readableBytesView)
        } catch {
            throw APIError(error)
        }
        if let wait = perReporter.take(report.reporter) {
            throw Self.limited("Reporter \(report.reporter) sent more than \(configuration.perReporterPerHour) reports in an hour", wait: wait)
        }
        if let network = report.network, let wait = perNetwork.take(network) {
            perReporter.giveBack(report.reporter)
            throw Self.limited("The network \(network) sent more than \(configuration.perNetworkPerHour) reports in an hour", wait: wait)
        }
        let receipt: ReportReceipt
        do {
            receipt = try await database.report(id, report, policy: configuration.policy, at: Date())
        } catch {
            guard error.code == .notFound else { throw error }
            throw APIError(.notFound, code: "not_found", message: "No comment with id \(id).", field: "id")
        }
        if let hold = receipt.hold {
            let reason: String = hold.reason ?? ""
            context.logger.info("readers' reports held an approved comment", metadata: ["comment.id": "\(id)", "reason": "\(reason)"])
        }
        return try JSONResponse.make(.accepted, Receipt(id: id, reporter: report.reporter, counted: receipt.counted,
                                                        status: receipt.status.rawValue, held: receipt.hold != nil))
    }

    static func limited(_ what: String, wait: Int) -> APIError {
        var error = APIError(.tooManyRequests, code: "rate_limited", message: "\(what); try again in \(wait) s.")
        error.headers[.retryAfter] = String(wait)
        return error
    }
}
