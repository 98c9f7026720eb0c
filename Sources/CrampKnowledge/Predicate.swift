// Over 400 lines on purpose: the rule language in one place — the facts a rule reads, the
// predicate tree, its compiler from JSON and its checks (no `not`, a witness for every rule).
/// What one request says, reduced to what rules can test: bit sets of codes and a few numbers.
public struct Facts: Sendable, Equatable {
    public var findings = CodeSet<Finding>()
    public var context = CodeSet<ContextCode>()
    public var conditions = CodeSet<Condition>()
    public var medications = CodeSet<Medication>()
    public var muscles = CodeSet<Muscle>()
    public var onset: Onset?
    public var side: Side?
    public var age: Int
    public var episodesLast30Days: Int?
    public var durationMinutes: Double

    public init(age: Int, durationMinutes: Double) {
        self.age = age
        self.durationMinutes = durationMinutes
    }
}

/// Which answers an interview has so far: the fields asked (a code list asked and left empty
/// means none apply), and the signs answered "no". A sign neither reported nor denied is unknown.
public struct KnownAnswers: Sendable, Equatable {
    public struct Fields: OptionSet, Sendable, Equatable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let muscles = Fields(rawValue: 1 << 0)
        public static let side = Fields(rawValue: 1 << 1)
        public static let onset = Fields(rawValue: 1 << 2)
        public static let age = Fields(rawValue: 1 << 3)
        public static let episodes = Fields(rawValue: 1 << 4)
        public static let duration = Fields(rawValue: 1 << 5)
        public static let context = Fields(rawValue: 1 << 6)
        public static let conditions = Fields(rawValue: 1 << 7)
        public static let medications = Fields(rawValue: 1 << 8)
        /// The episode as the interview's second step asks it.
        public static let episode: Fields = [.muscles, .side, .onset, .age, .episodes, .duration]
        public static let all: Fields = [.episode, .context, .conditions, .medications]
    }

    public var fields: Fields
    public var deniedFindings: CodeSet<Finding>

    public init(fields: Fields = [], deniedFindings: CodeSet<Finding> = CodeSet()) {
        self.fields = fields
        self.deniedFindings = deniedFindings
    }
}

/// The inputs behind a conclusion: which codes and which fields a satisfied rule used. Kept as
/// bits so that collecting it costs nothing; turned into the contract's `because` strings at the end.
public struct Evidence: Sendable, Equatable {
    public var findings = CodeSet<Finding>()
    public var context = CodeSet<ContextCode>()
    public var conditions = CodeSet<Condition>()
    public var medications = CodeSet<Medication>()
    public var muscles = CodeSet<Muscle>()
    public var onset = false
    public var age = false
    public var episodes = false
    public var duration = false

    public init() {}

    public var isEmpty: Bool {
        findings.isEmpty && context.isEmpty && conditions.isEmpty && medications.isEmpty && muscles.isEmpty
            && !onset && !age && !episodes && !duration
    }

    public mutating func formUnion(_ other: Evidence) {
        findings.bits |= other.findings.bits
        context.bits |= other.context.bits
        conditions.bits |= other.conditions.bits
        medications.bits |= other.medications.bits
        muscles.bits |= other.muscles.bits
        onset = onset || other.onset
        age = age || other.age
        episodes = episodes || other.episodes
        duration = duration || other.duration
    }

    /// The contract's `because`: request codes first (findings, context, conditions, medicines,
    /// onset, muscles), then the field names.
    public func codes(onset value: Onset?) -> [String] {
        var out: [String] = []
        out.reserveCapacity(findings.count + context.count + conditions.count + medications.count + 4)
        for code in findings { out.append(code.rawValue) }
        for code in context { out.append(code.rawValue) }
        for code in conditions { out.append(code.rawValue) }
        for code in medications { out.append(code.rawValue) }
        if onset, let value { out.append(value.rawValue) }
        for code in muscles { out.append(code.rawValue) }
        if age { out.append("age") }
        if episodes { out.append("episodesLast30Days") }
        if duration { out.append("durationMinutes") }
        return out
    }
}

/// A rule's condition compiled from the knowledge base into a flat node list: a node's children
/// are a range of `children`, so evaluating touches no reference-counted payloads.
public struct Predicate: Sendable {
    enum Node: Sendable {
        case all(start: Int32, count: Int32)
        case any(start: Int32, count: Int32)
        case not(Int32)
        case findings(UInt64)
        case context(UInt64)
        case conditions(UInt64)
        case medications(UInt64)
        case onset(UInt64)
        case muscles(UInt64)
        case side(UInt64)
        case sideMaybeOneSided
        case namedMuscle
        case ageAtLeast(Int)
        case ageBelow(Int)
        case episodesAtLeast(Int)
        case durationOver(Double)
        case durationAtMost(Double)
        /// None of these answers was given. It is the one leaf that an added input can make false,
        /// so a rule may use it only under a catalogue exception (`SafetyRequirement.Lowering`).
        case unanswered(UInt64)
    }

