import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CrampServer

/// Carers (issue 17): a carer logs cramps in the person's diary through a "view and log" grant,
/// with the full red-flag screen and the person's region's emergency number; each entry says who
/// logged it; the carer changes only their own, within 24 hours; the person sees it on their next
/// visit; every write is in the trail, written in the write's transaction.
@Suite struct Carers {
    static func browser(_ client: any TestClientProtocol, _ session: HTTPFields) -> Browser {
        let browser = Browser(client)
        for pair in (session[.cookie] ?? "").split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2 { browser.cookies[String(parts[0])] = String(parts[1]) }
        }
        return browser
    }

    /// The person (in the US), a carer with the second factor (in GB), and a confirmed grant of `scope`.
    static func shared(
        _ client: any TestClientProtocol, scope: String, carer email: String, clock: any JournalClock = SystemClock()
    ) async throws -> (
        person: HTTPFields, patient: String, carer: HTTPFields, carerID: String
    ) {
        let person = try await Sharing.account(client, "person-\(email)")
        try await client.execute(
            uri: "/api/v1/profile", method: .put, headers: person.merging(json), body: body(#"{"birthYear":1944,"region":"US","timeZone":"UTC"}"#)
        ) { #expect($0.status == .ok) }
        let carer = try await Sharing.account(client, email, secondFactor: true, clock: clock)
        try await client.execute(uri: "/api/v1/profile", method: .put, headers: carer.merging(json), body: body(#"{"region":"GB"}"#)) {
            #expect($0.status == .ok)
        }
        let code = try #require(parsed(try await Sharing.invite(client, person, #"{"scope":"\#(scope)","name":"Dad"}"#))["code"] as? String)
        let grant = try #require(parsed(try await Sharing.accept(client, carer, code: code, name: "Sam, his son"))["id"] as? String)
        try await client.execute(uri: "/api/v1/grants/\(grant)/confirm", method: .post, headers: person) { #expect($0.status == .noContent) }
        return (person, try await Sharing.owner(client, person), carer, try await Sharing.owner(client, carer))
    }

    /// Every red-flag screen question answered no, but clot signs yes.
    static let clotAnswers: [(String, String)] =
        KnowledgeBase.bundledSafetyNo.map { $0.0 == "swelling" || $0.0 == "calf_skin" ? ($0.0, "yes") : $0 }
        + [("sign[]", "calf_swelling"), ("sign[]", "calf_warmth_redness"), ("sign[]", "calf_tenderness")]

    @Test func aCarerLogsWithTheFullScreenAndThePatientsNumberAndThePersonSeesIt() async throws {
        let clock = MovableClock()
        // Sessions outlast the day the test moves the clock by.
        let server = try await TestServer.make(hosted: true, clock: clock) {
            $0.sessionSeconds = 72 * 3600
            $0.sessionIdleSeconds = 72 * 3600
        }
        let store = server.store
        try await server.run { client in
            let (person, patient, carerSession, carerID) = try await Self.shared(client, scope: "log", carer: "sam@example.org", clock: clock)
            let carer = Self.browser(client, carerSession)
            let form = try await carer.get("/patients/\(patient)/journal/new")
            #expect(form.status == .ok)
            #expect(text(form).contains("Log a cramp for Dad"))
            #expect(text(form).contains("action=\"/patients/\(patient)/journal/new\""))
            // The call-now signs above Save give the patient's number (US), not the carer's (GB).
            #expect(text(form).contains("href=\"tel:911\""))

            let saved = try await carer.post("/patients/\(patient)/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")])
            #expect(saved.status == .seeOther)
            let questions = try #require(saved.headers[.location])
            #expect(questions.hasPrefix("/patients/\(patient)/journal/") && questions.hasSuffix("/safety"))
            let id = try #require(EntryID(String(questions.split(separator: "/")[3])))
            let patientID = try #require(OwnerID(patient))
            let stored = try #require(try await store.episode(id: id, owner: patientID))
            #expect(stored.loggedBy?.rawValue == carerID)
            #expect(stored.safetyQuestions == .notAnswered)

            // The full red-flag screen, every question of it.
            let screen = try await carer.get(questions)
            #expect(screen.status == .ok)
            for (field, _) in KnowledgeBase.bundledSafetyNo { #expect(text(screen).contains("name=\"\(field)\""), "\(field)") }
            #expect(text(screen).contains("href=\"tel:911\""))

            let answered = try await carer.post(questions, Self.clotAnswers)
            #expect(answered.status == .seeOther)
            let result = try await carer.get(try #require(answered.headers[.location]))
            #expect(result.status == .ok)
            #expect(text(result).contains("URGENT"))
            #expect(text(result).contains("Logged by you (Sam, his son)"))
            #expect(text(result).contains("Where Dad lives, the emergency number is <a href=\"tel:911\">"))
            #expect(!text(result).contains("Delete this cramp"))

            // The person sees it on their next visit, on the home page and in the journal, marked.
            let own = Self.browser(client, person)
            for page in ["/", "/journal"] {
                let html = text(try await own.get(page))
                #expect(html.contains("Sam, his son logged a cramp for you"), "\(page)")
                #expect(html.contains("its check said Urgent"), "\(page)")
            }
            #expect(text(try await own.get("/journal/\(id)")).contains("Logged by Sam, his son (carer)"))
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get, headers: person) { response in
                #expect(parsed(response)["loggedBy"] as? String == carerID)
            }
            // The person's own edit keeps who logged it, and a loggedBy sent is ignored.
            try await client.execute(
                uri: "/api/v1/episodes/\(id)", method: .put, headers: person.merging(json),
                body: body(#"{"startedAt":"\#(stored.startedAt)","durationSeconds":100,"muscles":["calf"],"loggedBy":"someoneelse"}"#)
            ) { #expect($0.status == .ok) }
            #expect(try await store.episode(id: id, owner: patientID)?.loggedBy?.rawValue == carerID)

            // Each write is in the person's trail, naming the entry.
            let trail = try await Sharing.trail(client, person)
            #expect(trail.contains { $0["action"] as? String == "log_cramp" && $0["target"] as? String == id.description })
            #expect(trail.contains { $0["action"] as? String == "edit_cramp" && $0["target"] as? String == id.description })

            // Not a cramp the person logged, and not the carer's own after 24 hours.
            let theirs = try await own.post("/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")])
            let theirsID = String(try #require(theirs.headers[.location]).split(separator: "/")[1])
            let refused = try await carer.post("/patients/\(patient)/journal/\(theirsID)/safety", Self.clotAnswers)
            #expect(refused.status == .forbidden, "\(text(refused))")
            clock.move(seconds: 24 * 3600 + 60)
            let late = try await carer.post(questions, Self.clotAnswers)
            #expect(late.status == .forbidden, "\(late.status) \(late.headers[.location] ?? "")")
            let refusals = try await Sharing.trail(client, person).filter { $0["outcome"] as? String == "not_covered" }
            #expect(refusals.count == 2)
            // Logging a new one is still allowed.
            #expect(try await carer.post("/patients/\(patient)/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")]).status == .seeOther)
        }
    }

    @Test func aViewGrantLogsNothingAndARevokedCarerIsAStranger() async throws {
        let server = try await TestServer.make(hosted: true)
        let store = server.store
        try await server.run { client in
            let (person, patient, session, _) = try await Self.shared(client, scope: "view", carer: "viewer@example.org")
            let viewer = Self.browser(client, session)
            #expect(try await viewer.get("/patients/\(patient)").status == .ok)
            #expect(!text(try await viewer.get("/patients/\(patient)")).contains("Log a cramp for"))
            #expect(
                try await viewer.post("/patients/\(patient)/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")]).status == .forbidden)
            #expect(try await store.countEpisodes(owner: try #require(OwnerID(patient)), from: nil, before: nil) == 0)
            #expect(try await Sharing.trail(client, person).first?["outcome"] as? String == "not_covered")

            let (person2, patient2, carerSession, _) = try await Self.shared(client, scope: "log", carer: "gone@example.org")
            let carer = Self.browser(client, carerSession)
            try await client.execute(uri: "/api/v1/grants", method: .get, headers: person2) { response in
                let id = try #require((try object(response)["given"] as? [[String: Any]])?.first?["id"] as? String)
                try await client.execute(uri: "/api/v1/grants/\(id)", method: .delete, headers: person2) { #expect($0.status == .noContent) }
            }
            #expect(
                try await carer.post("/patients/\(patient2)/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")]).status == .notFound)
            #expect(try await carer.get("/patients/\(patient2)/journal/new").status == .notFound)
            #expect(try await store.countEpisodes(owner: try #require(OwnerID(patient2)), from: nil, before: nil) == 0)
        }
    }
}

