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

    func register(on router: some RouterMethods<CrampRequestContext>) {
        let api = router.group("api/v1").addMiddleware {
            SameOriginOnly()
            JSONBodiesOnly()
            APIAuthentication(configuration: configuration, services: services)
        }
        let controllers: [any APIController] = [
            AssessmentsAPI(services: services, configuration: configuration), EpisodesAPI(services: services, configuration: configuration),
            DaysAPI(services: services, configuration: configuration), ProfileAPI(services: services, configuration: configuration),
            JournalAPI(services: services, configuration: configuration), InsightsAPI(services: services, configuration: configuration),
            AccountAPI(services: services, configuration: configuration), SharingAPI(services: services, configuration: configuration),
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

    func requireHosted() throws {
        guard configuration.hosted else {
            throw Problem(.notFound, "Not found", detail: "accounts exist in hosted mode only; this server is a personal journal")
        }
    }

    /// Account changes need a browser session: an API token of any scope cannot change the
    /// password, end sessions or make more tokens.
    func requireSession(_ context: CrampRequestContext) throws -> OwnerID {
        let owner = try context.requireOwner()
        guard case .session = context.credential else {
            throw Problem(.forbidden, "Session required", detail: "account changes need a signed-in browser session, not an API token")
        }
        return owner
    }

    /// String members of a JSON body: every `required` one, any `optional` one, nothing else.
    func fields(
        _ request: Request, context: CrampRequestContext, _ required: [String], optional: [String] = [],
        numbers: Set<String> = []
    ) async throws -> [String: String] {
        let bytes = try await Body.bytes(request, context: context)
        guard let value = try? JSONParser.parse(bytes) else {
            throw Problem(.badRequest, "Malformed JSON", detail: "the body is not a JSON document")
        }
        guard case .object(let members) = value else { throw Problem.invalid("", "the body must be a JSON object") }
        let names = required + optional
        for member in members where !names.contains(member.key) {
            throw Problem.invalid(ShownText.member(member.key), "not a field here; accepted: \(names.joined(separator: ", "))")
        }
        var result: [String: String] = [:]
        for name in names {
            guard let member = value[name] else {
                if required.contains(name) { throw Problem.invalid(name, "is required") }
                continue
            }
            if case .number(let number, true) = member, numbers.contains(name) {
                result[name] = number.magnitude < 1e9 ? String(Int(number)) : "too large"
                continue
            }
            guard let text = member.stringValue else { throw Problem.invalid(name, "must be a string, found \(member.typeName)") }
            result[name] = text
        }
        return result
    }
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