    let nodes: [Node]
    let children: [Int32]
    let root: Int32

    init(nodes: [Node], children: [Int32], root: Int32) {
        self.nodes = nodes
        self.children = children
        self.root = root
    }

    /// Whether it holds, and if so which inputs made it hold.
    public func evaluate(_ facts: Facts) -> Evidence? {
        var evidence = Evidence()
        let holds = nodes.withUnsafeBufferPointer { nodes in
            children.withUnsafeBufferPointer { children in
                Self.eval(root, nodes, children, facts, &evidence)
            }
        }
        return holds ? evidence : nil
    }

    public func holds(_ facts: Facts) -> Bool { evaluate(facts) != nil }

    /// The codes it can be satisfied by (those under a `not` are left out): what "points to" it.
    public var pointers: Facts {
        var facts = Facts(age: 0, durationMinutes: 0)
        collect(root, &facts)
        return facts
    }

    private func collect(_ index: Int32, _ facts: inout Facts) {
        switch nodes[Int(index)] {
        case .all(let start, let count), .any(let start, let count):
            for offset in 0..<Int(count) { collect(children[Int(start) + offset], &facts) }
        case .findings(let mask): facts.findings.bits |= mask
        case .context(let mask): facts.context.bits |= mask
        case .conditions(let mask): facts.conditions.bits |= mask
        case .medications(let mask): facts.medications.bits |= mask
        case .ageAtLeast, .ageBelow: facts.age = 1
        default: break
        }
    }

    /// True when no `not` or `unanswered` appears: adding inputs can then never make it false.
    public var isMonotone: Bool {
        !nodes.contains {
            switch $0 {
            case .not, .unanswered: return true
            default: return false
            }
        }
    }

    /// True when a `not` appears (red-flag rules may not use one).
    public var usesNot: Bool {
        nodes.contains { if case .not = $0 { return true } else { return false } }
    }

    /// The findings whose answer can make it false (those of its `unanswered` leaves).
    public var lowerableBy: CodeSet<Finding> {
        var bits: UInt64 = 0
        for case .unanswered(let mask) in nodes { bits |= mask }
        return CodeSet(bits: bits)
    }

    static func eval(
        _ index: Int32, _ nodes: UnsafeBufferPointer<Node>, _ children: UnsafeBufferPointer<Int32>,
        _ facts: Facts, _ evidence: inout Evidence
    ) -> Bool {
        switch nodes[Int(index)] {
        case .all(let start, let count):
            var collected = Evidence()
            for offset in 0..<Int(count) where !eval(children[Int(start) + offset], nodes, children, facts, &collected) {
                return false
            }
            evidence.formUnion(collected)
            return true
        case .any(let start, let count):
            var matched = false
            for offset in 0..<Int(count) where eval(children[Int(start) + offset], nodes, children, facts, &evidence) {
                matched = true
            }
            return matched
        case .not(let child):
            var ignored = Evidence()
            return !eval(child, nodes, children, facts, &ignored)
        case .findings(let mask):
            let hit = facts.findings.bits & mask
            evidence.findings.bits |= hit
            return hit != 0
        case .context(let mask):
            let hit = facts.context.bits & mask
            evidence.context.bits |= hit
            return hit != 0
        case .conditions(let mask):
            let hit = facts.conditions.bits & mask
            evidence.conditions.bits |= hit
            return hit != 0
        case .medications(let mask):
            let hit = facts.medications.bits & mask
            evidence.medications.bits |= hit
            return hit != 0
        case .onset(let mask):
            guard let onset = facts.onset, onset.bit & mask != 0 else { return false }
            evidence.onset = true
            return true
        case .muscles(let mask):
            let hit = facts.muscles.bits & mask
            evidence.muscles.bits |= hit
            return hit != 0
        case .side(let mask):
            guard let side = facts.side else { return false }
            return side.bit & mask != 0
        case .sideMaybeOneSided:
            // A missing side counts as possibly one-sided: the safe reading.
            return facts.side != .both
        case .namedMuscle:
            let named = facts.muscles.bits & ~Muscle.unsure.bit
            evidence.muscles.bits |= named
            return named != 0
        case .ageAtLeast(let years):
            guard facts.age >= years else { return false }
            evidence.age = true
            return true
        case .ageBelow(let years):
            guard facts.age < years else { return false }
            evidence.age = true
            return true
        case .episodesAtLeast(let count):
            guard let episodes = facts.episodesLast30Days, episodes >= count else { return false }
            evidence.episodes = true
            return true
        case .durationOver(let minutes):
            guard facts.durationMinutes > minutes else { return false }
            evidence.duration = true
            return true
        case .durationAtMost(let minutes):
            guard facts.durationMinutes <= minutes else { return false }
            evidence.duration = true
            return true
        case .unanswered(let mask):
            return facts.findings.bits & mask == 0
        }
    }

