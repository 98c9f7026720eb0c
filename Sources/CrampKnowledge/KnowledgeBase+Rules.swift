import CrampJSON

extension KnowledgeLoader {
    /// The red-flag rules and their named groups (`rules.json`); the groups become the compiler's.
    func rules() throws(KnowledgeError) -> [RedFlagRule] {
        let rulesDocument = try document("rules.json")
        try rulesDocument.expectKeys(["groups", "rules"])
        var groups: [String: Node] = [:]
        for (name, node) in try rulesDocument.field("groups").members() { groups[name] = node }
        compiler = PredicateCompiler(groups: groups)
        // Compile every group once on its own so an unused broken group still fails.
        for (_, node) in groups.sorted(by: { $0.key < $1.key }) { _ = try compiler.compile(node) }

        var ruleList: [RedFlagRule] = []
        for node in try rulesDocument.field("rules").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "level", "when", "title", "reason", "advice", "alternative", "sources", "reviewed"])
            let level = try item.field("level").code(Triage.self, what: "level")
            guard level != .selfCare else { throw item.fail("a red-flag rule's level is soon, urgent or emergency") }
            let rule = RedFlagRule(
                index: ruleList.count, id: try item.field("id").string(), level: level, when: try compiler.compile(try item.field("when")),
                title: try item.field("title").string(), reason: try item.field("reason").string(),
                advice: try item.field("advice").string(),
                alternative: try item.optional("alternative")?.code(AlternativeID.self, what: "alternative"),
                sources: try sourceList(item), reviewed: try item.reviewed())
            guard !ruleList.contains(where: { $0.id == rule.id }) else { throw item.fail("the id \"\(rule.id)\" is used twice") }
            // No reassuring answer may cancel a red flag: rules may only add up, never subtract.
            guard !rule.when.usesNot else { throw item.fail("a red-flag rule may not use \"not\"") }
            guard rule.when.witness() != nil else { throw item.fail("the rule can never fire") }
            ruleList.append(rule)
        }
        return ruleList
    }

    /// What may be behind a cramp (`factors.json`).
    func factors() throws(KnowledgeError) -> [Factor] {
        var factorList: [Factor] = []
        for node in try document("factors.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "name", "summary", "mechanism", "ageing", "evidence", "sources", "reviewed"])
            let factor = Factor(
                index: factorList.count, id: try item.field("id").string(), name: try item.field("name").string(),
                summary: try item.field("summary").string(), mechanism: try item.field("mechanism").string(),
                ageing: try item.field("ageing").string(), evidence: try weighted(item),
                sources: try sourceList(item), reviewed: try item.reviewed())
            guard !factorList.contains(where: { $0.id == factor.id }) else { throw item.fail("the id \"\(factor.id)\" is used twice") }
            factorList.append(factor)
        }
        for id in requiredFactorIDs where !factorList.contains(where: { $0.id == id }) {
            throw KnowledgeError(file: "factors.json", item: "factors", problem: "the contract's factor \"\(id)\" is missing")
        }
        return factorList
    }

    /// What else it might be (`alternatives.json`).
    func alternatives() throws(KnowledgeError) -> [Alternative] {
        var alternativeList: [Alternative] = []
        for node in try document("alternatives.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "kind", "name", "summary", "tellsApart", "evidence", "sources", "reviewed"])
            let kindText = try item.field("kind").string()
            guard let kind = AlternativeKind(rawValue: kindText) else {
                throw item.fail("kind is \"mimic\" or \"cause\", found \"\(kindText)\"")
            }
            let alternative = Alternative(
                index: alternativeList.count, id: try item.field("id").code(AlternativeID.self, what: "alternative id"), kind: kind,
                name: try item.field("name").string(), summary: try item.field("summary").string(),
                tellsApart: try item.field("tellsApart").string(), evidence: try weighted(item),
                sources: try sourceList(item), reviewed: try item.reviewed())
            guard !alternativeList.contains(where: { $0.id == alternative.id }) else {
                throw item.fail("the id \"\(alternative.id.rawValue)\" is used twice")
            }
            alternativeList.append(alternative)
        }
        for id in AlternativeID.allCases where !alternativeList.contains(where: { $0.id == id }) {
            throw KnowledgeError(file: "alternatives.json", item: "alternatives", problem: "the contract's alternative \"\(id.rawValue)\" is missing")
        }
        return alternativeList
    }
}
