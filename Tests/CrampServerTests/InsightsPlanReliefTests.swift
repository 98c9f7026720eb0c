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

/// Insights, the plan and its calendar, and the relief session.
@Suite struct InsightsPlanAndRelief {
    @Test func insightsOnTheAPIAndAsPages() async throws {
        try await TestServer.make().run { client in
            for day in 0..<5 {
                try await client.execute(
                    uri: "/api/v1/episodes", method: .post, headers: json,
                    body: body(
                        #"{"startedAt":"2026-11-2\#(day)T03:00:00Z","durationSeconds":700,"muscles":["calf"],"reliefs":[{"technique":"stretch","outcome":"helped"}]}"#
                    )
                ) { response in
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
            // The person's page is in words; the statistics are the report's.
            let page = text(try await browser.get("/insights"))
            #expect(page.contains("<h2 id=\"see-a-doctor\">When to see a doctor</h2>"))
            #expect(page.contains("Cramps that last more than 10 minutes"))
            #expect(page.contains("<svg"))
            #expect(!page.contains("95%") && !page.contains("interval"))
            #expect(page.contains("href=\"/insights/report\""))
            let report = text(try await browser.get("/insights/report"))
            #expect(report.contains("Leg cramp diary report"))
            #expect(report.contains("Benjamini"))
            let download = try await browser.get("/insights/report.html")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            #expect(text(download).hasPrefix("<!doctype html>"))
        }
    }

    @Test func thePlanPageAndItsCalendar() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            #expect(
                try await browser.post("/profile", [("birthYear", "1950"), ("timeZone", "Europe/Paris"), ("reminderTimes", "07:00, 21:15")]).status
                    == .seeOther)
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
            // Logging it goes to the night log, with the muscle, the stretch and the timer's time.
            #expect(calf.contains("action=\"/journal/new\""))
            let log = text(try await browser.get("/journal/new?muscle=calf&helped=stretch&timerSeconds=130"))
            #expect(log.contains("timer: 2 min 10 s"))
            #expect(log.contains("value=\"timer\" checked"))
            let saved = try await browser.post(
                "/journal/new", [("muscle[]", "calf"), ("helped[]", "stretch"), ("duration", "timer"), ("timerSeconds", "130")])
            #expect(saved.status == .seeOther)
            // A page left open for hours times nothing: the log asks how long instead.
            #expect(!text(try await browser.get("/journal/new?muscle=calf&timerSeconds=20000")).contains("value=\"timer\""))
            try await client.execute(uri: "/api/v1/episodes", method: .get) { response in
                let episodes = parsed(response)["episodes"] as? [[String: Any]] ?? []
                #expect(episodes.count == 1)
                #expect((episodes.first?["reliefs"] as? [[String: Any]])?.first?["outcome"] as? String == "helped")
                #expect(episodes.first?["durationSeconds"] as? Int == 130)
                #expect(episodes.first?["safetyQuestions"] as? String == "not_answered")
            }
            #expect(try await browser.get("/static/relieve.js").status == .ok)
        }
    }
}
