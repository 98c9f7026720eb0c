import CrampJSON

extension KnowledgeLoader {
    /// Relief steps (`relief.json`): a stretch for every muscle, and something while waiting for
    /// emergency care.
    func relief() throws(KnowledgeError) -> [ReliefItem] {
        var reliefList: [ReliefItem] = []
        for node in try document("relief.json").array() {
            let item = node.labelled()
            try item.expectKeys([
                "id", "technique", "muscles", "title", "steps", "holdSeconds", "repeats", "safeUpTo", "onlyFrom",
                "indications", "contraindications", "adjustments", "drawing", "sources", "reviewed",
            ])
            let steps = try item.field("steps").strings()
            guard !steps.isEmpty else { throw item.fail("needs at least one step") }
            let hold = try item.optional("holdSeconds")?.int()
            if let hold, !(15...30).contains(hold) { throw item.fail("a stretch is held 15 to 30 seconds, found \(hold)") }
            let relief = ReliefItem(
                index: reliefList.count, id: try item.field("id").string(),
                technique: try item.field("technique").code(ReliefTechnique.self, what: "technique"),
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
        return reliefList
    }

    /// What to avoid (`cautions.json`).
    func cautions() throws(KnowledgeError) -> [Caution] {
        var cautionList: [Caution] = []
        for node in try document("cautions.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "title", "text", "sources", "reviewed"])
            cautionList.append(
                Caution(
                    id: try item.field("id").string(), title: try item.field("title").string(),
                    text: try item.field("text").string(), sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        return cautionList
    }

    /// Prevention (`prevention.json`): every factor answered by something.
    func prevention(factors factorList: [Factor]) throws(KnowledgeError) -> [PreventionItem] {
        var preventionList: [PreventionItem] = []
        for node in try document("prevention.json").array() {
            let item = node.labelled()
            try item.expectKeys([
                "id", "kind", "title", "muscles", "answers", "why", "steps", "sets", "progression", "gentler",
                "indications", "contraindications", "adjustments", "reminder", "everyPlan", "sources", "reviewed",
            ])
            var reminder: PlanReminder?
            if let node = try item.optional("reminder") {
                try node.expectKeys(["days", "at", "minutes"])
                var days: [PlanReminder.Weekday] = []
                for text in try node.optional("days")?.strings() ?? [] {
                    guard let day = PlanReminder.Weekday(rawValue: text) else {
                        throw node.fail("\"\(text)\" is not a weekday; accepted: mo, tu, we, th, fr, sa, su")
                    }
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
                index: preventionList.count, id: try item.field("id").string(), kind: kind, title: try item.field("title").string(),
                muscles: try muscleSet(item),
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
        return preventionList
    }

    /// "Get help if" (`safetynet.json`): something that applies to everyone.
    func safetyNet(rules ruleList: [RedFlagRule]) throws(KnowledgeError) -> [SafetyNetItem] {
        var netList: [SafetyNetItem] = []
        for node in try document("safetynet.json").array() {
            let item = node.labelled()
            try item.expectKeys(["id", "when", "unless", "priority", "upTo", "advice", "sources", "reviewed"])
            let id = try item.field("id").string()
            guard AlternativeID(rawValue: id) != nil || ruleList.contains(where: { $0.id == id }) else {
                throw item.fail("\"\(id)\" is neither an alternative nor a red-flag rule")
            }
            netList.append(
                SafetyNetItem(
                    index: netList.count, id: id, when: try item.optional("when").map { node throws(KnowledgeError) in try compiler.compile(node) },
                    unless: try item.optional("unless").map { node throws(KnowledgeError) in try compiler.compile(node) },
                    priority: try item.field("priority").int(), upTo: try item.optional("upTo")?.code(Triage.self, what: "level") ?? .emergency,
                    advice: try item.field("advice").string(),
                    sources: try sourceList(item), reviewed: try item.reviewed()))
        }
        guard netList.contains(where: { $0.when == nil && $0.unless == nil && $0.upTo == .emergency }) else {
            throw KnowledgeError(file: "safetynet.json", item: "safety net", problem: "no item applies to everyone, so a safety net could be empty")
        }
        return netList
    }
}
