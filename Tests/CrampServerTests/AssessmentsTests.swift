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

/// Assessments on the API and the pages, and the FHIR questionnaire.
@Suite struct Assessments {
    @Test func assessmentFollowsTheContractAndNamesBadFields() async throws {
        try await TestServer.make().run { client in
            try await client.execute(
                uri: "/api/v1/assessments", method: .post, headers: json,
                body: body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["calf"]},"findings":["visible_knot","relieved_by_stretching"]}"#)
            ) { response in
                #expect(response.status == .ok)
                let result = try object(response)
                #expect(result["triage"] as? String == "self_care")
                #expect(result["likelyCramp"] as? Bool == true)
            }
            try await client.execute(
                uri: "/api/v1/assessments", method: .post, headers: json,
                body: body(
                    #"{"age":70,"episode":{"durationMinutes":30,"muscles":["calf"]},"findings":["calf_swelling","calf_warmth_redness","calf_tenderness"]}"#
                )
            ) { response in
                #expect(parsed(response)["triage"] as? String == "urgent")
            }
            try await client.execute(
                uri: "/api/v1/assessments", method: .post, headers: json,
                body: body(#"{"age":40,"episode":{"durationMinutes":2,"muscles":["elbow"]}}"#)
            ) { response in
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
                let items = signs.map {
                    #"{"linkId":"finding.\#($0.rawValue)","answer":[{"valueBoolean":\#([.calfSwelling, .calfTenderness].contains($0))}]}"#
                }
                screen.append(#"{"linkId":"step.\#(step)","item":[\#(items.joined(separator: ","))]}"#)
            }
            let head =
                #"{"resourceType":"QuestionnaireResponse","questionnaire":"urn:crampcare:questionnaire:assessment","status":"completed","item":[{"linkId":"age","answer":[{"valueInteger":70}]},{"linkId":"episode","item":[{"linkId":"episode.durationMinutes","answer":[{"valueDecimal":5}]},{"linkId":"episode.muscles","answer":[{"valueCoding":{"code":"calf"}}]}]},"#
            let answered = head + screen.joined(separator: ",") + "]}"
            try await client.execute(
                uri: "/api/v1/questionnaire-responses", method: .post, headers: [.contentType: "application/fhir+json"], body: body(answered)
            ) { response in
                #expect(response.status == .ok)
                #expect(parsed(response)["triage"] as? String == "urgent")
            }
            // One safety question left out: no triage, and the problem names it.
            let partial = head + screen.dropLast().joined(separator: ",") + "]}"
            try await client.execute(
                uri: "/api/v1/questionnaire-responses", method: .post, headers: [.contentType: "application/fhir+json"], body: body(partial)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect((parsed(response)["field"] as? String)?.hasPrefix("step.") == true)
            }
            try await client.execute(
                uri: "/api/v1/questionnaire-responses", method: .post, headers: json,
                body: body(#"{"resourceType":"QuestionnaireResponse","item":[{"linkId":"shoe_size","answer":[{"valueInteger":9}]}]}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(parsed(response)["field"] as? String == "shoe_size")
            }
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
            for finding in Finding.allCases where knowledge.findings[finding]?.isRedFlag == true { fields.append(("sign[]", finding.rawValue)) }
            let result = try await browser.post("/assess", fields)
            #expect(result.status == .ok)
            #expect(text(result).contains("EMERGENCY"))
            // An unanswered safety question cannot be skipped.
            let unanswered = try await browser.post("/assess", [("step", "screen"), ("asked[]", "screen")])
            #expect(unanswered.status == .unprocessableContent)
            #expect(text(unanswered).contains("There is a problem"))
        }
    }
}