/// The clinician's per-patient pages and the person's export of their sharing (issue 17).
@Suite struct PatientPagesAndExport {
    @Test func theClinicianReadsTheReportChecksAndDaysEachRecordedAndTheExportHoldsTheTrail() async throws {
        let server = try await TestServer.make(hosted: true)
        let store = server.store
        try await server.run { client in
            let (person, patient, session, _) = try await Carers.shared(client, scope: "view", carer: "doc@clinic.example.org")
            let owner = try #require(OwnerID(patient))
            let now = SystemClock().millisecondsNow()
            try await client.execute(
                uri: "/api/v1/episodes", method: .post, headers: person.merging(json),
                body: body(
                    #"{"startedAt":"\#(LocalTimestamp(instant: now - 86_400_000, utcOffsetSeconds: 0)!)","durationSeconds":120,"muscles":["calf"],"severity":7,"note":"a private note"}"#
                )
            ) { #expect($0.status == .created) }
            let today = LocalTimestamp(instant: now, utcOffsetSeconds: 0)!.localDate
            try await store.saveDayLog(
                DayLog(
                    date: today, fluidsML: 1500, sleepHours: 6.5, medicationChanges: [MedicationChange(kind: .start, medication: .statin)],
                    updatedAt: now),
                owner: owner)
            let doc = Carers.browser(client, session)
            let pages: [(String, [String])] = [
                ("/patients/\(patient)", ["7/10", "Filter the cramps", "(notes not shared)"]),
                ("/patients/\(patient)/report", ["Appendix: the cramps", "the person has not shared their notes", "See a doctor"]),
                ("/patients/\(patient)/checks", ["No checks kept."]),
                ("/patients/\(patient)/days", ["1500 ml", "6.5 h", "started"]),
            ]
            for (path, words) in pages {
                let page = try await doc.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.headers[.cacheControl] == "no-store", "\(path)")
                for word in words { #expect(text(page).contains(word), "\(path): \(word)") }
                #expect(!text(page).contains("a private note"), "\(path)")
                #expect(text(page).contains(SharingRules.notMonitored.replacingOccurrences(of: "'", with: "&#39;")), "\(path)")
            }
            // A bad filter is named, the page still answers.
            let bad = try await doc.get("/patients/\(patient)?minSeverity=eleven")
            #expect(bad.status == .unprocessableContent)
            #expect(text(bad).contains("minSeverity"))
            let actions = try await Sharing.trail(client, person).compactMap { $0["action"] as? String }
            for action in ["read_diary", "read_report", "read_checks", "read_days"] { #expect(actions.contains(action), "\(action)") }

            // The person's JSON export holds the grant and the whole trail; no import reads them.
            var exported = Data()
            try await client.execute(uri: "/api/v1/export?format=json", method: .get, headers: person) { response in
                #expect(response.status == .ok)
                exported = Data(response.body.readableBytesView)
            }
            let document = try #require(try JSONSerialization.jsonObject(with: exported) as? [String: Any])
            let sharing = try #require(document["sharing"] as? [String: Any])
            #expect((sharing["given"] as? [[String: Any]])?.first?["granteeName"] as? String == "Sam, his son")
            #expect((sharing["trail"] as? [Any])?.count == actions.count)
            let contents = try JournalBackup.decode(Array(exported), currentYear: today.year)
            #expect(contents.episodes.count == 1)
        }
    }
}
