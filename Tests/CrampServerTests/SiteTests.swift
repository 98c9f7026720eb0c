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

/// What every route shares: hosts, origins, headers, caps, CSRF, health and metrics.
@Suite struct Site {
    @Test func onlyJSONFromNoOrTheServersOwnOrigin() async throws {
        try await TestServer.make().run { client in
            let request = body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#)
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: [.contentType: "text/plain"], body: request) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(
                uri: "/api/v1/assessments", method: .post,
                headers: json.merging([.origin: "https://evil.example"]), body: request
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json.merging([.origin: "http://localhost"]), body: request) {
                response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func foreignHostsAreRefused() async throws {
        // Only 127.0.0.1:8080 and localhost:8080 are this server: "localhost" alone is another host.
        try await TestServer.make(allowLocalhost: false).run { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .misdirectedRequest)
            }
        }
    }

    @Test func securityHeadersEverywhere() async throws {
        try await TestServer.make().run { client in
            for uri in ["/", "/api/v1/episodes", "/learn", "/openapi.json", "/nowhere"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                }
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func healthAndMetrics() async throws {
        try await TestServer.make(metrics: PrometheusCollectorRegistry()).run { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(parsed(response)["status"] as? String == "ok")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(text(response).contains("crampcare_http_requests_total{status=\"2xx\"} 1"))
                #expect(text(response).contains("crampcare_http_request_duration_seconds_bucket"))
            }
        }
    }

    @Test func bodiesAreCapped() async throws {
        try await TestServer.make().run { client in
            let big = "{\"note\":\"" + String(repeating: "a", count: 2 << 20) + "\"}"
            try await client.execute(uri: "/api/v1/episodes", method: .post, headers: json, body: body(big)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test func formsNeedTheirCSRFToken() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let refused = try await browser.post(
                "/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")], csrf: false)
            #expect(refused.status == .forbidden)
            let saved = try await browser.post(
                "/journal/new",
                [
                    ("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                    ("durationUnit", "minutes"), ("severity", "4"),
                ])
            #expect(saved.status == .seeOther)
            // A quick log asks its red-flag questions next, and says nothing reassuring before.
            let questions = try #require(saved.headers[.location])
            #expect(questions.hasPrefix("/journal/") && questions.hasSuffix("/safety"))
            #expect(text(try await browser.get(questions)).contains("Safety questions"))
            #expect(!text(try await browser.get(try crampPath(saved))).contains("SELF-CARE"))
            #expect(try await browser.post(questions, KnowledgeBase.bundledSafetyNo, csrf: false).status == .forbidden)
            let answered = try await browser.post(questions, KnowledgeBase.bundledSafetyNo)
            #expect(answered.status == .seeOther)
            let location = try #require(answered.headers[.location])
            let shown = try await browser.get(location)
            #expect(text(shown).contains("SELF-CARE"))
            // Reloading the page checks again without a second copy of the kept assessment.
            #expect(try await browser.get(location).status == .ok)
            // One cramp is one page: no link to older cramps that are not there.
            #expect(!text(try await browser.get("/journal")).contains("Older cramps"))
        }
    }

    @Test func everyPageRenders() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            for uri in [
                "/", "/assess", "/journal", "/journal/new", "/day", "/profile", "/insights", "/insights/report", "/plan", "/learn", "/learn/relief",
                "/learn/search?q=night+cramps", "/data",
            ] {
                let response = try await browser.get(uri)
                #expect(response.status == .ok, "\(uri)")
                #expect(text(response).contains("<main id=\"main\""), "\(uri)")
            }
        }
    }
}
