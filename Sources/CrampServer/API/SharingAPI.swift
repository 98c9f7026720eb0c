import CrampInsights
import CrampJSON
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird

/// Sharing by consent in the API (hosted mode): invitations, grants, the person's audit trail,
/// and for the account a diary is shared with, the patient list and each patient's records,
/// read-only. Making, accepting, confirming and ending a grant need a browser session.
struct SharingAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var sharing: SharingService { SharingService(services: services, configuration: configuration) }

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.post("invitations", use: createInvitation)
        routes.get("invitations", use: listInvitations)
        routes.delete("invitations/:id", use: withdrawInvitation)
        routes.post("invitations/accept", use: acceptInvitation)
        routes.get("grants", use: listGrants)
        routes.post("grants/:id/confirm", use: confirmGrant)
        routes.delete("grants/:id", use: endGrant)
        routes.get("audit", use: readTrail)
        routes.get("patients", use: listPatients)
        routes.get("patients/:patient/episodes", use: patientEpisodes)
        return routes
    }

    // MARK: the person's side

    @Sendable func createInvitation(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(
            request, context: context, ["scope", "name"], optional: ["notes", "birthYear", "endsOn"], numbers: ["birthYear"])
        // Only a form sends an empty field for "none"; in JSON the member is left out.
        for key in ["notes", "birthYear", "endsOn"] where fields[key] == "" {
            throw Problem.invalid(key, "an empty value is not accepted; leave \(key) out for none")
        }
        let made = try await sharing.invite(
            owner: owner, scope: fields["scope"]!, name: fields["name"]!, notes: fields["notes"], birthYear: fields["birthYear"],
            endsOn: fields["endsOn"])
        var w = JSONWriter()
        w.beginObject()
        w.key("code"); w.value(made.code)
        w.key("invitation"); SharingJSON.write(made.invitation, to: &w)
        w.endObject()
        return Body.json(w.bytes, status: .created)
    }

    @Sendable func listInvitations(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let invitations = try await services.sharing.invitations(owner: owner, now: services.clock.millisecondsNow())
        var w = JSONWriter()
        w.beginObject()
        w.key("invitations")
        w.beginArray()
        for invitation in invitations { SharingJSON.write(invitation, to: &w) }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    @Sendable func withdrawInvitation(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let id = context.parameters.get("id") ?? ""
        guard try await services.sharing.withdrawInvitation(owner: owner, id: id) else {
            throw Problem.notFound("invitation \(Problem.shown(id, limit: 20))")
        }
        return Response(status: .noContent)
    }

    @Sendable func acceptInvitation(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let grantee = try requireSession(context)
        let fields = try await fields(request, context: context, ["code", "name"])
        let grant = try await sharing.accept(grantee: grantee, code: fields["code"]!, name: fields["name"]!)
        var w = JSONWriter()
        SharingJSON.write(grant, email: nil, now: services.clock.millisecondsNow(), to: &w)
        return Body.json(w.bytes, status: .created)
    }

    @Sendable func listGrants(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let now = services.clock.millisecondsNow()
        let given = try await services.sharing.grants(owner: owner)
        let held = try await services.sharing.grants(grantee: owner)
        var w = JSONWriter()
        w.beginObject()
        SharingJSON.writeGrants(given: given, held: held, now: now, to: &w)
        w.endObject()
        return Body.json(w.bytes)
    }

    @Sendable func confirmGrant(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let id = context.parameters.get("id") ?? ""
        guard try await sharing.confirm(owner: owner, id: id) else {
            throw Problem.notFound("a grant waiting for confirmation with id \(Problem.shown(id, limit: 40))")
        }
        return Response(status: .noContent)
    }

    /// Revokes a grant the person gave, or leaves one they hold.
    @Sendable func endGrant(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let id = context.parameters.get("id") ?? ""
        guard try await services.sharing.revoke(id: id, by: owner, now: services.clock.millisecondsNow()) else {
            throw Problem.notFound("grant \(Problem.shown(id, limit: 40))")
        }
        return Response(status: .noContent)
    }

    @Sendable func readTrail(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        // An empty value is refused like any other that is not a number (only forms send empties).
        let query = request.uri.queryParameters
        let limit = try query.get("limit").map { try Query.integer($0, field: "limit", in: 1...500) } ?? 100
        let before = try query.get("before").map { Int64(try Query.integer($0, field: "before", in: 0...Int(Int32.max) * 1000)) }
        let entries = try await services.sharing.trail(owner: owner, limit: limit, before: before)
        var w = JSONWriter()
        w.beginObject()
        w.key("entries")
        w.beginArray()
        for entry in entries { SharingJSON.write(entry, to: &w) }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    // MARK: the clinician's or carer's side

    @Sendable func listPatients(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let actor = try context.requireOwner()
        let patients = try await sharing.patients(actor: actor)
        let now = services.clock.millisecondsNow()
        var w = JSONWriter()
        w.beginObject()
        w.key("patients")
        w.beginArray()
        for entry in patients { SharingJSON.write(entry.listing.grant, email: entry.listing.otherEmail, now: now, why: entry.need.words, to: &w) }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    @Sendable func patientEpisodes(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let actor = try context.requireOwner()
        let patient = try Self.patient(context)
        // The grant first: nothing of the patient's (not even their zone) is read before it.
        let grant = try await sharing.access(actor: actor, patient: patient, .readDiary, target: "episodes")
        let (filter, limit) = try await EpisodesAPI.page(request, owner: patient, services: services)
        return Body.json(try await journal.episodePageJSON(owner: patient, filter: filter, limit: limit, notes: grant.notes))
    }

    /// The patient in the address; a malformed one is answered as a missing one.
    static func patient(_ context: CrampRequestContext) throws -> OwnerID {
        guard let owner = OwnerID(context.parameters.get("patient") ?? "") else { throw SharingService.noSuchPatient }
        return owner
    }
}
