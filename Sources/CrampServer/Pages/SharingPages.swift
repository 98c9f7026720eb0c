import CrampApplication
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird

/// Sharing on the web (hosted mode): the person's page (invite, confirm, revoke, their trail),
/// accepting a code, and the clinician's or carer's patient list and a patient's cramps. The
/// rules are `SharingService`'s, as for the API.
struct SharingPages: PageController {
    let web: Pages

    var sharing: SharingService { SharingService(services: services, configuration: configuration) }

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("sharing", use: sharingPage)
        routes.post("sharing/invite", use: invite)
        routes.post("sharing/invitations/:id/withdraw", use: withdraw)
        routes.post("sharing/grants/:id/confirm", use: confirm)
        routes.post("sharing/grants/:id/end", use: end)
        routes.get("sharing/accept", use: acceptForm)
        routes.post("sharing/accept", use: accept)
        routes.get("patients", use: patients)
        return routes
    }

    @Sendable func sharingPage(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        return try await sharingPage(owner: owner, request: request, context: context)
    }

    func sharingPage(
        owner: OwnerID, made: (code: String, invitation: Invitation)? = nil, errors: [(String, String)] = [], request: Request,
        context: CrampRequestContext
    ) async throws -> Response {
        let now = services.clock.millisecondsNow()
        let clock = try await services.clock(owner: owner)
        let (csrf, _) = csrfToken(request)
        let given = try await services.sharing.grants(owner: owner)
        let held = try await services.sharing.grants(grantee: owner).filter { $0.grant.state(at: now) == .active }
        let invitations = try await services.sharing.invitations(owner: owner, now: now)
        let trail = try await services.sharing.trail(owner: owner, limit: 50)
        let names = Dictionary(
            given.map { ($0.grant.grantee, ($0.otherEmail ?? "a deleted account", $0.grant.granteeName)) }, uniquingKeysWith: { a, _ in a })
        func row(_ listing: GrantListing) -> SharingPage.Shared {
            let grant = listing.grant
            return SharingPage.Shared(
                id: grant.id, email: listing.otherEmail ?? "a deleted account", name: grant.granteeName, scope: grant.scope.label,
                notes: grant.notes, ends: grant.endsAt.map { "until \(View.when(clock.stamp($0)))" } ?? "no end date", csrf: csrf)
        }
        let model = SharingPage(
            notMonitored: SharingRules.notMonitored, errors: View.errors(errors),
            newCode: made.map { SharingPage.NewCode(code: $0.code, link: "/sharing/accept?code=\($0.code)", name: $0.invitation.sharedName) },
            pending: given.filter { $0.grant.state(at: now) == .pending }.map(row),
            active: given.filter { $0.grant.state(at: now) == .active }.map(row),
            invitations: invitations.map {
                SharingPage.Open(
                    id: $0.id, scope: $0.scope.label, made: View.when(clock.stamp($0.createdAt)), expires: View.when(clock.stamp($0.expiresAt)),
                    csrf: csrf)
            },
            trail: trail.map { entry in
                let who = names[entry.actor]
                return SharingPage.Line(
                    when: View.when(clock.stamp(entry.at)), who: who.map { "\($0.1) (\($0.0))" } ?? "an account no longer shared with",
                    what: entry.action.label, refused: entry.outcome != .allowed, outcome: Self.outcome(entry.outcome))
            },
            held: held.map { SharingPage.Held(patient: $0.grant.owner.rawValue, name: $0.grant.sharedName, scope: $0.grant.scope.label) },
            csrf: csrf)
        return page(
            "sharing", title: "Sharing my diary", section: "sharing", model: model, request: request, context: context,
            status: errors.isEmpty ? (made == nil ? .ok : .created) : .unprocessableContent)
    }

    static func outcome(_ outcome: AuditRecord.Outcome) -> String {
        switch outcome {
        case .allowed: ""
        case .notCovered: "refused: not part of what you shared"
        case .revoked: "refused: you had ended the sharing"
        case .expired: "refused: the sharing had reached its end date"
        case .pending: "refused: you had not confirmed yet"
        case .noSecondFactor: "refused: their account had no second step"
        }
    }

    @Sendable func invite(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(SharingForm.self, request, context: context)
        do {
            let made = try await sharing.invite(
                owner: owner, scope: form.scope ?? "", name: form.name ?? "", notes: form.notes, birthYear: form.birthYear, endsOn: form.endsOn)
            return try await sharingPage(owner: owner, made: made, request: request, context: context)
        } catch let problem as Problem where problem.status == .unprocessableContent || problem.status == .tooManyRequests {
            return try await sharingPage(owner: owner, errors: [(problem.field ?? "scope", problem.detail)], request: request, context: context)
        }
    }

    @Sendable func withdraw(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(SharingForm.self, request, context: context)
        guard try await services.sharing.withdrawInvitation(owner: owner, id: context.parameters.get("id") ?? "") else {
            throw Problem.notFound("That invitation")
        }
        return redirect("/sharing")
    }

    @Sendable func confirm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(SharingForm.self, request, context: context)
        guard try await sharing.confirm(owner: owner, id: context.parameters.get("id") ?? "") else {
            throw Problem.notFound("A sharing waiting for you to confirm")
        }
        return redirect("/sharing")
    }

    /// Revoke (the person) or leave (the holder): one action, effective on the next request.
    @Sendable func end(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(SharingForm.self, request, context: context)
        guard try await services.sharing.revoke(id: context.parameters.get("id") ?? "", by: owner, now: services.clock.millisecondsNow()) else {
            throw Problem.notFound("That sharing")
        }
        return redirect("/sharing")
    }

    @Sendable func acceptForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        return try await acceptPage(
            owner: owner, code: String((request.uri.queryParameters.get("code") ?? "").prefix(100)), request: request, context: context)
    }

    func acceptPage(
        owner: OwnerID, code: String, name: String = "", errors: [(String, String)] = [], request: Request, context: CrampRequestContext
    ) async throws -> Response {
        let factor = try await services.accounts.secondFactor(owner: owner)?.confirmed == true
        return page(
            "sharing-accept", title: "Accept an invitation", section: "sharing",
            model: AcceptPage(code: code, name: name, factorOn: factor, errors: View.errors(errors), maxName: SharingRules.maxNameLength),
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func accept(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(SharingForm.self, request, context: context)
        do {
            let grant = try await sharing.accept(grantee: owner, code: form.code ?? "", name: form.name ?? "")
            return page(
                "message", title: "Accepted", section: "sharing",
                model: MessagePage(
                    heading: "Accepted: waiting for \(grant.sharedName)",
                    text:
                        "\(grant.sharedName) will see your account and the name you gave, and must confirm before you can see their diary. Their diary will then be in your list.",
                    link: Link(href: "/patients", label: "Go to my list")),
                request: request, context: context, status: .created)
        } catch let problem as Problem where [.unprocessableContent, .notFound, .conflict, .forbidden, .tooManyRequests].contains(problem.status) {
            return try await acceptPage(
                owner: owner, code: String((form.code ?? "").prefix(100)), name: String((form.name ?? "").prefix(100)),
                errors: [(problem.field ?? "code", problem.detail)], request: request, context: context)
        }
    }

    // MARK: the clinician's or carer's side

    @Sendable func patients(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let actor = try owner(request, context: context)
        let list = try await sharing.patients(actor: actor)
        let model = PatientsPage(
            notMonitored: SharingRules.notMonitored,
            patients: list.map { entry in
                let grant = entry.listing.grant
                return PatientsPage.Patient(
                    patient: grant.owner.rawValue, name: grant.sharedName, birthYear: grant.sharedBirthYear.map(String.init) ?? "",
                    scope: grant.scope.label, why: entry.need.words, attention: entry.need.rank <= 2)
            })
        return page("patients", title: "My patients", section: "patients", model: model, request: request, context: context)
    }
}

struct SharingForm: SubmittedForm {
    var csrf: String?
    var scope: String?
    var name: String?
    var notes: String?
    var birthYear: String?
    var endsOn: String?
    var code: String?
}

struct SharingPage: Sendable {
    struct NewCode: Sendable {
        let code: String
        let link: String
        let name: String
    }

    struct Shared: Sendable {
        let id: String
        let email: String
        let name: String
        let scope: String
        let notes: Bool
        let ends: String
        let csrf: String
    }

    struct Open: Sendable {
        let id: String
        let scope: String
        let made: String
        let expires: String
        let csrf: String
    }

    struct Line: Sendable {
        let when: String
        let who: String
        let what: String
        let refused: Bool
        let outcome: String
    }

    struct Held: Sendable {
        let patient: String
        let name: String
        let scope: String
    }

    let notMonitored: String
    let errors: [FieldError]
    let newCode: NewCode?
    let pending: [Shared]
    let active: [Shared]
    let invitations: [Open]
    let trail: [Line]
    let held: [Held]
    let csrf: String
}

struct AcceptPage: Sendable {
    let code: String
    let name: String
    let factorOn: Bool
    let errors: [FieldError]
    let maxName: Int
}

struct PatientsPage: Sendable {
    struct Patient: Sendable {
        let patient: String
        let name: String
        let birthYear: String
        let scope: String
        /// Why they are this high in the list; empty when nothing stands out.
        let why: [String]
        /// An urgent or emergency check, or a pattern at that level.
        let attention: Bool
    }

    let notMonitored: String
    let patients: [Patient]
}
