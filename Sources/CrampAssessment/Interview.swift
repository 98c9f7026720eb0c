// Over 400 lines on purpose: the interview's step machine in one place (its questions, the
// answers so far and what the next question is), so every interface follows the same order.
public import CrampKnowledge

/// One question of the assessment interview. Every interface (the terminal, the web pages, the
/// FHIR Questionnaire) asks these, in this order, as `AssessmentInterview.next` says.
public struct InterviewQuestion: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A red-flag screening question: yes, no or not sure; after a yes, which of the signs.
        case screen([Finding])
        /// One of these findings, or none of them.
        case choice([Finding])
        /// Any of these findings, or none.
        case checklist([Finding])
        case muscles, duration, age, side, onset, episodes, sex, severity
        /// What happened in the last days and weeks, with the conditions tied to a time window
        /// (pregnancy, a recent birth): always asked, never taken from a profile.
        case recent(context: [ContextCode], conditions: [Condition])
        /// Lasting conditions and medicines.
        case conditions([Condition])
        case medications
        /// The lasting facts a profile gave (age, sex, conditions, medicines): still right?
        case confirmProfile
    }

    public let id: String
    public let text: String
    public let kind: Kind
    /// A required question cannot be skipped.
    public let required: Bool
    /// In a checklist: at most one of these may be chosen.
    public let oneOf: [Finding]

    public init(id: String, text: String, kind: Kind, required: Bool, oneOf: [Finding] = []) {
        self.id = id
        self.text = text
        self.kind = kind
        self.required = required
        self.oneOf = oneOf
    }
}

/// An answer to one question.
public enum InterviewAnswer: Sendable, Equatable {
    /// To a screening question: "no", "yes" with the signs named (none named: "yes, but not sure
    /// which"), or "not sure", which counts as yes.
    case no, yes([Finding]), notSure
    /// To a choice (at most one) or a checklist: the findings chosen; the others are denied.
    case findings([Finding])
    case muscles([Muscle]), minutes(Double), years(Int), side(Side), onset(Onset), count(Int), sex(Sex), severity(Int)
    case recent([ContextCode], [Condition])
    case conditions([Condition])
    case medications([Medication])
    /// To the profile's facts: true keeps them, false asks them again.
    case confirmed(Bool)
    case skip
}

/// An answer that does not fit its question: the question and what is accepted.
public struct InterviewError: Error, Sendable, Equatable, CustomStringConvertible {
    public let question: String
    public let problem: String

    public init(question: String, problem: String) {
        self.question = question
        self.problem = problem
    }

    public var description: String { "\(question): \(problem)" }
}

/// The lasting facts of a person's profile, offered for confirmation instead of being asked.
public struct InterviewProfile: Sendable, Equatable {
    public var age: Int?
    public var sex: Sex?
    public var conditions: [Condition]
    public var medications: [Medication]

    public init(age: Int?, sex: Sex? = nil, conditions: [Condition] = [], medications: [Medication] = []) {
        self.age = age
        self.sex = sex
        self.conditions = conditions
        self.medications = medications
    }
}

/// What the interview has been told so far. Unknown stays unknown: a request built from it uses
/// placeholders only with `asked` saying which fields are real.
public struct InterviewAnswers: Sendable, Equatable {
    public private(set) var answered: Set<String> = []
    public private(set) var present = CodeSet<Finding>()
    public private(set) var denied = CodeSet<Finding>()
    /// Screening questions answered yes (or not sure) with no sign named.
    public private(set) var unnamed: [String] = []
    public private(set) var age: Int?
    public private(set) var durationMinutes: Double?
    public private(set) var muscles: [Muscle]?
    public private(set) var side: Side?
    public private(set) var onset: Onset?
    public private(set) var episodes: Int?
    public private(set) var sex: Sex?
    public private(set) var severity: Int?
    public private(set) var context: [ContextCode]?
    public private(set) var recentConditions: [Condition]?
    public private(set) var lastingConditions: [Condition]?
    public private(set) var medications: [Medication]?
    /// The profile's facts, until confirmed or refused.
    public private(set) var profile: InterviewProfile?

