import Hummingbird

/// On the pages only: an error becomes a page a person can read (a browser asks for HTML), and
/// "sign in first" a redirect to the sign-in page. Anything else goes on to `ProblemMapper`.
struct ErrorPages: RouterMiddleware {
    typealias Context = CrampRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as SignInRequired {
            return try redirect.response(from: request, context: context)
        } catch let error as any HTTPResponseError where request.headers[.accept]?.contains("text/html") == true {
            return Pages.errorPage(ProblemMapper.problem(error, request: request))
        }
    }
}
