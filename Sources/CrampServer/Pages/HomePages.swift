import CrampApplication
import CrampJournal
import Hummingbird

/// The home page: the night log first (a cramp in a few taps), what still needs an answer, and
/// the other things a person may want now.
struct HomePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("/", use: home)
        routes.get("theme", use: theme)
        return routes
    }

    @Sendable func home(_ request: Request, context: CrampRequestContext) async throws -> Response {
        var model = HomePage(raised: try await raisedNotices(context), callNow: callNow(context))
        if let owner = context.owner {
            model.log = try await nightLog(NightLogForm(), owner: owner, context: context, errors: [])
            model.carerLogs = try await carerLogNotices(owner: owner)
            model.unanswered = try await services.app.unansweredSafetyQuestions(owner: owner).prefix(3).map {
                Link(href: "/journal/\($0.id)/safety", label: View.when($0.startedAt))
            }
        }
        return page("home", title: "Log a cramp", section: "home", model: model, request: request, context: context)
    }
}

extension HomePages {
    /// The screen-colour switch: a cookie, then back to the page it was chosen on.
    @Sendable func theme(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var response = redirect(Pages.nextPath(query.get("back")))
        let chosen = query.get("set").flatMap { Theme(rawValue: $0) }
        response.setCookie(
            Cookie(
                name: Theme.cookie, value: chosen?.rawValue ?? "", maxAge: chosen == nil ? 0 : 400 * 86_400, path: "/",
                secure: configuration.secureCookies, httpOnly: true, sameSite: .lax))
        return response
    }
}

struct HomePage: Sendable {
    /// Kept checks that today's knowledge base would make urgent or an emergency.
    let raised: [String]
    /// Shown when no one is signed in (the night log shows its own).
    let callNow: CallNow
    /// The night log, for a signed-in person.
    var log: NightLogPage?
    /// Cramps whose red-flag questions are not answered yet.
    var unanswered: [Link] = []
    /// Cramps a carer logged in the last 14 days.
    var carerLogs: [CarerLog] = []
}