    public init(profile: InterviewProfile? = nil) {
        self.profile = profile
    }

    public func hasAnswered(_ question: InterviewQuestion) -> Bool { answered.contains(question.id) }

    /// Records one answer, checking it fits the question.
    public mutating func record(_ answer: InterviewAnswer, to question: InterviewQuestion) throws(InterviewError) {
        func fail(_ problem: String) -> InterviewError { InterviewError(question: question.id, problem: problem) }
        if answer == .skip {
            guard !question.required else { throw fail("this question cannot be skipped") }
            answered.insert(question.id)
            return
        }
        if try recordSigns(answer, to: question) {
            answered.insert(question.id)
            return
        }
        switch (question.kind, answer) {
        case (.muscles, .muscles(let list)):
            guard !list.isEmpty else { throw fail("name at least one muscle, or unsure") }
            muscles = Array(CodeSet(list))
        case (.duration, .minutes(let minutes)):
            guard minutes > 0, minutes <= 10080 else { throw fail("\(minutes) minutes is outside more than 0 up to 10080 (7 days)") }
            durationMinutes = minutes
        case (.age, .years(let years)):
            guard (0...120).contains(years) else { throw fail("\(years) is outside 0 to 120") }
            age = years
        case (.side, .side(let value)): side = value
        case (.onset, .onset(let value)): onset = value
        case (.episodes, .count(let count)):
            guard (0...10000).contains(count) else { throw fail("\(count) is outside 0 to 10000") }
            episodes = count
        case (.sex, .sex(let value)): sex = value
        case (.severity, .severity(let value)):
            guard (0...10).contains(value) else { throw fail("\(value) is outside 0 to 10") }
            severity = value
        case (.recent(let codes, let windowConditions), .recent(let chosen, let conditions)):
            guard chosen.allSatisfy(codes.contains), conditions.allSatisfy(windowConditions.contains) else {
                throw fail("a code that is not one of this question's")
            }
            context = Array(CodeSet(chosen))
            recentConditions = Array(CodeSet(conditions))
        case (.conditions(let codes), .conditions(let chosen)):
            guard chosen.allSatisfy(codes.contains) else { throw fail("a condition that is not one of this question's") }
            lastingConditions = Array(CodeSet(chosen))
        case (.medications, .medications(let chosen)):
            medications = Array(CodeSet(chosen))
        case (.confirmProfile, .confirmed(let keep)):
            takeProfile(keep)
        default:
            throw fail("this answer does not fit the question")
        }
        answered.insert(question.id)
    }

    /// An answer to a safety question, a choice or a checklist: the signs it reports and those it
    /// denies. False when the question is of another kind.
    mutating func recordSigns(_ answer: InterviewAnswer, to question: InterviewQuestion) throws(InterviewError) -> Bool {
        func fail(_ problem: String) -> InterviewError { InterviewError(question: question.id, problem: problem) }
        switch (question.kind, answer) {
        case (.screen(let signs), .no):
            denied.formUnion(signs)
        case (.screen(let signs), .yes(let named)):
            guard named.allSatisfy(signs.contains) else {
                throw fail("the signs of this question are \(signs.map(\.rawValue).joined(separator: ", "))")
            }
            if named.isEmpty {
                unnamed.append(question.id)
            } else {
                present.formUnion(named)
                denied.formUnion(signs.filter { !named.contains($0) })
            }
        case (.screen, .notSure):
            unnamed.append(question.id)
        case (.choice(let options), .findings(let chosen)):
            guard chosen.count <= 1, chosen.allSatisfy(options.contains) else {
                throw fail("choose one of \(options.map(\.rawValue).joined(separator: ", ")), or none")
            }
            present.formUnion(chosen)
            denied.formUnion(options.filter { !chosen.contains($0) })
        case (.checklist(let options), .findings(let chosen)):
            guard chosen.allSatisfy(options.contains) else {
                throw fail("the accepted findings are \(options.map(\.rawValue).joined(separator: ", "))")
            }
            guard chosen.filter(question.oneOf.contains).count <= 1 else {
                throw fail("choose only one of: \(question.oneOf.map(\.rawValue).joined(separator: ", "))")
            }
            present.formUnion(chosen)
            denied.formUnion(options.filter { !chosen.contains($0) })
        default:
            return false
        }
        return true
    }

