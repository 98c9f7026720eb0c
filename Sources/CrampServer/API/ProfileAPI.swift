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

/// `/api/v1/profile`: the person behind the journal.
struct ProfileAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("profile", use: readProfile)
        routes.put("profile", use: writeProfile)
        return routes
    }

    @Sendable func readProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        guard let profile = try await journal.profile(owner: owner) else { throw Problem.notFound("a profile") }
        return Body.json(JournalBackup.profileJSON(profile))
    }

    @Sendable func writeProfile(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try context.requireOwner()
        let body = try await Body.jsonValue(request, context: context)
        let now = services.app.defaultClock.now()
        var profile = try Body.journal { () throws(JournalError) in
            try JournalBackup.profile(fromJSON: body, currentYear: now.localDate.year, now: now.instant)
        }
        profile = try await Body.saving { try await services.app.save(profile, owner: owner) }
        return Body.json(JournalBackup.profileJSON(profile))
    }
}
