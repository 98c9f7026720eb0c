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

/// The whole journal: exported in a format, or erased.
struct JournalAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("export", use: export)
        routes.delete("journal", use: eraseJournal)
        return routes
    }

    @Sendable func export(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        return try await Exports.response(request.uri.queryParameters, owner: owner, services: services, hosted: configuration.hosted)
    }

    @Sendable func eraseJournal(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        if configuration.hosted {
            // Erasing everything needs a session and the password again (ASVS 3.7.1), not a token.
            let accountAPI = AccountAPI(services: services, configuration: configuration)
            _ = try accountAPI.requireSession(context)
            let fields = try await accountAPI.fields(request, context: context, ["password"])
            try await accountAPI.accounts.confirmPassword(owner: owner, password: fields["password"]!, request: request, context: context)
        } else if (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil {
            // Personal mode has no password; a body is still checked against the document.
            _ = try await AccountAPI(services: services, configuration: configuration).fields(request, context: context, [], optional: ["password"])
        }
        let erased = try await services.app.erase(owner: owner)
        return Body.json(erased.json())
    }
}