    /// The profile's lasting facts taken as answers when the person confirms them.
    mutating func takeProfile(_ keep: Bool) {
        if keep, let profile {
            age = age ?? profile.age
            sex = sex ?? profile.sex
            lastingConditions = lastingConditions ?? profile.conditions
            medications = medications ?? profile.medications
            if profile.age != nil { answered.insert("age") }
            if profile.sex != nil { answered.insert("sex") }
            answered.formUnion(["conditions", "medications"])
        }
        profile = nil
    }
}

/// What to do next: ask a question, stop with the emergency, or assess the finished request.
public enum InterviewStep: Sendable {
    case ask(InterviewQuestion)
    case emergency(AssessmentRequest, asked: KnownAnswers.Fields)
    case finished(AssessmentRequest, asked: KnownAnswers.Fields)
}

/// The assessment interview as a pure step machine: given the answers so far it gives the next
/// question, or the emergency result now, or the finished request. It knows nothing of a journal
/// or a screen; the terminal, the web pages and the FHIR Questionnaire are driven by it.
public struct AssessmentInterview: Sendable {
    public let assessor: Assessor
    /// Every question, in the order asked: the red-flag screen first, most time-critical first.
    public let questions: [InterviewQuestion]
    /// The conditions asked with the recent context (tied to a time window), never from a profile.
    public static let windowConditions: [Condition] = [.pregnancy, .afterChildbirth]

    public var knowledge: KnowledgeBase { assessor.knowledge }

    public init(assessor: Assessor) {
        self.assessor = assessor
        let kb = assessor.knowledge
        var list: [InterviewQuestion] = kb.redFlagSteps.map { step in
            InterviewQuestion(id: "screen.\(step.id)", text: step.text, kind: .screen(kb.signs(of: step)), required: true)
        }
        func findings(of step: QuestionStep) -> [Finding] { Finding.allCases.filter { kb.findings[$0]?.step == step.id } }
        list.append(InterviewQuestion(id: "muscles", text: "Which muscle cramped?", kind: .muscles, required: true))
        list.append(InterviewQuestion(id: "duration", text: "How long did it last?", kind: .duration, required: true))
        for other in kb.otherSteps {
            let kind: InterviewQuestion.Kind = other.kind == .choice ? .choice(findings(of: other)) : .checklist(findings(of: other))
            list.append(InterviewQuestion(id: other.id, text: other.text, kind: kind, required: false, oneOf: other.oneOf))
        }
        list.append(InterviewQuestion(id: "side", text: "Which side?", kind: .side, required: false))
        list.append(InterviewQuestion(id: "onset", text: "What were you doing when it started?", kind: .onset, required: false))
        list.append(
            InterviewQuestion(
                id: "episodes", text: "How many cramps have you had in the last 30 days, counting this one?", kind: .episodes, required: false))
        list.append(
            InterviewQuestion(
                id: "recent", text: "In the last days or weeks, did any of these apply?",
                kind: .recent(context: ContextCode.allCases, conditions: Self.windowConditions), required: false))
        list.append(
            InterviewQuestion(id: "profile", text: "Are these details from your profile still right?", kind: .confirmProfile, required: false))
        list.append(InterviewQuestion(id: "age", text: "How old are you?", kind: .age, required: true))
        list.append(
            InterviewQuestion(
                id: "conditions", text: "Do you have any of these conditions?",
                kind: .conditions(Condition.allCases.filter { !Self.windowConditions.contains($0) }), required: false))
        list.append(InterviewQuestion(id: "medications", text: "Do you take any of these medicines?", kind: .medications, required: false))
        list.append(InterviewQuestion(id: "sex", text: "Sex", kind: .sex, required: false))
        list.append(InterviewQuestion(id: "severity", text: "How bad was it, from 0 (no pain) to 10 (worst)?", kind: .severity, required: false))
        questions = list
    }

