import CrampJSON

/// The whole knowledge base, typed and checked. Load it once per process with `KnowledgeBase.bundled`.
public final class KnowledgeBase: Sendable {
    public let version: String
    public let reviewed: String
    public let disclaimer: String
    public let adultsOnly: String
    public let changelog: [ChangelogEntry]
    public let sources: [String: Source]
    public let sourceOrder: [String]

    public let findings: [Finding: CodeInfo]
    public let context: [ContextCode: CodeInfo]
    public let conditions: [Condition: CodeInfo]
    public let medications: [Medication: CodeInfo]
    public let muscleLabels: [Muscle: String]
    public let onsetLabels: [Onset: String]
    public let sideLabels: [Side: String]
    public let sexLabels: [Sex: String]
    public let redFlagSteps: [QuestionStep]
    public let otherSteps: [QuestionStep]
    /// The red-flag signs, in code order: asked first, and reported back when unscreened.
    public let redFlagFindings: CodeSet<Finding>

    public let rules: [RedFlagRule]
    public let factors: [Factor]
    public let alternatives: [Alternative]
    public let cramp: CrampPicture
    public let relief: [ReliefItem]
    public let cautions: [Caution]
    public let prevention: [PreventionItem]
    public let safetyNet: [SafetyNetItem]
    /// Patterns in a diary that mean "see a doctor", each as strict as the red-flag rule it follows.
    public let diaryPatterns: [DiaryPattern]
    public let questions: [Question]
    public let glossary: [GlossaryEntry]
    /// Generic and brand names (lower case) to medicine codes.
    public let medicineNames: [String: Medication]
    public let emergencyNumbers: [String: EmergencyNumbers]
    public let defaultEmergencyNumbers: EmergencyNumbers
    /// Words that mean the same for search, each mapped to its group's first word.
    public let synonyms: [String: String]
    /// The safety requirements catalogue: what the guidance says must come out.
    public let requirements: [SafetyRequirement]

    /// The knowledge base compiled into this binary, loaded and validated on first use.
    public static let bundled: Result<KnowledgeBase, KnowledgeError> = {
        do throws(KnowledgeError) {
            return .success(try KnowledgeBase(files: EmbeddedKnowledge.files))
        } catch {
            return .failure(error)
        }
    }()

    /// The bundled files as text, for tools that show or check the data itself.
    public static var bundledFiles: [(name: String, text: String)] { EmbeddedKnowledge.files }

    public func alternative(_ id: AlternativeID) -> Alternative? { alternatives.first { $0.id == id } }
    public func factor(_ id: String) -> Factor? { factors.first { $0.id == id } }
    public func rule(_ id: String) -> RedFlagRule? { rules.first { $0.id == id } }

    /// The red-flag signs a safety question covers, in code order.
    public func signs(of step: QuestionStep) -> [Finding] {
        Finding.allCases.filter { findings[$0]?.step == step.id && findings[$0]?.isRedFlag == true }
    }

