public import CrampKnowledge

/// What a personal prevention plan is built from: the person (age, conditions, medicines), what
/// their assessments found, and what their diary shows.
public struct PlanRequest: Sendable {
    public var age: Int?
    public var conditions: [Condition] = []
    public var medications: [Medication] = []
    /// Context and findings from recent assessments: they decide what is ruled out.
    public var context: [ContextCode] = []
    public var findings: [Finding] = []
    /// The muscles that cramp; empty when none is known yet.
    public var muscles: [Muscle] = []
    /// This person's contributing factors, strongest first, each with where it was found
    /// ("your assessments", "your diary: low fluids, a possible trigger").
    public var factors: [(id: String, foundIn: String)] = []
    /// Red flags from every urgent or emergency check of the last 14 days, newest first: a later
    /// reassuring check does not cancel an earlier red flag.
    public var openRedFlags: [String] = []
    /// How many checks of the last 14 days were urgent or emergency.
    public var openChecks = 0

    public init() {}
}

/// One item of a plan: the knowledge base's advice, the variant for this person, and why it is
/// in their plan.
public struct PlanItem: Sendable {
    public let item: PreventionItem
    public let gentler: Bool
    /// This person's factors the item answers, with where each was found.
    public let answers: [(factor: Factor, foundIn: String)]
    public let cautions: [String]

    public var id: String { item.id }
    public var title: String { gentler ? item.gentler?.title ?? item.title : item.title }
    public var steps: [String] { gentler ? item.gentler?.steps ?? item.steps : item.steps }
    /// Sets and progression belong to the full exercise; the gentler variant's steps carry its own.
    public var sets: String? { gentler ? nil : item.sets }
    public var progression: String? { gentler ? nil : item.progression }

    /// Why it is in this person's plan, in words.
    public var reason: String {
        if answers.isEmpty { return "Part of every plan: \(item.why)" }
        let found = answers.map { "\($0.factor.name.lowercased()) (\($0.foundIn))" }.joined(separator: "; ")
        return "For \(found). \(item.why)"
    }
}

public struct PersonalPlan: Sendable {
    public let items: [PlanItem]
    /// 65 and over: gentler variants, and building up with a physiotherapist.
    public let olderAdult: Bool
    /// Items left out because something about the person rules them out, with the reason.
    public let leftOut: [(item: PreventionItem, reason: String)]
    /// Red-flag titles from the recent urgent or emergency checks: see a clinician before starting.
    public let seeFirst: [String]
    /// How many checks of the last 14 days were urgent or emergency (0: nothing to see first).
    public let openChecks: Int

    /// Every urgent or emergency check of the last 14 days in one sentence; nil when none.
    public var seeFirstWords: String? {
        guard openChecks > 0 else { return nil }
        let checks = openChecks == 1 ? "A check in the last 14 days" : "\(openChecks) checks in the last 14 days"
        let found = seeFirst.isEmpty ? "found signs that need a doctor" : "found: \(seeFirst.joined(separator: "; "))"
        return "\(checks) \(found). Get that seen before you start new exercise."
    }
}

public enum Planner {
    /// The age from which the plan gives gentler variants.
    public static let olderAdultAge = 65

    /// A deterministic plan: the same request gives the same plan. Items in every plan come
    /// first, then those answering this person's factors, strongest factor first; each passes
    /// the same indication and contraindication checks as the assessment's advice.
    public static func plan(_ request: PlanRequest, knowledge: KnowledgeBase) -> PersonalPlan {
        let older = (request.age ?? 0) >= olderAdultAge
        var facts = Facts(age: request.age ?? 0, durationMinutes: 0)
        facts.conditions = CodeSet(request.conditions)
        facts.medications = CodeSet(request.medications)
        facts.context = CodeSet(request.context)
        facts.findings = CodeSet(request.findings)
        facts.muscles = CodeSet(request.muscles)

        var factorRank: [String: Int] = [:]
        var foundIn: [String: String] = [:]
        for (rank, entry) in request.factors.enumerated() where factorRank[entry.id] == nil {
            factorRank[entry.id] = rank
            foundIn[entry.id] = entry.foundIn
        }
        var chosen: [(group: Int, rank: Int, order: Int, item: PlanItem)] = []
        var leftOut: [(PreventionItem, String)] = []
        for item in knowledge.prevention {
            let answered = item.answers.filter { factorRank[$0] != nil }.sorted { factorRank[$0]! < factorRank[$1]! }
            guard item.inEveryPlan || !answered.isEmpty else { continue }
            if let indication = item.indications, !indication.holds(facts) { continue }
            if item.contraindications.contains(where: { $0.holds(facts) }) {
                leftOut.append((item, "ruled out by something in your profile or your recent assessments"))
                continue
            }
            let cautions = item.adjustments.filter { $0.when.holds(facts) }.map(\.caution)
            let factors = answered.compactMap { id in knowledge.factors.first { $0.id == id }.map { (factor: $0, foundIn: foundIn[id] ?? "") } }
            let planItem = PlanItem(item: item, gentler: older && item.gentler != nil, answers: factors, cautions: cautions)
            chosen.append((item.inEveryPlan ? 0 : 1, answered.first.flatMap { factorRank[$0] } ?? Int.max, item.index, planItem))
        }
        // Every-plan items in the knowledge base's order; the rest by their strongest factor.
        let core = chosen.filter { $0.group == 0 }.sorted { $0.order < $1.order }
        let extra = chosen.filter { $0.group == 1 }.sorted { ($0.rank, $0.order) < ($1.rank, $1.order) }
        var seeFirst: [String] = []
        for id in request.openRedFlags {
            if let title = knowledge.rules.first(where: { $0.id == id })?.title, !title.isEmpty, !seeFirst.contains(title) { seeFirst.append(title) }
        }
        return PersonalPlan(
            items: (core + extra).map(\.item), olderAdult: older, leftOut: leftOut, seeFirst: seeFirst,
            openChecks: max(request.openChecks, seeFirst.isEmpty ? 0 : 1))
    }
}
