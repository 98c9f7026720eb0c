import CrampJSON

/// The safety requirements catalogue (`requirements.json`): what the guidance says must come out
/// for a presentation, written from the sources before the rules. Each entry is checked by a
/// property test over many generated requests; the rules are right when every entry holds.
public final class SafetyRequirement: Sendable {
    public let id: String
    /// The hazard of `docs/clinical-safety.md` it guards against.
    public let hazard: String
    /// What the guidance says, in the project's words.
    public let guidance: String
    public let sources: [String]
    /// False when the guidance could not be read: the entry then takes the more cautious reading.
    public let verified: Bool
    public let presentation: Presentation
    /// The lowest acceptable triage (a floor), and for over-triage guards the highest.
    public let atLeast: Triage?
    public let atMost: Triage?
    /// Alternatives the result must name.
    public let show: [AlternativeID]
    /// Advice ids (relief, prevention) that must appear, and those that must not.
    public let offer: [String]
    public let withhold: [String]
    /// Words no advice line of the result may contain.
    public let withholdWords: [String]
    /// Inputs a generated request never has (for guards: what would rightly raise the result).
    public let heldAbsent: Facts
    /// The rules that implement it (the safety case's trace).
    public let rules: [String]
    /// Red-flag signs that may, by this entry's guidance, stay below urgent on their own.
    public let belowUrgentAlone: CodeSet<Finding>
    public let lowering: Lowering?
    public let reviewed: String

    /// A sourced exception: answering one of `by` may lower `rule`, never the result below `floor`.
    public struct Lowering: Sendable {
        public let rule: String
        public let by: CodeSet<Finding>
        public let floor: Triage
    }

    public init(
        id: String, hazard: String, guidance: String, sources: [String], verified: Bool, presentation: Presentation,
        atLeast: Triage?, atMost: Triage?, show: [AlternativeID], offer: [String], withhold: [String],
        withholdWords: [String], heldAbsent: Facts, rules: [String], belowUrgentAlone: CodeSet<Finding>,
        lowering: Lowering?, reviewed: String
    ) {
        self.id = id
        self.hazard = hazard
        self.guidance = guidance
        self.sources = sources
        self.verified = verified
        self.presentation = presentation
        self.atLeast = atLeast
        self.atMost = atMost
        self.show = show
        self.offer = offer
        self.withhold = withhold
        self.withholdWords = withholdWords
        self.heldAbsent = heldAbsent
        self.rules = rules
        self.belowUrgentAlone = belowUrgentAlone
        self.lowering = lowering
        self.reviewed = reviewed
    }
}

/// The minimal presentation of a requirement: the codes it needs and the ranges of the rest.
public struct Presentation: Sendable {
    /// Codes that must be present: every member of `all`, one branch of `any`, at least one code
    /// of a list.
    public indirect enum Codes: Sendable {
        case all([Codes])
        case any([Codes])
        case findings([Finding])
        case context([ContextCode])
        case conditions([Condition])
        case medications([Medication])
    }

    public let codes: Codes?
    public let age: ClosedRange<Int>
    public let durationMinutes: ClosedRange<Double>
    /// nil stands for "not given".
    public let sides: [Side?]
    public let muscles: [Muscle]
    public let onsets: [Onset?]
    /// nil: any count, or none given.
    public let episodes: ClosedRange<Int>?

    /// Every code it can use, as facts (for checks that it never names a code held absent).
    public var mentioned: Facts {
        var facts = Facts(age: 0, durationMinutes: 0)
        func walk(_ codes: Codes) {
            switch codes {
            case .all(let parts), .any(let parts): parts.forEach(walk)
            case .findings(let list): facts.findings.formUnion(list)
            case .context(let list): facts.context.formUnion(list)
            case .conditions(let list): facts.conditions.formUnion(list)
            case .medications(let list): facts.medications.formUnion(list)
            }
        }
        if let codes { walk(codes) }
        return facts
    }
}

extension CodeSet {
    public mutating func formUnion(_ codes: some Sequence<Code>) {
        for code in codes { insert(code) }
    }
}

