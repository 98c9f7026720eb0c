import CrampJSON

/// Reads the knowledge files, one concern at a time (`KnowledgeBase+Codes.swift`,
/// `KnowledgeBase+Rules.swift` …): the parsed documents, and what every concern's reader shares —
/// the sources an item may cite and the compiler for rule conditions.
final class KnowledgeLoader {
    private let documents: [String: Node]
    /// Known once `sources()` has read them; every later item's sources are checked against them.
    var sourceMap: [String: Source] = [:]
    var compiler = PredicateCompiler(groups: [:])

    init(files: [(name: String, text: String)]) throws(KnowledgeError) {
        var documents: [String: Node] = [:]
        for (name, text) in files {
            do {
                documents[name] = Node(value: try JSONParser.parse(text), file: name, path: "")
            } catch {
                throw KnowledgeError(file: name, item: "line \(error.line), column \(error.column)", problem: error.message)
            }
        }
        let expected: Set<String> = [
            "meta.json", "sources.json", "codes.json", "rules.json", "factors.json", "alternatives.json",
            "cramp.json", "relief.json", "cautions.json", "prevention.json", "safetynet.json", "faq.json",
            "glossary.json", "medicines.json", "regions.json", "synonyms.json", "patterns.json", "requirements.json",
        ]
        for name in documents.keys where !expected.contains(name) {
            throw KnowledgeError(
                file: name, item: "file", problem: "not a known knowledge file; expected: \(expected.sorted().joined(separator: ", "))")
        }
        self.documents = documents
    }

    func document(_ name: String) throws(KnowledgeError) -> Node {
        guard let node = documents[name] else {
            throw KnowledgeError(file: name, item: "file", problem: "the file is missing from the knowledge base")
        }
        return node
    }

    func sourceList(_ item: Node) throws(KnowledgeError) -> [String] {
        let ids = try item.field("sources").strings()
        guard !ids.isEmpty else { throw item.fail("every item needs at least one source") }
        for id in ids where sourceMap[id] == nil {
            throw item.fail("unknown source \"\(id)\"; add it to sources.json")
        }
        return ids
    }

    func weighted(_ item: Node) throws(KnowledgeError) -> [WeightedEvidence] {
        var out: [WeightedEvidence] = []
        for node in try item.field("evidence").array() {
            try node.expectKeys(["when", "weight"])
            let weight = try node.field("weight").double()
            guard weight > 0, weight < 1 else { throw node.fail("a weight is between 0 and 1, found \(weight)") }
            let predicate = try compiler.compile(try node.field("when"))
            guard predicate.witness() != nil else { throw node.fail("this evidence can never hold") }
            out.append(WeightedEvidence(when: predicate, weight: weight))
        }
        guard !out.isEmpty else { throw item.fail("needs at least one piece of evidence") }
        return out
    }

    func muscleSet(_ item: Node) throws(KnowledgeError) -> CodeSet<Muscle> {
        guard let list = try item.optional("muscles") else { return CodeSet() }
        var set = CodeSet<Muscle>()
        for node in try list.array() { set.insert(try node.code(Muscle.self, what: "muscle")) }
        return set
    }
    func predicates(_ item: Node, _ key: String) throws(KnowledgeError) -> [Predicate] {
        guard let list = try item.optional(key) else { return [] }
        var out: [Predicate] = []
        for node in try list.array() { out.append(try compiler.compile(node)) }
        return out
    }
    func adjustments(_ item: Node) throws(KnowledgeError) -> [Adjustment] {
        guard let list = try item.optional("adjustments") else { return [] }
        var out: [Adjustment] = []
        for node in try list.array() {
            try node.expectKeys(["when", "caution"])
            out.append(Adjustment(when: try compiler.compile(try node.field("when")), caution: try node.field("caution").string()))
        }
        return out
    }

}
