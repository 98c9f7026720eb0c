import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import CrampTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

@testable import CrampServer

/// Episodes on the API and the journal's pages.
@Suite struct Episodes {
    @Test func episodesCreateReadUpdateDeleteAndPage() async throws {
        try await TestServer.make().run { client in
            var ids: [String] = []
            for index in 0..<120 {
                let minute = String(format: "%02d", index % 60)
                let hour = String(format: "%02d", index / 60)
                try await client.execute(
                    uri: "/api/v1/episodes", method: .post, headers: json,
                    body: body(
                        #"{"startedAt":"2026-03-01T\#(hour):\#(minute):00+01:00","durationSeconds":90,"muscles":["\#(index % 2 == 0 ? "calf" : "hamstrings")"],"severity":\#(index % 11)}"#
                    )
                ) { response in
                    #expect(response.status == .created)
                    let episode = try object(response)
                    ids.append(try #require(episode["id"] as? String))
                    #expect(response.headers[.location] == "/api/v1/episodes/\(ids.last!)")
                }
            }
            // Every episode exactly once over the pages, newest first.
            var seen: [String] = []
            var next: String? = nil
            repeat {
                let uri = "/api/v1/episodes?limit=50" + (next.map { "&after=\($0)" } ?? "")
                try await client.execute(uri: uri, method: .get) { response in
                    let page = try object(response)
                    let episodes = try #require(page["episodes"] as? [[String: Any]])
                    seen += episodes.compactMap { $0["id"] as? String }
                    next = page["next"] as? String
                }
            } while next != nil
            #expect(seen.count == 120 && Set(seen) == Set(ids))
            #expect(seen.first == ids.last)
            try await client.execute(uri: "/api/v1/episodes?muscle=calf&minSeverity=5&limit=500", method: .get) { response in
                let episodes = try #require(try object(response)["episodes"] as? [[String: Any]])
                #expect(!episodes.isEmpty)
                #expect(episodes.allSatisfy { ($0["muscles"] as? [String]) == ["calf"] && ($0["severity"] as? Int ?? 0) >= 5 })
            }
            try await client.execute(uri: "/api/v1/episodes?muscle=elbow", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "muscle[0]")
            }
            let id = ids[0]
            try await client.execute(
                uri: "/api/v1/episodes/\(id)", method: .put, headers: json,
                body: body(#"{"startedAt":"2026-03-01T00:00:00+01:00","durationSeconds":120,"muscles":["calf"],"severity":9,"note":"woke me"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(parsed(response)["severity"] as? Int == 9)
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get) { response in
                #expect(parsed(response)["note"] as? String == "woke me")
            }
            try await client.execute(
                uri: "/api/v1/episodes/\(id)", method: .put, headers: json,
                body: body(#"{"startedAt":"2026-03-01T00:00:00+01:00","durationSeconds":0,"muscles":["calf"]}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "durationSeconds")
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .delete) { response in #expect(response.status == .noContent) }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get) { response in #expect(response.status == .notFound) }
            try await client.execute(uri: "/api/v1/episodes/not-an-id", method: .get) { response in #expect(response.status == .unprocessableContent)
            }
        }
    }

    @Test func loggingClotSignsShowsTheUrgentBannerAtOnce() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let saved = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "40"),
                    ("durationUnit", "minutes"), ("finding[]", "calf_swelling"),
                    ("finding[]", "calf_warmth_redness"), ("finding[]", "calf_tenderness"),
                ])
            let shown = try await browser.get(try #require(saved.headers[.location]))
            #expect(text(shown).contains("URGENT"))
        }
    }
}