    /// Loads and validates knowledge files given as (file name, JSON text).
    public init(files: [(name: String, text: String)]) throws(KnowledgeError) {
        var documents: [String: Node] = [:]
        for (name, text) in files {
            do {
                documents[name] = Node(value: try JSONParser.parse(text), file: name, path: "")
            } catch {
                throw KnowledgeError(file: name, item: "line \(error.line), column \(error.column)", problem: error.message)
            }
        }
        func document(_ name: String) throws(KnowledgeError) -> Node {
            guard let node = documents[name] else {
                throw KnowledgeError(file: name, item: "file", problem: "the file is missing from the knowledge base")
            }
            return node
        }
        let expected: Set<String> = [
            "meta.json", "sources.json", "codes.json", "rules.json", "factors.json", "alternatives.json",
            "cramp.json", "relief.json", "cautions.json", "prevention.json", "safetynet.json", "faq.json",
            "glossary.json", "medicines.json", "regions.json", "synonyms.json", "patterns.json", "requirements.json",
        ]
        for name in documents.keys where !expected.contains(name) {
            throw KnowledgeError(file: name, item: "file", problem: "not a known knowledge file; expected: \(expected.sorted().joined(separator: ", "))")
        }

        // meta
        let meta = try document("meta.json")
        try meta.expectKeys(["version", "reviewed", "disclaimer", "adultsOnly", "changelog"])
        version = try meta.field("version").string()
        reviewed = try meta.reviewed()
        disclaimer = try meta.field("disclaimer").string()
        adultsOnly = try meta.field("adultsOnly").string()
        var changes: [ChangelogEntry] = []
        for entry in try meta.field("changelog").array() {
            try entry.expectKeys(["version", "date", "changes"])
            changes.append(ChangelogEntry(version: try entry.field("version").string(),
                                          date: try entry.field("date").string(),
                                          changes: try entry.field("changes").strings()))
        }
        guard changes.first?.version == version else {
            throw meta.fail("the changelog's newest entry must be for version \(version)")
        }
        changelog = changes

        // sources
        var sourceMap: [String: Source] = [:]
        var order: [String] = []
        for node in try document("sources.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "title", "publisher", "url", "accessed", "copies"])
            var copies: [Source.Copy] = []
            for node in try item.optional("copies")?.array() ?? [] {
                try node.expectKeys(["address", "dateShown", "read"])
                let address = try node.field("address").string()
                guard address.hasPrefix("https://") || address.hasPrefix("http://") else { throw node.fail("address must be a web address") }
                copies.append(Source.Copy(address: address, dateShown: try node.field("dateShown").string(),
                                          read: try node.field("read").string()))
            }
            let source = Source(id: try item.field("id").string(), title: try item.field("title").string(),
                                publisher: try item.field("publisher").string(), url: try item.field("url").string(),
                                accessed: try item.field("accessed").string(), copies: copies)
            guard sourceMap[source.id] == nil else { throw item.fail("the id \"\(source.id)\" is used twice") }
            guard source.url.hasPrefix("https://") else { throw item.fail("url must start with https://") }
            sourceMap[source.id] = source
            order.append(source.id)
        }
        sources = sourceMap
        sourceOrder = order
        func sourceList(_ item: Node) throws(KnowledgeError) -> [String] {
            let ids = try item.field("sources").strings()
            guard !ids.isEmpty else { throw item.fail("every item needs at least one source") }
            for id in ids where sourceMap[id] == nil {
                throw item.fail("unknown source \"\(id)\"; add it to sources.json")
            }
            return ids
        }

        // codes
        let codes = try document("codes.json")
        try codes.expectKeys(["findings", "redFlagSteps", "otherSteps", "context", "conditions", "medications",
                              "muscles", "onsets", "sides", "sexes", "reviewed"])
        _ = try codes.reviewed()
        func codeInfos<Code: CodeList>(_ key: String, _: Code.Type, questions: Bool) throws(KnowledgeError) -> [Code: CodeInfo] {
            var map: [Code: CodeInfo] = [:]
            let list = try codes.field(key)
            for node in try list.array() {
                let item = node.labelled()
                try item.expectKeys(["code", "label", "question", "step", "redFlag", "answer", "section"])
                let code = try item.field("code").code(Code.self, what: "code")
                guard map[code] == nil else { throw item.fail("the code \"\(code.rawValue)\" appears twice") }
                let question = try item.optional("question")?.string()
                if questions, question == nil { throw item.fail("the member \"question\" is missing") }
                map[code] = CodeInfo(code: code.rawValue, label: try item.field("label").string(), question: question,
                                     step: try item.optional("step")?.string(),
                                     isRedFlag: try item.optional("redFlag")?.bool() ?? false,
                                     answer: try item.optional("answer")?.string(), section: try item.optional("section")?.string())
            }
            for code in Code.allCases where map[code] == nil {
                throw list.fail("the request code \"\(code.rawValue)\" has no entry")
            }
            return map
        }
        findings = try codeInfos("findings", Finding.self, questions: true)
        context = try codeInfos("context", ContextCode.self, questions: true)
        conditions = try codeInfos("conditions", Condition.self, questions: true)
        medications = try codeInfos("medications", Medication.self, questions: true)
        muscleLabels = try codeInfos("muscles", Muscle.self, questions: false).mapValues(\.label)
        onsetLabels = try codeInfos("onsets", Onset.self, questions: false).mapValues(\.label)
        sideLabels = try codeInfos("sides", Side.self, questions: false).mapValues(\.label)
        sexLabels = try codeInfos("sexes", Sex.self, questions: false).mapValues(\.label)
        func steps(_ key: String, text: String) throws(KnowledgeError) -> [QuestionStep] {
            var out: [QuestionStep] = []
            for node in try codes.field(key).array() {
                let item = node.labelled()
                try item.expectKeys(text == "title" ? ["id", text, "kind", "oneOf"] : ["id", text])
                var kind: QuestionStep.Kind?
                if text == "title" {
                    let name = try item.field("kind").string()
                    guard let parsed = QuestionStep.Kind(rawValue: name) else { throw item.fail("kind is \"choice\" or \"checklist\", found \"\(name)\"") }
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
        redFlagSteps = try steps("redFlagSteps", text: "question")
        otherSteps = try steps("otherSteps", text: "title")
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
                throw KnowledgeError(file: "codes.json", item: "step \(step.id)", problem: "oneOf names \(finding.rawValue), which is not asked in this step")
            }
        }
        for step in otherSteps where step.kind == .choice {
            for (finding, info) in findings where info.step == step.id && info.answer == nil {
                throw KnowledgeError(file: "codes.json", item: "findings (\(finding.rawValue))",
                                     problem: "is an answer of the choice step \"\(step.id)\", so it needs an \"answer\" wording")
            }
        }
        redFlagFindings = redFlags

        // rules, with their named groups
        let rulesDocument = try document("rules.json")
        try rulesDocument.expectKeys(["groups", "rules"])
        var groups: [String: Node] = [:]
        for (name, node) in try rulesDocument.field("groups").members() { groups[name] = node }
        var compiler = PredicateCompiler(groups: groups)
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
        rules = ruleList

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

        // factors
        var factorList: [Factor] = []
        for node in try document("factors.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "name", "summary", "mechanism", "ageing", "evidence", "sources", "reviewed"])
            let factor = Factor(index: factorList.count, id: try item.field("id").string(), name: try item.field("name").string(),
                                summary: try item.field("summary").string(), mechanism: try item.field("mechanism").string(),
                                ageing: try item.field("ageing").string(), evidence: try weighted(item),
                                sources: try sourceList(item), reviewed: try item.reviewed())
            guard !factorList.contains(where: { $0.id == factor.id }) else { throw item.fail("the id \"\(factor.id)\" is used twice") }
            factorList.append(factor)
        }
        for id in requiredFactorIDs where !factorList.contains(where: { $0.id == id }) {
            throw KnowledgeError(file: "factors.json", item: "factors", problem: "the contract's factor \"\(id)\" is missing")
        }
        factors = factorList

        // alternatives
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
        alternatives = alternativeList

        // the cramp picture
        let crampNode = try document("cramp.json")
        try crampNode.expectKeys(["whatIsACramp", "kneeItself", "muscles", "features", "shortEpisode", "likelyCrampThreshold",
                                  "alternativeThreshold", "factorThreshold", "sources", "reviewed"])
        _ = try crampNode.reviewed()
        let what = try crampNode.field("whatIsACramp")
        try what.expectKeys(["text", "sources"])
        var muscleInfos: [MuscleInfo] = []
        for node in try crampNode.field("muscles").array() {
            let item = node.labelled()
            try item.expectKeys(["code", "name", "where", "what", "sources", "reviewed"])
            muscleInfos.append(MuscleInfo(muscle: try item.field("code").code(Muscle.self, what: "muscle"),
                                          name: try item.field("name").string(), whereItIs: try item.field("where").string(),
                                          whatItDoes: try item.field("what").string(), sources: try sourceList(item),
                                          reviewed: try item.reviewed()))
        }
        for muscle in Muscle.allCases where muscle != .unsure && !muscleInfos.contains(where: { $0.muscle == muscle }) {
            throw crampNode.fail("the muscle \"\(muscle.rawValue)\" is not described")
        }
        var features: [CrampFeature] = []
        for node in try crampNode.field("features").array() {
            let item = node.labelled()
            try item.expectKeys(["code", "label", "weight"])
            let weight = try item.field("weight").double()
            guard weight > 0, weight < 1 else { throw item.fail("a weight is between 0 and 1") }
            features.append(CrampFeature(finding: try item.field("code").code(Finding.self, what: "finding"),
                                         label: try item.field("label").string(), weight: weight))
        }
        let short = try crampNode.field("shortEpisode")
        try short.expectKeys(["maxMinutes", "weight", "label"])
        cramp = CrampPicture(
            whatIsACramp: try what.field("text").string(), whatIsACrampSources: try sourceList(what),
            kneeItself: try crampNode.field("kneeItself").string(), muscles: muscleInfos, features: features,
            shortEpisodeMaxMinutes: try short.field("maxMinutes").double(), shortEpisodeWeight: try short.field("weight").double(),
            shortEpisodeLabel: try short.field("label").string(),
            likelyCrampThreshold: try crampNode.field("likelyCrampThreshold").double(),
            alternativeThreshold: try crampNode.field("alternativeThreshold").double(),
            factorThreshold: try crampNode.field("factorThreshold").double(), sources: try sourceList(crampNode))

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

        // relief
        var reliefList: [ReliefItem] = []
        for node in try document("relief.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "technique", "muscles", "title", "steps", "holdSeconds", "repeats", "safeUpTo", "onlyFrom",
                                 "indications", "contraindications", "adjustments", "drawing", "sources", "reviewed"])
            let steps = try item.field("steps").strings()
            guard !steps.isEmpty else { throw item.fail("needs at least one step") }
            let hold = try item.optional("holdSeconds")?.int()
            if let hold, !(15...30).contains(hold) { throw item.fail("a stretch is held 15 to 30 seconds, found \(hold)") }
            let relief = ReliefItem(
                index: reliefList.count, id: try item.field("id").string(), technique: try item.field("technique").code(ReliefTechnique.self, what: "technique"),
                muscles: try muscleSet(item), title: try item.field("title").string(), steps: steps, holdSeconds: hold,
                repeats: try item.optional("repeats")?.int(), safeUpTo: try item.field("safeUpTo").code(Triage.self, what: "level"),
                onlyFrom: try item.optional("onlyFrom")?.code(Triage.self, what: "level"),
                indications: try item.optional("indications").map { node throws(KnowledgeError) in try compiler.compile(node) },
                contraindications: try predicates(item, "contraindications"), adjustments: try adjustments(item),
                drawing: try item.optional("drawing")?.strings() ?? [], sources: try sourceList(item), reviewed: try item.reviewed())
            guard !reliefList.contains(where: { $0.id == relief.id }) else { throw item.fail("the id \"\(relief.id)\" is used twice") }
            reliefList.append(relief)
        }
        for muscle in Muscle.allCases
        where !reliefList.contains(where: { $0.technique == .stretch && $0.muscles.contains(muscle) }) {
            throw KnowledgeError(file: "relief.json", item: "relief", problem: "no stretch for the muscle \"\(muscle.rawValue)\"")
        }
        guard reliefList.contains(where: { $0.safeUpTo == .emergency && $0.indications == nil }) else {
            throw KnowledgeError(file: "relief.json", item: "relief", problem: "nothing is offered while waiting for emergency care")
        }
        relief = reliefList

