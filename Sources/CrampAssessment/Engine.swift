public import CrampKnowledge

/// A red-flag rule that fired, with the inputs behind it.
public struct RedFlagHit: Sendable {
    public let rule: RedFlagRule
    public let evidence: Evidence
}

extension AssessmentResult {
    /// A rule's advice is shown only at the result's own level: under an emergency banner a
    /// "book an appointment" line from a lesser rule would read as permission to wait.
    public func showsAdvice(of hit: RedFlagHit) -> Bool { hit.rule.level == triage }
}

public struct AlternativeHit: Sendable {
    public let alternative: Alternative
    public let score: Double
    public let evidence: Evidence
}

public struct FactorHit: Sendable {
    public let factor: Factor
    public let score: Double
    public let evidence: Evidence
}

/// A relief item chosen for this person, with the cautions their inputs add.
public struct ReliefAdvice: Sendable {
    public let item: ReliefItem
    public let cautions: [String]

    public init(item: ReliefItem, cautions: [String]) {
        self.item = item
        self.cautions = cautions
    }
}

public struct PreventionAdvice: Sendable {
    public let item: PreventionItem
    /// The factor of this person it answers; nil for the general advice given when none was found.
    public let answers: Factor?
    /// True when the gentler variant for older adults is given.
    public let gentler: Bool
    public let cautions: [String]

    public var title: String { gentler ? item.gentler?.title ?? item.title : item.title }
    public var steps: [String] { gentler ? item.gentler?.steps ?? item.steps : item.steps }
    public var why: String {
        guard let answers else { return "Advised for anyone who gets cramps. \(item.why)" }
        return "This helps with \(answers.name.lowercased()): \(item.why)"
    }
}

/// The answer to one request: `assessment-result.schema.json`.
public struct AssessmentResult: Sendable {
    public let request: AssessmentRequest
    public let triage: Triage
    public let likelyCramp: Bool
    /// How strongly the picture fits a cramp, 0 to 1.
    public let crampScore: Double
    public let redFlags: [RedFlagHit]
    public let alternatives: [AlternativeHit]
    public let factors: [FactorHit]
    public let relief: [ReliefAdvice]
    public let prevention: [PreventionAdvice]
    public let safetyNet: [SafetyNetItem]
    /// Red-flag signs neither reported nor denied, as a set (in code order).
    public let unscreened: CodeSet<Finding>
    public let notices: [String]
    public let knowledgeVersion: String

    public var unscreenedRedFlags: [Finding] { Array(unscreened) }

    /// The contract's `because` strings for some evidence of this request.
    public func because(_ evidence: Evidence) -> [String] { evidence.codes(onset: request.onset) }
}

/// The assessment engine: pure and deterministic. Build one per knowledge base and reuse it: the
/// constructor compiles every condition of the knowledge base into one program, so that `assess`
/// runs over flat arrays and touches a knowledge item only when it is part of the answer.
public struct Assessor: Sendable {
    public let knowledge: KnowledgeBase
    /// The red-flag rules it applies: the knowledge base's, or a mutant's in the safety tests.
    public let rules: [RedFlagRule]
    private let program: RuleProgram

    private let ruleConditions: [Int32]
    /// Per rule: the index of the alternative it names, or -1.
    private let ruleAlternative: [Int]

    /// Weighted evidence of alternatives and factors, flattened; each item owns a range of it.
    private let evidenceConditions: [Int32]
    private let evidenceWeights: [Double]
    private let alternativeEvidence: [Range<Int>]
    private let factorEvidence: [Range<Int>]

    /// Cramp feature weights by finding ordinal (0 for findings that are not features).
    private let featureWeights: [Double]
    private let featureMask: UInt64

    private struct AdviceConditions: Sendable {
        var indication: Int32 = -1
        var contraindications: [Int32] = []
        var adjustments: [Int32] = []
    }
    private let reliefConditions: [AdviceConditions]
    private let preventionConditions: [AdviceConditions]
    /// Per prevention item: a bit per factor index it answers.
    private let preventionAnswers: [UInt64]
    /// Safety-net items in the order they are shown, with their conditions (-1 for none).
    private let safetyNetOrder: [(item: Int, when: Int32, unless: Int32)]

