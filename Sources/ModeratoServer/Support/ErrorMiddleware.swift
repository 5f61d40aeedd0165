import Hummingbird
import Logging
import ModerationStore

/// Turns every error into the API's JSON error shape, so a client never sees an empty 500.
/// A path that exists with another method gets 405 and `Allow`, from ``RouteTable``.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    var routes: RouteTable?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code: String
            let message: String
            switch error.status {
            case .contentTooLarge:
                code = "too_large"
                message = "The request body is too large."
            case .notFound:
                if let allowed = routes?.methods(for: request.uri.path), !allowed.isEmpty {
                    var response = try APIError(.methodNotAllowed, code: "method_not_allowed",
                                                message: "\(request.method) is not allowed on \(request.uri.path); it takes \(allowed.joined(separator: ", ")).")
                        .response(from: request, context: context)
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
                code = "not_found"
                message = "No such route: \(request.method) \(request.uri.path)."
            case .methodNotAllowed:
                code = "method_not_allowed"
                message = "\(request.method) is not allowed on \(request.uri.path)."
            default:
                code = "http_\(error.status.code)"
                message = error.body ?? error.status.reasonPhrase
            }
            return try APIError(error.status, code: code, message: message).response(from: request, context: context)
        } catch let error as StoreError where error.code == .constraint {
            // Validation lets nothing through that the schema refuses; if it ever does, retrying would
            // fail the same way, so the answer is a 422, not a 503.
            context.logger.error("the database refused a request's data", metadata: ["error": "\(error.message)", "http.path": "\(request.uri.path)"])
            return try APIError(.unprocessableContent, code: "invalid_value",
                                message: "The database refused this request's data; it will not be accepted as it is.")
                .response(from: request, context: context)
        } catch let error as StoreError {
            context.logger.error("database failure", metadata: ["error": "\(error.message)", "http.path": "\(request.uri.path)"])
            return try APIError(.serviceUnavailable, code: "store_unavailable",
                                message: "The database is unavailable; retry shortly.").response(from: request, context: context)
        } catch {
            context.logger.error("unexpected failure", metadata: ["error": "\(error)", "http.path": "\(request.uri.path)"])
            return try APIError(.internalServerError, code: "internal", message: "Internal error; see the daemon's log.")
                .response(from: request, context: context)
        }
    }
}
