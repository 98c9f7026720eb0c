import CrampAssessment
import CrampJSON
import CrampKnowledge
import Foundation
import PropertyBased
import Testing

let interview = AssessmentInterview(assessor: assessor)

@Suite struct InterviewTests {
    static let screenCount = interview.questions.filter { if case .screen = $0.kind { true } else { false } }.count

    @Test func thePlainNightCrampNeedsAtMostEightAnswersAfterTheScreen() throws {
        var night = AssessmentRequest(age: 70, durationMinutes: 2, muscles: [.calf])
        night.onset = .sleep
        night.side = .left
        night.episodesLast30Days = 2
        night.findings = [.suddenOnset, .visibleKnot, .relievedByStretching]
        let profile = InterviewProfile(age: 70, sex: .female)
        let run = interview.run(from: night, profile: profile)
        let afterScreen = run.asked.count - Self.screenCount
        #expect(afterScreen <= 8, "asked: \(run.asked.map(\.id))")
        print("plain night cramp: \(Self.screenCount) screening questions, then \(run.asked.dropFirst(Self.screenCount).map(\.id))")
        // What cannot change anything is not asked: here the side (no clot sign) and sex.
        #expect(!run.asked.contains { $0.id == "side" || $0.id == "sex" || $0.id == "severity" })
        guard case .finished(let request, _) = run.end else { Issue.record("not finished: \(run.end)"); return }
        #expect(assessor.assess(request).triage == .selfCare)
    }

    @Test func everyRedFlagQuestionIsAskedFirstAndCannotBeSkipped() throws {
        let run = interview.run(from: AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.calf]))
        #expect(run.asked.prefix(Self.screenCount).allSatisfy { if case .screen = $0.kind { $0.required } else { false } })
        var answers = InterviewAnswers()
        #expect(throws: InterviewError.self) { try answers.record(.skip, to: interview.questions[0]) }
    }

    @Test func yesChestPainStopsAtOnceWithTheEmergency() throws {
        var answers = InterviewAnswers()
        let lungs = try #require(interview.question("screen.lungs"))
        for question in interview.questions.prefix(while: { $0.id != lungs.id }) { try answers.record(.no, to: question) }
        try answers.record(.yes([.chestPain]), to: lungs)
        guard case .emergency(let request, _) = interview.next(answers) else { Issue.record("no emergency stop"); return }
        #expect(assessor.assess(request).triage == .emergency)
    }

    @Test func notSureCountsAsTheMostUrgentSignOfTheQuestion() throws {
        var answers = InterviewAnswers()
        try answers.record(.notSure, to: try #require(interview.question("screen.lungs")))
        guard case .emergency = interview.next(answers) else { Issue.record("not sure should count as yes"); return }
        var pressure = InterviewAnswers()
        try pressure.record(.yes([]), to: try #require(interview.question("screen.pressure")))
        // Either sign alone is urgent, never an emergency on its own: the questions go on.
        guard case .ask = interview.next(pressure) else { Issue.record("stopped early"); return }
        #expect(interview.countedSigns(pressure).count == 1)
    }

    @Test func answersThatDoNotFitTheQuestionAreRefusedNamingIt() throws {
        var answers = InterviewAnswers()
        let duration = try #require(interview.question("duration"))
        #expect(throws: InterviewError(question: "duration", problem: "20000.0 minutes is outside more than 0 up to 10080 (7 days)")) {
            try answers.record(.minutes(20000), to: duration)
        }
        #expect(throws: InterviewError.self) { try answers.record(.years(3), to: duration) }
        let lungs = try #require(interview.question("screen.lungs"))
        #expect(throws: InterviewError.self) { try answers.record(.yes([.fever]), to: lungs) }
        // "Stretching eased it" and "stretching did not ease it" cannot both be answered.
        let feel = try #require(interview.question("feel"))
        #expect(throws: InterviewError.self) { try answers.record(.findings([.relievedByStretching, .notRelievedByStretching]), to: feel) }
    }

    /// For generated people, every question the interview skipped is answered both ways, with the
    /// other skipped questions answered at random too: the triage, the red flags, the cramp verdict,
    /// the advice ruled out, the top three factors and the relief never change.
    @Test func aSkippedQuestionChangesNothingWhicheverWayItIsAnswered() async throws {
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            let run = interview.run(from: RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge))
            guard case .finished = run.end else { return }
            let skipped = interview.questions.filter { !run.answers.hasAnswered($0) && !$0.required && $0.id != "profile" }
            var rng = SplitMix(seed: UInt64(seed) &+ 7)
            for question in skipped {
                var outcomes: [String] = []
                for variant in 0..<2 {
                    var answers = run.answers
                    for other in skipped where other.id != question.id {
                        try? answers.record(Self.randomAnswer(other, &rng), to: other)
                    }
                    try? answers.record(Self.extremeAnswer(question, variant: variant), to: question)
                    outcomes.append(Self.outcome(interview.request(answers).request))
                }
                #expect(outcomes[0] == outcomes[1], "seed \(seed): \(question.id) changed \(outcomes[0]) to \(outcomes[1])")
            }
        }
    }

    static func outcome(_ request: AssessmentRequest) -> String {
        let result = assessor.assess(request)
        let facts = request.facts
        let ruledOut =
            knowledge.relief.filter { $0.isRuledOut(by: facts) }.map(\.id)
            + knowledge.prevention.filter { $0.isRuledOut(by: facts) }.map(\.id)
        return "\(result.triage.rawValue) \(result.redFlags.map(\.rule.id).sorted()) cramp=\(result.likelyCramp) out=\(ruledOut)"
            + " factors=\(result.factors.prefix(3).map(\.factor.id)) relief=\(result.relief.map(\.item.id))"
    }

    static func extremeAnswer(_ question: InterviewQuestion, variant: Int) -> InterviewAnswer {
        let all = variant == 1
        switch question.kind {
        case .screen: return .no
        case .choice(let options): return .findings(all ? [options[0]] : [])
        case .checklist(let options): return .findings(all ? options.filter { !question.oneOf.dropFirst().contains($0) } : [])
        case .side: return .side(all ? .both : .left)
        case .onset: return .onset(all ? .duringExercise : .sleep)
        case .episodes: return .count(all ? 30 : 0)
        case .sex: return .sex(all ? .female : .male)
        case .severity: return .severity(all ? 10 : 0)
        case .recent(let context, let conditions): return .recent(all ? context : [], all ? conditions : [])
        case .conditions(let list): return .conditions(all ? list : [])
        case .medications: return .medications(all ? Medication.allCases : [])
        case .muscles, .duration, .age, .confirmProfile: return .skip
        }
    }

    static func randomAnswer(_ question: InterviewQuestion, _ rng: inout SplitMix) -> InterviewAnswer {
        func some<C>(_ list: [C]) -> [C] { list.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.15 } }
        switch question.kind {
        case .choice(let options): return .findings(Array(some(options).prefix(1)))
        case .checklist(let options): return .findings(some(options.filter { !question.oneOf.dropFirst().contains($0) }))
        case .recent(let context, let conditions): return .recent(some(context), some(conditions))
        case .conditions(let list): return .conditions(some(list))
        case .medications: return .medications(some(Medication.allCases))
        default: return extremeAnswer(question, variant: Int.random(in: 0...1, using: &rng))
        }
    }
}