    public init(knowledge: KnowledgeBase) {
        self.init(knowledge: knowledge, rules: knowledge.rules)
    }

    /// An engine over other rules than the knowledge base's: the mutation test removes or lowers
    /// one rule at a time and checks that some safety requirement then fails.
    package init(knowledge: KnowledgeBase, rules: [RedFlagRule]) {
        self.knowledge = knowledge
        self.rules = rules
        var program = RuleProgram()
        ruleConditions = rules.map { program.add($0.when) }
        ruleAlternative = rules.map { rule in
            rule.alternative.flatMap { id in knowledge.alternatives.firstIndex { $0.id == id } } ?? -1
        }
        var conditions: [Int32] = []
        var weights: [Double] = []
        func flatten(_ evidence: [WeightedEvidence]) -> Range<Int> {
            let start = conditions.count
            for piece in evidence {
                conditions.append(program.add(piece.when))
                weights.append(piece.weight)
            }
            return start..<conditions.count
        }
        alternativeEvidence = knowledge.alternatives.map { flatten($0.evidence) }
        factorEvidence = knowledge.factors.map { flatten($0.evidence) }
        evidenceConditions = conditions
        evidenceWeights = weights

        var featureWeights = [Double](repeating: 0, count: Finding.allCases.count)
        var mask: UInt64 = 0
        for feature in knowledge.cramp.features {
            featureWeights[feature.finding.ordinal] = feature.weight
            mask |= feature.finding.bit
        }
        self.featureWeights = featureWeights
        featureMask = mask

        func advice(_ indication: Predicate?, _ contraindications: [Predicate], _ adjustments: [Adjustment]) -> AdviceConditions {
            AdviceConditions(
                indication: indication.map { program.add($0) } ?? -1,
                contraindications: contraindications.map { program.add($0) },
                adjustments: adjustments.map { program.add($0.when) })
        }
        reliefConditions = knowledge.relief.map { advice($0.indications, $0.contraindications, $0.adjustments) }
        preventionConditions = knowledge.prevention.map { advice($0.indications, $0.contraindications, $0.adjustments) }
        preventionAnswers = knowledge.prevention.map { item in
            knowledge.factors.enumerated().reduce(0) { bits, entry in
                item.answers.contains(entry.element.id) ? bits | (1 << UInt64(entry.offset)) : bits
            }
        }
        // Shown by priority; the knowledge base's order breaks ties.
        safetyNetOrder = knowledge.safetyNet
            .sorted { ($0.priority, $0.index) < ($1.priority, $1.index) }
            .map { ($0.index, $0.when.map { program.add($0) } ?? -1, $0.unless.map { program.add($0) } ?? -1) }
        self.program = program
    }

    public func assess(_ request: AssessmentRequest) -> AssessmentResult {
        program.withEvaluator { evaluator in assess(request, evaluator) }
    }

    private func assess(_ request: AssessmentRequest, _ evaluator: RuleProgram.Evaluator) -> AssessmentResult {
        let facts = request.facts
        let kb = knowledge
        let (redFlags, triage, ruleEvidence) = redFlagHits(facts, evaluator)
        let crampScore = crampScore(facts)
        let (alternatives, strongestMimic) = alternativeHits(facts, evaluator, ruleEvidence: ruleEvidence)
        let likelyCramp = crampScore >= kb.cramp.likelyCrampThreshold && crampScore >= strongestMimic
        let factors = factorHits(facts, evaluator)
        let prevention = triage <= .soon ? choosePrevention(facts: facts, factors: factors, evaluator) : []
        let answered = facts.findings.bits | CodeSet(request.negatives).bits
        let unscreened = CodeSet<Finding>(bits: kb.redFlagFindings.bits & ~answered)
        return AssessmentResult(
            request: request, triage: triage, likelyCramp: likelyCramp, crampScore: crampScore, redFlags: redFlags,
            alternatives: alternatives, factors: factors, relief: reliefAdvice(facts, evaluator, triage: triage), prevention: prevention,
            safetyNet: safetyNet(facts, evaluator, triage: triage), unscreened: unscreened,
            notices: request.age < 16 ? [kb.adultsOnly] : [], knowledgeVersion: kb.version)
    }

