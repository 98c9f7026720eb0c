import CrampAssessment
import CrampKnowledge
import Testing

/// Requests generated around a requirement's presentation: its codes, random values within its
/// ranges, benign inputs added (never one it holds absent), the other red-flag signs asked and
/// denied.
enum PresentationGenerator {
    static let casesPerRequirement = 250

    /// A stable seed per requirement, so a failure names the request that reproduces it.
    static func seed(_ id: String, _ index: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash &+ UInt64(index)
    }

    static func request(for requirement: SafetyRequirement, seed: UInt64, knowledge: KnowledgeBase) -> AssessmentRequest {
        var rng = SplitMix(seed: seed)
        let shape = requirement.presentation
        let chosenMuscles = shape.muscles.filter { _ in Bool.random(using: &rng) }
        var request = AssessmentRequest(
            age: Int.random(in: shape.age, using: &rng),
            durationMinutes: duration(in: shape.durationMinutes, using: &rng),
            muscles: chosenMuscles.isEmpty ? [shape.muscles.randomElement(using: &rng)!] : chosenMuscles)
        request.side = shape.sides.randomElement(using: &rng)!
        request.onset = shape.onsets.randomElement(using: &rng)!
        if Bool.random(using: &rng) { request.sex = Sex.allCases.randomElement(using: &rng) }
        if Bool.random(using: &rng) { request.severity = Int.random(in: 0...10, using: &rng) }
        if let episodes = shape.episodes {
            request.episodesLast30Days = Int.random(in: episodes, using: &rng)
        } else if Double.random(in: 0..<1, using: &rng) < 0.8 {
            request.episodesLast30Days = Int.random(in: 1...30, using: &rng)
        }
        var facts = Facts(age: 0, durationMinutes: 0)
        if let codes = shape.codes { realise(codes, into: &facts, using: &rng) }

        // Benign inputs: no red-flag sign, nothing held absent.
        let absent = requirement.heldAbsent
        let redFlags = knowledge.redFlagFindings
        for finding in Finding.allCases where !redFlags.contains(finding) && !absent.findings.contains(finding) {
            if Double.random(in: 0..<1, using: &rng) < 0.06 { facts.findings.insert(finding) }
        }
        for code in ContextCode.allCases where !absent.context.contains(code) {
            if Double.random(in: 0..<1, using: &rng) < 0.06 { facts.context.insert(code) }
        }
        for code in Condition.allCases where !absent.conditions.contains(code) {
            if Double.random(in: 0..<1, using: &rng) < 0.04 { facts.conditions.insert(code) }
        }
        for code in Medication.allCases where !absent.medications.contains(code) {
            if Double.random(in: 0..<1, using: &rng) < 0.04 { facts.medications.insert(code) }
        }
        request.findings = Array(facts.findings).shuffled(using: &rng)
        request.context = Array(facts.context).shuffled(using: &rng)
        request.conditions = Array(facts.conditions).shuffled(using: &rng)
        request.medications = Array(facts.medications).shuffled(using: &rng)
        // The other red-flag questions were asked and answered "no" (most of them).
        request.negatives = redFlags.filter { !facts.findings.contains($0) && Double.random(in: 0..<1, using: &rng) < 0.8 }
        return request
    }

    /// Often a bound (where rules change), else spread evenly on a log scale.
    static func duration(in range: ClosedRange<Double>, using rng: inout SplitMix) -> Double {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1: return range.lowerBound
        case 2: return range.upperBound
        default:
            let low = max(range.lowerBound, 0.01).squareRoot(), high = range.upperBound.squareRoot()
            let root = Double.random(in: low...high, using: &rng)
            return min(max((root * root * 4).rounded() / 4, range.lowerBound), range.upperBound)
        }
    }

    static func realise(_ codes: Presentation.Codes, into facts: inout Facts, using rng: inout SplitMix) {
        func some<Code: CodeList>(_ list: [Code], using rng: inout SplitMix) -> [Code] {
            let picked = list.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.3 }
            return picked.isEmpty ? [list.randomElement(using: &rng)!] : picked
        }
        switch codes {
        case .all(let parts): for part in parts { realise(part, into: &facts, using: &rng) }
        case .any(let parts):
            realise(parts.randomElement(using: &rng)!, into: &facts, using: &rng)
            if Double.random(in: 0..<1, using: &rng) < 0.2 { realise(parts.randomElement(using: &rng)!, into: &facts, using: &rng) }
        case .findings(let list): for code in some(list, using: &rng) { facts.findings.insert(code) }
        case .context(let list): for code in some(list, using: &rng) { facts.context.insert(code) }
        case .conditions(let list): for code in some(list, using: &rng) { facts.conditions.insert(code) }
        case .medications(let list): for code in some(list, using: &rng) { facts.medications.insert(code) }
        }
    }

    /// What the result gets wrong against the requirement; empty when it holds.
    static func violations(of requirement: SafetyRequirement, in result: AssessmentResult) -> [String] {
        var out: [String] = []
        if let floor = requirement.atLeast, result.triage < floor {
            out.append("triage \(result.triage.rawValue) is below \(floor.rawValue)")
        }
        if let ceiling = requirement.atMost, result.triage > ceiling {
            out.append("triage \(result.triage.rawValue) is above \(ceiling.rawValue) (rules: \(result.redFlags.map(\.rule.id)))")
        }
        let shown = Set(result.alternatives.map(\.alternative.id))
        for id in requirement.show where !shown.contains(id) { out.append("does not name the alternative \(id.rawValue)") }
        let advice = Set(result.relief.map(\.item.id) + result.prevention.map(\.item.id))
        for id in requirement.offer where !advice.contains(id) { out.append("does not offer \(id)") }
        for id in requirement.withhold where advice.contains(id) { out.append("offers \(id)") }
        if !requirement.withholdWords.isEmpty {
            var lines: [String] = result.redFlags.filter(result.showsAdvice).map(\.rule.advice) + result.safetyNet.map(\.advice)
            for advice in result.relief { lines += [advice.item.title] + advice.item.steps + advice.cautions }
            for advice in result.prevention { lines += [advice.title] + advice.steps + advice.cautions }
            for words in requirement.withholdWords {
                if let line = lines.first(where: { $0.lowercased().contains(words.lowercased()) }) {
                    out.append("says \"\(words)\": \(line)")
                }
            }
        }
        return out
    }

    /// The first request of a requirement's generated set that the engine gets wrong.
    static func firstFailure(
        _ requirement: SafetyRequirement, _ engine: Assessor, count: Int = casesPerRequirement
    )
        -> (request: AssessmentRequest, problems: [String])?
    {
        for index in 0..<count {
            let input = request(for: requirement, seed: seed(requirement.id, index), knowledge: engine.knowledge)
            let problems = violations(of: requirement, in: engine.assess(input))
            if !problems.isEmpty { return (input, problems) }
        }
        return nil
    }
}

