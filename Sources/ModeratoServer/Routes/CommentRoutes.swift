import Foundation
import Judging
import Hummingbird
import Logging
import Moderation
import ModerationStore

/// `POST /v1/comments`, `PUT /v1/comments/{id}` (a reader's edit), `GET /v1/comments/{id}` and `GET /v1/decisions`.
struct CommentRoutes<Context: RequestContext> {
    let database: any CommentStore
    let batcher: IngestBatcher
    /// Judges edited texts as it judges the queue's.
    let worker: QueueWorker
    let backpressure: Backpressure
    let decoder: CommentDecoder
    /// How long a request body may take to arrive.
    let bodyDeadline: Duration

    func register(on group: RouterGroup<Context>) {
        group.post("comments", use: submit)
        group.get("comments/{id}", use: status)
        group.put("comments/{id}", use: edit)
        group.get("decisions", use: decisions)
    }

    struct Accepted: Encodable {
        var id: String
        var status: String
    }

    /// The comment a request's JSON body holds, validated (415, 413 or 400 with the field at fault).
    func comment(in request: Request) async throws -> Comment {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Send the comment as application/json.")
        }
        let buffer = try await BodyReader.collect(request, upTo: decoder.limits.maxRequestBytes, within: bodyDeadline)
        do {
            return try decoder.decode(buffer.readableBytesView)
        } catch {
            throw APIError(error)
        }
    }

    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        // Past the configured depth, ask the website to come back rather than queue forever.
        if backpressure.isFull { throw backpressure.refusal() }
        let comment = try await self.comment(in: request)
        let outcome = try await batcher.accept(comment)
        switch outcome {
        case .accepted:
            context.logger.debug("accepted", metadata: ["comment.id": "\(comment.id)"])
            return try JSONResponse.make(.accepted, Accepted(id: comment.id, status: CommentStatus.queued.rawValue))
        case .duplicate(let status):
            return try JSONResponse.make(.accepted, Accepted(id: comment.id, status: status.rawValue))
        case .conflict:
            throw APIError(.conflict, code: "id_conflict",
                           message: "A different comment was already accepted with id \(comment.id); ids must be unique.", field: "id")
        }
    }

    struct Reason: Encodable {
        var source: String
        var signal: String
        var score: Double
        var action: String?
        var explanation: String
        var shadow: Bool
    }

    struct Status: Encodable {
        var id: String
        var status: String
        var score: Double?
        var reasons: [Reason]
        /// Whether the text changed after it arrived, and the text now when it did.
        var edited: Bool
        var body: String?
    }

    static func document(_ details: CommentDetails) -> Status {
        let reasons = details.signals.map {
            Reason(source: $0.source.rawValue, signal: $0.name, score: $0.score, action: $0.action?.rawValue,
                   explanation: $0.explanation, shadow: $0.isShadow)
        }
        let comment = details.comment
        return Status(id: comment.externalID, status: comment.status.rawValue, score: comment.score, reasons: reasons,
                      edited: comment.isEdited, body: comment.isEdited ? comment.body : nil)
    }

    /// The id in a request's path, percent-decoded (an id may hold any character, `/` included).
    static func pathID(_ context: Context) throws -> String {
        guard let id = try context.parameters.require("id").removingPercentEncoding else {
            throw APIError(.badRequest, code: "invalid_value", message: "The id in the path is not valid percent-encoding.", field: "id")
        }
        return id
    }

    /// A reader's edit, as the website forwards it: the whole comment again, validated as a new one.
    /// The new text is judged at once (a comment still queued is judged later with it) and the old text
    /// kept; the answer is the comment's status, as `GET` gives it.
    @Sendable func edit(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.pathID(context)
        let comment = try await self.comment(in: request)
        guard comment.id == id else {
            throw APIError(.badRequest, code: "invalid_value", message: "The body's id (\(comment.id)) is not the id in the path (\(id)).", field: "id")
        }
        // A few tries: another edit may land while this one is judged.
        for _ in 0..<3 {
            guard var details = try await database.details(of: id) else {
                throw APIError(.notFound, code: "not_found", message: "No comment with id \(id).", field: "id")
            }
            for (field, same) in [("article_id", details.comment.articleID == comment.articleID),
                                  ("author", details.comment.author == comment.author)] where !same {
                throw APIError(.conflict, code: "edit_conflict", message: "An edit changes the text and rating only; \(field) differs from the comment's.",
                               field: field)
            }
            // An edit right after posting waits for the first verdict (a worker may be judging the first text now).
            var waited = 0
            while details.comment.status == .queued && waited < 60 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
                guard let now = try await database.details(of: id) else { break }
                details = now
            }
            let stored = details.comment
            if stored.status == .queued {
                var error = APIError(.serviceUnavailable, code: "still_queued",
                                     message: "The comment has no verdict yet (judging is paused or far behind); send the edit again later.")
                error.headers[.retryAfter] = "5"
                throw error
            }
            // The same text and rating again: nothing to judge.
            if stored.body == comment.body && stored.rating == comment.rating { return try JSONResponse.make(.ok, Self.document(details)) }
            let judgement = try await worker.judgeEdit(of: stored, body: comment.body, rating: comment.rating)
            do {
                let outcome = try await database.revise(id, body: comment.body, rating: comment.rating, judgement: judgement,
                                                        revision: stored.revision, at: Date())
                context.logger.info("a reader's edit was judged", metadata: ["comment.id": "\(id)", "status": "\(outcome.status.rawValue)"])
            } catch {
                if error.code == .conflict { continue }
                if error.code == .limitReached { throw APIError(.conflict, code: "too_many_edits", message: error.message + ".", field: "body") }
                throw error
            }
            guard let now = try await database.details(of: id) else { break }
            return try JSONResponse.make(.ok, Self.document(now))
        }
        var error = APIError(.serviceUnavailable, code: "busy", message: "The comment kept changing while the edit was judged; send it again.")
        error.headers[.retryAfter] = "1"
        throw error
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let id = try Self.pathID(context)
        guard let details = try await database.details(of: id) else {
            throw APIError(.notFound, code: "not_found", message: "No comment with id \(id).", field: "id")
        }
        return try JSONResponse.make(.ok, Self.document(details))
    }

    struct Feed: Encodable {
        var decisions: [DecisionDocument]
        var next: Int64
    }

    @Sendable func decisions(_ request: Request, context: Context) async throws -> Response {
        let query = request.uri.queryParameters
        var after: Int64 = 0
        if let text = query["after"] {
            guard let value = Int64(String(text)), value >= 0 else {
                throw APIError(.badRequest, code: "invalid_value", message: "after must be a feed position (a whole number ≥ 0).", field: "after")
            }
            after = value
        }
        var limit = 100
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...1000).contains(value) else {
                throw APIError(.badRequest, code: "invalid_value", message: "limit must be a whole number from 1 to 1000.", field: "limit")
            }
            limit = value
        }
        let entries = try await database.decisions(after: after, limit: limit)
        let feed = Feed(decisions: entries.map { DecisionDocument($0, includingNote: false) }, next: entries.last?.seq ?? after)
        return try JSONResponse.make(.ok, feed)
    }
}

/// `GET /healthz`: whether the daemon and its database answer.
struct HealthRoutes<Context: RequestContext> {
    let database: any CommentStore
    let pipelines: PipelineController

    struct Health: Encodable {
        var status: String
    }

    // Open to load balancers without a token, so it says no more than "up and the database answers".
    func register(on router: Router<Context>) {
        router.get("healthz") { _, _ in
            _ = try await database.queueDepth()
            return try JSONResponse.make(.ok, Health(status: "ok"))
        }
    }
}