extension KnowledgeBase {
    static func readRequirements(
        _ document: Node, rules: [RedFlagRule], adviceIDs: Set<String>,
        sourceList: (Node) throws(KnowledgeError) -> [String]
    ) throws(KnowledgeError) -> [SafetyRequirement] {
        try document.expectKeys(["reviewed", "requirements"])
        _ = try document.reviewed()
        var out: [SafetyRequirement] = []
        for node in try document.field("requirements").array() {
            let item = node.labelled()
            try item.expectKeys([
                "id", "hazard", "guidance", "sources", "verified", "presentation", "atLeast", "atMost", "show",
                "offer", "withhold", "withholdWords", "heldAbsent", "rules", "belowUrgentAlone", "lowering",
                "reviewed",
            ])
            let id = try item.field("id").string()
            guard !out.contains(where: { $0.id == id }) else { throw item.fail("the id \"\(id)\" is used twice") }
            let atLeast = try item.optional("atLeast")?.code(Triage.self, what: "level")
            let atMost = try item.optional("atMost")?.code(Triage.self, what: "level")
            if let atLeast, let atMost, atLeast > atMost {
                throw item.fail("atLeast (\(atLeast.rawValue)) is above atMost (\(atMost.rawValue))")
            }
            let presentation = try readPresentation(try item.field("presentation"))
            var heldAbsent = Facts(age: 0, durationMinutes: 0)
            if let absent = try item.optional("heldAbsent") {
                try absent.expectKeys(["findings", "context", "conditions", "medications"])
                heldAbsent.findings = CodeSet(try codeList(absent.optional("findings"), Finding.self))
                heldAbsent.context = CodeSet(try codeList(absent.optional("context"), ContextCode.self))
                heldAbsent.conditions = CodeSet(try codeList(absent.optional("conditions"), Condition.self))
                heldAbsent.medications = CodeSet(try codeList(absent.optional("medications"), Medication.self))
                let used = presentation.mentioned
                if used.findings.intersects(heldAbsent.findings) || used.context.intersects(heldAbsent.context)
                    || used.conditions.intersects(heldAbsent.conditions) || used.medications.intersects(heldAbsent.medications)
                {
                    throw absent.fail("holds absent a code its presentation needs")
                }
            }
            let offer = try item.optional("offer")?.strings() ?? []
            let withhold = try item.optional("withhold")?.strings() ?? []
            for advice in offer + withhold where !adviceIDs.contains(advice) {
                throw item.fail("\"\(advice)\" is not a relief or prevention id")
            }
            if let both = offer.first(where: withhold.contains) { throw item.fail("\"\(both)\" is both offered and withheld") }
            let withholdWords = try item.optional("withholdWords")?.strings() ?? []
            guard atLeast != nil || atMost != nil || !offer.isEmpty || !withhold.isEmpty || !withholdWords.isEmpty else {
                throw item.fail("says nothing the result must do: give atLeast, atMost, offer, withhold or withholdWords")
            }
            let ruleIDs = try item.optional("rules")?.strings() ?? []
            for rule in ruleIDs where !rules.contains(where: { $0.id == rule }) {
                throw item.fail("names the unknown rule \"\(rule)\"")
            }
            var lowering: SafetyRequirement.Lowering?
            if let node = try item.optional("lowering") {
                try node.expectKeys(["rule", "by", "floor"])
                let rule = try node.field("rule").string()
                guard rules.contains(where: { $0.id == rule }) else { throw node.fail("names the unknown rule \"\(rule)\"") }
                let floor = try node.field("floor").code(Triage.self, what: "level")
                // A denial never lowers a result below "soon".
                guard floor >= .soon else { throw node.fail("an exception never lowers a result below soon") }
                lowering = .init(rule: rule, by: CodeSet(try codeList(node.field("by"), Finding.self)), floor: floor)
            }
            out.append(
                SafetyRequirement(
                    id: id, hazard: try item.field("hazard").string(), guidance: try item.field("guidance").string(),
                    sources: try sourceList(item), verified: try item.optional("verified")?.bool() ?? true,
                    presentation: presentation, atLeast: atLeast, atMost: atMost,
                    show: try codeList(item.optional("show"), AlternativeID.self), offer: offer, withhold: withhold,
                    withholdWords: withholdWords, heldAbsent: heldAbsent, rules: ruleIDs,
                    belowUrgentAlone: CodeSet(try codeList(item.optional("belowUrgentAlone"), Finding.self)),
                    lowering: lowering, reviewed: try item.reviewed()))
        }
        return out
    }

    /// Every rule traces to a requirement; a rule an answer can lower has a sourced exception that
    /// names it; every red-flag sign alone reaches urgent, unless an entry says why not.
    static func checkTrace(rules: [RedFlagRule], requirements: [SafetyRequirement], redFlags: CodeSet<Finding>) throws(KnowledgeError) {
        for rule in rules {
            let item = "rules (\(rule.id))"
            guard requirements.contains(where: { $0.rules.contains(rule.id) }) else {
                throw KnowledgeError(
                    file: "rules.json", item: item, problem: "no safety requirement names this rule; add it to the requirement it implements")
            }
            let lowerable = rule.when.lowerableBy
            guard !lowerable.isEmpty else { continue }
            guard requirements.contains(where: { $0.lowering?.rule == rule.id && lowerable.bits & ~$0.lowering!.by.bits == 0 }) else {
                throw KnowledgeError(
                    file: "rules.json", item: item,
                    problem:
                        "an answer (\(lowerable.map(\.rawValue).joined(separator: ", "))) can lower this rule, but no requirement's lowering names it"
                )
            }
        }
        let excused = requirements.reduce(0) { $0 | $1.belowUrgentAlone.bits }
        for finding in redFlags where excused & finding.bit == 0 {
            var facts = Facts(age: 40, durationMinutes: 2)
            facts.findings.insert(finding)
            facts.muscles.insert(.calf)
            guard rules.contains(where: { $0.level >= .urgent && $0.when.holds(facts) }) else {
                throw KnowledgeError(
                    file: "codes.json", item: "findings (\(finding.rawValue))",
                    problem: "marked as a red flag, but on its own it gives less than urgent and no requirement's belowUrgentAlone says why")
            }
        }
    }

