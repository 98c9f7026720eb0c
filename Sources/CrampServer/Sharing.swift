import CrampApplication
import CrampInsights
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes

/// Sharing a diary by consent (hosted mode), one place for its rules over the pages and the API:
/// invitations, acceptance, the person's confirmation, revocation, and the check on every request
/// made through a grant, which writes the audit trail before anything is answered.
struct SharingService: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    var sharing: SharingStore { services.sharing }
    var now: Int64 { services.clock.millisecondsNow() }

    /// An invitation from the terms as a form or a JSON body gives them, each checked and refused
    /// with the field, the value and what is accepted.
    func invite(
        owner: OwnerID, scope text: String, name rawName: String, notes: String?, birthYear: String?, endsOn: String?
    ) async throws -> (code: String, invitation: Invitation) {
        guard let scope = GrantScope(rawValue: text) else {
            throw Problem.invalid("scope", "\(Problem.shown(text, limit: 20)) is not accepted; accepted: view (a clinician), log (a carer)")
        }
        guard let name = SharingRules.name(rawName) else {
            throw Problem.invalid(
                "name",
                "\(Problem.shown(rawName, limit: 40)) is not accepted; give the name to show, 1 to \(SharingRules.maxNameLength) characters on one line"
            )
        }
        let sharesNotes: Bool
        switch notes {
        case nil, "", "no": sharesNotes = false
        case "yes": sharesNotes = true
        case let other?: throw Problem.invalid("notes", "\(Problem.shown(other, limit: 20)) is not accepted; accepted: yes, no")
        }
        let clock = try await services.clock(owner: owner)
        let today = clock.today
        var year: Int?
        if let text = birthYear, !text.isEmpty {
            guard let value = Int(text), (1900...today.year).contains(value) else {
                throw Problem.invalid("birthYear", "\(Problem.shown(text, limit: 20)) is not a birth year; accepted: 1900 to \(today.year), or none")
            }
            year = value
        }
        var endsAt: Int64?
        if let text = endsOn, !text.isEmpty {
            guard let date = LocalDate(iso: text), date > today, date <= today.adding(days: 3660) else {
                throw Problem.invalid(
                    "endsOn",
                    "\(Problem.shown(text, limit: 20)) is not accepted; accepted: a date after today and within 10 years (YYYY-MM-DD), or none")
            }
            endsAt = clock.midnight(of: date.adding(days: 1))
        }
        return try await invite(owner: owner, scope: scope, notes: sharesNotes, sharedName: name, sharedBirthYear: year, endsAt: endsAt)
    }

    /// A new invitation and its code, shown once: only the code's digest is kept.
    func invite(
        owner: OwnerID, scope: GrantScope, notes: Bool, sharedName: String, sharedBirthYear: Int?, endsAt: Int64?
    ) async throws -> (code: String, invitation: Invitation) {
        let accounts = AccountService(services: services, configuration: configuration)
        try await accounts.limit(
            "invite:\(owner.rawValue)", SharingRules.invitationsPerHour, windowSeconds: 3600, what: "invitations in an hour")
        var generator = SystemRandomNumberGenerator()
        let code = SharingRules.code(bytes: (0..<SharingRules.codeBytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        // The digest of the code as it is compared (no dashes), so a typed code finds it.
        let digest = Credentials.digest(SharingRules.normalised(code: code) ?? code)
        let now = now
        let invitation = Invitation(
            id: String(digest.prefix(16)), owner: owner, scope: scope, notes: notes, sharedName: sharedName, sharedBirthYear: sharedBirthYear,
            endsAt: endsAt, createdAt: now, expiresAt: now + SharingRules.invitationMilliseconds)
        try await sharing.addInvitation(invitation, digest: digest)
        return (code, invitation)
    }

    /// Accepts a code for the account signed in. Nothing is shared yet: the person confirms.
    /// The account must use the second factor, and tries are limited (a code is 160 bits; the
    /// limit keeps a wrong one from being worth repeating).
    func accept(grantee: OwnerID, code text: String, name rawName: String) async throws -> Grant {
        guard let name = SharingRules.name(rawName) else {
            throw Problem.invalid(
                "name", "\(Problem.shown(rawName, limit: 40)) is not a name to show; give 1 to \(SharingRules.maxNameLength) characters on one line")
        }
        try await requireSecondFactor(grantee)
        let accounts = AccountService(services: services, configuration: configuration)
        try await accounts.limit("accept:\(grantee.rawValue)", 20, windowSeconds: 3600, what: "invitation codes tried in an hour")
        guard let code = SharingRules.normalised(code: text) else {
            throw Problem.invalid(
                "code", "\(Problem.shown(text, limit: 60)) is not an invitation code; a code has 32 letters and digits, such as 7K2Q-…")
        }
        let grantID = EntryID.random().description.replacingOccurrences(of: "-", with: "")
        switch try await sharing.accept(digest: Credentials.digest(code), grantee: grantee, granteeName: name, grantID: grantID, now: now) {
        case .accepted(let grant): return grant
        case .unknown:
            throw Problem(
                .notFound, "No such invitation", detail: "no invitation has this code: it may be mistyped, used, withdrawn or past its 7 days",
                field: "code")
        case .own:
            throw Problem(
                .conflict, "Your own invitation", detail: "this invitation is yours; give it to the person who is to see your diary", field: "code")
        case .alreadyShared: throw Problem(.conflict, "Already shared", detail: "this diary is shared with you already", field: "code")
        }
    }

    /// Accounts that hold a grant must use the second factor: asked when accepting and on every
    /// use, so that turning it off stops the grant working.
    func requireSecondFactor(_ account: OwnerID) async throws {
        guard try await services.accounts.secondFactor(owner: account)?.confirmed == true else {
            throw Problem(
                .forbidden, "Second factor needed",
                detail: "seeing someone's diary needs the second factor (a code from an authenticator app) on your account; turn it on in Account")
        }
    }

    /// The grant `actor` holds for `patient`'s diary, checked for `action`, with the trail
    /// written before the caller answers: 404 when there is no live grant (exactly as for a
    /// diary that does not exist; an ended or unconfirmed one's attempt is recorded), 403 when
    /// the grant does not cover the action, 503 when the trail cannot be written.
    func access(actor: OwnerID, patient: OwnerID, _ action: GrantAction, target: String = "") async throws -> Grant {
        let (grant, entry) = try await permit(actor: actor, patient: patient, action, target: target)
        try await record([entry])
        return grant
    }

    /// As `access`, for a write: a refusal is recorded at once, and an allowed action's trail
    /// entry is handed back to be written in the write's own transaction.
    func permit(actor: OwnerID, patient: OwnerID, _ action: GrantAction, target: String = "") async throws -> (Grant, AuditRecord) {
        let now = now
        guard actor != patient, let grant = try await sharing.grant(owner: patient, grantee: actor, now: now) else {
            throw Self.noSuchPatient
        }
        let outcome: AuditRecord.Outcome
        switch grant.state(at: now) {
        case .revoked: outcome = .revoked
        case .expired: outcome = .expired
        case .pending: outcome = .pending
        case .active:
            if try await services.accounts.secondFactor(owner: actor)?.confirmed != true {
                outcome = .noSecondFactor
            } else {
                outcome = grant.covers(action) ? .allowed : .notCovered
            }
        }
        let entry = audit(grant, action, target: target, outcome: outcome, at: now)
        if outcome == .allowed { return (grant, entry) }
        try await record([entry])
        switch outcome {
        case .allowed, .revoked, .expired, .pending: throw Self.noSuchPatient
        case .noSecondFactor: try await requireSecondFactor(actor)
        case .notCovered: break
        }
        throw Problem(.forbidden, "Not covered by the sharing", detail: "sharing with you lets you \(grant.scope.label), not this")
    }

    /// A carer changes only a cramp they logged, within `SharingRules.carerEditMilliseconds` of
    /// logging it; any other change is refused (403) and the refusal recorded.
    func permitEdit(actor: OwnerID, patient: OwnerID, episode: Episode) async throws -> (Grant, AuditRecord) {
        let (grant, entry) = try await permit(actor: actor, patient: patient, .editCramp, target: episode.id.description)
        guard episode.loggedBy == actor, now - episode.createdAt < SharingRules.carerEditMilliseconds else {
            try await record([audit(grant, .editCramp, target: episode.id.description, outcome: .notCovered, at: now)])
            throw Problem(
                .forbidden, "Not yours to change",
                detail: "a carer changes only the cramps they logged, within 24 hours of logging them; \(grant.sharedName) can change this one")
        }
        return (grant, entry)
    }

    /// The trail entry for an action through a grant; a write records it in its own transaction.
    func audit(_ grant: Grant, _ action: GrantAction, target: String, outcome: AuditRecord.Outcome, at: Int64) -> AuditRecord {
        AuditRecord(
            id: EntryID.random(), owner: grant.owner, actor: grant.grantee, grantID: grant.id, action: action, target: String(target.prefix(200)),
            outcome: outcome, at: at)
    }

    /// Writes the trail; a request whose trail cannot be written is not answered (503).
    func record(_ entries: [AuditRecord]) async throws {
        do {
            try await sharing.record(entries)
        } catch {
            throw Problem(.serviceUnavailable, "Not recorded", detail: "the audit trail could not be written, so nothing is shown; try again shortly")
        }
    }

    /// The person confirms a grant waiting for them; its diary's need summary is worked out at
    /// once, so the clinician's list has it from their first look. False when there is none.
    func confirm(owner: OwnerID, id: String) async throws -> Bool {
        guard try await sharing.confirm(owner: owner, id: id, now: now) else { return false }
        await services.needs.refresh(owner)
        return true
    }

    /// The diaries shared with `actor` that they may open now, most in need first (the reasons
    /// with each), with one read recorded for each patient shown, all before the list is answered.
    func patients(actor: OwnerID) async throws -> [(listing: GrantListing, need: Need)] {
        try await requireSecondFactor(actor)
        let list = try await services.needs.patients(grantee: actor)
        let now = now
        try await record(list.map { audit($0.listing.grant, .listPatients, target: "", outcome: .allowed, at: now) })
        return list
    }

    static let noSuchPatient = Problem.notFound("the diary")
}
