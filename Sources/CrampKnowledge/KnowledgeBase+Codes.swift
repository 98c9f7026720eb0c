import CrampJSON

/// The request's codes with their words and questions, and the steps the interview asks them in
/// (`codes.json`).
struct CodeTables {
    let findings: [Finding: CodeInfo]
    let context: [ContextCode: CodeInfo]
    let conditions: [Condition: CodeInfo]
    let medications: [Medication: CodeInfo]
    let muscleLabels: [Muscle: String]
    let muscleButtons: [Muscle: String]
    let onsetLabels: [Onset: String]
    let sideLabels: [Side: String]
    let sexLabels: [Sex: String]
    let redFlagSteps: [QuestionStep]
    let otherSteps: [QuestionStep]
    let redFlagFindings: CodeSet<Finding>
}

extension KnowledgeLoader {
    func codes() throws(KnowledgeError) -> CodeTables {
        let codes = try document("codes.json")
        try codes.expectKeys([
            "findings", "redFlagSteps", "otherSteps", "context", "conditions", "medications",
            "muscles", "onsets", "sides", "sexes", "reviewed",
        ])
        _ = try codes.reviewed()
        let findings = try codeInfos(codes, "findings", Finding.self, questions: true)
        let context = try codeInfos(codes, "context", ContextCode.self, questions: true)
        let conditions = try codeInfos(codes, "conditions", Condition.self, questions: true)
        let medications = try codeInfos(codes, "medications", Medication.self, questions: true)
        let muscles = try codeInfos(codes, "muscles", Muscle.self, questions: false)
        let muscleLabels = muscles.mapValues(\.label)
        let muscleButtons = muscles.mapValues { $0.answer ?? $0.label }
        let onsetLabels = try codeInfos(codes, "onsets", Onset.self, questions: false).mapValues(\.label)
        let sideLabels = try codeInfos(codes, "sides", Side.self, questions: false).mapValues(\.label)
        let sexLabels = try codeInfos(codes, "sexes", Sex.self, questions: false).mapValues(\.label)
        let redFlagSteps = try steps(codes, "redFlagSteps", text: "question")
        let otherSteps = try steps(codes, "otherSteps", text: "title")
        let redFlags = try checkSteps(findings: findings, redFlagSteps: redFlagSteps, otherSteps: otherSteps)
        return CodeTables(
            findings: findings, context: context, conditions: conditions, medications: medications, muscleLabels: muscleLabels,
            muscleButtons: muscleButtons,
            onsetLabels: onsetLabels, sideLabels: sideLabels, sexLabels: sexLabels, redFlagSteps: redFlagSteps,
            otherSteps: otherSteps, redFlagFindings: redFlags)
    }

    /// One code list with its words, every code of the request's list present.
    func codeInfos<Code: CodeList>(_ codes: Node, _ key: String, _: Code.Type, questions: Bool) throws(KnowledgeError) -> [Code: CodeInfo] {
        var map: [Code: CodeInfo] = [:]
        let list = try codes.field(key)
        for node in try list.array() {
            let item = node.labelled()
            try item.expectKeys(["code", "label", "question", "step", "redFlag", "answer", "section"])
            let code = try item.field("code").code(Code.self, what: "code")
            guard map[code] == nil else { throw item.fail("the code \"\(code.rawValue)\" appears twice") }
            let question = try item.optional("question")?.string()
            if questions, question == nil { throw item.fail("the member \"question\" is missing") }
            map[code] = CodeInfo(
                code: code.rawValue, label: try item.field("label").string(), question: question,
                step: try item.optional("step")?.string(),
                isRedFlag: try item.optional("redFlag")?.bool() ?? false,
                answer: try item.optional("answer")?.string(), section: try item.optional("section")?.string())
        }
        for code in Code.allCases where map[code] == nil {
            throw list.fail("the request code \"\(code.rawValue)\" has no entry")
        }
        return map
    }

    /// The steps the interview asks in, each listed once.
    func steps(_ codes: Node, _ key: String, text: String) throws(KnowledgeError) -> [QuestionStep] {
        var out: [QuestionStep] = []
        for node in try codes.field(key).array() {
            let item = node.labelled()
            try item.expectKeys(text == "title" ? ["id", text, "kind", "oneOf"] : ["id", text])
            var kind: QuestionStep.Kind?
            if text == "title" {
                let name = try item.field("kind").string()
                guard let parsed = QuestionStep.Kind(rawValue: name) else {
                    throw item.fail("kind is \"choice\" or \"checklist\", found \"\(name)\"")
                }
                kind = parsed
            }
            var oneOf: [Finding] = []
            for node in try item.optional("oneOf")?.array() ?? [] { oneOf.append(try node.code(Finding.self, what: "finding")) }
            let step = QuestionStep(id: try item.field("id").string(), text: try item.field(text).string(), kind: kind, oneOf: oneOf)
            guard !out.contains(where: { $0.id == step.id }) else { throw item.fail("the step \"\(step.id)\" is listed twice") }
            out.append(step)
        }
        return out
    }

    /// Every finding in a step of its kind, every step asking something, choice answers worded;
    /// returns the red-flag signs.
    func checkSteps(
        findings: [Finding: CodeInfo], redFlagSteps: [QuestionStep], otherSteps: [QuestionStep]
    ) throws(KnowledgeError)
        -> CodeSet<Finding>
    {
        var redFlags = CodeSet<Finding>()
        for (finding, info) in findings {
            let item = Node(value: .null, file: "codes.json", path: "findings (\(finding.rawValue))")
            guard let step = info.step else { throw item.fail("every finding needs a step") }
            let pool = info.isRedFlag ? redFlagSteps : otherSteps
            guard pool.contains(where: { $0.id == step }) else {
                throw item.fail("step \"\(step)\" is not one of the \(info.isRedFlag ? "redFlagSteps" : "otherSteps")")
            }
            if info.isRedFlag { redFlags.insert(finding) }
        }
        for step in redFlagSteps + otherSteps {
            let isRed = redFlagSteps.contains { $0.id == step.id && $0.text == step.text }
            guard findings.values.contains(where: { $0.step == step.id && $0.isRedFlag == isRed }) else {
                throw KnowledgeError(file: "codes.json", item: "step \(step.id)", problem: "no finding is asked in this step")
            }
        }
        for step in otherSteps {
            for finding in step.oneOf where findings[finding]?.step != step.id {
                throw KnowledgeError(
                    file: "codes.json", item: "step \(step.id)", problem: "oneOf names \(finding.rawValue), which is not asked in this step")
            }
        }
        for step in otherSteps where step.kind == .choice {
            for (finding, info) in findings where info.step == step.id && info.answer == nil {
                throw KnowledgeError(
                    file: "codes.json", item: "findings (\(finding.rawValue))",
                    problem: "is an answer of the choice step \"\(step.id)\", so it needs an \"answer\" wording")
            }
        }
        return redFlags
    }
}
