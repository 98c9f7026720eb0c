import CrampJSON

extension KnowledgeLoader {
    /// The diary's see-a-doctor patterns (`patterns.json`), none below the rule it follows.
    func patterns(rules ruleList: [RedFlagRule]) throws(KnowledgeError) -> [DiaryPattern] {
        var patternList: [DiaryPattern] = []
        for node in try document("patterns.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "rule", "level", "title", "explanation", "advice", "sources", "reviewed"])
            let id = try item.field("id").string()
            guard let kind = DiaryPattern.Kind(rawValue: id) else {
                throw item.fail(
                    "\"\(id)\" is not a pattern the insights look for; known: \(DiaryPattern.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let levelText = try item.field("level").string()
            guard let level = Triage(rawValue: levelText), level != .emergency, level != .selfCare else {
                throw item.fail("level is \"soon\" or \"urgent\"")
            }
            let ruleID = try item.optional("rule")?.string()
            if let ruleID {
                // A pattern never asks for less than the assessment's rule for the same signs.
                guard let rule = ruleList.first(where: { $0.id == ruleID }) else { throw item.fail("follows the unknown rule \"\(ruleID)\"") }
                guard level >= rule.level else { throw item.fail("is \(level.rawValue), below its rule \(ruleID)'s \(rule.level.rawValue)") }
            }
            guard !patternList.contains(where: { $0.kind == kind }) else { throw item.fail("the id \"\(id)\" is used twice") }
            patternList.append(
                DiaryPattern(
                    kind: kind, rule: ruleID, level: level, title: try item.field("title").string(),
                    explanation: try item.field("explanation").string(), advice: try item.field("advice").string(),
                    sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        for kind in DiaryPattern.Kind.allCases where !patternList.contains(where: { $0.kind == kind }) {
            throw KnowledgeError(file: "patterns.json", item: "patterns", problem: "the pattern \"\(kind.rawValue)\" has no entry")
        }
        return patternList
    }
}
