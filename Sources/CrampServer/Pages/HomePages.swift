import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The home page: what is happening now.
struct HomePages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("/", use: home)
        return routes
    }

    @Sendable func home(_ request: Request, context: CrampRequestContext) async throws -> Response {
        page(
            "home", title: "What is happening now?", section: "home", model: HomePage(raised: try await raisedNotices(context)), request: request,
            context: context)
    }
}

struct HomePage: Sendable {
    /// Kept checks that today's knowledge base would make urgent or an emergency.
    let raised: [String]
}