    public func question(_ id: String) -> InterviewQuestion? { questions.first { $0.id == id } }

    /// The answers so far as a request, with the fields that are real. Unknown fields hold
    /// placeholders that `asked` leaves out; "yes" with no sign named counts the most urgent
    /// signs, chosen together.
    public func request(_ answers: InterviewAnswers) -> (request: AssessmentRequest, asked: KnownAnswers.Fields) {
        var asked: KnownAnswers.Fields = []
        var request = AssessmentRequest(
            age: answers.age ?? 40, durationMinutes: answers.durationMinutes ?? 1,
            muscles: answers.muscles ?? [.unsure])
        if answers.age != nil { asked.insert(.age) }
        if answers.durationMinutes != nil { asked.insert(.duration) }
        if answers.muscles != nil { asked.insert(.muscles) }
        request.side = answers.side
        request.onset = answers.onset
        request.episodesLast30Days = answers.episodes
        request.sex = answers.sex
        request.severity = answers.severity
        for (field, id) in [(KnownAnswers.Fields.side, "side"), (.onset, "onset"), (.episodes, "episodes")] where answers.answered.contains(id) {
            asked.insert(field)
        }
        request.context = answers.context ?? []
        if answers.context != nil { asked.insert(.context) }
        request.conditions = Array(CodeSet((answers.lastingConditions ?? []) + (answers.recentConditions ?? [])))
        // Conditions are known only when both the lasting ones and those of a time window are.
        if answers.answered.contains("conditions"), answers.recentConditions != nil { asked.insert(.conditions) }
        request.medications = answers.medications ?? []
        if answers.answered.contains("medications") { asked.insert(.medications) }
        request.findings = Array(answers.present)
        request.negatives = Array(answers.denied)
        if !answers.unnamed.isEmpty {
            let signs = answers.unnamed.compactMap { id -> [Finding]? in
                guard case .screen(let signs)? = question(id)?.kind else { return nil }
                return signs.filter { !answers.present.contains($0) }
            }
            let chosen = assessor.mostUrgentSigns(for: signs, given: request, asked: asked)
            request.findings = Array(CodeSet(request.findings + chosen))
            request.negatives.removeAll { chosen.contains($0) }
        }
        return (request, asked)
    }

    /// The signs counted for "yes, but not sure which" answers (for saying so).
    public func countedSigns(_ answers: InterviewAnswers) -> [Finding] {
        let built = request(answers).request
        return built.findings.filter { !answers.present.contains($0) }
    }

    public func next(_ answers: InterviewAnswers) -> InterviewStep {
        let (request, asked) = request(answers)
        if assessor.isEmergencyNow(request, asked: asked) { return .emergency(request, asked: asked) }
        // Built once for every question's check: the request is the same for all of them.
        let facts = request.facts
        let known = KnownAnswers(fields: asked, deniedFindings: CodeSet(request.negatives))
        for question in questions where !answers.hasAnswered(question) {
            if case .confirmProfile = question.kind {
                if answers.profile != nil { return .ask(question) }
                continue
            }
            if question.required || mayMatter(question, facts: facts, known: known) { return .ask(question) }
        }
        return .finished(request, asked: asked)
    }

    /// The inputs an answer to this question sets.
    public func inputs(of question: InterviewQuestion) -> Predicate.Inputs {
        var inputs = Predicate.Inputs()
        switch question.kind {
        case .screen(let list), .choice(let list), .checklist(let list): inputs.findings = CodeSet(list)
        case .muscles: inputs.fields = .muscles
        case .duration: inputs.fields = .duration
        case .age: inputs.fields = .age
        case .side: inputs.fields = .side
        case .onset: inputs.fields = .onset
        case .episodes: inputs.fields = .episodes
        case .sex, .severity, .confirmProfile: break
        case .recent(let context, let conditions):
            inputs.context = CodeSet(context)
            inputs.conditions = CodeSet(conditions)
        case .conditions(let list): inputs.conditions = CodeSet(list)
        case .medications: inputs.medications = CodeSet(Medication.allCases)
        }
        return inputs
    }

