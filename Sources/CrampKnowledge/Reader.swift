import CrampJSON

/// Why the knowledge base could not be loaded: the file, the item and what is wrong.
public struct KnowledgeError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let item: String
    public let problem: String

    public var description: String { "knowledge base \(file): \(item): \(problem)" }
}

/// A position in a knowledge file while it is read, so every error can say where it is.
struct Node {
    let value: JSONValue
    let file: String
    let path: String

    func fail(_ problem: String) -> KnowledgeError {
        KnowledgeError(file: file, item: path.isEmpty ? "top level" : path, problem: problem)
    }

    /// Rejects members nobody reads: a misspelt key would otherwise vanish silently.
    func expectKeys(_ allowed: Set<String>) throws(KnowledgeError) {
        guard case .object(let members) = value else { throw fail("expected an object, found \(value.typeName)") }
        for member in members where !allowed.contains(member.key) {
            throw fail("unknown member \"\(member.key)\"; expected one of: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func optional(_ key: String) throws(KnowledgeError) -> Node? {
        guard case .object = value else { throw fail("expected an object, found \(value.typeName)") }
        guard let found = value[key], found != .null else { return nil }
        return Node(value: found, file: file, path: child(key))
    }

    func field(_ key: String) throws(KnowledgeError) -> Node {
        guard let node = try optional(key) else { throw fail("the member \"\(key)\" is missing") }
        return node
    }

    func string() throws(KnowledgeError) -> String {
        guard case .string(let text) = value else { throw fail("expected a string, found \(value.typeName)") }
        guard !text.trimmingWhitespace.isEmpty else { throw fail("the text is empty") }
        return text
    }

    func double() throws(KnowledgeError) -> Double {
        guard case .number(let number, _) = value else { throw fail("expected a number, found \(value.typeName)") }
        return number
    }

    func int() throws(KnowledgeError) -> Int {
        let number = try double()
        guard number == number.rounded(), abs(number) < 1e9 else { throw fail("expected a whole number") }
        return Int(number)
    }

    func bool() throws(KnowledgeError) -> Bool {
        guard case .bool(let flag) = value else { throw fail("expected true or false, found \(value.typeName)") }
        return flag
    }

    func array() throws(KnowledgeError) -> [Node] {
        guard case .array(let elements) = value else { throw fail("expected an array, found \(value.typeName)") }
        return elements.enumerated().map { Node(value: $1, file: file, path: "\(path)[\($0)]") }
    }

    func members() throws(KnowledgeError) -> [(key: String, node: Node)] {
        guard case .object(let members) = value else { throw fail("expected an object, found \(value.typeName)") }
        return members.map { ($0.key, Node(value: $0.value, file: file, path: child($0.key))) }
    }

    func strings() throws(KnowledgeError) -> [String] {
        var out: [String] = []
        for element in try array() { out.append(try element.string()) }
        return out
    }

    /// One string or a list of strings (a rule leaf may name one code or any of several).
    func oneOrMany() throws(KnowledgeError) -> [String] {
        if case .string = value { return [try string()] }
        let list = try strings()
        guard !list.isEmpty else { throw fail("the list is empty") }
        return list
    }

    func code<Code: CodeList>(_: Code.Type, what: String) throws(KnowledgeError) -> Code {
        let text = try string()
        guard let code = Code.table.code(text) else {
            throw fail("unknown \(what) \"\(text)\"; accepted: \(Code.table.accepted)")
        }
        return code
    }

    /// The date an item was last reviewed, as an ISO date.
    func reviewed() throws(KnowledgeError) -> String {
        let date = try field("reviewed").string()
        let parts = date.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { throw fail("reviewed must be a date as YYYY-MM-DD, found \"\(date)\"") }
        return date
    }

    /// A label for messages: the item's id when it has one.
    var label: String {
        if case .object = value, let id = value["id"]?.stringValue ?? value["code"]?.stringValue {
            return "\(path) (\(id))"
        }
        return path
    }

    func labelled() -> Node { Node(value: value, file: file, path: label) }
}

extension String {
    var trimmingWhitespace: Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }
}

/// Compiles rule conditions from their JSON form, resolving named groups.
struct PredicateCompiler {
    let groups: [String: Node]
    private(set) var nodes: [Predicate.Node] = []
    private var children: [Int32] = []
    private var resolving: [String] = []

