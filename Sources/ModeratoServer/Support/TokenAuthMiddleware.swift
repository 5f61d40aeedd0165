import Hummingbird
import ModeratoWeb

/// Requires `Authorization: Bearer TOKEN`, compared in constant time.
struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw unauthorized("Missing API token; send Authorization: Bearer TOKEN.")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), ConstantTime.equals(header.utf8.dropFirst(prefix.utf8.count), token) else {
            throw unauthorized("Wrong API token.")
        }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
}
