import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CrampServer

/// Logging a cramp on the web: the POST saves, checks and keeps; the page after it only reads.
@Suite struct LogCheckPages {
    @Test func thePageAfterALogReadsTheKeptCheckAndWritesNothing() async throws {
        let server = try await TestServer.make()
        let store = server.store
        try await server.run { client in
            let browser = Browser(client)
            let saved = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                    ("finding[]", "calf_swelling"), ("finding[]", "calf_warmth_redness"),
                ])
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers[.location])
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
            for _ in 0..<3 {
                let page = text(try await browser.get(location))
                #expect(page.contains("URGENT"))
                #expect(page.contains("banner-urgent") || page.contains("banner-emergency"))
            }
            // However often the page is shown, the one check stays the one record.
            #expect(try await store.assessments(owner: .local, limit: 10).count == 1)
            // A page for an episode with no kept check shows the episode without inventing one.
            let id = String(location.dropFirst("/journal/".count).prefix(36))
            _ = try await store.eraseAll(owner: .local)
            #expect(try await browser.get("/journal/\(id)?logged=1").status == .notFound)
        }
    }

    /// Hazard H21 on the web: a check that cannot be kept is shown at once, with its red flags.
    @Test func aCheckThatCannotBeKeptIsShownAtOnce() async throws {
        try await TestServer.make(failingKeeps: true).run { client in
            let browser = Browser(client)
            let page = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                    ("finding[]", "calf_swelling"), ("finding[]", "calf_warmth_redness"),
                ])
            #expect(page.status == .ok)
            let html = text(page)
            #expect(html.contains("URGENT"))
            #expect(html.contains("could not be kept"))
            // The same after a quick log's red-flag questions answered with clot signs.
            let saved = try await browser.post("/journal/new", [("muscle[]", "calf"), ("duration", "1_to_5_min")])
            let questions = try #require(saved.headers[.location])
            #expect(questions.hasSuffix("/safety"))
            let yes = KnowledgeBase.bundledSafetyNo.map { $0.0 == "swelling" || $0.0 == "calf_skin" ? ($0.0, "yes") : $0 }
            let answered = try await browser.post(
                questions, yes + [("sign[]", "calf_swelling"), ("sign[]", "calf_warmth_redness"), ("sign[]", "calf_tenderness")])
            #expect(answered.status == .ok)
            #expect(text(answered).contains("URGENT"))
            #expect(text(answered).contains("could not be kept"))
        }
    }
}

/// The pages' forms are typed and decoded by Hummingbird's URLEncodedFormDecoder.
@Suite struct TypedForms {
    @Test func aPlainNameSentTwiceIsRefusedNamingItAndAListIsSentAsNameBrackets() async throws {
        let server = try await TestServer.make()
        let store = server.store
        try await server.run { client in
            let browser = Browser(client)
            let twice = try await browser.post(
                "/journal/new",
                [
                    ("muscle", "calf"), ("muscle", "hamstrings"), ("startedAt", "2026-03-01T22:00"),
                    ("durationValue", "2"),
                ])
            #expect(twice.status == .unprocessableContent)
            #expect(text(twice).contains("muscle"))
            let single = try await browser.post("/journal/new", [("muscle", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            #expect(single.status == .unprocessableContent)
            #expect(try await store.countEpisodes(owner: .local, from: nil, before: nil) == 0)
            let listed = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("muscle[]", "hamstrings"), ("startedAt", "2026-03-01T22:00"),
                    ("durationValue", "2"), ("helped[]", "stretch"), ("helped[]", "heat"),
                ])
            #expect(listed.status == .seeOther)
            let episodes = try await store.episodes(owner: .local, filter: EpisodeFilter())
            #expect(Set(episodes.first?.muscles ?? []) == [.calf, .hamstrings])
            #expect(Set(episodes.first?.reliefs.map(\.technique) ?? []) == [.stretch, .heat])
        }
    }

    /// The day page counts drinks in glasses (or litres or mL typed), asks nothing twice, and
    /// shows the day's medicine changes to keep, remove or add to; a client that does not show
    /// them keeps them.
    @Test func theDayPageTakesGlassesAndMedicineChanges() async throws {
        let server = try await TestServer.make()
        let store = server.store
        try await server.run { client in
            let browser = Browser(client)
            let march = LocalDate(year: 2026, month: 3, day: 1)!
            try await store.saveDayLog(
                DayLog(date: march, sleepHours: 6, medicationChanges: [MedicationChange(kind: .start, medication: .statin)], updatedAt: 1),
                owner: .local)
            let form = text(try await browser.get("/day?date=2026-03-01"))
            #expect(form.contains("1 glass = 250 mL"))
            #expect(form.contains("value=\"start:statin\" checked"))
            // Hot weather, alcohol, caffeine and drinking little have their own fields: not in the list too.
            for code in ["hot_weather", "alcohol", "high_caffeine", "low_fluid_intake"] {
                #expect(!form.contains("name=\"context[]\" value=\"\(code)\""), "\(code)")
            }
            let kept = try await browser.post("/day", [("date", "2026-03-01"), ("fluids", "1.2 L"), ("context[]", "heavy_sweating")])
            #expect(kept.status == .seeOther)
            var day = try await store.dayLog(date: march, owner: .local)
            #expect(day?.fluidsML == 1200)
            #expect(day?.context == [.heavySweating])
            #expect(day?.medicationChanges == [MedicationChange(kind: .start, medication: .statin)])
            // Six glasses of the person's own size; the statin unticked, a diuretic started.
            #expect(try await browser.post("/profile", [("glassML", "300")]).status == .seeOther)
            let changed = try await browser.post(
                "/day",
                [("date", "2026-03-01"), ("fluids", "6"), ("changesShown", "yes"), ("newChangeKind", "start"), ("newChangeMedicine", "diuretic")])
            #expect(changed.status == .seeOther)
            day = try await store.dayLog(date: march, owner: .local)
            #expect(day?.fluidsML == 1800)
            #expect(day?.medicationChanges == [MedicationChange(kind: .start, medication: .diuretic)])
            #expect(text(try await browser.get("/day?date=2026-03-01")).contains("value=\"6\""))
            for (field, value, named) in [
                ("fluids", "lots", "fluidsML"), ("context[]", "moonlight", "moonlight"), ("newChangeKind", "start", "medicationChanges"),
            ] {
                let refused = try await browser.post("/day", [("date", "2026-03-01"), ("changesShown", "yes"), (field, value)])
                #expect(refused.status == .unprocessableContent, "\(field)")
                #expect(text(refused).contains(named), "\(field)")
            }
        }
    }
}
