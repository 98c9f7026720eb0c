import CrampAssessment
import CrampJournal
import CrampKnowledge
@testable import CrampServer
import CrampStorage
import CrampTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

/// A server on a fresh SQLite journal, driven in memory.
struct TestServer {
    let configuration: ServerConfiguration
    let store: SQLJournalStore
    let router: Router<CrampRequestContext>

    static func make(hosted: Bool = false, allowLocalhost: Bool = true, metrics: PrometheusCollectorRegistry? = nil, failingKeeps: Bool = false,
                     configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crampcare-server-\(UUID().uuidString)")
        let store = try await SQLJournalStore.sqlite(path: folder.appendingPathComponent("journal.sqlite").path)
        var configuration = ServerConfiguration()
        configuration.hosted = hosted
        configuration.passwordCost = 4
        // The test client calls the server "localhost" with no port.
        if allowLocalhost { configuration.allowedHosts = ["localhost"] }
        configure(&configuration)
        let knowledge = try KnowledgeBase.bundled.get()
        let services = CrampServices(journal: store, knowledge: knowledge, hosted: hosted, useCasesOn: failingKeeps ? UnkeepableJournal(store) : nil)
        return TestServer(configuration: configuration, store: store, router: try buildRouter(configuration: configuration, services: services, metrics: metrics))
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: router)
        do {
            try await app.test(.router, test)
        } catch {
            // Closed on failure too: an open SQLite connection traps when it is released.
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

let json: HTTPFields = [.contentType: "application/json"]

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func object(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(response.body.readableBytesView)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(String(decoding: data, as: UTF8.self))")
}

/// The body as a JSON object, or empty when it is not one (for use inside #expect).
func parsed(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
}

func text(_ response: TestResponse) -> String { String(decoding: response.body.readableBytesView, as: UTF8.self) }

/// A browser's session: its cookies, and the CSRF token the pages hand out.
final class Browser: @unchecked Sendable {
    var cookies: [String: String] = [:]
    let client: any TestClientProtocol

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if header.contains("Max-Age=0") || value.isEmpty { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = value }
        }
    }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: cookieHeader.merging([.accept: "text/html"]))
        remember(response)
        return response
    }

    var csrf: String { cookies["crampcare_csrf"] ?? "" }

    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: Bool = true) async throws -> TestResponse {
        if self.csrf.isEmpty { try await get("/") }
        var all = fields
        if csrf { all.append(("csrf", self.csrf)) }
        let encoded = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post,
                                                headers: cookieHeader.merging([.contentType: "application/x-www-form-urlencoded", .accept: "text/html"]),
                                                body: ByteBuffer(string: encoded))
        remember(response)
        return response
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!.replacingOccurrences(of: "%20", with: "+")
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var copy = self
        for field in other { copy.append(field) }
        return copy
    }
}