@Suite struct SafetyRequirementTests {
    @Test(arguments: knowledge.requirements.map(\.id))
    func everyGeneratedPresentationMeetsTheRequirement(_ id: String) throws {
        let requirement = try #require(knowledge.requirements.first { $0.id == id })
        if let failure = PresentationGenerator.firstFailure(requirement, assessor) {
            Issue.record("\(id): \(failure.problems.joined(separator: "; ")) for \(String(decoding: failure.request.json(), as: UTF8.self))")
        }
    }

    /// Each urgent or emergency rule is removed, then lowered one level, in a copy of the rules:
    /// some requirement must notice every time, or the catalogue does not cover that rule.
    @Test func everyMutantOfAnUrgentOrEmergencyRuleIsKilled() {
        var survivors: [String] = []
        for rule in knowledge.rules where rule.level >= .urgent {
            let lowered = RedFlagRule(
                index: rule.index, id: rule.id, level: rule.level == .emergency ? .urgent : .soon,
                when: rule.when, title: rule.title, reason: rule.reason, advice: rule.advice,
                alternative: rule.alternative, sources: rule.sources, reviewed: rule.reviewed)
            let mutants = [
                ("without \(rule.id)", knowledge.rules.filter { $0.id != rule.id }),
                ("\(rule.id) lowered to \(lowered.level.rawValue)", knowledge.rules.map { $0.id == rule.id ? lowered : $0 }),
            ]
            for (name, rules) in mutants {
                let engine = Assessor(knowledge: knowledge, rules: rules)
                let killed = knowledge.requirements.contains { PresentationGenerator.firstFailure($0, engine, count: 120) != nil }
                if !killed { survivors.append(name) }
            }
        }
        #expect(survivors.isEmpty, "no requirement fails with: \(survivors.joined(separator: ", "))")
    }

    /// Every sign marked as a red flag gives urgent or emergency on its own, unless a catalogue
    /// entry says why not.
    @Test func everyRedFlagSignAloneIsUrgentUnlessTheCatalogueSaysWhy() {
        let excused = knowledge.requirements.reduce(CodeSet<Finding>()) { CodeSet(bits: $0.bits | $1.belowUrgentAlone.bits) }
        for finding in knowledge.redFlagFindings where !excused.contains(finding) {
            var input = AssessmentRequest(age: 40, durationMinutes: 2, muscles: [.calf])
            input.findings = [finding]
            #expect(assessor.assess(input).triage >= .urgent, "\(finding.rawValue) alone")
        }
    }

    @Test func theGeneratorStaysInsideEachPresentation() throws {
        for requirement in knowledge.requirements {
            for index in 0..<20 {
                let input = PresentationGenerator.request(
                    for: requirement, seed: PresentationGenerator.seed(requirement.id, index),
                    knowledge: knowledge)
                let shape = requirement.presentation
                #expect(shape.age.contains(input.age), "\(requirement.id)")
                #expect(shape.durationMinutes.contains(input.durationMinutes), "\(requirement.id)")
                #expect(shape.sides.contains(input.side), "\(requirement.id)")
                #expect(input.muscles.allSatisfy(shape.muscles.contains), "\(requirement.id)")
                let facts = input.facts
                #expect(!facts.findings.intersects(requirement.heldAbsent.findings), "\(requirement.id)")
                #expect(!facts.conditions.intersects(requirement.heldAbsent.conditions), "\(requirement.id)")
                #expect(!facts.medications.intersects(requirement.heldAbsent.medications), "\(requirement.id)")
                #expect(!facts.context.intersects(requirement.heldAbsent.context), "\(requirement.id)")
                // The generated request is one the contract accepts.
                _ = try AssessmentRequest.decode(json: input.json())
            }
        }
    }
}
