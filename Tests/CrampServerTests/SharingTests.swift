import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CrampServer

/// Sharing a diary by consent (issue 17): an invitation, accepted by an account with the second
/// factor, shared only once the person confirms; every read through the grant in the person's
/// trail before it is answered; revoked at once; a stranger answered exactly as for no diary.
@Suite struct Sharing {
    /// A new account's session; with `secondFactor`, the factor turned on and confirmed.
    static func account(
        _ client: any TestClientProtocol, _ email: String, secondFactor: Bool = false, clock: any JournalClock = SystemClock()
    ) async throws -> HTTPFields {
        let session = try await AccountHardening().register(client, email)
        guard secondFactor else { return session }
        var secret = ""
        try await client.execute(uri: "/api/v1/account/second-factor", method: .post, headers: session) { response in
            secret = try #require(try object(response)["secret"] as? String)
        }
        let key = try #require(TOTP.bytes(base32: secret))
        let code = TOTP.code(secret: key, step: TOTP.step(at: clock.millisecondsNow()))
        try await client.execute(
            uri: "/api/v1/account/second-factor", method: .put, headers: session.merging(json), body: body(#"{"code":"\#(code)"}"#)
        ) { #expect($0.status == .noContent) }
        return session
    }

    static func owner(_ client: any TestClientProtocol, _ session: HTTPFields) async throws -> String {
        var owner = ""
        try await client.execute(uri: "/api/v1/account", method: .get, headers: session) { owner = try #require(try object($0)["owner"] as? String) }
        return owner
    }

    static func invite(_ client: any TestClientProtocol, _ session: HTTPFields, _ fields: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/v1/invitations", method: .post, headers: session.merging(json), body: body(fields))
    }

    static func accept(
        _ client: any TestClientProtocol, _ session: HTTPFields, code: String, name: String = "Jane Smith, physiotherapist",
        _ check: (TestResponse) -> Void = { _ in }
    ) async throws -> TestResponse {
        let response = try await client.execute(
            uri: "/api/v1/invitations/accept", method: .post, headers: session.merging(json), body: body(#"{"code":"\#(code)","name":"\#(name)"}"#))
        check(response)
        return response
    }

    static func trail(_ client: any TestClientProtocol, _ session: HTTPFields) async throws -> [[String: Any]] {
        var entries: [[String: Any]] = []
        try await client.execute(uri: "/api/v1/audit", method: .get, headers: session) {
            entries = try object($0)["entries"] as? [[String: Any]] ?? []
        }
        return entries
    }

    @Test func aDiaryIsSharedOnlyOnceThePersonConfirmsAndStopsAtRevocation() async throws {
        try await TestServer.make(hosted: true).run { client in
            let person = try await Self.account(client, "ann@example.org")
            let patient = try await Self.owner(client, person)
            try await client.execute(
                uri: "/api/v1/episodes", method: .post, headers: person.merging(json),
                body: body(#"{"startedAt":"2026-11-30T03:10:00+00:00","durationSeconds":120,"muscles":["calf"],"note":"after the long walk"}"#)
            ) { #expect($0.status == .created) }
            let made = try await Self.invite(client, person, #"{"scope":"view","name":"Ann B","birthYear":1950}"#)
            #expect(made.status == .created)
            let code = try #require(try object(made)["code"] as? String)
            #expect(SharingRules.normalised(code: code)?.count == 32)
            // Only the digest is kept: the list shows no code.
            try await client.execute(uri: "/api/v1/invitations", method: .get, headers: person) { response in
                #expect(!text(response).contains(code) && !text(response).contains(SharingRules.normalised(code: code)!))
            }

            let noFactor = try await Self.account(client, "nofactor@example.org")
            #expect(try await Self.accept(client, noFactor, code: code).status == .forbidden)
            let clinician = try await Self.account(client, "jane@clinic.example.org", secondFactor: true)
            let accepted = try await Self.accept(client, clinician, code: code.lowercased().replacingOccurrences(of: "-", with: " "))
            #expect(accepted.status == .created)
            let grant = try #require(try object(accepted)["id"] as? String)
            #expect(try object(accepted)["state"] as? String == "pending")
            // Single use.
            let second = try await Self.account(client, "second@clinic.example.org", secondFactor: true)
            #expect(try await Self.accept(client, second, code: code).status == .notFound)

            // Accepted, not confirmed: nothing is shared, and the attempt is in the person's trail.
            let diary = "/api/v1/patients/\(patient)/episodes"
            try await client.execute(uri: diary, method: .get, headers: clinician) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/api/v1/patients", method: .get, headers: clinician) { response in
                #expect((parsed(response)["patients"] as? [Any])?.isEmpty == true)
            }
            #expect(try await Self.trail(client, person).map { $0["outcome"] as? String } == ["pending"])

            // The person sees who accepted, and the name they gave, and confirms.
            try await client.execute(uri: "/api/v1/grants", method: .get, headers: person) { response in
                let given = try #require(try object(response)["given"] as? [[String: Any]])
                #expect(given.count == 1)
                #expect(given.first?["email"] as? String == "jane@clinic.example.org")
                #expect(given.first?["granteeName"] as? String == "Jane Smith, physiotherapist")
            }
            try await client.execute(uri: "/api/v1/grants/\(grant)/confirm", method: .post, headers: person) { #expect($0.status == .noContent) }

            try await client.execute(uri: "/api/v1/patients", method: .get, headers: clinician) { response in
                let patients = try #require(try object(response)["patients"] as? [[String: Any]])
                #expect(patients.map { $0["name"] as? String } == ["Ann B"])
                #expect(patients.first?["birthYear"] as? Int == 1950)
            }
            try await client.execute(uri: diary, method: .get, headers: clinician) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let episodes = try #require(try object(response)["episodes"] as? [[String: Any]])
                #expect(episodes.count == 1)
                // Notes are not shared unless the person chose it.
                #expect(episodes.first?["note"] == nil && !text(response).contains("long walk"))
            }
            let reads = try await Self.trail(client, person)
            #expect(reads.prefix(2).map { $0["action"] as? String } == ["read_diary", "list_patients"])
            #expect(reads.prefix(2).allSatisfy { $0["outcome"] as? String == "allowed" })
            // The trail holds no health data.
            #expect(!reads.contains { ($0["target"] as? String ?? "").contains("calf") })

            // A grant never deletes or changes anything of the person's.
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: clinician) { response in
                #expect((parsed(response)["episodes"] as? [Any])?.isEmpty == true, "the clinician's own diary is theirs")
            }

            // Revoked: refused on the next request, and the refusal recorded.
            try await client.execute(uri: "/api/v1/grants/\(grant)", method: .delete, headers: person) { #expect($0.status == .noContent) }
            var refused = ""
            try await client.execute(uri: diary, method: .get, headers: clinician) { response in
                #expect(response.status == .notFound)
                refused = try #require(try object(response)["detail"] as? String)
            }
            #expect(try await Self.trail(client, person).first?["outcome"] as? String == "revoked")
            // A stranger, and a diary that does not exist, are answered exactly alike.
            let stranger = try await Self.account(client, "stranger@example.org", secondFactor: true)
            for (who, path) in [
                (stranger, diary), (clinician, "/api/v1/patients/unobody000000000000000000/episodes"), (clinician, "/api/v1/patients/../episodes"),
            ] {
                try await client.execute(uri: path, method: .get, headers: who) { response in
                    #expect(response.status == .notFound, "\(path)")
                    if path.hasPrefix("/api/v1/patients/u") { #expect(parsed(response)["detail"] as? String == refused) }
                }
            }
        }
    }

    @Test func invitationsAreLimitedExpireAndCanBeWithdrawn() async throws {
        let clock = MovableClock()
        try await TestServer.make(hosted: true, clock: clock).run { client in
            let person = try await Self.account(client, "limits@example.org")
            var codes: [String] = []
            for _ in 0..<SharingRules.invitationsPerHour {
                let made = try await Self.invite(client, person, #"{"scope":"log","name":"Bob"}"#)
                #expect(made.status == .created)
                codes.append(try #require(try object(made)["code"] as? String))
            }
            #expect(try await Self.invite(client, person, #"{"scope":"view","name":"Bob"}"#).status == .tooManyRequests)
            // Bad input names the field, the value and what is accepted.
            for (fields, field) in [
                (#"{"scope":"admin","name":"Bob"}"#, "scope"), (#"{"scope":"view","name":""}"#, "name"),
                (#"{"scope":"view","name":"Bob","birthYear":1800}"#, "birthYear"),
                (#"{"scope":"view","name":"Bob","endsOn":"2020-01-01"}"#, "endsOn"),
                (#"{"scope":"view","name":"Bob","notes":"maybe"}"#, "notes"), (#"{"scope":"view","name":"Bob","admin":"yes"}"#, "admin"),
            ] {
                try await client.execute(uri: "/api/v1/invitations", method: .post, headers: person.merging(json), body: body(fields)) { response in
                    #expect(response.status == .unprocessableContent || response.status == .tooManyRequests, "\(fields)")
                    if response.status == .unprocessableContent { #expect(parsed(response)["field"] as? String == field, "\(fields)") }
                }
            }
            var ids: [String] = []
            try await client.execute(uri: "/api/v1/invitations", method: .get, headers: person) { response in
                ids = (try object(response)["invitations"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(ids.count == SharingRules.invitationsPerHour)
            try await client.execute(uri: "/api/v1/invitations/\(ids[0])", method: .delete, headers: person) { #expect($0.status == .noContent) }
            let carer = try await Self.account(client, "carer@example.org", secondFactor: true)
            // The newest was withdrawn (listed first); the others work until their 7 days pass.
            #expect(try await Self.accept(client, carer, code: codes.last!).status == .notFound)
            #expect(try await Self.accept(client, person, code: codes[0]).status == .forbidden, "the person's own account has no factor")
            clock.move(seconds: SharingRules.invitationMilliseconds / 1000 + 1)
            // A week on (the carer signs in afresh: sessions end when idle).
            let later = try await Self.account(client, "later@example.org", secondFactor: true, clock: clock)
            #expect(try await Self.accept(client, later, code: codes[1]).status == .notFound)
            _ = try await Self.accept(client, later, code: "not a code") { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "code")
            }
        }
    }

    @Test func deletingAnAccountEndsItsGrantsBothWaysAndRemovesItsTrail() async throws {
        let server = try await TestServer.make(hosted: true)
        let sharing = SharingStore(journal: server.store)
        try await server.run { client in
            let person = try await Self.account(client, "leaving@example.org", secondFactor: true)
            let clinician = try await Self.account(client, "doctor@example.org", secondFactor: true)
            let other = try await Self.account(client, "other@example.org", secondFactor: true)
            let owner = try #require(OwnerID(try await Self.owner(client, person)))
            let otherOwner = try #require(OwnerID(try await Self.owner(client, other)))
            // The person shares their diary, and holds a grant for another's.
            for (giver, taker) in [(person, clinician), (other, person)] {
                let code = try #require(try object(try await Self.invite(client, giver, #"{"scope":"view","name":"X"}"#))["code"] as? String)
                let grant = try #require(try object(try await Self.accept(client, taker, code: code))["id"] as? String)
                try await client.execute(uri: "/api/v1/grants/\(grant)/confirm", method: .post, headers: giver) { #expect($0.status == .noContent) }
            }
            try await client.execute(uri: "/api/v1/patients", method: .get, headers: clinician) { response in
                #expect((parsed(response)["patients"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/patients/\(otherOwner.rawValue)/episodes", method: .get, headers: person) {
                #expect($0.status == .ok)
            }
            #expect(try await !sharing.trail(owner: owner, limit: 10).isEmpty)
            let made = try await Self.invite(client, person, #"{"scope":"view","name":"X"}"#)
            #expect(made.status == .created)
            try await client.execute(
                uri: "/api/v1/account", method: .delete, headers: person.merging(json), body: body(#"{"password":"\#(AccountHardening.password)"}"#)
            ) { #expect($0.status == .noContent) }
            // Its trail, invitations and the grants it gave are gone; the grant it held has ended,
            // and the other diary's trail still shows what it did.
            #expect(try await sharing.trail(owner: owner, limit: 10).isEmpty)
            #expect(try await sharing.grants(owner: owner).isEmpty)
            #expect(try await sharing.invitations(owner: owner, now: SystemClock().millisecondsNow()).isEmpty)
            let held = try await sharing.grants(owner: otherOwner)
            #expect(held.count == 1 && held[0].grant.revokedAt != nil && held[0].otherEmail == nil)
            #expect(try await sharing.trail(owner: otherOwner, limit: 10).contains { $0.actor == owner && $0.action == .readDiary })
            try await client.execute(uri: "/api/v1/patients", method: .get, headers: clinician) { response in
                #expect((parsed(response)["patients"] as? [Any])?.isEmpty == true)
            }
        }
    }

    /// The list puts the patient with an urgent check in the last 14 days first, and says why.
    @Test func thePatientListShowsWhoNeedsALookFirstAndWhy() async throws {
        let server = try await TestServer.make(hosted: true)
        let store = server.store
        try await server.run { client in
            let clinician = try await Self.account(client, "list@clinic.example.org", secondFactor: true)
            var owners: [String: OwnerID] = [:]
            for name in ["Alice A", "Zoe Z"] {
                let person = try await Self.account(client, "\(name.prefix(3).lowercased())@example.org")
                owners[name] = OwnerID(try await Self.owner(client, person))
                let code = try #require(parsed(try await Self.invite(client, person, #"{"scope":"view","name":"\#(name)"}"#))["code"] as? String)
                let grant = try #require(parsed(try await Self.accept(client, clinician, code: code))["id"] as? String)
                try await client.execute(uri: "/api/v1/grants/\(grant)/confirm", method: .post, headers: person) { #expect($0.status == .noContent) }
            }
            let now = SystemClock().millisecondsNow()
            try await store.saveAssessment(
                AssessmentRecord(
                    id: EntryID.random(), madeAt: LocalTimestamp(instant: now - 2 * 86_400_000, utcOffsetSeconds: 0)!, knowledgeVersion: "test",
                    triage: .urgent, requestJSON: "{}", resultJSON: "{}"), owner: try #require(owners["Zoe Z"]))
            try await client.execute(uri: "/api/v1/patients", method: .get, headers: clinician) { response in
                let patients = parsed(response)["patients"] as? [[String: Any]] ?? []
                #expect(patients.map { $0["name"] as? String } == ["Zoe Z", "Alice A"])
                #expect((patients.first?["why"] as? [String])?.first?.contains("URGENT") == true)
            }
            try await client.execute(uri: "/patients", method: .get, headers: clinician) { response in
                let page = text(response)
                let zoe = try #require(page.range(of: "Zoe Z")), alice = try #require(page.range(of: "Alice A"))
                #expect(zoe.lowerBound < alice.lowerBound)
                #expect(page.contains("class=\"attention\""))
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    /// No code changes or removes a trail row but the account's deletion: every statement that
    /// names the table is an insert, a select, or the one delete in `SharingStore.forget`.
    @Test func theTrailIsOnlyEverAddedTo() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources")
        var deletes: [String] = []
        for case let file as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)! where file.pathExtension == "swift"
        {
            let code = try String(contentsOf: file, encoding: .utf8)
            for line in code.split(separator: "\n") where line.contains("audit_trail") {
                let statement = line.uppercased()
                #expect(!statement.contains("UPDATE AUDIT_TRAIL"), "\(file.lastPathComponent): \(line)")
                if statement.contains("DELETE FROM AUDIT_TRAIL") { deletes.append(file.lastPathComponent) }
            }
        }
        #expect(deletes == ["SharingStore.swift"])
    }
}