    /// Whether it holds whatever the questions not yet answered turn out to be: an interview uses
    /// it to stop as soon as the answers so far make a rule certain. Kleene's three-valued logic:
    /// an unasked answer is unknown, `all` is false on any false, `any` is true on any true.
    public func holdsForCertain(_ facts: Facts, known: KnownAnswers) -> Bool {
        nodes.withUnsafeBufferPointer { nodes in
            children.withUnsafeBufferPointer { children in
                Self.truth(root, nodes, children, facts, known) == .yes
            }
        }
    }

    /// Whether its value is already fixed by the answers so far, whatever the rest turn out to be
    /// (three-valued: true or false for certain).
    public func isSettled(_ facts: Facts, known: KnownAnswers) -> Bool {
        nodes.withUnsafeBufferPointer { nodes in
            children.withUnsafeBufferPointer { children in
                Self.truth(root, nodes, children, facts, known) != .unknown
            }
        }
    }

    /// Whether it reads any of these inputs: an answer to a question about them can change it.
    public func reads(_ inputs: Inputs) -> Bool {
        nodes.contains { node in
            switch node {
            case .all, .any, .not: return false
            case .findings(let mask), .unanswered(let mask): return mask & inputs.findings.bits != 0
            case .context(let mask): return mask & inputs.context.bits != 0
            case .conditions(let mask): return mask & inputs.conditions.bits != 0
            case .medications(let mask): return mask & inputs.medications.bits != 0
            case .onset: return inputs.fields.contains(.onset)
            case .muscles, .namedMuscle: return inputs.fields.contains(.muscles)
            case .side, .sideMaybeOneSided: return inputs.fields.contains(.side)
            case .ageAtLeast, .ageBelow: return inputs.fields.contains(.age)
            case .episodesAtLeast: return inputs.fields.contains(.episodes)
            case .durationOver, .durationAtMost: return inputs.fields.contains(.duration)
            }
        }
    }

    /// Inputs a question asks about: codes, and fields that hold one value.
    public struct Inputs: Sendable, Equatable {
        public var findings = CodeSet<Finding>()
        public var context = CodeSet<ContextCode>()
        public var conditions = CodeSet<Condition>()
        public var medications = CodeSet<Medication>()
        public var fields: KnownAnswers.Fields = []

        public init() {}
    }

    enum Truth { case yes, no, unknown }

    static func truth(
        _ index: Int32, _ nodes: UnsafeBufferPointer<Node>, _ children: UnsafeBufferPointer<Int32>,
        _ facts: Facts, _ known: KnownAnswers
    ) -> Truth {
        func answered(_ field: KnownAnswers.Fields) -> Truth {
            guard known.fields.contains(field) else { return .unknown }
            var ignored = Evidence()
            return eval(index, nodes, children, facts, &ignored) ? .yes : .no
        }
        func codes(_ hit: UInt64, _ field: KnownAnswers.Fields) -> Truth {
            hit != 0 ? .yes : known.fields.contains(field) ? .no : .unknown
        }
        switch nodes[Int(index)] {
        case .all(let start, let count):
            var result = Truth.yes
            for offset in 0..<Int(count) {
                switch truth(children[Int(start) + offset], nodes, children, facts, known) {
                case .no: return .no
                case .unknown: result = .unknown
                case .yes: break
                }
            }
            return result
        case .any(let start, let count):
            var result = Truth.no
            for offset in 0..<Int(count) {
                switch truth(children[Int(start) + offset], nodes, children, facts, known) {
                case .yes: return .yes
                case .unknown: result = .unknown
                case .no: break
                }
            }
            return result
        case .not(let child):
            switch truth(child, nodes, children, facts, known) {
            case .yes: return .no
            case .no: return .yes
            case .unknown: return .unknown
            }
        case .findings(let mask):
            // False only when every sign it names was answered "no".
            if facts.findings.bits & mask != 0 { return .yes }
            return mask & ~known.deniedFindings.bits == 0 ? .no : .unknown
        case .context(let mask): return codes(facts.context.bits & mask, .context)
        case .conditions(let mask): return codes(facts.conditions.bits & mask, .conditions)
        case .medications(let mask): return codes(facts.medications.bits & mask, .medications)
        // Muscles always hold a value (an unasked one is a placeholder): only an answer counts.
        case .muscles, .namedMuscle: return answered(.muscles)
        case .onset: return answered(.onset)
        case .side, .sideMaybeOneSided: return answered(.side)
        case .ageAtLeast, .ageBelow: return answered(.age)
        case .episodesAtLeast: return answered(.episodes)
        case .durationOver, .durationAtMost: return answered(.duration)
        case .unanswered(let mask):
            // Given: false. Every one denied: true (a "no" is an answer that does not lower).
            if facts.findings.bits & mask != 0 { return .no }
            return mask & ~known.deniedFindings.bits == 0 ? .yes : .unknown
        }
    }