@Suite struct PersonalModeAPI {
    @Test func assessmentFollowsTheContractAndNamesBadFields() async throws {
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json,
                                     body: body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":["visible_knot","relieved_by_stretching"]}"#)) { response in
                #expect(response.status == .ok)
                let result = try object(response)
                #expect(result["triage"] as? String == "self_care")
                #expect(result["likelyCramp"] as? Bool == true)
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json,
                                     body: body(#"{"age":70,"episode":{"durationMinutes":30,"muscles":["calf"]},"findings":["calf_swelling","calf_warmth_redness","calf_tenderness"]}"#)) { response in
                #expect(parsed(response)["triage"] as? String == "urgent")
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json,
                                     body: body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["elbow"]}}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try object(response)
                #expect(problem["field"] as? String == "episode.muscles[0]")
                #expect((problem["detail"] as? String)?.contains("elbow") == true)
                #expect((problem["detail"] as? String)?.contains("calf") == true)
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json, body: body("{not json")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func onlyJSONFromNoOrTheServersOwnOrigin() async throws {
        try await TestServer.make().run { client in
            let request = body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]}}"#)
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: [.contentType: "text/plain"], body: request) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post,
                                     headers: json.merging([.origin: "https://evil.example"]), body: request) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/assessments", method: .post, headers: json.merging([.origin: "http://localhost"]), body: request) { response in
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

    @Test func episodesCreateReadUpdateDeleteAndPage() async throws {
        try await TestServer.make().run { client in
            var ids: [String] = []
            for index in 0..<120 {
                let minute = String(format: "%02d", index % 60)
                let hour = String(format: "%02d", index / 60)
                try await client.execute(uri: "/api/v1/episodes", method: .post, headers: json,
                                         body: body(#"{"startedAt":"2026-03-01T\#(hour):\#(minute):00+01:00","durationSeconds":90,"muscles":["\#(index % 2 == 0 ? "calf" : "hamstrings")"],"severity":\#(index % 11)}"#)) { response in
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
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .put, headers: json,
                                     body: body(#"{"startedAt":"2026-03-01T00:00:00+01:00","durationSeconds":120,"muscles":["calf"],"severity":9,"note":"woke me"}"#)) { response in
                #expect(response.status == .ok)
                #expect(parsed(response)["severity"] as? Int == 9)
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get) { response in
                #expect(parsed(response)["note"] as? String == "woke me")
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .put, headers: json,
                                     body: body(#"{"startedAt":"2026-03-01T00:00:00+01:00","durationSeconds":0,"muscles":["calf"]}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "durationSeconds")
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .delete) { response in #expect(response.status == .noContent) }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .get) { response in #expect(response.status == .notFound) }
            try await client.execute(uri: "/api/v1/episodes/not-an-id", method: .get) { response in #expect(response.status == .unprocessableContent) }
        }
    }

    @Test func daysProfileExportAndErase() async throws {
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/days/2026-03-01", method: .put, headers: json,
                                     body: body(#"{"fluidsML":900,"hotWeather":true,"sleepHours":6.5}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/days/2026-03-01", method: .put, headers: json, body: body(#"{"fluidsML":-5}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "fluidsML")
            }
            try await client.execute(uri: "/api/v1/days?from=2026-02-01&to=2026-03-31", method: .get) { response in
                #expect((parsed(response)["days"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/v1/profile", method: .get) { response in #expect(response.status == .notFound) }
            try await client.execute(uri: "/api/v1/profile", method: .put, headers: json,
                                     body: body(#"{"birthYear":1950,"conditions":["diabetes"],"timeZone":"Europe/London","region":"GB"}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/profile", method: .put, headers: json, body: body(#"{"timeZone":"Mars/Olympus"}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "timeZone")
            }
            try await client.execute(uri: "/api/v1/export?format=csv&table=days", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(text(response).contains("2026-03-01"))
            }
            try await client.execute(uri: "/api/v1/export?format=fhir", method: .get) { response in
                #expect(parsed(response)["resourceType"] as? String == "Bundle")
            }
            try await client.execute(uri: "/api/v1/export?format=xml", method: .get) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/journal", method: .delete) { response in
                let erased = try object(response)
                #expect(erased["dayLogs"] as? Int == 1 && erased["profiles"] as? Int == 1)
            }
        }
    }

    @Test func insightsOnTheAPIAndAsPages() async throws {
        try await TestServer.make().run { client in
            for day in 0..<5 {
                try await client.execute(uri: "/api/v1/episodes", method: .post, headers: json,
                                         body: body(#"{"startedAt":"2026-11-2\#(day)T03:00:00Z","durationSeconds":700,"muscles":["calf"],"reliefs":[{"technique":"stretch","outcome":"helped"}]}"#)) { response in
                    #expect(response.status == .created)
                }
            }
            try await client.execute(uri: "/api/v1/insights?asOf=2026-11-26", method: .get) { response in
                #expect(response.status == .ok)
                let insights = parsed(response)
                #expect(insights["episodes"] as? Int == 5)
                #expect((insights["triggers"] as? [String: Any])?["tier"] as? String == "not_enough_data")
                // Episodes over 10 minutes: the pattern that follows the assessment's 10-minute rule.
                let patterns = (insights["seeADoctor"] as? [[String: Any]])?.compactMap { $0["pattern"] as? String } ?? []
                #expect(patterns.contains("long_episodes"))
            }
            try await client.execute(uri: "/api/v1/insights?asOf=", method: .get) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/insights?asOf=26/11/2026", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "asOf")
                #expect((parsed(response)["detail"] as? String)?.contains("YYYY-MM-DD") == true)
            }
            let browser = Browser(client)
            let page = text(try await browser.get("/insights"))
            #expect(page.contains("Leg cramp diary report"))
            #expect(page.contains("Cramps that last more than 10 minutes"))
            #expect(page.contains("<svg"))
            let download = try await browser.get("/insights/report.html")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            #expect(text(download).hasPrefix("<!doctype html>"))
        }
    }

    @Test func theQuestionnaireAndItsResponses() async throws {
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/questionnaire", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/fhir+json")
                #expect(parsed(response)["resourceType"] as? String == "Questionnaire")
            }
            // Every safety question answered: a swollen, tender calf; "no" to the rest.
            let interview = AssessmentInterview(assessor: Assessor(knowledge: try KnowledgeBase.bundled.get()))
            var screen: [String] = []
            for question in interview.questions {
                guard case .screen(let signs) = question.kind else { continue }
                let step = question.id.dropFirst("screen.".count)
                let items = signs.map { #"{"linkId":"finding.\#($0.rawValue)","answer":[{"valueBoolean":\#([.calfSwelling, .calfTenderness].contains($0))}]}"# }
                screen.append(#"{"linkId":"step.\#(step)","item":[\#(items.joined(separator: ","))]}"#)
            }
            let head = #"{"resourceType":"QuestionnaireResponse","questionnaire":"urn:crampcare:questionnaire:assessment","status":"completed","item":[{"linkId":"age","answer":[{"valueInteger":70}]},{"linkId":"episode","item":[{"linkId":"episode.durationMinutes","answer":[{"valueDecimal":5}]},{"linkId":"episode.muscles","answer":[{"valueCoding":{"code":"calf"}}]}]},"#
            let answered = head + screen.joined(separator: ",") + "]}"
            try await client.execute(uri: "/api/v1/questionnaire-responses", method: .post, headers: [.contentType: "application/fhir+json"], body: body(answered)) { response in
                #expect(response.status == .ok)
                #expect(parsed(response)["triage"] as? String == "urgent")
            }
            // One safety question left out: no triage, and the problem names it.
            let partial = head + screen.dropLast().joined(separator: ",") + "]}"
            try await client.execute(uri: "/api/v1/questionnaire-responses", method: .post, headers: [.contentType: "application/fhir+json"], body: body(partial)) { response in
                #expect(response.status == .unprocessableContent)
                #expect((parsed(response)["field"] as? String)?.hasPrefix("step.") == true)
            }
            try await client.execute(uri: "/api/v1/questionnaire-responses", method: .post, headers: json,
                                     body: body(#"{"resourceType":"QuestionnaireResponse","item":[{"linkId":"shoe_size","answer":[{"valueInteger":9}]}]}"#)) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "shoe_size")
            }
        }
    }

    @Test func theReliefSessionPageAndItsLog() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            #expect(text(try await browser.get("/relieve")).contains("Which muscle is cramping?"))
            let calf = text(try await browser.get("/relieve?muscle=calf"))
            #expect(calf.contains("Stretch the calf"))
            #expect(calf.contains("data-hold=\"30\" data-repeats=\"3\""))
            #expect(calf.contains("role=\"status\""))
            #expect(calf.contains("/static/relieve.js"))
            #expect(try await browser.get("/relieve?muscle=elbow").status == .unprocessableContent)
            #expect(try await browser.post("/relieve", [("muscle", "calf"), ("outcome", "helped")], csrf: false).status == .forbidden)
            #expect(try await browser.post("/relieve", [("muscle", "calf"), ("outcome", "maybe")]).status == .unprocessableContent)
            let logged = try await browser.post("/relieve", [("muscle", "calf"), ("outcome", "partly"), ("startedAt", "0")])
            #expect(logged.status == .seeOther)
            let location = try #require(logged.headers[.location])
            #expect(location.hasPrefix("/journal/") && location.hasSuffix("?logged=1"))
            try await client.execute(uri: "/api/v1/episodes", method: .get) { response in
                let episodes = parsed(response)["episodes"] as? [[String: Any]] ?? []
                #expect(episodes.count == 1)
                #expect((episodes.first?["reliefs"] as? [[String: Any]])?.first?["outcome"] as? String == "partly")
                // A start time from long ago is held to the last 12 hours.
                #expect((episodes.first?["durationSeconds"] as? Int ?? 0) <= 12 * 3600)
            }
            #expect(try await browser.get("/static/relieve.js").status == .ok)
        }
    }

    @Test func thePlanPageAndItsCalendar() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            #expect(try await browser.post("/profile", [("birthYear", "1950"), ("timeZone", "Europe/Paris"), ("reminderTimes", "07:00, 21:15")]).status == .seeOther)
            let page = text(try await browser.get("/plan"))
            #expect(page.contains("My prevention plan"))
            #expect(page.contains("Sit-to-stand from a chair"))
            #expect(page.contains("every day at 21:15"))
            let calendar = try await browser.get("/plan.ics")
            #expect(calendar.headers[.contentType]?.hasPrefix("text/calendar") == true)
            let ics = text(calendar)
            #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\n"))
            #expect(ics.contains("TZID:Europe/Paris"))
            #expect(ics.contains("UID:crampcare-plan-daily_stretch@crampcare"))
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
}

@Suite struct PersonalModePages {
    @Test func everyPageRenders() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            for uri in ["/", "/assess", "/journal", "/journal/new", "/day", "/profile", "/insights", "/plan", "/learn", "/learn/relief", "/learn/search?q=night+cramps", "/data"] {
                let response = try await browser.get(uri)
                #expect(response.status == .ok, "\(uri)")
                #expect(text(response).contains("<main id=\"main\""), "\(uri)")
            }
        }
    }

    @Test func formsNeedTheirCSRFToken() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let refused = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")], csrf: false)
            #expect(refused.status == .forbidden)
            let saved = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2"),
                                                                ("durationUnit", "minutes"), ("severity", "4")])
            #expect(saved.status == .seeOther)
            let location = try #require(saved.headers[.location])
            #expect(location.hasPrefix("/journal/"))
            let shown = try await browser.get(location)
            #expect(text(shown).contains("SELF-CARE"))
            // Reloading the page checks again without a second copy of the kept assessment.
            #expect(try await browser.get(location).status == .ok)
        }
    }

    @Test func loggingClotSignsShowsTheUrgentBannerAtOnce() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let saved = try await browser.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "40"),
                                                                ("durationUnit", "minutes"), ("finding[]", "calf_swelling"),
                                                                ("finding[]", "calf_warmth_redness"), ("finding[]", "calf_tenderness")])
            let shown = try await browser.get(try #require(saved.headers[.location]))
            #expect(text(shown).contains("URGENT"))
        }
    }

    @Test func theAssessmentStopsAtOnceOnAnEmergency() async throws {
        let knowledge = try KnowledgeBase.bundled.get()
        try await TestServer.make().run { client in
            let browser = Browser(client)
            _ = try await browser.get("/assess")
            // "Yes" to every safety question, with every sign: chest pain among them.
            var fields: [(String, String)] = [("step", "1")]
            for step in knowledge.redFlagSteps { fields.append((step.id, "yes")) }
            for finding in Finding.allCases where knowledge.findings[finding]?.isRedFlag == true { fields.append(("sign", finding.rawValue)) }
            let result = try await browser.post("/assess", fields)
            #expect(result.status == .ok)
            #expect(text(result).contains("EMERGENCY"))
            // An unanswered safety question cannot be skipped.
            let unanswered = try await browser.post("/assess", [("step", "screen"), ("asked", "screen")])
            #expect(unanswered.status == .unprocessableContent)
            #expect(text(unanswered).contains("There is a problem"))
        }
    }
}

