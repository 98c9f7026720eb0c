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

/// Every page with an empty journal, a sparse one (nothing optional filled in) and an extreme one
/// (every field at its limit): no empty value is printed as content.
@Suite struct EmptyValues {
    /// What an empty value leaves behind in the text a person reads.
    static var leftovers: [(String, Regex<Substring>)] {
        [
            ("empty brackets", #/\(\s*\)/#), ("a colon before nothing", #/:\s*[.,;]/#), ("a full stop after nothing", #/\w\s+\.(?:\s|$)/#),
            ("an empty list item", #/·\s*·/#), ("a doubled full stop", #/[a-z]\s*\.\s*\.(?!\.)/#),
            ("a placeholder", #/\b(?:nil|null|undefined|NaN|Optional\()/#),
        ]
    }

    /// The page's visible text: tags, scripts, styles and comments removed, entities for < > & kept as text.
    static func visible(_ html: String) -> String {
        var text = html.replacing(#/<script[\s\S]*?</script>|<style[\s\S]*?</style>|<!--[\s\S]*?-->|<svg[\s\S]*?</svg>/#, with: "")
        text = text.replacing(#/\s+/#, with: " ")
        text = text.replacing(#/<li\b[^>]*>/#, with: "\n• ")
        text = text.replacing(#/<(p|h[1-6]|dt|dd|div|section|tr|summary|label|legend|option|br)\b[^>]*>/#, with: "\n")
        text = text.replacing(#/<[^>]+>/#, with: "")
        return text.replacing("&amp;", with: "&").replacing("&nbsp;", with: " ")
    }

    static func pages(_ ids: [String]) -> [String] {
        [
            "/", "/assess", "/journal", "/journal/new", "/day", "/day?date=2026-03-01", "/profile", "/insights", "/insights/report", "/plan",
            "/learn",
            "/learn/relief", "/relieve", "/relieve?muscle=calf", "/learn/search?q=cramp", "/data", "/no/such/page",
        ]
            + ids.flatMap { ["/journal/\($0)", "/journal/\($0)/edit", "/journal/\($0)/safety"] }
    }

    /// What is wrong with a page's text, in words; empty when nothing is.
    static func problems(_ html: String) -> [String] {
        let page = visible(html)
        var found: [String] = []
        // A label that ends its line must introduce a list: "Sets:" with nothing after is an empty value.
        let lines = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (index, line) in lines.enumerated() where line.hasSuffix(":") {
            if index + 1 == lines.count || !lines[index + 1].hasPrefix("•") { found.append("“\(line)” labels nothing") }
        }
        for (name, pattern) in leftovers {
            if let hit = page.firstMatch(of: pattern) {
                let start = page.index(hit.range.lowerBound, offsetBy: -40, limitedBy: page.startIndex) ?? page.startIndex
                let end = page.index(hit.range.upperBound, offsetBy: 40, limitedBy: page.endIndex) ?? page.endIndex
                found.append("\(name) in “\(page[start..<end])”")
            }
        }
        return found
    }

    func check(_ browser: Browser, _ ids: [String], state: String) async throws {
        for uri in Self.pages(ids) {
            for problem in Self.problems(text(try await browser.get(uri))) { Issue.record("\(state) \(uri): \(problem)") }
        }
    }

    /// The check finds what the night-log issue found, so its silence on the pages means something.
    @Test func theCheckFindsTheEmptyValuesOnceFound() {
        for html in [
            "<p>First: your last check found .</p>", "<li>Stretch ()</li>", "<p>Sets: </p>\n<p>Each week:</p><p>Next</p>",
            "<p>Reminder:</p>", "<span>calf · · 2 min</span>", "<p>Severity: nil</p>",
        ] {
            #expect(!Self.problems(html).isEmpty, "\(html)")
        }
        #expect(Self.problems("<p><strong>Call 112 now if you have:</strong></p><ul><li>Chest pain</li></ul><p>Screen:\n<a>Light</a></p>").isEmpty)
    }

    @Test func noPageShowsAnEmptyValue() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            try await check(browser, [], state: "empty")
            // Sparse: a cramp with only what the night log needs, a day with nothing in it.
            var ids: [String] = []
            let sparse = try await browser.post("/journal/new", [("muscle[]", "calf"), ("duration", "under_1_min")])
            ids.append(String(try crampPath(sparse).split(separator: "/")[1]))
            _ = try await browser.post("/day", [("date", "2026-03-01")])
            try await check(browser, ids, state: "sparse")
            // Extreme: every field at its limit, a week-long cramp, the longest note, every muscle.
            try await client.execute(
                uri: "/api/v1/episodes", method: .post, headers: json,
                body: body(
                    #"{"startedAt":"2026-03-01T03:00:00+14:00","durationSeconds":604800,"muscles":["calf","hamstrings","quadriceps","unsure"],"side":"both","severity":10,"onset":"sleep","findings":["numbness","weakness"],"reliefs":[{"technique":"stretch","outcome":"no"},{"technique":"other","outcome":"partly"}],"note":"\#(String(repeating: "W", count: 2000))"}"#
                )
            ) { response in
                #expect(response.status == .created)
                if let id = parsed(response)["id"] as? String { ids.append(id) }
            }
            try await client.execute(
                uri: "/api/v1/profile", method: .put, headers: json,
                body: body(#"{"birthYear":1900,"conditions":["kidney_disease","heart_failure"],"reminderTimes":["00:00","23:59"],"glassML":1000}"#)
            ) { response in
                #expect(response.status == .ok)
            }
            try await check(browser, ids, state: "extreme")
        }
    }
}

/// A clock stopped at one instant.
struct StoppedClock: JournalClock {
    let milliseconds: Int64
    func millisecondsNow() -> Int64 { milliseconds }
}

@Suite struct NightPreset {
    /// 2026-03-01 at `hour`:00 UTC.
    static func at(hour: Int) -> StoppedClock {
        StoppedClock(milliseconds: (Int64(LocalDate(year: 2026, month: 3, day: 1)!.daysSinceEpoch) * 24 + Int64(hour)) * 3_600_000)
    }

    func inBedTicked(_ page: String) -> Bool { page.contains(#"name="inBed" value="yes" checked"#) }

    @Test(arguments: [
        // (UTC hour, zone, night there)
        (3, "Europe/London", true), (15, "Europe/London", false), (22, "Europe/London", true), (7, "Europe/London", false),
        (15, "Asia/Tokyo", true), (3, "Asia/Tokyo", false), (3, "America/New_York", true), (20, "America/New_York", false),
    ])
    func inBedIsTickedAtNightWhereThePersonIs(hour: Int, zone: String, night: Bool) async throws {
        try await TestServer.make(clock: Self.at(hour: hour)).run { client in
            let browser = Browser(client)
            #expect(try await browser.post("/profile", [("timeZone", zone)]).status == .seeOther)
            #expect(inBedTicked(text(try await browser.get("/journal/new"))) == night, "\(hour):00 UTC in \(zone)")
            #expect(inBedTicked(text(try await browser.get("/"))) == night, "the home page's night log, \(hour):00 UTC in \(zone)")
            // Sent back with an error, the person's own choice stands, not the preset.
            let refused = text(try await browser.post("/journal/new", [("duration", "under_1_min")]))
            #expect(!inBedTicked(refused))
        }
    }
}
