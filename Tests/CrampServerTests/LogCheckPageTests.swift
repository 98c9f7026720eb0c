import CrampJournal
@testable import CrampServer
import CrampStorage
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Logging a cramp on the web: the POST saves, checks and keeps; the page after it only reads.
@Suite struct LogCheckPages {
    @Test func thePageAfterALogReadsTheKeptCheckAndWritesNothing() async throws {
        let server = try await TestServer.make()
        let store = server.store
        try await server.run { client in
            let browser = Browser(client)
            let saved = try await browser.post("/journal/new", [("muscle", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                                                                ("finding", "calf_swelling"), ("finding", "calf_warmth_redness")])
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
            let page = try await browser.post("/journal/new", [("muscle", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                                                               ("finding", "calf_swelling"), ("finding", "calf_warmth_redness")])
            #expect(page.status == .ok)
            let html = text(page)
            #expect(html.contains("URGENT"))
            #expect(html.contains("could not be kept"))
            let relief = try await browser.post("/relieve", [("muscle", "calf"), ("outcome", "no"), ("startedAt", "0")])
            #expect(relief.status == .ok)
            #expect(text(relief).contains("could not be kept"))
        }
    }
}