@Suite struct InterviewOverTheVignettes {
    static let publicVignettes: [(id: String, request: AssessmentRequest)] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shared =
            ProcessInfo.processInfo.environment["CRAMPCARE_SHARED"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? root.deletingLastPathComponent().appendingPathComponent("shared")
        guard let data = try? Data(contentsOf: shared.appendingPathComponent("vignettes/public.json")),
            case .array(let cases)? = try? JSONParser.parse(Array(data))
        else { return [] }
        return cases.compactMap { item in
            guard let id = item["id"]?.stringValue, let body = item["request"],
                let request = try? AssessmentRequest.decode(body)
            else { return nil }
            return (id, request)
        }
    }()

    /// The interview asked truthfully gives the same triage, red flags and cramp verdict as the
    /// whole request; it reports the answers each needed.
    @Test func theInterviewReachesTheSameTriageRedFlagsAndVerdictAsTheWholeRequest() throws {
        let cases = Self.publicVignettes
        try #require(cases.count == 30)
        var counts: [Int] = []
        for (id, whole) in cases {
            let run = interview.run(from: whole)
            counts.append(run.asked.count)
            let direct = assessor.assess(whole)
            switch run.end {
            case .finished(let request, _):
                let asked = assessor.assess(request)
                #expect(asked.triage == direct.triage, "\(id)")
                #expect(asked.redFlags.map(\.rule.id) == direct.redFlags.map(\.rule.id), "\(id)")
                #expect(asked.likelyCramp == direct.likelyCramp, "\(id)")
                #expect(asked.factors.prefix(3).map(\.factor.id) == direct.factors.prefix(3).map(\.factor.id), "\(id)")
                #expect(asked.relief.map(\.item.id) == direct.relief.map(\.item.id), "\(id)")
            case .emergency(let request, _):
                #expect(direct.triage == .emergency && assessor.assess(request).triage == .emergency, "\(id)")
            case .ask: Issue.record("\(id) did not end")
            }
        }
        let sorted = counts.sorted()
        print(
            "public vignettes: median \(sorted[sorted.count / 2]) answers (screen \(InterviewTests.screenCount)), from \(sorted.first!) to \(sorted.last!)"
        )
    }
}
