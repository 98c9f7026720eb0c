import CrampAssessment
import CrampKnowledge
import Hummingbird

/// What an interview page shows: the safety screen, or one question; the other answers ride
/// along hidden.
extension AssessPages {
    func assessPage(
        _ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers, errors: [(String, String)],
        request: Request, context: CrampRequestContext, seenToday: Bool = false
    ) -> Response {
        let isScreen = pageID(question) == "screen"
        let title = isScreen ? "Check my symptoms: safety questions" : "Check my symptoms: \(question.text)"
        return page(
            "assess", title: title, section: "assess",
            model: assessData(question, form: form, answers: answers, errors: errors, seenToday: seenToday),
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func assessData(
        _ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers, errors: [(String, String)], seenToday: Bool = false
    ) -> AssessPage {
        let own = ownFields(question)
        let page = pageID(question)
        var riding = form
        riding.asked.removeAll { $0 == page }  // the page adds its own
        let carried = riding.fields { own.contains($0) || ["csrf", "step", "finish"].contains($0) }.map {
            AssessPage.Carried(name: $0.name, value: $0.value)
        }
        return AssessPage(
            step: page, carried: carried, errors: View.errors(errors), heading: question.text, required: question.required, seenToday: seenToday,
            question: questionData(question, form: form, answers: answers))
    }

    /// The view data of one question's own fields.
    func questionData(_ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers) -> AssessPage.Question {
        var shown = AssessPage.Question()
        switch question.kind {
        case .screen:
            shown.isScreen = true
            shown.redFlagSteps = screenSteps(form)
        case .muscles:
            shown.isMuscles = true
            shown.muscles = View.choices(Muscle.menuOrder, chosen: form.muscle) { knowledge.muscleLabels[$0] ?? $0.rawValue }
        case .duration:
            shown.isDuration = true
            shown.durationValue = form.durationValue ?? ""
            shown.durationUnits = View.durationUnits(form.durationUnit ?? "minutes")
        case .choice(let options):
            let chosen = form.answers[question.id]
            shown.isChoice = true
            shown.name = question.id
            shown.noneLabel = "I did not try anything"
            shown.options = options.map {
                Choice(code: $0.rawValue, label: knowledge.findings[$0]?.answer ?? label($0), checked: chosen == $0.rawValue)
            }
        case .checklist(let options):
            shown.isChecklist = true
            shown.name = question.id
            shown.sections = checklistSections(question, options, chosen: form.list(question.id))
        case .side:
            shown.radios("side", View.choices(Side.allCases, chosen: form.side.map { [$0] } ?? []) { knowledge.sideLabels[$0] ?? $0.rawValue })
        case .onset:
            shown.radios("onset", View.choices(Onset.allCases, chosen: form.onset.map { [$0] } ?? []) { knowledge.onsetLabels[$0] ?? $0.rawValue })
        case .sex:
            shown.radios("sex", View.choices(Sex.allCases, chosen: form.sex.map { [$0] } ?? []) { knowledge.sexLabels[$0] ?? $0.rawValue })
        case .age:
            shown.number("age", form.age, max: 120)
        case .episodes:
            shown.number("episodesLast30Days", form.episodesLast30Days, max: 10000)
        case .severity:
            shown.number("severity", form.severity, max: 10)
        case .recent(let context, let conditions):
            shown.codeLists([
                ("context", View.choices(context, chosen: form.context) { knowledge.context[$0]?.label ?? $0.rawValue }),
                ("window", View.choices(conditions, chosen: form.window) { knowledge.conditions[$0]?.label ?? $0.rawValue }),
            ])
        case .conditions(let list):
            shown.codeLists([("condition", View.choices(list, chosen: form.condition) { knowledge.conditions[$0]?.label ?? $0.rawValue })])
        case .medications:
            shown.codeLists([
                ("medication", View.choices(Medication.allCases, chosen: form.medication) { knowledge.medications[$0]?.label ?? $0.rawValue })
            ])
        case .confirmProfile:
            shown.isProfile = true
            shown.facts = profileFacts(answers.profile)
        }
        return shown
    }

    func label(_ finding: Finding) -> String { knowledge.findings[finding]?.label ?? finding.rawValue }

    /// Every safety question, with its answer and the signs ticked under it.
    func screenSteps(_ form: InterviewForm) -> [AssessPage.ScreenStep] {
        services.interview.questions.compactMap { item in
            guard case .screen(let codes) = item.kind else { return nil }
            let id = fieldName(item)
            let value = form.answers[id]
            return AssessPage.ScreenStep(
                id: id, text: item.text, yes: value == "yes", no: value == "no", unsure: value == "unsure", many: codes.count > 1,
                signs: codes.map {
                    Choice(code: $0.rawValue, label: knowledge.findings[$0]?.question ?? label($0), checked: form.sign.contains($0.rawValue))
                })
        }
    }

    /// A checklist's options in the knowledge base's sections; a section with one-of answers
    /// (radios) offers "not sure" too.
    func checklistSections(_ question: InterviewQuestion, _ options: [Finding], chosen: [String]) -> [AssessPage.ChecklistSection] {
        var sections: [AssessPage.ChecklistSection] = []
        for finding in options {
            let title = knowledge.findings[finding]?.section ?? ""
            let radio = question.oneOf.contains(finding)
            let item = AssessPage.ChecklistItem(
                code: finding.rawValue, label: label(finding), checked: chosen.contains(finding.rawValue), type: radio ? "radio" : "checkbox")
            if let last = sections.indices.last, sections[last].title == title {
                sections[last].items.append(item)
                sections[last].hasRadio = sections[last].hasRadio || radio
            } else {
                sections.append(AssessPage.ChecklistSection(title: title, hasTitle: !title.isEmpty, items: [item], hasRadio: radio))
            }
        }
        return sections
    }

    /// The profile's facts the person is asked to confirm.
    func profileFacts(_ profile: InterviewProfile?) -> [String] {
        var facts: [String] = []
        if let age = profile?.age { facts.append("Age: \(age)") }
        if let sex = profile?.sex { facts.append("Sex: \(knowledge.sexLabels[sex] ?? sex.rawValue)") }
        let conditions = (profile?.conditions ?? []).map { knowledge.conditions[$0]?.label ?? $0.rawValue }
        facts.append("Conditions: \(conditions.isEmpty ? "none" : conditions.joined(separator: ", "))")
        let medicines = (profile?.medications ?? []).map { knowledge.medications[$0]?.label ?? $0.rawValue }
        facts.append("Medicines: \(medicines.isEmpty ? "none" : medicines.joined(separator: ", "))")
        return facts
    }
}

/// One interview page: the safety screen, or one question with the other answers carried along.
struct AssessPage: Sendable {
    struct Carried: Sendable {
        let name: String
        let value: String
    }

    struct ScreenStep: Sendable {
        let id: String
        let text: String
        let yes: Bool
        let no: Bool
        let unsure: Bool
        /// More than one sign: each is asked under the question.
        let many: Bool
        let signs: [Choice]
    }

    struct ChecklistItem: Sendable {
        let code: String
        let label: String
        let checked: Bool
        /// "radio" for a one-of answer, else "checkbox".
        let type: String
    }

    struct ChecklistSection: Sendable {
        let title: String
        let hasTitle: Bool
        var items: [ChecklistItem]
        var hasRadio: Bool
    }

    struct CodeList: Sendable {
        let name: String
        let items: [Choice]
    }

    /// The question's own fields: its kind's flag and the values that kind shows.
    struct Question: Sendable {
        var isScreen = false
        var redFlagSteps: [ScreenStep] = []
        var isMuscles = false
        var muscles: [Choice] = []
        var isDuration = false
        var durationValue = ""
        var durationUnits: [Option] = []
        var isChoice = false
        var isRadios = false
        var name = ""
        var noneLabel = ""
        var options: [Choice] = []
        var isChecklist = false
        var sections: [ChecklistSection] = []
        var isNumber = false
        var value = ""
        var max = 0
        var isCodes = false
        var lists: [CodeList] = []
        var isProfile = false
        var facts: [String] = []

        mutating func radios(_ name: String, _ options: [Choice]) {
            isRadios = true
            self.name = name
            self.options = options
        }

        mutating func number(_ name: String, _ value: String?, max: Int) {
            isNumber = true
            self.name = name
            self.value = value ?? ""
            self.max = max
        }

        mutating func codeLists(_ lists: [(name: String, items: [Choice])]) {
            isCodes = true
            self.lists = lists.map { CodeList(name: $0.name, items: $0.items) }
        }
    }

    let step: String
    let carried: [Carried]
    let errors: [FieldError]
    let heading: String
    let required: Bool
    let seenToday: Bool
    let question: Question
}
