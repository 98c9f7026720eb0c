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
import HummingbirdCore
import NIOCore

/// `/api/v1/insights`: trends, possible triggers, relief that works and see-a-doctor patterns.
struct InsightsAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("insights", use: insights)
        return routes
    }

    @Sendable func insights(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let view = try await services.insights(owner: owner, asOf: request.uri.queryParameters.get("asOf"))
        return Body.json(view.insights.json(knowledge: services.knowledge))
    }
}

/// The insights for the API and the pages: the same computation as `crampcare insights`.
extension CrampServices {
    /// The insights for an owner as of `asOf` (a YYYY-MM-DD text), else today in their zone.
    func insights(owner: OwnerID, asOf: String?) async throws -> InsightsView {
        var date: LocalDate?
        if let asOf {
            guard let parsed = LocalDate(iso: asOf) else {
                throw Problem.invalid("asOf", "\"\(asOf.prefix(40))\" is not a date; accepted: YYYY-MM-DD")
            }
            date = parsed
        }
        return try await app.insights(owner: owner, asOf: date)
    }
}
