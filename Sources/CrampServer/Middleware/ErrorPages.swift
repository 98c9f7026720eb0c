import Hummingbird

/// On the pages only: an error becomes a page a person can read (a browser asks for HTML), and
/// "sign in first" a redirect to the sign-in page. Anything else goes on to `ProblemMapper`.
struct ErrorPages: RouterMiddleware {
    typealias Context = CrampRequestContext
    let web: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let redirect as SignInRequired {
            return try redirect.response(from: request, context: context)
        } catch let error as any HTTPResponseError where request.headers[.accept]?.contains("text/html") == true {
            let problem = ProblemMapper.problem(error, request: request)
            // In the site's layout, with its menu, so a wrong address is not a dead end.
            return ErrorView(web: web).page(
                "message", title: problem.title, section: "",
                model: MessagePage(heading: problem.title, text: problem.detail, link: Link(href: "/", label: "Go to the home page")),
                request: request, context: context, status: problem.status)
        }
    }
}

/// Renders an error as a page of the site.
struct ErrorView: PageController {
    let web: Pages
    var routes: RouteCollection<CrampRequestContext> { RouteCollection(context: CrampRequestContext.self) }
}
