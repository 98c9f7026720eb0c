import CrampAssessment
import CrampKnowledge

/// SplitMix64: a tiny seeded generator so a failing case is reproduced by its seed alone.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random valid requests over the whole contract.
enum RequestGenerator {
    static func subset<C: CodeList>(_: C.Type, rate: Double, using rng: inout SplitMix) -> [C] {
        C.allCases.filter { _ in Double.random(in: 0..<1, using: &rng) < rate }.shuffled(using: &rng)
    }

    static func request(seed: UInt64, knowledge: KnowledgeBase) -> AssessmentRequest {
        var rng = SplitMix(seed: seed)
        let durations: [Double] = [0.25, 1, 2, 5, 9.5, 10, 10.5, 15, 45, 240, 1440, 10080]
        var muscles = subset(Muscle.self, rate: 0.35, using: &rng)
        if muscles.isEmpty { muscles = [Muscle.allCases.randomElement(using: &rng)!] }
        var request = AssessmentRequest(
            age: Int.random(in: 0...120, using: &rng),
            durationMinutes: durations.randomElement(using: &rng)!, muscles: muscles)
        if Bool.random(using: &rng) { request.side = Side.allCases.randomElement(using: &rng) }
        if Bool.random(using: &rng) { request.onset = Onset.allCases.randomElement(using: &rng) }
        if Bool.random(using: &rng) { request.severity = Int.random(in: 0...10, using: &rng) }
        if Bool.random(using: &rng) { request.sex = Sex.allCases.randomElement(using: &rng) }
        if Double.random(in: 0..<1, using: &rng) < 0.8 { request.episodesLast30Days = Int.random(in: 0...30, using: &rng) }
        let findingRate = [0.02, 0.05, 0.12].randomElement(using: &rng)!
        request.findings = subset(Finding.self, rate: findingRate, using: &rng)
        request.context = subset(ContextCode.self, rate: 0.1, using: &rng)
        request.conditions = subset(Condition.self, rate: 0.07, using: &rng)
        request.medications = subset(Medication.self, rate: 0.07, using: &rng)
        let present = CodeSet(request.findings)
        request.negatives = Array(CodeSet<Finding>(bits: knowledge.redFlagFindings.bits & ~present.bits))
            .filter { _ in Bool.random(using: &rng) }
        return request
    }
}
