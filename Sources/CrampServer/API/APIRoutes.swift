import CrampApplication
import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The JSON API under /api/v1: one controller per resource, each in a file of its own. Every
/// journal route acts for `context.owner` and nothing else.
struct APIRoutes: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    func register(on router: Router<CrampRequestContext>) {
        let api = router.group("api/v1").addMiddleware {
            SameOriginOnly()
            JSONBodiesOnly()
            APIAuthentication(configuration: configuration, services: services)
        }
        let controllers: [any APIController] = [
            AssessmentsAPI(services: services, configuration: configuration), EpisodesAPI(services: services, configuration: configuration),
            DaysAPI(services: services, configuration: configuration), ProfileAPI(services: services, configuration: configuration),
            JournalAPI(services: services, configuration: configuration), InsightsAPI(services: services, configuration: configuration),
            AccountAPI(services: services, configuration: configuration),
        ]
        for controller in controllers { api.addRoutes(controller.routes) }
    }
}

/// One resource of the API: its routes over the services.
protocol APIController: Sendable {
    var services: CrampServices { get }
    var configuration: ServerConfiguration { get }
    var routes: RouteCollection<CrampRequestContext> { get }
}

extension APIController {
    var journal: any JournalStore { services.journal }
}

extension CrampRequestContext {
    /// The owner, or 401 for a request with no valid credential.
    func requireOwner() throws -> OwnerID {
        guard let owner else {
            var problem = Problem(.unauthorized, "Sign-in required", detail: "sign in, or send an API token as Authorization: Bearer TOKEN")
            problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\""
            throw problem
        }
        return owner
    }
}