    init(groups: [String: Node]) {
        self.groups = groups
    }

    mutating func compile(_ node: Node) throws(KnowledgeError) -> Predicate {
        nodes = []
        children = []
        let root = try add(node)
        return Predicate(nodes: nodes, children: children, root: Int32(root))
    }

    private mutating func append(_ node: Predicate.Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    private func mask<Code: CodeList>(_ node: Node, _: Code.Type, what: String) throws(KnowledgeError) -> UInt64 {
        var bits: UInt64 = 0
        for text in try node.oneOrMany() {
            guard let code = Code.table.code(text) else {
                throw node.fail("unknown \(what) \"\(text)\"; accepted: \(Code.table.accepted)")
            }
            bits |= code.bit
        }
        return bits
    }

    private mutating func add(_ node: Node) throws(KnowledgeError) -> Int {
        let members = try node.members()
        guard members.count == 1, let (key, inner) = members.first else {
            throw node.fail(
                "a condition has exactly one member (all, any, not, ref, finding, context, condition, medication, onset, muscle, side, sideMaybeOneSided, namedMuscle, ageAtLeast, ageBelow, episodesAtLeast, durationOver, durationAtMost, unanswered)"
            )
        }
        switch key {
        case "all", "any":
            var children: [Int] = []
            let elements = try inner.array()
            guard !elements.isEmpty else { throw inner.fail("\(key) needs at least one condition") }
            for element in elements { children.append(try add(element)) }
            let start = Int32(self.children.count)
            self.children.append(contentsOf: children.map(Int32.init))
            let count = Int32(children.count)
            return append(key == "all" ? .all(start: start, count: count) : .any(start: start, count: count))
        case "not":
            return append(.not(Int32(try add(inner))))
        case "ref":
            let name = try inner.string()
            guard let group = groups[name] else {
                throw inner.fail("unknown group \"\(name)\"; defined: \(groups.keys.sorted().joined(separator: ", "))")
            }
            guard !resolving.contains(name) else { throw inner.fail("the group \"\(name)\" refers to itself") }
            resolving.append(name)
            defer { resolving.removeLast() }
            return try add(group)
        case "finding": return append(.findings(try mask(inner, Finding.self, what: "finding")))
        case "context": return append(.context(try mask(inner, ContextCode.self, what: "context code")))
        case "condition": return append(.conditions(try mask(inner, Condition.self, what: "condition")))
        case "medication": return append(.medications(try mask(inner, Medication.self, what: "medication")))
        case "onset": return append(.onset(try mask(inner, Onset.self, what: "onset")))
        case "muscle": return append(.muscles(try mask(inner, Muscle.self, what: "muscle")))
        case "side": return append(.side(try mask(inner, Side.self, what: "side")))
        case "sideMaybeOneSided":
            guard try inner.bool() else { throw inner.fail("only true is meaningful") }
            return append(.sideMaybeOneSided)
        case "namedMuscle":
            guard try inner.bool() else { throw inner.fail("only true is meaningful") }
            return append(.namedMuscle)
        case "ageAtLeast": return append(.ageAtLeast(try inner.int()))
        case "ageBelow": return append(.ageBelow(try inner.int()))
        case "episodesAtLeast": return append(.episodesAtLeast(try inner.int()))
        case "durationOver": return append(.durationOver(try inner.double()))
        case "durationAtMost": return append(.durationAtMost(try inner.double()))
        case "unanswered": return append(.unanswered(try mask(inner, Finding.self, what: "finding")))
        default:
            throw node.fail("unknown condition \"\(key)\"")
        }
    }
}
