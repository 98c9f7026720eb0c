import CrampJournal
import CrampStorage
import Hummingbird

/// Pages learn who is signed in from the session cookie only.
struct PageGuard: RouterMiddleware {
    typealias Context = CrampRequestContext
    let services: CrampServices
    let configuration: ServerConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // A page is reached by a browser: an Authorization header is not how it signs in.
        try await AccountService(services: services, configuration: configuration).authenticate(request, context: &context, cookiesOnly: true)
        if let owner = context.owner { context.region = try await services.journal.profile(owner: owner)?.region }
        return try await next(request, context)
    }
}
