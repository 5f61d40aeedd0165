import Dispatch
import Hummingbird

/// Counts and times every HTTP request by method, route (the router's pattern, never the raw path)
/// and status, into ``ModeratoMetrics``.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ModeratoMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let method = request.method.rawValue
        metrics.requestStarted()
        do {
            // Timed to the response's head: the API's bodies are small and written at once.
            let response = try await next(request, context)
            metrics.requestFinished(method: method, route: context.endpointPath ?? "unknown", status: response.status.code,
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.requestFinished(method: method, route: context.endpointPath ?? "unmatched", status: status,
                                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            throw error
        }
    }
}
