import CrampAssessment
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HummingbirdTesting
import Testing

@testable import CrampServer

/// After the knowledge base changes, recent kept assessments are judged again.
@Suite struct ReassessmentTests {
    static let lastingPain = #"{"age":55,"episode":{"durationMinutes":2,"muscles":["calf"],"side":"left"},"findings":["lasting_leg_pain"]}"#

    static func record(daysAgo: Int, version: String, triage: Triage, request: String = lastingPain) -> AssessmentRecord {
        let now = SystemClock().millisecondsNow()
        return AssessmentRecord(
            id: EntryID.random(), madeAt: LocalTimestamp(instant: now - Int64(daysAgo) * 86_400_000, zoneOffsetSeconds: 0),
            knowledgeVersion: version, triage: triage, requestJSON: request, resultJSON: "{}")
    }

    @Test func onlyRecentChecksWithAnOlderKnowledgeBaseThatAreNowUrgentAreRaised() throws {
        let knowledge = try KnowledgeBase.bundled.get()
        let assessor = Assessor(knowledge: knowledge)
        let today = LocalTimestamp(instant: SystemClock().millisecondsNow(), zoneOffsetSeconds: 0).localDate
        let recent = Self.record(daysAgo: 3, version: "2026.11.1", triage: .selfCare)
        let records = [
            recent,
            Self.record(daysAgo: 20, version: "2026.11.1", triage: .selfCare),  // too old
            Self.record(daysAgo: 2, version: knowledge.version, triage: .selfCare),  // made with today's rules
            Self.record(daysAgo: 1, version: "2026.11.1", triage: .urgent),  // already said urgent
            Self.record(
                daysAgo: 1, version: "2026.11.1", triage: .selfCare,  // still self-care
                request: #"{"age":40,"episode":{"durationMinutes":1,"muscles":["calf"]}}"#),
            Self.record(daysAgo: 1, version: "2026.11.1", triage: .selfCare, request: #"{"age":40,"episode":{"nope":1}}"#),
        ]
        let raised = Reassessment.raised(records, assessor: assessor, today: today)
        #expect(raised.map(\.record.id) == [recent.id])
        #expect(raised.first?.now.triage == .urgent)
        #expect(raised.first?.notice.contains("would now be URGENT") == true)
    }

    @Test func theHomePageAndTheJournalSaySo() async throws {
        let server = try await TestServer.make()
        try await server.store.saveAssessment(Self.record(daysAgo: 3, version: "2026.11.1", triage: .selfCare), owner: .local)
        try await server.run { client in
            let browser = Browser(client)
            for path in ["/", "/journal"] {
                let page = text(try await browser.get(path))
                #expect(page.contains("would now be URGENT"), "\(path)")
                #expect(page.contains("role=\"alert\""), "\(path)")
            }
        }
    }
}