    private static func codeList<Code: CodeList>(_ node: Node?, _: Code.Type) throws(KnowledgeError) -> [Code] {
        guard let node else { return [] }
        var out: [Code] = []
        for element in try node.array() {
            let code = try element.code(Code.self, what: "code")
            guard !out.contains(code) else { throw element.fail("\"\(code.rawValue)\" is listed twice") }
            out.append(code)
        }
        return out
    }

    private static func readPresentation(_ node: Node) throws(KnowledgeError) -> Presentation {
        try node.expectKeys(["codes", "age", "durationMinutes", "sides", "muscles", "onsets", "episodes"])
        func range(_ key: String, _ bounds: ClosedRange<Double>) throws(KnowledgeError) -> ClosedRange<Double>? {
            guard let list = try node.optional(key) else { return nil }
            let values = try list.array()
            guard values.count == 2 else { throw list.fail("a range is [lowest, highest]") }
            let low = try values[0].double(), high = try values[1].double()
            guard low <= high, bounds.contains(low), bounds.contains(high) else {
                throw list.fail("a range within \(bounds.lowerBound) to \(bounds.upperBound), lowest first")
            }
            return low...high
        }
        let age = try range("age", 0...120).map { Int($0.lowerBound)...Int($0.upperBound) } ?? 16...120
        let duration = try range("durationMinutes", 0.01...10080) ?? 0.25...10080
        let episodes = try range("episodes", 0...10000).map { Int($0.lowerBound)...Int($0.upperBound) }
        func optionalCodes<Code: CodeList>(_ key: String, _: Code.Type) throws(KnowledgeError) -> [Code?] {
            guard let list = try node.optional(key) else { return [nil] + Code.allCases.map { $0 } }
            var out: [Code?] = []
            for element in try list.array() {
                if element.value.stringValue == "unknown" { out.append(nil); continue }
                out.append(try element.code(Code.self, what: "code (or \"unknown\")"))
            }
            guard !out.isEmpty else { throw list.fail("the list is empty") }
            return out
        }
        var muscles = try codeList(node.optional("muscles"), Muscle.self)
        if muscles.isEmpty { muscles = Muscle.allCases }
        return Presentation(
            codes: try node.optional("codes").map { node throws(KnowledgeError) in try readCodes(node) },
            age: age, durationMinutes: duration, sides: try optionalCodes("sides", Side.self), muscles: muscles,
            onsets: try optionalCodes("onsets", Onset.self), episodes: episodes)
    }

    private static func readCodes(_ node: Node) throws(KnowledgeError) -> Presentation.Codes {
        let members = try node.members()
        guard members.count == 1, let (key, inner) = members.first else {
            throw node.fail("a presentation's codes have exactly one member (all, any, finding, context, condition, medication)")
        }
        switch key {
        case "all", "any":
            var parts: [Presentation.Codes] = []
            for element in try inner.array() { parts.append(try readCodes(element)) }
            guard !parts.isEmpty else { throw inner.fail("\(key) needs at least one member") }
            return key == "all" ? .all(parts) : .any(parts)
        case "finding": return .findings(try inner.oneOrMany().map { text throws(KnowledgeError) in try code(text, inner, Finding.self) })
        case "context": return .context(try inner.oneOrMany().map { text throws(KnowledgeError) in try code(text, inner, ContextCode.self) })
        case "condition": return .conditions(try inner.oneOrMany().map { text throws(KnowledgeError) in try code(text, inner, Condition.self) })
        case "medication": return .medications(try inner.oneOrMany().map { text throws(KnowledgeError) in try code(text, inner, Medication.self) })
        default: throw node.fail("unknown member \"\(key)\"; expected all, any, finding, context, condition or medication")
        }
    }

    private static func code<Code: CodeList>(_ text: String, _ node: Node, _: Code.Type) throws(KnowledgeError) -> Code {
        guard let code = Code.table.code(text) else { throw node.fail("unknown code \"\(text)\"; accepted: \(Code.table.accepted)") }
        return code
    }
}
