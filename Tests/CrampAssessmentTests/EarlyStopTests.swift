import CrampAssessment
import CrampKnowledge
import PropertyBased
import Testing

/// An interview stops on what is certain so far; these check that "certain" is sound: whatever
/// the unasked questions turn out to be, the full assessment reaches at least that level.
@Suite struct EarlyStopTests {
    /// What an interview would know of `full` part-way: some fields asked, some signs answered;
    /// the rest hold the placeholders an interview uses.
    static func partial(of full: AssessmentRequest, using rng: inout SplitMix) -> (AssessmentRequest, KnownAnswers.Fields) {
        var asked: KnownAnswers.Fields = []
        for field in [KnownAnswers.Fields.muscles, .side, .onset, .age, .episodes, .duration, .context, .conditions, .medications]
        where Bool.random(using: &rng) {
            asked.insert(field)
        }
        var soFar = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        if asked.contains(.muscles) { soFar.muscles = full.muscles }
        if asked.contains(.side) { soFar.side = full.side }
        if asked.contains(.onset) { soFar.onset = full.onset }
        if asked.contains(.age) { soFar.age = full.age }
        if asked.contains(.episodes) { soFar.episodesLast30Days = full.episodesLast30Days }
        if asked.contains(.duration) { soFar.durationMinutes = full.durationMinutes }
        if asked.contains(.context) { soFar.context = full.context }
        if asked.contains(.conditions) { soFar.conditions = full.conditions }
        if asked.contains(.medications) { soFar.medications = full.medications }
        soFar.findings = full.findings.filter { _ in Bool.random(using: &rng) }
        soFar.negatives = full.negatives.filter { _ in Bool.random(using: &rng) }
        return (soFar, asked)
    }

    /// Another way the interview could end from the same partial answers: the unasked fields
    /// and the unanswered signs filled in at random.
    static func completion(of soFar: AssessmentRequest, asked: KnownAnswers.Fields, seed: UInt64) -> AssessmentRequest {
        let other = RequestGenerator.request(seed: seed, knowledge: knowledge)
        var full = soFar
        if !asked.contains(.muscles) { full.muscles = other.muscles }
        if !asked.contains(.side) { full.side = other.side }
        if !asked.contains(.onset) { full.onset = other.onset }
        if !asked.contains(.age) { full.age = other.age }
        if !asked.contains(.episodes) { full.episodesLast30Days = other.episodesLast30Days }
        if !asked.contains(.duration) { full.durationMinutes = other.durationMinutes }
        if !asked.contains(.context) { full.context = other.context }
        if !asked.contains(.conditions) { full.conditions = other.conditions }
        if !asked.contains(.medications) { full.medications = other.medications }
        let denied = CodeSet(soFar.negatives)
        full.findings = Array(CodeSet(soFar.findings + other.findings.filter { !denied.contains($0) }))
        full.negatives = Array(CodeSet<Finding>(bits: denied.bits & ~CodeSet(full.findings).bits))
        return full
    }

    @Test func aCertainLevelHoldsWhateverTheRestTurnsOutToBe() async {
        await propertyCheck(count: 3000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var rng = SplitMix(seed: UInt64(seed) &+ 7)
            let full = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let (soFar, asked) = Self.partial(of: full, using: &rng)
            guard let level = assessor.certainLevel(soFar, asked: asked) else { return }
            #expect(assessor.assess(full).triage >= level, "seed \(seed)")
            for offset in 1...4 as ClosedRange<UInt64> {
                let other = Self.completion(of: soFar, asked: asked, seed: UInt64(seed) &* 31 &+ offset)
                #expect(assessor.assess(other).triage >= level, "seed \(seed), completion \(offset)")
            }
        }
    }

    @Test func withEverythingAnsweredTheCertainLevelIsTheTriage() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int(Int32.max))) { seed in
            var full = RequestGenerator.request(seed: UInt64(seed), knowledge: knowledge)
            let reported = CodeSet(full.findings)
            full.negatives = Finding.allCases.filter { !reported.contains($0) }
            #expect((assessor.certainLevel(full, asked: .all) ?? .selfCare) == assessor.assess(full).triage, "seed \(seed)")
        }
    }

    @Test func everyEmergencyRuleStopsOnItsOwnSigns() {
        // Each emergency rule's simplest presentation, with nothing else asked: a stop at once,
        // except where the rule also needs an answer not given yet.
        for rule in knowledge.rules where rule.level == .emergency {
            guard let witness = rule.when.witness() else {
                Issue.record("\(rule.id) has no witness")
                continue
            }
            var soFar = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
            soFar.findings = Array(witness.findings)
            soFar.conditions = Array(witness.conditions)
            soFar.context = Array(witness.context)
            soFar.medications = Array(witness.medications)
            #expect(assessor.isEmergencyNow(soFar, asked: []), "\(rule.id)")
        }
    }

    @Test func aSignAnsweredNoIsNotAssumed() {
        // Chest pain denied and nothing else said: no stop, and no level is certain.
        var soFar = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        soFar.negatives = [.chestPain, .shortnessOfBreath, .coughingBlood]
        #expect(!assessor.isEmergencyNow(soFar, asked: []))
        #expect(assessor.certainLevel(soFar, asked: []) == nil)
        // A placeholder age or duration never makes a rule certain: under 16 needs the real age.
        let child = AssessmentRequest(age: 10, durationMinutes: 1, muscles: [.unsure])
        #expect(assessor.certainLevel(child, asked: []) == nil)
        #expect(assessor.certainLevel(child, asked: [.age]) == .soon)
    }

    @Test func yesWithNoSignNamedCountsTheMostUrgent() throws {
        let empty = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        func level(_ signs: [Finding]) -> Triage {
            var trial = empty
            trial.findings = signs
            return assessor.certainLevel(trial, asked: []) ?? .selfCare
        }
        for question in knowledge.redFlagSteps {
            let signs = knowledge.signs(of: question)
            let counted = assessor.mostUrgentSigns(for: [signs], given: empty, asked: [])
            try #require(counted.count == 1, "\(question.id)")
            #expect(signs.allSatisfy { level([$0]) <= level(counted) }, "\(question.id): \(counted[0].rawValue)")
        }
        // Fever already said: "yes" to the pressure question counts severe pain, a deep infection.
        let pressure = knowledge.signs(of: try #require(knowledge.redFlagSteps.first { $0.id == "pressure" }))
        let fever = knowledge.signs(of: try #require(knowledge.redFlagSteps.first { $0.id == "fever" }))
        var feverish = empty
        feverish.findings = [.fever]
        #expect(assessor.mostUrgentSigns(for: [pressure], given: feverish, asked: []) == [.severeUnrelentingPain])
        // Both unnamed, in either order: chosen together, the pair that is an emergency.
        for questions in [[pressure, fever], [fever, pressure], [pressure.reversed(), fever.reversed()]] {
            let counted = assessor.mostUrgentSigns(for: questions, given: empty, asked: [])
            #expect(level(counted) == .emergency, "\(questions) gave \(counted)")
        }
    }

    @Test func manyUnnamedQuestionsAreStillChosenQuickly() {
        // Every safety question "yes" with none named: more combinations than are tried one by one.
        let empty = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        let all = knowledge.redFlagSteps.map { knowledge.signs(of: $0) }
        let counted = assessor.mostUrgentSigns(for: all, given: empty, asked: [])
        #expect(counted.count == all.count)
        var trial = empty
        trial.findings = counted
        #expect(assessor.certainLevel(trial, asked: []) == .emergency)
    }
}
