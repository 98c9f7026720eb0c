import Hummingbird
import Logging

/// Logs each request's method, the route's pattern, the status and the time, and counts it in
/// the metrics: never a query, a body or a user's id. Outermost, so it sees every answer.
struct RequestLog: RouterMiddleware {
    typealias Context = CrampRequestContext
    let logger: Logger
    let metrics: RequestMetrics?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        metrics?.record(status: Int(response.status.code), elapsed: elapsed)
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "-")", "status": "\(response.status.code)",
                "ms": "\(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)",
            ])
        return response
    }
}