@Suite struct HostedMode {
    @Test func oneUserCannotReachAnothersRecords() async throws {
        try await TestServer.make(hosted: true).run { client in
            let alice = Browser(client)
            let bob = Browser(client)
            #expect(try await alice.post("/register", [("email", "alice@example.org"), ("password", "correct horse battery")]).status == .seeOther)
            #expect(try await bob.post("/register", [("email", "bob@example.org"), ("password", "another long secret")]).status == .seeOther)
            let saved = try await alice.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            let location = try #require(saved.headers[.location]).split(separator: "?")[0]
            let id = String(location.split(separator: "/").last!)
            #expect(try await alice.get(String(location)).status == .ok)
            // Bob, signed in, gets nothing of Alice's: pages and API alike.
            #expect(try await bob.get(String(location)).status == .notFound)
            #expect(try await bob.get("\(location)/edit").status == .notFound)
            #expect(try await bob.post("\(location)/delete", []).status == .notFound)
            #expect(try await bob.post("\(location)/edit", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")]).status == .notFound)
            for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/episodes/\(id)"), (.delete, "/api/v1/episodes/\(id)")] {
                try await client.execute(uri: uri, method: method, headers: bob.cookieHeader) { response in #expect(response.status == .notFound) }
            }
            try await client.execute(uri: "/api/v1/episodes/\(id)", method: .put, headers: bob.cookieHeader.merging(json),
                                     body: body(#"{"startedAt":"2026-03-01T00:00:00Z","durationSeconds":1,"muscles":["calf"]}"#)) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: bob.cookieHeader) { response in
                #expect((parsed(response)["episodes"] as? [Any])?.isEmpty == true)
            }
            let bobsJournal = try await bob.get("/journal")
            #expect(!text(bobsJournal).contains(id))
            // Nor do the insights or the report count her episode.
            try await client.execute(uri: "/api/v1/insights", method: .get, headers: bob.cookieHeader) { response in
                #expect(parsed(response)["episodes"] as? Int == 0)
            }
            try await client.execute(uri: "/api/v1/insights", method: .get, headers: alice.cookieHeader) { response in
                #expect(parsed(response)["episodes"] as? Int == 1)
            }
            #expect(text(try await bob.get("/insights/report.html")).contains("0 episodes"))
            // Alice's record is untouched.
            #expect(try await alice.get(String(location)).status == .ok)
        }
    }

    @Test func signInIsRequiredAndLimited() async throws {
        try await TestServer.make(hosted: true).run { client in
            try await client.execute(uri: "/api/v1/episodes", method: .get) { response in #expect(response.status == .unauthorized) }
            let visitor = Browser(client)
            let page = try await visitor.get("/journal")
            #expect(page.status == .seeOther)
            #expect(page.headers[.location]?.hasPrefix("/signin") == true)
            try await client.execute(uri: "/api/v1/account", method: .post, headers: json,
                                     body: body(#"{"email":"carol@example.org","password":"a long enough password"}"#)) { response in
                #expect(response.status == .created)
                let cookie = response.headers[.setCookie] ?? ""
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            }
            for _ in 0..<5 {
                try await client.execute(uri: "/api/v1/session", method: .post, headers: json,
                                         body: body(#"{"email":"carol@example.org","password":"wrong password here"}"#)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            // The right password too is refused while the account is locked out.
            try await client.execute(uri: "/api/v1/session", method: .post, headers: json,
                                     body: body(#"{"email":"carol@example.org","password":"a long enough password"}"#)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func reliefNeedsNoAccountButLoggingDoes() async throws {
        try await TestServer.make(hosted: true).run { client in
            let visitor = Browser(client)
            let page = try await visitor.get("/relieve?muscle=calf")
            #expect(page.status == .ok)
            #expect(text(page).contains("Stretch the calf"))
            #expect(text(page).contains("Sign in</a> to log this cramp"))
            #expect(!text(page).contains("Log this cramp</button>"))
            #expect(text(try await visitor.get("/")).contains("href=\"/relieve\""))
            let post = try await visitor.post("/relieve", [("muscle", "calf"), ("outcome", "helped")])
            #expect(post.status == .seeOther)
            #expect(post.headers[.location]?.hasPrefix("/signin") == true)
        }
    }

    @Test func apiTokensWorkUntilRevoked() async throws {
        try await TestServer.make(hosted: true).run { client in
            let dave = Browser(client)
            _ = try await dave.post("/register", [("email", "dave@example.org"), ("password", "yet another secret")])
            // 60 letters with a combining accent each: 120 code points, over the documented 100.
            let accented = String(repeating: "e\u{301}", count: 60)
            try await client.execute(uri: "/api/v1/account/tokens", method: .post, headers: dave.cookieHeader.merging(json),
                                     body: body("{\"label\":\"\(accented)\"}")) { response in
                #expect(response.status == .unprocessableContent)
            }
            var token = ""
            var tokenID = ""
            try await client.execute(uri: "/api/v1/account/tokens", method: .post, headers: dave.cookieHeader.merging(json),
                                     body: body(#"{"label":"phone"}"#)) { response in
                #expect(response.status == .created)
                let created = try object(response)
                token = try #require(created["token"] as? String)
                tokenID = try #require(created["id"] as? String)
            }
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            try await client.execute(uri: "/api/v1/episodes", method: .post, headers: bearer.merging(json),
                                     body: body(#"{"startedAt":"2026-03-01T22:00:00Z","durationSeconds":60,"muscles":["calf"]}"#)) { response in
                #expect(response.status == .created)
            }
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: [.authorization: "Bearer cc.\(token.dropFirst(3).dropLast(2))xx"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/account/tokens/\(tokenID)", method: .delete, headers: bearer) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/api/v1/episodes", method: .get, headers: bearer) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func deletingTheAccountErasesEverything() async throws {
        try await TestServer.make(hosted: true).run { client in
            let erin = Browser(client)
            _ = try await erin.post("/register", [("email", "erin@example.org"), ("password", "erin's long secret")])
            _ = try await erin.post("/journal/new", [("muscle[]", "calf"), ("startedAt", "2026-03-01T22:00"), ("durationValue", "2")])
            let refused = try await erin.post("/data/erase", [("confirm", "ERASE"), ("password", "not the password")])
            #expect(refused.status == .unprocessableContent)
            let erased = try await erin.post("/data/erase", [("confirm", "ERASE"), ("password", "erin's long secret")])
            #expect(erased.status == .ok)
            let again = try await erin.post("/signin", [("email", "erin@example.org"), ("password", "erin's long secret")])
            #expect(again.status == .unauthorized)
        }
    }

    @Test func accountsAreHostedOnly() async throws {
        try await TestServer.make().run { client in
            try await client.execute(uri: "/api/v1/account", method: .post, headers: json,
                                     body: body(#"{"email":"x@example.org","password":"0123456789"}"#)) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

@Suite struct ServerThreadsTests {
    @Test func countsTheCPUsTheProcessMayUse() {
        #expect(ServerThreads.allowedCPUs(status: "Name:\tcrampcare\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n") == 1)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\t0-3,6,8-9\n") == 7)
        #expect(ServerThreads.allowedCPUs(status: "Name:\tx\n") == nil)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\t3-1\n") == nil)
        #expect(ServerThreads.allowedCPUs(status: "Cpus_allowed_list:\tzero\n") == nil)
        #expect(ServerThreads.usableCPUs >= 1)
    }
}