    /// Facts that make the predicate hold, built from its first choices; nil when that fails.
    /// Loading uses it to prove that every rule can fire.
    public func witness() -> Facts? {
        var facts = Facts(age: 40, durationMinutes: 2)
        build(root, &facts)
        return holds(facts) ? facts : nil
    }

    private func build(_ index: Int32, _ facts: inout Facts) {
        func lowest(_ mask: UInt64) -> UInt64 { mask & (~mask &+ 1) }
        switch nodes[Int(index)] {
        case .all(let start, let count):
            for offset in 0..<Int(count) { build(children[Int(start) + offset], &facts) }
        case .any(let start, let count): if count > 0 { build(children[Int(start)], &facts) }
        case .not: break
        case .findings(let mask): facts.findings.bits |= lowest(mask)
        case .context(let mask): facts.context.bits |= lowest(mask)
        case .conditions(let mask): facts.conditions.bits |= lowest(mask)
        case .medications(let mask): facts.medications.bits |= lowest(mask)
        case .onset(let mask): facts.onset = Onset.table.all[lowest(mask).trailingZeroBitCount]
        case .muscles(let mask): facts.muscles.bits |= lowest(mask)
        case .side(let mask): facts.side = Side.table.all[lowest(mask).trailingZeroBitCount]
        case .sideMaybeOneSided: if facts.side == .both { facts.side = nil }
        case .namedMuscle: facts.muscles.insert(.calf)
        case .ageAtLeast(let years): facts.age = max(facts.age, years)
        case .ageBelow(let years): facts.age = min(facts.age, years - 1)
        case .episodesAtLeast(let count): facts.episodesLast30Days = max(facts.episodesLast30Days ?? 0, count)
        case .durationOver(let minutes): facts.durationMinutes = max(facts.durationMinutes, minutes + 1)
        case .durationAtMost(let minutes): facts.durationMinutes = min(facts.durationMinutes, minutes)
        case .unanswered: break
        }
    }
}

/// Many predicates merged into one node list, so an engine can evaluate all of them over two
/// contiguous buffers. `add` returns the id to evaluate it by.
public struct RuleProgram: Sendable {
    private var nodes: [Predicate.Node] = []
    private var children: [Int32] = []

    public init() {}

    public mutating func add(_ predicate: Predicate) -> Int32 {
        let nodeOffset = Int32(nodes.count)
        let childOffset = Int32(children.count)
        for node in predicate.nodes {
            switch node {
            case .all(let start, let count): nodes.append(.all(start: start + childOffset, count: count))
            case .any(let start, let count): nodes.append(.any(start: start + childOffset, count: count))
            case .not(let child): nodes.append(.not(child + nodeOffset))
            default: nodes.append(node)
            }
        }
        children.append(contentsOf: predicate.children.map { $0 + nodeOffset })
        return predicate.root + nodeOffset
    }

    /// Runs `body` with an evaluator over this program's buffers.
    public func withEvaluator<Result>(_ body: (Evaluator) -> Result) -> Result {
        nodes.withUnsafeBufferPointer { nodes in
            children.withUnsafeBufferPointer { children in
                body(Evaluator(nodes: nodes, children: children))
            }
        }
    }

    public struct Evaluator {
        let nodes: UnsafeBufferPointer<Predicate.Node>
        let children: UnsafeBufferPointer<Int32>

        @inline(__always)
        public func evaluate(_ id: Int32, _ facts: Facts) -> Evidence? {
            var evidence = Evidence()
            return Predicate.eval(id, nodes, children, facts, &evidence) ? evidence : nil
        }

        @inline(__always)
        public func holds(_ id: Int32, _ facts: Facts) -> Bool {
            var evidence = Evidence()
            return Predicate.eval(id, nodes, children, facts, &evidence)
        }
    }
}
