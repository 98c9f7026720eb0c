import CrampJSON

extension KnowledgeLoader {
    /// Questions people ask (`faq.json`).
    func questions() throws(KnowledgeError) -> [Question] {
        var questionList: [Question] = []
        for node in try document("faq.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "question", "keywords", "answer", "sources", "reviewed"])
            questionList.append(
                Question(
                    id: try item.field("id").string(), question: try item.field("question").string(),
                    keywords: try item.field("keywords").strings(), answer: try item.field("answer").string(),
                    sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        return questionList
    }

    /// Medical words in plain words (`glossary.json`).
    func glossary() throws(KnowledgeError) -> [GlossaryEntry] {
        var glossaryList: [GlossaryEntry] = []
        for node in try document("glossary.json").array() {
            let item = Node(value: node.value, file: node.file, path: "\(node.path) (\(node.value["term"]?.stringValue ?? "?"))")
            try item.expectKeys(["term", "forms", "plain", "reviewed"])
            glossaryList.append(
                GlossaryEntry(
                    term: try item.field("term").string(), forms: try item.field("forms").strings(),
                    plain: try item.field("plain").string(), reviewed: try item.reviewed()))
        }
        return glossaryList
    }

    /// Generic and brand names to medicine codes (`medicines.json`).
    func medicineNames() throws(KnowledgeError) -> [String: Medication] {
        let medicinesNode = try document("medicines.json")
        try medicinesNode.expectKeys(["names", "sources", "reviewed"])
        _ = try medicinesNode.reviewed()
        _ = try sourceList(medicinesNode)
        var names: [String: Medication] = [:]
        for (key, node) in try medicinesNode.field("names").members() {
            guard let medication = Medication.table.code(key) else {
                throw node.fail("unknown medicine code \"\(key)\"; accepted: \(Medication.table.accepted)")
            }
            for name in try node.strings() {
                let lower = name.lowercased()
                if let earlier = names[lower], earlier != medication {
                    throw node.fail("the name \"\(name)\" is mapped to both \(earlier.rawValue) and \(medication.rawValue)")
                }
                names[lower] = medication
            }
        }
        return names
    }

    /// Emergency numbers by region, and the default (`regions.json`).
    func emergencyNumbers() throws(KnowledgeError) -> (EmergencyNumbers, [String: EmergencyNumbers]) {
        let regionsNode = try document("regions.json")
        try regionsNode.expectKeys(["default", "regions", "sources", "reviewed"])
        _ = try regionsNode.reviewed()
        _ = try sourceList(regionsNode)
        func numbers(_ node: Node) throws(KnowledgeError) -> EmergencyNumbers {
            EmergencyNumbers(
                emergency: try node.field("emergency").string(), urgent: try node.optional("urgent")?.string(),
                note: try node.optional("note")?.string())
        }
        let fallback = try regionsNode.field("default")
        try fallback.expectKeys(["emergency", "note"])
        let defaultNumbers = try numbers(fallback)
        var byRegion: [String: EmergencyNumbers] = [:]
        for node in try regionsNode.field("regions").array() {
            try node.expectKeys(["codes", "emergency", "urgent"])
            let entry = try numbers(node)
            for code in try node.field("codes").strings() {
                guard byRegion[code.uppercased()] == nil else { throw node.fail("the region \"\(code)\" appears twice") }
                byRegion[code.uppercased()] = entry
            }
        }
        return (defaultNumbers, byRegion)
    }

    /// Words that mean the same for search (`synonyms.json`).
    func synonyms() throws(KnowledgeError) -> [String: String] {
        let synonymsNode = try document("synonyms.json")
        try synonymsNode.expectKeys(["groups", "reviewed"])
        _ = try synonymsNode.reviewed()
        var synonymMap: [String: String] = [:]
        for group in try synonymsNode.field("groups").array() {
            let words = try group.strings().map { $0.lowercased() }
            guard let head = words.first else { throw group.fail("a synonym group is empty") }
            for word in words {
                if let earlier = synonymMap[word], earlier != head {
                    throw group.fail("\"\(word)\" is in two groups (\(earlier) and \(head))")
                }
                synonymMap[word] = head
            }
        }
        return synonymMap
    }
}

extension KnowledgeBase {
    /// "Publisher: title" for each source id, as every page and report names them.
    public func sourceNames(_ ids: [String]) -> [String] {
        ids.map { id in sources[id].map { "\($0.publisher): \($0.title)" } ?? id }
    }
}