        var cautionList: [Caution] = []
        for node in try document("cautions.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "title", "text", "sources", "reviewed"])
            cautionList.append(Caution(id: try item.field("id").string(), title: try item.field("title").string(),
                                       text: try item.field("text").string(), sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        cautions = cautionList

        // prevention
        var preventionList: [PreventionItem] = []
        for node in try document("prevention.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "kind", "title", "muscles", "answers", "why", "steps", "sets", "progression", "gentler",
                                 "indications", "contraindications", "adjustments", "reminder", "everyPlan", "sources", "reviewed"])
            var reminder: PlanReminder?
            if let node = try item.optional("reminder") {
                try node.expectKeys(["days", "at", "minutes"])
                var days: [PlanReminder.Weekday] = []
                for text in try node.optional("days")?.strings() ?? [] {
                    guard let day = PlanReminder.Weekday(rawValue: text) else { throw node.fail("\"\(text)\" is not a weekday; accepted: mo, tu, we, th, fr, sa, su") }
                    guard !days.contains(day) else { throw node.fail("\"\(text)\" is listed twice") }
                    days.append(day)
                }
                let atText = try node.field("at").string()
                guard let at = PlanReminder.Moment(rawValue: atText) else { throw node.fail("at is morning, midday, evening or bedtime") }
                let minutes = try node.field("minutes").int()
                guard (1...120).contains(minutes) else { throw node.fail("minutes is 1 to 120") }
                reminder = PlanReminder(days: PlanReminder.Weekday.allCases.filter(days.contains), at: at, minutes: minutes)
            }
            let kindText = try item.field("kind").string()
            guard let kind = PreventionKind(rawValue: kindText) else { throw item.fail("kind is \"habit\" or \"exercise\"") }
            let answers = try item.field("answers").strings()
            for id in answers where !factorList.contains(where: { $0.id == id }) {
                throw item.fail("answers the unknown factor \"\(id)\"")
            }
            var gentler: GentlerVariant?
            if let variant = try item.optional("gentler") {
                try variant.expectKeys(["title", "steps"])
                gentler = GentlerVariant(title: try variant.field("title").string(), steps: try variant.field("steps").strings())
            }
            if kind == .exercise, gentler == nil, try item.optional("indications") == nil {
                throw item.fail("every exercise needs a gentler variant for older adults")
            }
            let prevention = PreventionItem(
                index: preventionList.count, id: try item.field("id").string(), kind: kind, title: try item.field("title").string(), muscles: try muscleSet(item),
                answers: answers, why: try item.field("why").string(), steps: try item.field("steps").strings(),
                sets: try item.optional("sets")?.string(), progression: try item.optional("progression")?.string(), gentler: gentler,
                indications: try item.optional("indications").map { node throws(KnowledgeError) in try compiler.compile(node) },
                contraindications: try predicates(item, "contraindications"), adjustments: try adjustments(item),
                sources: try sourceList(item), reviewed: try item.reviewed(), reminder: reminder,
                inEveryPlan: try item.optional("everyPlan")?.bool() ?? false)
            guard !preventionList.contains(where: { $0.id == prevention.id }) else { throw item.fail("the id \"\(prevention.id)\" is used twice") }
            preventionList.append(prevention)
        }
        for factor in factorList where !preventionList.contains(where: { $0.answers.contains(factor.id) }) {
            throw KnowledgeError(file: "prevention.json", item: "prevention", problem: "nothing answers the factor \"\(factor.id)\"")
        }
        prevention = preventionList

        // safety net
        var netList: [SafetyNetItem] = []
        for node in try document("safetynet.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "when", "unless", "priority", "upTo", "advice", "sources", "reviewed"])
            let id = try item.field("id").string()
            guard AlternativeID(rawValue: id) != nil || ruleList.contains(where: { $0.id == id }) else {
                throw item.fail("\"\(id)\" is neither an alternative nor a red-flag rule")
            }
            netList.append(SafetyNetItem(
                index: netList.count, id: id, when: try item.optional("when").map { node throws(KnowledgeError) in try compiler.compile(node) },
                unless: try item.optional("unless").map { node throws(KnowledgeError) in try compiler.compile(node) },
                priority: try item.field("priority").int(), upTo: try item.optional("upTo")?.code(Triage.self, what: "level") ?? .emergency,
                advice: try item.field("advice").string(),
                sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        guard netList.contains(where: { $0.when == nil && $0.unless == nil && $0.upTo == .emergency }) else {
            throw KnowledgeError(file: "safetynet.json", item: "safety net", problem: "no item applies to everyone, so a safety net could be empty")
        }
        safetyNet = netList

        var patternList: [DiaryPattern] = []
        for node in try document("patterns.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "rule", "level", "title", "explanation", "advice", "sources", "reviewed"])
            let id = try item.field("id").string()
            guard let kind = DiaryPattern.Kind(rawValue: id) else {
                throw item.fail("\"\(id)\" is not a pattern the insights look for; known: \(DiaryPattern.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let levelText = try item.field("level").string()
            guard let level = Triage(rawValue: levelText), level != .emergency, level != .selfCare else { throw item.fail("level is \"soon\" or \"urgent\"") }
            let ruleID = try item.optional("rule")?.string()
            if let ruleID {
                // A pattern never asks for less than the assessment's rule for the same signs.
                guard let rule = ruleList.first(where: { $0.id == ruleID }) else { throw item.fail("follows the unknown rule \"\(ruleID)\"") }
                guard level >= rule.level else { throw item.fail("is \(level.rawValue), below its rule \(ruleID)'s \(rule.level.rawValue)") }
            }
            guard !patternList.contains(where: { $0.kind == kind }) else { throw item.fail("the id \"\(id)\" is used twice") }
            patternList.append(DiaryPattern(kind: kind, rule: ruleID, level: level, title: try item.field("title").string(),
                                            explanation: try item.field("explanation").string(), advice: try item.field("advice").string(),
                                            sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        for kind in DiaryPattern.Kind.allCases where !patternList.contains(where: { $0.kind == kind }) {
            throw KnowledgeError(file: "patterns.json", item: "patterns", problem: "the pattern \"\(kind.rawValue)\" has no entry")
        }
        diaryPatterns = patternList

        var questionList: [Question] = []
        for node in try document("faq.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "question", "keywords", "answer", "sources", "reviewed"])
            questionList.append(Question(id: try item.field("id").string(), question: try item.field("question").string(),
                                         keywords: try item.field("keywords").strings(), answer: try item.field("answer").string(),
                                         sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        questions = questionList

        var glossaryList: [GlossaryEntry] = []
        for node in try document("glossary.json").array() {
            let item = Node(value: node.value, file: node.file, path: "\(node.path) (\(node.value["term"]?.stringValue ?? "?"))")
            try item.expectKeys(["term", "forms", "plain", "reviewed"])
            glossaryList.append(GlossaryEntry(term: try item.field("term").string(), forms: try item.field("forms").strings(),
                                              plain: try item.field("plain").string(), reviewed: try item.reviewed()))
        }
        glossary = glossaryList

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
        medicineNames = names

        let regionsNode = try document("regions.json")
        try regionsNode.expectKeys(["default", "regions", "sources", "reviewed"])
        _ = try regionsNode.reviewed()
        _ = try sourceList(regionsNode)
        func numbers(_ node: Node) throws(KnowledgeError) -> EmergencyNumbers {
            EmergencyNumbers(emergency: try node.field("emergency").string(), urgent: try node.optional("urgent")?.string(),
                             note: try node.optional("note")?.string())
        }
        let fallback = try regionsNode.field("default")
        try fallback.expectKeys(["emergency", "note"])
        defaultEmergencyNumbers = try numbers(fallback)
        var byRegion: [String: EmergencyNumbers] = [:]
        for node in try regionsNode.field("regions").array() {
            try node.expectKeys(["codes", "emergency", "urgent"])
            let entry = try numbers(node)
            for code in try node.field("codes").strings() {
                guard byRegion[code.uppercased()] == nil else { throw node.fail("the region \"\(code)\" appears twice") }
                byRegion[code.uppercased()] = entry
            }
        }
        emergencyNumbers = byRegion

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
        synonyms = synonymMap

        let adviceIDs = Set(reliefList.map(\.id) + preventionList.map(\.id))
        requirements = try Self.readRequirements(try document("requirements.json"), rules: ruleList, adviceIDs: adviceIDs,
                                                 sourceList: sourceList)
        try Self.checkTrace(rules: ruleList, requirements: requirements, redFlags: redFlagFindings)
    }

    /// The region of a POSIX locale setting, the first of LC_ALL, LC_MESSAGES and LANG that is set
    /// (`en_GB.UTF-8` gives GB); nil when it names none. `environment` looks a variable up.
    public static func region(fromLocale environment: (String) -> String?) -> String? {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment(name), !value.isEmpty else { continue }
            let base = value.split(separator: ".").first.map(String.init) ?? value
            let parts = base.split(separator: "_")
            return parts.count >= 2 && parts[1].count == 2 ? String(parts[1]).uppercased() : nil
        }
        return nil
    }

    /// The emergency numbers for a region code (ISO 3166 alpha-2, or UK), else the default.
    public func emergencyNumbers(region: String?) -> EmergencyNumbers {
        guard let region else { return defaultEmergencyNumbers }
        return emergencyNumbers[region.uppercased()] ?? defaultEmergencyNumbers
    }
}