    /// Whether some answer to the question, with the other unasked questions answered either way,
    /// could change the triage, the red flags, the cramp verdict, the advice, the alternatives or
    /// the factors (so every interface, asked the same, gives the same result). Read
    /// three-valued: a condition already settled by the answers so far cannot change; one still
    /// open that reads the question's inputs might. Sex and severity are read by nothing.
    func mayMatter(_ question: InterviewQuestion, facts: Facts, known: KnownAnswers) -> Bool {
        let inputs = inputs(of: question)
        func open(_ predicate: Predicate) -> Bool { predicate.reads(inputs) && !predicate.isSettled(facts, known: known) }
        let kb = knowledge
        if assessor.rules.contains(where: { open($0.when) }) { return true }
        // The advice: what rules an item out, and what brings one in.
        for item in kb.relief where item.contraindications.contains(where: open) || item.indications.map(open) == true { return true }
        for item in kb.prevention where item.contraindications.contains(where: open) || item.indications.map(open) == true { return true }
        // The verdict and the explanations: the cramp's own features, its muscles and length, the
        // alternatives' and the factors' evidence.
        if kb.cramp.features.contains(where: { inputs.findings.contains($0.finding) }) { return true }
        if !inputs.fields.intersection([.muscles, .duration]).isEmpty { return true }
        if kb.alternatives.contains(where: { $0.evidence.contains { open($0.when) } }) { return true }
        return kb.factors.contains { $0.evidence.contains { open($0.when) } }
    }
}

extension AssessmentInterview {
    /// The answer a whole request gives to a question: its codes are "yes", every other sign a
    /// question names is "no", a field it leaves out is skipped. Every interface asked the same
    /// way must reach the same result; the parity tests ask them so.
    public func answer(_ question: InterviewQuestion, from request: AssessmentRequest) -> InterviewAnswer {
        let findings = CodeSet(request.findings)
        switch question.kind {
        case .screen(let signs):
            let named = signs.filter(findings.contains)
            return named.isEmpty ? .no : .yes(named)
        case .choice(let options): return .findings(Array(options.filter(findings.contains).prefix(1)))
        case .checklist(let options): return .findings(options.filter(findings.contains))
        case .muscles: return .muscles(request.muscles)
        case .duration: return .minutes(request.durationMinutes)
        case .age: return .years(request.age)
        case .side: return request.side.map(InterviewAnswer.side) ?? .skip
        case .onset: return request.onset.map(InterviewAnswer.onset) ?? .skip
        case .episodes: return request.episodesLast30Days.map(InterviewAnswer.count) ?? .skip
        case .sex: return request.sex.map(InterviewAnswer.sex) ?? .skip
        case .severity: return request.severity.map(InterviewAnswer.severity) ?? .skip
        case .recent(let context, let conditions):
            return .recent(request.context.filter(context.contains), request.conditions.filter(conditions.contains))
        case .conditions(let list): return .conditions(request.conditions.filter(list.contains))
        case .medications: return .medications(request.medications)
        case .confirmProfile: return .confirmed(true)
        }
    }

    /// The whole interview answered from a request: the questions asked, in order, and its end.
    public func run(
        from request: AssessmentRequest, profile: InterviewProfile? = nil
    )
        -> (asked: [InterviewQuestion], answers: InterviewAnswers, end: InterviewStep)
    {
        var answers = InterviewAnswers(profile: profile)
        var asked: [InterviewQuestion] = []
        // Each step answers one more question, so this ends within the number of questions; an
        // answer that does not fit (not from a valid request) ends it on that question.
        for _ in 0...questions.count {
            let step = next(answers)
            guard case .ask(let question) = step else { return (asked, answers, step) }
            asked.append(question)
            guard (try? answers.record(answer(question, from: request), to: question)) != nil else { return (asked, answers, step) }
        }
        return (asked, answers, next(answers))
    }
}
