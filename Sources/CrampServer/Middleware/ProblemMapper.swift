import Hummingbird
import Logging

/// Turns an error into its answer: a problem document (RFC 9457) for the API and everything
/// else, a plain 500 without internals for an error nobody expected. (The pages answer browsers
/// with HTML pages first: `ErrorPages`.)
struct ProblemMapper: RouterMiddleware {
    typealias Context = CrampRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            return try Self.problem(error, request: request).response(from: request, context: context)
        } catch {
            // Logged by type only: an error's text may quote what the user sent.
            logger.error("request failed", metadata: ["error": "\(type(of: error))", "route": "\(context.endpointPath ?? "-")"])
            return try Problem(
                .internalServerError, "Internal error", detail: "something went wrong on the server; nothing was changed by this request"
            )
            .response(from: request, context: context)
        }
    }

    /// An error as a problem: ours as they are, Hummingbird's own (404 for an unknown route, 413
    /// for a large body …) with a detail in words.
    static func problem(_ error: any HTTPResponseError, request: Request) -> Problem {
        if let problem = error as? Problem { return problem }
        let detail: String
        switch error.status {
        case .notFound: detail = "there is nothing at \(request.uri.path.prefix(200))"
        case .contentTooLarge: detail = "the request body is larger than the server accepts"
        case .methodNotAllowed: detail = "\(request.method.rawValue) is not allowed on \(request.uri.path.prefix(200))"
        default: detail = error.status.reasonPhrase
        }
        return Problem(error.status, error.status.reasonPhrase, detail: detail)
    }
}
