import CrampAssessment
import CrampKnowledge
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CrampServer

/// The web interview ends with the emergency result as soon as the answers so far make an
/// emergency certain, whatever else is still unanswered (hazard H26).
@Suite struct EmergencyStop {
    let knowledge: KnowledgeBase
    let assessor: Assessor

    init() throws {
        knowledge = try KnowledgeBase.bundled.get()
        assessor = Assessor(knowledge: knowledge)
    }

    func isEmergencyResult(_ response: TestResponse) -> Bool {
        let page = text(response)
        return response.status == .ok && page.contains("banner-emergency") && page.contains("href=\"tel:")
    }

    /// The plain engine's triage for these signs, the rest of the request at neutral values.
    func triage(_ findings: [Finding]) -> Triage {
        var request = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        request.findings = Array(CodeSet(findings))
        return assessor.assess(request).triage
    }

    func question(of sign: Finding) -> QuestionStep? {
        knowledge.redFlagSteps.first { knowledge.signs(of: $0).contains(sign) }
    }

    /// A question answered twice, a sign in other letters, repeated or unreadable values: the
    /// cautious reading, or a refusal that names the field, never a lower triage.
    @Test func repeatedAndOddlyWrittenAnswersNeverLowerTheTriage() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            for fields in [
                [("stroke", "no"), ("stroke", "yes")], [("lungs", "no"), ("lungs", "yes"), ("sign[]", "chest_pain")],
                [("lungs", "yes"), ("sign[]", "CHEST_PAIN")], [("lungs", "yes"), ("sign[]", " chest_pain ")],
                [("lungs", "no"), ("lungs", "unsure")],
                // Lists sent without their brackets, and a sign by code in the older spelling.
                [("lungs", "yes"), ("sign", "chest_pain")], [("lungs", "yes"), ("sign", "chest_pain"), ("sign[]", "cramp")],
                [("nerves", "yes"), ("sign", "weakness"), ("f-back_pain", "yes"), ("condition", "cancer")],
                [("nerves", "yes"), ("sign[]", "weakness"), ("f[back_pain]", "YES"), ("condition[]", "cancer"), ("condition", "cancer")],
            ] {
                let response = try await browser.post("/assess", [("step", "screen"), ("asked[]", "screen")] + fields)
                #expect(isEmergencyResult(response), "\(fields)")
            }
            let base: [(String, String)] = [("step", "duration"), ("asked[]", "duration"), ("muscle[]", "calf")]
            for (fields, field) in [
                ([("durationValue", "2"), ("durationValue", "600")], "durationValue"),
                ([("durationValue", "5"), ("durationUnit", "fortnights")], "fortnights"),
                ([("muscle[]", "elbow"), ("durationValue", "5")], "elbow"),
            ] {
                let response = try await browser.post("/assess", base + fields)
                #expect(response.status == .unprocessableContent, "\(fields)")
                #expect(text(response).contains(field), "\(fields)")
            }
        }
    }

    /// Once the answers make care today certain, every page offers the advice at once.
    @Test func anUrgentAnswerOffersTheAdviceNow() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            // Swelling in one leg only: urgent on its own, whatever else is said.
            var swollen: [(String, String)] = [("step", "screen"), ("asked[]", "screen")]
            for step in knowledge.redFlagSteps { swollen.append((step.id, step.id == "one_leg" ? "yes" : "no")) }
            let next = try await browser.post("/assess", swollen)
            #expect(next.status == .ok && text(next).contains("should be seen today"))
            let result = try await browser.post("/assess", swollen + [("finish", "now")])
            #expect(text(result).contains("banner-urgent"))
            // Without such an answer there is no shortcut.
            let calm = try await browser.post("/assess", [("step", "screen"), ("asked[]", "screen"), ("lungs", "no")])
            #expect(!text(calm).contains("should be seen today"))
        }
    }

    @Test func everyEmergencySignAloneOnTheFirstStepStopsAtOnce() async throws {
        let signs = Finding.allCases.filter { knowledge.findings[$0]?.isRedFlag == true && triage([$0]) == .emergency }
        #expect(signs.count >= 10)
        try await TestServer.make().run { client in
            let browser = Browser(client)
            for sign in signs {
                let question = try #require(self.question(of: sign))
                // Only this question is answered: the other safety questions are left blank.
                var fields = [("step", "1"), (question.id, "yes")]
                if knowledge.signs(of: question).count > 1 { fields.append(("sign[]", sign.rawValue)) }
                let response = try await browser.post("/assess", fields)
                #expect(isEmergencyResult(response), "\(sign.rawValue)")
                #expect(!text(response).contains("There is a problem"), "\(sign.rawValue)")
            }
        }
    }

    @Test func yesWithNoSignTickedCountsAsTheMostUrgentSign() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            for question in knowledge.redFlagSteps {
                let signs = knowledge.signs(of: question)
                let response = try await browser.post("/assess", [("step", "1"), (question.id, "yes")])
                // An emergency exactly when some sign of the question alone is one.
                let anyEmergency = signs.contains { triage([$0]) == .emergency }
                #expect(isEmergencyResult(response) == anyEmergency, "\(question.id)")
                if signs.count > 1, anyEmergency { #expect(text(response).contains("without ticking which"), "\(question.id)") }
            }
        }
    }

    @Test func aCombinationOfSignsStopsAtOnce() async throws {
        // Compartment pressure: both signs of one question; a deep infection: signs of two questions.
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let pressure = try await browser.post(
                "/assess",
                [
                    ("step", "1"), ("pressure", "yes"), ("sign[]", "tense_swollen_muscle"),
                    ("sign[]", "severe_unrelenting_pain"),
                ])
            #expect(isEmergencyResult(pressure))
            let infection = try await browser.post(
                "/assess",
                [
                    ("step", "1"), ("fever", "yes"), ("sign[]", "fever"), ("pressure", "yes"),
                    ("sign[]", "severe_unrelenting_pain"),
                ])
            #expect(isEmergencyResult(infection))
            // One pressure sign alone is urgent, not an emergency: the questions go on.
            let one = try await browser.post("/assess", [("step", "1"), ("pressure", "yes"), ("sign[]", "tense_swollen_muscle")])
            #expect(!isEmergencyResult(one))
        }
    }

    @Test func aCombinationCompletedOnALaterStepStopsThere() async throws {
        // Cancer, back pain and leg weakness: spinal cord compression, complete only on step 3.
        try await TestServer.make().run { client in
            let browser = Browser(client)
            var fields: [(String, String)] = knowledge.redFlagSteps.map { ($0.id, $0.id == "nerves" ? "yes" : "no") }
            fields.append(("sign[]", "weakness"))
            fields += [("muscle[]", "calf"), ("durationValue", "2"), ("durationUnit", "minutes"), ("age", "abc")]
            // Step 2 with an age that does not read: the emergency check still runs first.
            let step2 = try await browser.post("/assess", [("step", "2")] + fields)
            #expect(!isEmergencyResult(step2))
            let step3 = try await browser.post("/assess", [("step", "3"), ("f[back_pain]", "yes"), ("condition[]", "cancer")] + fields)
            #expect(isEmergencyResult(step3))
        }
    }

    @Test func aTickedSignCountsWhateverItsQuestionSays() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            // The radio left unset, or even set to "no", with chest pain ticked: the sign is reported.
            for answer in [nil, "no", "yes"] as [String?] {
                var fields = [("step", "1"), ("sign[]", "chest_pain")]
                if let answer { fields.append(("lungs", answer)) }
                let response = try await browser.post("/assess", fields)
                #expect(isEmergencyResult(response), "lungs=\(answer ?? "unset")")
            }
        }
    }

    @Test func everyAnswerSentCountsWhateverStepTheFormClaims() async throws {
        // Cancer, back pain and leg weakness sent with a form that says it is the first step.
        try await TestServer.make().run { client in
            let browser = Browser(client)
            var fields: [(String, String)] = knowledge.redFlagSteps.map { ($0.id, $0.id == "nerves" ? "yes" : "no") }
            fields += [("sign[]", "weakness"), ("f[back_pain]", "yes"), ("condition[]", "cancer")]
            for step in ["1", "2", "3", "0", "x", "99999999999999999999"] {
                let response = try await browser.post("/assess", [("step", step)] + fields)
                #expect(isEmergencyResult(response), "step \(step)")
            }
        }
    }

    @Test func anExpiredFormStillShowsAnEmergency() async throws {
        // A lost cookie or a restored tab: the emergency is shown; anything else asks to reload.
        try await TestServer.make().run { client in
            let browser = Browser(client)
            let emergency = try await browser.post(
                "/assess", [("step", "1"), ("lungs", "yes"), ("sign[]", "chest_pain"), ("csrf", "stale")], csrf: false)
            #expect(isEmergencyResult(emergency))
            let other = try await browser.post("/assess", [("step", "1"), ("lungs", "no"), ("csrf", "stale")], csrf: false)
            #expect(other.status == .forbidden)
        }
    }

    /// Many first steps, answered at random (some questions blank, some "yes" with no sign): an
    /// emergency whenever the ticked signs alone make one, and never when every sign of every
    /// "yes" together would not.
    @Test func generatedFirstSteps() async throws {
        try await TestServer.make().run { client in
            let browser = Browser(client)
            // A fixed linear congruential sequence, so a failing round can be replayed.
            var state: UInt64 = 0x5EED
            func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state >> 33
            }
            for round in 0..<300 {
                var fields = [("step", "1")]
                var ticked: [Finding] = []
                var possible: [Finding] = []
                var unnamedEmergency = false
                for question in knowledge.redFlagSteps {
                    let signs = knowledge.signs(of: question)
                    switch next() % 4 {
                    case 0: continue
                    case 1, 2: fields.append((question.id, "no"))
                    default:
                        fields.append((question.id, "yes"))
                        possible += signs
                        let chosen = signs.count == 1 ? signs : signs.filter { _ in next() % 2 == 0 }
                        for sign in chosen where signs.count > 1 { fields.append(("sign[]", sign.rawValue)) }
                        ticked += chosen
                        if chosen.isEmpty, signs.contains(where: { triage([$0]) == .emergency }) { unnamedEmergency = true }
                    }
                }
                let response = try await browser.post("/assess", fields)
                if triage(ticked) == .emergency || unnamedEmergency {
                    #expect(isEmergencyResult(response), "round \(round): \(fields)")
                }
                if triage(possible) != .emergency {
                    #expect(!isEmergencyResult(response), "round \(round): \(fields)")
                }
            }
        }
    }
}
