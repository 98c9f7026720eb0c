import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CrampServer

/// The permission matrix (issue 17): every route the router was given, for every role, on two
/// instances of one database (each request on the other instance from the one before): what a
/// role may do succeeds; a diary the actor holds no live grant for is 404, exactly as one that
/// does not exist; 403 only where a grant exists and does not cover the action; nothing of the
/// person's is leaked to anyone else, and nothing of it changed but what a carer may add.
@Suite(.serialized) struct PermissionMatrix {
    enum Role: String, CaseIterable {
        case owner, clinician, carer, revoked, expired, stranger, signedOut = "signed out"
    }

    /// One role's browser-like state: its cookies (the session and the CSRF token).
    final class Actor: @unchecked Sendable {
        var cookies: [String: String] = [:]
        init(_ session: HTTPFields = [:]) {
            for pair in (session[.cookie] ?? "").split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2 { cookies[String(parts[0])] = String(parts[1]) }
            }
        }
        var header: HTTPFields { cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")] }
        func remember(_ response: TestResponse) {
            for header in response.headers[values: .setCookie] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let value = pair.count > 1 ? String(pair[1]) : ""
                if header.contains("Max-Age=0") || value.isEmpty { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = value }
            }
        }
    }

    struct Answer {
        let status: HTTPResponse.Status
        let body: String
        let location: String?
    }

    /// Routes that end the actor's own session or account, or a grant they hold: run last, so
    /// the rest of the matrix runs signed in (they act on the actor's own records only).
    static func endsSomething(_ route: RouteListing.Route) -> Bool {
        let path = route.path
        return [
            "/api/v1/account", "/api/v1/session", "/api/v1/account/sessions", "/api/v1/account/second-factor", "/api/v1/account/password",
            "/api/v1/journal", "/signout", "/signin", "/register", "/data/erase", "/account/signout-everywhere", "/account/password",
            "/account/second-step/remove", "/api/v1/grants/{id}", "/sharing/grants/{id}/end",
        ].contains(path) && route.method != .get
    }

    @Test(arguments: ["sqlite"] + (ProcessInfo.processInfo.environment["CRAMPCARE_TEST_POSTGRES_URL"] == nil ? [] : ["postgres"]))
    func everyRouteForEveryRoleOnTwoInstances(engine: String) async throws {
        let location =
            engine == "postgres"
            ? ProcessInfo.processInfo.environment["CRAMPCARE_TEST_POSTGRES_URL"]!
            : FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-matrix-\(UUID().uuidString)/journal.sqlite").path
        let clock = MovableClock()
        var configuration = ServerConfiguration()
        configuration.hosted = true
        configuration.passwordCost = 4
        configuration.allowedHosts = ["localhost"]
        configuration.sessionSeconds = 30 * 86_400
        configuration.sessionIdleSeconds = 30 * 86_400
        let knowledge = try KnowledgeBase.bundled.get()
        let settings = configuration
        try await SQLJournalStore.withJournal(location) { storeA in
            try await SQLJournalStore.withJournal(location) { storeB in
                let listing = RouteListing()
                let routerA = try buildRouter(
                    configuration: configuration, services: CrampServices(journal: storeA, knowledge: knowledge, hosted: true, clock: clock),
                    listing: listing)
                try await Application(router: routerA).test(.router) { a in
                    let routerB = try buildRouter(
                        configuration: settings, services: CrampServices(journal: storeB, knowledge: knowledge, hosted: true, clock: clock))
                    try await Application(router: routerB).test(.router) { b in
                        try await Self.matrix(routes: listing.routes, a: a, b: b, store: storeA, clock: clock)
                    }
                }
            }
        }
    }

    static func matrix(
        routes: [RouteListing.Route], a: any TestClientProtocol, b: any TestClientProtocol, store: SQLJournalStore, clock: MovableClock
    ) async throws {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let secret = "SECRET-NOTE-\(tag)"
        // The person and their diary.
        let personSession = try await Sharing.account(a, "matrix-person-\(tag)@example.org")
        let patient = try #require(OwnerID(try await Sharing.owner(a, personSession)))
        var episodeID = ""
        try await a.execute(
            uri: "/api/v1/episodes", method: .post, headers: personSession.merging(json),
            body: body(#"{"startedAt":"2026-11-30T03:10:00+00:00","durationSeconds":120,"muscles":["calf"],"severity":6,"note":"\#(secret)"}"#)
        ) { response in
            #expect(response.status == .created)
            episodeID = parsed(response)["id"] as? String ?? ""
        }
        try await a.execute(
            uri: "/api/v1/days/2026-11-30", method: .put, headers: personSession.merging(json), body: body(#"{"fluidsML":1200,"sleepHours":6}"#)
        ) { #expect($0.status == .ok || $0.status == .created) }
        let before = try await store.contents(owner: patient)

        // One account for each role that has one, each with the second factor.
        var actors: [Role: Actor] = [.owner: Actor(personSession), .signedOut: Actor()]
        var owners: [Role: OwnerID] = [.owner: patient]
        var grants: [Role: String] = [:]
        for role in [Role.clinician, .carer, .revoked, .expired, .stranger] {
            let session = try await Sharing.account(a, "matrix-\(role.rawValue)-\(tag)@example.org", secondFactor: true, clock: clock)
            actors[role] = Actor(session)
            owners[role] = OwnerID(try await Sharing.owner(a, session))
            guard role != .stranger else { continue }
            let scope = role == .carer ? "log" : "view"
            // The person's zone is UTC: "tomorrow" ends at the next midnight but one.
            var terms = #"{"scope":"\#(scope)","name":"Pat \#(tag)""#
            if role == .expired {
                let tomorrow = LocalTimestamp(instant: clock.millisecondsNow(), utcOffsetSeconds: 0)!.localDate.adding(days: 1)
                terms += #","endsOn":"\#(tomorrow)""#
            }
            terms += "}"
            let code = try #require(parsed(try await Sharing.invite(a, personSession, terms))["code"] as? String)
            let grant = try #require(parsed(try await Sharing.accept(a, session, code: code, name: "\(role.rawValue) \(tag)"))["id"] as? String)
            try await a.execute(uri: "/api/v1/grants/\(grant)/confirm", method: .post, headers: personSession) { #expect($0.status == .noContent) }
            grants[role] = grant
        }
        // Ended: the expired grant by its date (two days on), the revoked one on instance A, then
        // asked on instance B at once.
        clock.move(seconds: 2 * 86_400)
        try await a.execute(uri: "/api/v1/grants/\(try #require(grants[.revoked]))", method: .delete, headers: personSession) {
            #expect($0.status == .noContent)
        }
        let revoked = try #require(actors[.revoked])
        try await b.execute(uri: "/api/v1/patients/\(patient.rawValue)/episodes", method: .get, headers: revoked.header) {
            #expect($0.status == .notFound, "revoked on one instance, refused on the other at once")
        }

        var turn = 0
        func send(_ role: Role, _ method: HTTPRequest.Method, _ path: String) async throws -> Answer {
            turn += 1
            let client = turn % 2 == 0 ? a : b
            let actor = try #require(actors[role])
            var headers = actor.header
            var payload: ByteBuffer?
            if path.hasPrefix("/api/") {
                if method != .get && method != .delete {
                    headers = headers.merging(json)
                    payload = body(
                        path.hasSuffix("/episodes") ? #"{"startedAt":"2026-11-29T03:10:00+00:00","durationSeconds":60,"muscles":["calf"]}"# : "{}")
                }
            } else {
                headers = headers.merging([.accept: "text/html"])
                if method == .post {
                    if actor.cookies["crampcare_csrf"] == nil {
                        let first = try await client.execute(uri: "/", method: .get, headers: headers)
                        actor.remember(first)
                        headers = actor.header.merging([.accept: "text/html"])
                    }
                    headers = headers.merging([.contentType: "application/x-www-form-urlencoded"])
                    payload = body("muscle%5B%5D=calf&duration=1_to_5_min&csrf=\(actor.cookies["crampcare_csrf"] ?? "")")
                }
            }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: payload)
            actor.remember(response)
            return Answer(status: response.status, body: text(response), location: response.headers[.location])
        }

        func filled(_ path: String, patient: String) -> String {
            path.replacingOccurrences(of: "{patient}", with: patient).replacingOccurrences(of: "{id}", with: episodeID)
                .replacingOccurrences(of: "{date}", with: "2026-11-30").replacingOccurrences(of: "{name}", with: "style.css")
                .replacingOccurrences(of: "{topic}", with: "night-cramps").replacingOccurrences(of: "/**", with: "/no-such-page")
        }

        /// A 404 body with the ids, the paths and the CSRF token taken out, to compare with a missing diary's.
        func plain(_ text: String, _ ids: [String]) -> String {
            var out = text
            for id in ids { out = out.replacingOccurrences(of: id, with: "X") }
            return out.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"name="csrf-token" content="[^"]*""#, with: "", options: .regularExpression)
        }

        let missing = OwnerID("nobody" + String(tag))!.rawValue
        let ordered = routes.filter { !Self.endsSomething($0) } + routes.filter(Self.endsSomething)
        var checked = 0
        for route in ordered {
            let isPatientRoute = route.path.contains("{patient}")
            for role in Role.allCases {
                // The person's own routes are theirs to use (other suites test them); here they
                // are asked for someone else's diary through /patients only.
                if role == .owner && !isPatientRoute { continue }
                let path = filled(route.path, patient: patient.rawValue)
                let answer = try await send(role, route.method, path)
                checked += 1
                let what = "\(role.rawValue): \(route.method) \(route.path) → \(answer.status.code) \(answer.location ?? "")"
                #expect(answer.status.code < 500, "\(what)")
                if role != .owner {
                    #expect(!answer.body.contains(secret), "leaked the note: \(what)")
                }
                guard isPatientRoute else {
                    // Someone else's episode id in the actor's own diary is simply not there.
                    if route.path.contains("{id}"), route.path.hasPrefix("/api/v1/episodes") || route.path.hasPrefix("/journal/{id}") {
                        if route.method == .get || route.method == .delete {
                            #expect([401, 303, 404].contains(answer.status.code), "\(what)")
                        }
                    }
                    continue
                }
                let form = route.method == .get && (route.path.hasSuffix("/journal/new") || route.path.hasSuffix("/safety"))
                let read = route.method == .get && !form
                switch role {
                case .signedOut:
                    #expect(answer.status == .unauthorized || (answer.status == .seeOther && (answer.location ?? "").hasPrefix("/signin")), "\(what)")
                case .owner, .revoked, .expired, .stranger:
                    #expect(answer.status == .notFound, "\(what)")
                    // Exactly as for a diary that does not exist.
                    let absent = try await send(role, route.method, filled(route.path, patient: missing))
                    #expect(absent.status == .notFound, "\(what) (missing)")
                    #expect(
                        plain(answer.body, [patient.rawValue, missing]) == plain(absent.body, [patient.rawValue, missing]),
                        "\(what) differs from a missing diary")
                case .clinician:
                    #expect(answer.status == (read ? .ok : .forbidden), "\(what)")
                case .carer:
                    if read || route.path.hasSuffix("/journal/new") {
                        #expect(answer.status == (route.method == .get ? .ok : .seeOther), "\(what)")
                    } else {
                        // The person's own cramp: not the carer's to change.
                        #expect(answer.status == .forbidden, "\(what)")
                    }
                }
            }
        }
        #expect(checked > routes.count * 5)
        print("matrix: \(routes.count) routes, \(routes.filter { $0.path.contains("{patient}") }.count) through a grant, \(checked) requests checked")

        // Nothing of the person's changed, but the cramps the carer logged; the trail says who.
        let after = try await store.contents(owner: patient)
        let carer = try #require(owners[.carer])
        #expect(after.episodes.filter { $0.loggedBy == nil } == before.episodes)
        #expect(after.episodes.filter { $0.loggedBy != nil }.allSatisfy { $0.loggedBy == carer })
        #expect(after.dayLogs == before.dayLogs)
        #expect(after.profile == before.profile)
        let trail = try await SharingStore(journal: store).trail(owner: patient)
        for role in [Role.clinician, .carer, .revoked, .expired] {
            #expect(trail.contains { $0.actor == owners[role] }, "\(role.rawValue) is in the trail")
        }
        #expect(!trail.contains { $0.actor == owners[.stranger] }, "a stranger has no grant to record against")
        #expect(trail.contains { $0.actor == owners[.revoked] && $0.outcome == .revoked })
        #expect(trail.contains { $0.actor == owners[.expired] && $0.outcome == .expired })
    }
}