    /// Red flags: the triage is the highest level any rule reaches; nothing lowers it. Most urgent
    /// first, the knowledge base's order breaking ties; with the evidence each rule gives the
    /// alternative it guards against.
    private func redFlagHits(
        _ facts: Facts, _ evaluator: RuleProgram.Evaluator
    ) -> (hits: [RedFlagHit], triage: Triage, forAlternative: [(alternative: Int, evidence: Evidence)]) {
        var redFlags: [RedFlagHit] = []
        var triage = Triage.selfCare
        var forAlternative: [(alternative: Int, evidence: Evidence)] = []
        for (index, condition) in ruleConditions.enumerated() {
            guard let evidence = evaluator.evaluate(condition, facts) else { continue }
            let rule = rules[index]
            redFlags.append(RedFlagHit(rule: rule, evidence: evidence))
            if rule.level > triage { triage = rule.level }
            if ruleAlternative[index] >= 0 { forAlternative.append((ruleAlternative[index], evidence)) }
        }
        if redFlags.count > 1 {
            redFlags.sort { ($0.rule.level, $1.rule.index) > ($1.rule.level, $0.rule.index) }
        }
        return (redFlags, triage, forAlternative)
    }

    /// How well the picture fits a cramp.
    private func crampScore(_ facts: Facts) -> Double {
        var remaining = 1.0
        for ordinal in CodeSet<Finding>(bits: facts.findings.bits & featureMask).ordinals {
            remaining *= 1 - featureWeights[ordinal]
        }
        if facts.muscles.bits & ~Muscle.unsure.bit != 0, facts.durationMinutes <= knowledge.cramp.shortEpisodeMaxMinutes {
            remaining *= 1 - knowledge.cramp.shortEpisodeWeight
        }
        return 1 - remaining
    }

    /// Noisy-OR: independent pieces of evidence each close part of the remaining gap to 1.
    private func combine(_ range: Range<Int>, _ facts: Facts, _ evaluator: RuleProgram.Evaluator) -> (Double, Evidence) {
        var remaining = 1.0
        var collected = Evidence()
        for piece in range {
            if let found = evaluator.evaluate(evidenceConditions[piece], facts) {
                remaining *= 1 - evidenceWeights[piece]
                collected.formUnion(found)
            }
        }
        return (1 - remaining, collected)
    }

    /// Alternatives, ranked; a rule that fired always shows the condition it guards against.
    private func alternativeHits(
        _ facts: Facts, _ evaluator: RuleProgram.Evaluator, ruleEvidence: [(alternative: Int, evidence: Evidence)]
    ) -> (hits: [AlternativeHit], strongestMimic: Double) {
        var alternatives: [AlternativeHit] = []
        var strongestMimic = 0.0
        let threshold = knowledge.cramp.alternativeThreshold
        for (index, range) in alternativeEvidence.enumerated() {
            var (score, evidence) = combine(range, facts, evaluator)
            for entry in ruleEvidence where entry.alternative == index {
                evidence.formUnion(entry.evidence)
                score = max(score, threshold)
            }
            guard score >= threshold else { continue }
            let alternative = knowledge.alternatives[index]
            alternatives.append(AlternativeHit(alternative: alternative, score: score, evidence: evidence))
            if alternative.kind == .mimic { strongestMimic = max(strongestMimic, score) }
        }
        if alternatives.count > 1 {
            alternatives.sort { ($0.score, $1.alternative.index) > ($1.score, $0.alternative.index) }
        }
        return (alternatives, strongestMimic)
    }

