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

/// The person's data: export in every format, and erase everything.
struct DataPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("data", use: dataPage)
        routes.get("export", use: export)
        routes.post("data/erase", use: erase)
        return routes
    }

    @Sendable func dataPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        _ = try owner(request, context: context)
        return page("data", title: "My data", section: "data", model: DataPage(errors: []), request: request, context: context)
    }

    @Sendable func export(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let query = request.uri.queryParameters
        return try await Exports.response(query, owner: owner, services: services, hosted: configuration.hosted)
    }

    @Sendable func erase(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(EraseForm.self, request, context: context)
        guard form.confirm?.trimmingCharacters(in: .whitespaces) == "ERASE" else {
            return page(
                "data", title: "My data", section: "data", model: DataPage(errors: View.errors([("confirm", "Type ERASE in capitals to confirm")])),
                request: request, context: context, status: .unprocessableContent)
        }
        if configuration.hosted {
            do {
                try await accounts.confirmPassword(owner: owner, password: form.password ?? "", request: request, context: context)
            } catch let problem as Problem {
                return page(
                    "data", title: "My data", section: "data", model: DataPage(errors: View.errors([("password", problem.detail)])),
                    request: request, context: context, status: .unprocessableContent)
            }
            _ = try await services.accounts.deleteAccount(owner: owner)
            var response = page(
                "message", title: "Erased", section: "data",
                model: MessagePage(
                    heading: "Everything is erased", text: "Your account and every record in it are deleted.", link: Link(href: "/", label: "Home")),
                request: request, context: CrampRequestContext.signedOut(context))
            accounts.endSession(&response)
            return response
        }
        let erased = try await services.app.erase(owner: owner)
        return page(
            "data", title: "My data", section: "data",
            model: DataPage(
                errors: [],
                erased: DataPage.Erased(
                    episodes: erased.episodes, days: erased.dayLogs, assessments: erased.assessments, profile: erased.profiles > 0)),
            request: request, context: context)
    }
}

extension CrampRequestContext {
    /// The same request seen as signed out (after an account is deleted).
    static func signedOut(_ context: CrampRequestContext) -> CrampRequestContext {
        var copy = context
        copy.owner = nil
        copy.credential = .none
        return copy
    }
}

/// The erase form (`data.mustache`): the word typed to confirm, and in hosted mode the password.
struct EraseForm: SubmittedForm {
    var csrf: String?
    var confirm: String?
    var password: String?
}

struct DataPage: Sendable {
    /// What an erase removed, shown after it.
    struct Erased: Sendable {
        let episodes: Int
        let days: Int
        let assessments: Int
        let profile: Bool
    }

    let errors: [FieldError]
    var erased: Erased? = nil
}
