public import CrampKnowledge

/// A red-flag rule that fired, with the inputs behind it.
public struct RedFlagHit: Sendable {
    public let rule: RedFlagRule
    public let evidence: Evidence
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
        return "Answers \(answers.name.lowercased()): \(item.why)"
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
    public let unscreenedRedFlags: [Finding]
    public let notices: [String]
    public let knowledgeVersion: String

    /// The contract's `because` strings for some evidence of this request.
    public func because(_ evidence: Evidence) -> [String] { evidence.codes(onset: request.onset) }
}

/// The assessment engine: pure and deterministic. Build one per knowledge base and reuse it.
public struct Assessor: Sendable {
    public let knowledge: KnowledgeBase
    private let crampFeatureMask: UInt64

    public init(knowledge: KnowledgeBase) {
        self.knowledge = knowledge
        crampFeatureMask = knowledge.cramp.features.reduce(0) { $0 | $1.finding.bit }
    }

    /// Noisy-OR: independent pieces of evidence each close part of the remaining gap to 1.
    @inline(__always)
    private static func combine(_ evidence: [WeightedEvidence], _ facts: Facts) -> (Double, Evidence) {
        var remaining = 1.0
        var collected = Evidence()
        for piece in evidence {
            if let found = piece.when.evaluate(facts) {
                remaining *= 1 - piece.weight
                collected.formUnion(found)
            }
        }
        return (1 - remaining, collected)
    }

    public func assess(_ request: AssessmentRequest) -> AssessmentResult {
        let facts = request.facts
        let kb = knowledge

        // Red flags: the triage is the highest level any rule reaches; nothing lowers it.
        var redFlags: [RedFlagHit] = []
        var triage = Triage.selfCare
        for rule in kb.rules {
            if let evidence = rule.when.evaluate(facts) {
                redFlags.append(RedFlagHit(rule: rule, evidence: evidence))
                if rule.level > triage { triage = rule.level }
            }
        }
        // Most urgent first; the knowledge base order breaks ties.
        redFlags.sort { $0.rule.level > $1.rule.level }

        // How well the picture fits a cramp.
        var remaining = 1.0
        let present = facts.findings.bits & crampFeatureMask
        if present != 0 {
            for feature in kb.cramp.features where present & feature.finding.bit != 0 {
                remaining *= 1 - feature.weight
            }
        }
        let namedMuscle = facts.muscles.bits & ~Muscle.unsure.bit != 0
        if namedMuscle, facts.durationMinutes <= kb.cramp.shortEpisodeMaxMinutes {
            remaining *= 1 - kb.cramp.shortEpisodeWeight
        }
        let crampScore = 1 - remaining

        // Alternatives, ranked; a fired rule always shows the condition it guards against.
        var alternatives: [AlternativeHit] = []
        var strongestMimic = 0.0
        for alternative in kb.alternatives {
            var (score, evidence) = Self.combine(alternative.evidence, facts)
            for hit in redFlags where hit.rule.alternative == alternative.id {
                evidence.formUnion(hit.evidence)
                score = max(score, kb.cramp.alternativeThreshold)
            }
            guard score >= kb.cramp.alternativeThreshold else { continue }
            alternatives.append(AlternativeHit(alternative: alternative, score: score, evidence: evidence))
            if alternative.kind == .mimic { strongestMimic = max(strongestMimic, score) }
        }
        alternatives.sort { $0.score > $1.score }
        let likelyCramp = crampScore >= kb.cramp.likelyCrampThreshold && crampScore >= strongestMimic

        var factors: [FactorHit] = []
        for factor in kb.factors {
            let (score, evidence) = Self.combine(factor.evidence, facts)
            if score >= kb.cramp.factorThreshold {
                factors.append(FactorHit(factor: factor, score: score, evidence: evidence))
            }
        }
        factors.sort { $0.score > $1.score }

        let relief = chooseRelief(facts: facts, triage: triage)
        let prevention = triage <= .soon ? choosePrevention(facts: facts, factors: factors) : []

        var net: [SafetyNetItem] = []
        for item in kb.safetyNet {
            if let when = item.when, !when.holds(facts) { continue }
            if let unless = item.unless, unless.holds(facts) { continue }
            net.append(item)
        }
        net.sort { $0.priority < $1.priority }

        let answered = facts.findings.bits | CodeSet(request.negatives).bits
        let unscreened = Array(CodeSet<Finding>(bits: kb.redFlagFindings.bits & ~answered))

        var notices: [String] = []
        if request.age < 16 { notices.append(kb.adultsOnly) }

        return AssessmentResult(
            request: request, triage: triage, likelyCramp: likelyCramp, crampScore: crampScore, redFlags: redFlags,
            alternatives: alternatives, factors: factors, relief: relief, prevention: prevention, safetyNet: net,
            unscreenedRedFlags: unscreened, notices: notices, knowledgeVersion: kb.version)
    }

    /// What to do now. At urgent and emergency only what is safe while waiting for care; never an
    /// item the person's findings, conditions or medicines rule out.
    private func chooseRelief(facts: Facts, triage: Triage) -> [ReliefAdvice] {
        var out: [ReliefAdvice] = []
        for item in knowledge.relief {
            guard item.safeUpTo >= triage else { continue }
            if let from = item.onlyFrom, triage < from { continue }
            if !item.muscles.isEmpty, !item.muscles.intersects(facts.muscles) { continue }
            if let indications = item.indications, !indications.holds(facts) { continue }
            if item.isRuledOut(by: facts) { continue }
            let cautions = item.adjustments.compactMap { $0.when.holds(facts) ? $0.caution : nil }
            out.append(ReliefAdvice(item: item, cautions: cautions))
        }
        return out
    }

    /// Prevention items chosen by the factors found, strongest factor first, each saying which
    /// factor it answers. Older adults get the gentler variants.
    private func choosePrevention(facts: Facts, factors: [FactorHit], limit: Int = 6) -> [PreventionAdvice] {
        let older = facts.age >= 65
        var chosen: [(rank: Int, order: Int, advice: PreventionAdvice)] = []
        for (order, item) in knowledge.prevention.enumerated() {
            if let indications = item.indications, !indications.holds(facts) { continue }
            if item.isRuledOut(by: facts) { continue }
            let cautions = item.adjustments.compactMap { $0.when.holds(facts) ? $0.caution : nil }
            let gentler = older && item.gentler != nil
            if let rank = factors.firstIndex(where: { item.answers.contains($0.factor.id) }) {
                chosen.append((rank, order, PreventionAdvice(item: item, answers: factors[rank].factor, gentler: gentler, cautions: cautions)))
            }
        }
        chosen.sort { ($0.rank, $0.order) < ($1.rank, $1.order) }
        var out = chosen.prefix(limit).map(\.advice)
        if out.isEmpty, let general = knowledge.prevention.first(where: { $0.id == "daily_stretch" }) {
            out.append(PreventionAdvice(item: general, answers: nil, gentler: older && general.gentler != nil, cautions: []))
        }
        return out
    }
}