    private func factorHits(_ facts: Facts, _ evaluator: RuleProgram.Evaluator) -> [FactorHit] {
        var factors: [FactorHit] = []
        for (index, range) in factorEvidence.enumerated() {
            let (score, evidence) = combine(range, facts, evaluator)
            if score >= knowledge.cramp.factorThreshold {
                factors.append(FactorHit(factor: knowledge.factors[index], score: score, evidence: evidence))
            }
        }
        if factors.count > 1 {
            factors.sort { ($0.score, $1.factor.index) > ($1.score, $0.factor.index) }
        }
        return factors
    }

    /// Relief: what to do now. At urgent and emergency only what is safe while waiting for care;
    /// never an item the person's findings, conditions or medicines rule out.
    private func reliefAdvice(_ facts: Facts, _ evaluator: RuleProgram.Evaluator, triage: Triage) -> [ReliefAdvice] {
        var relief: [ReliefAdvice] = []
        for (index, item) in knowledge.relief.enumerated() {
            guard item.safeUpTo >= triage else { continue }
            if let from = item.onlyFrom, triage < from { continue }
            if !item.muscles.isEmpty, !item.muscles.intersects(facts.muscles) { continue }
            guard let cautions = applicableCautions(reliefConditions[index], item.adjustments, facts, evaluator) else { continue }
            relief.append(ReliefAdvice(item: item, cautions: cautions))
        }
        return relief
    }

    private func safetyNet(_ facts: Facts, _ evaluator: RuleProgram.Evaluator, triage: Triage) -> [SafetyNetItem] {
        var net: [SafetyNetItem] = []
        for entry in safetyNetOrder {
            if knowledge.safetyNet[entry.item].upTo < triage { continue }
            if entry.when >= 0, !evaluator.holds(entry.when, facts) { continue }
            if entry.unless >= 0, evaluator.holds(entry.unless, facts) { continue }
            net.append(knowledge.safetyNet[entry.item])
        }
        return net
    }

    /// nil when the item is not indicated or is ruled out; else the cautions its adjustments add.
    @inline(__always)
    private func applicableCautions(
        _ conditions: AdviceConditions, _ adjustments: [Adjustment], _ facts: Facts,
        _ evaluator: RuleProgram.Evaluator
    ) -> [String]? {
        if conditions.indication >= 0, !evaluator.holds(conditions.indication, facts) { return nil }
        for contraindication in conditions.contraindications where evaluator.holds(contraindication, facts) { return nil }
        var cautions: [String] = []
        for (offset, adjustment) in conditions.adjustments.enumerated() where evaluator.holds(adjustment, facts) {
            cautions.append(adjustments[offset].caution)
        }
        return cautions
    }

    /// Prevention items chosen by the factors found, strongest factor first, each saying which
    /// factor it answers. Older adults get the gentler variants.
    private func choosePrevention(
        facts: Facts, factors: [FactorHit], _ evaluator: RuleProgram.Evaluator,
        limit: Int = 6
    ) -> [PreventionAdvice] {
        let older = facts.age >= 65
        var chosen: [(rank: Int, order: Int, advice: PreventionAdvice)] = []
        for (index, item) in knowledge.prevention.enumerated() {
            let answers = preventionAnswers[index]
            guard let rank = factors.firstIndex(where: { answers & (1 << UInt64($0.factor.index)) != 0 }) else { continue }
            guard let cautions = applicableCautions(preventionConditions[index], item.adjustments, facts, evaluator) else { continue }
            chosen.append(
                (
                    rank, index,
                    PreventionAdvice(
                        item: item, answers: factors[rank].factor,
                        gentler: older && item.gentler != nil, cautions: cautions)
                ))
        }
        chosen.sort { ($0.rank, $0.order) < ($1.rank, $1.order) }
        var out = chosen.prefix(limit).map(\.advice)
        if out.isEmpty, let general = knowledge.prevention.first(where: { $0.id == "daily_stretch" }) {
            out.append(PreventionAdvice(item: general, answers: nil, gentler: older && general.gentler != nil, cautions: []))
        }
        return out
    }
}
