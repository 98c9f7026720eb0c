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
        var data = assessData(question, form: form, answers: answers, errors: errors)
        data["seenToday"] = seenToday
        return page(
            "assess", title: title, section: "assess", data,
            request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func assessData(_ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers, errors: [(String, String)]) -> [String: Any] {
        let own = ownFields(question)
        let page = pageID(question)
        var riding = form
        riding.asked.removeAll { $0 == page }  // the page adds its own
        let carried = riding.fields { own.contains($0) || ["csrf", "step", "finish"].contains($0) }.map { ["name": $0.name, "value": $0.value] }
        var data: [String: Any] = [
            "step": page, "carried": carried, "errors": View.errors(errors), "heading": question.text, "required": question.required,
        ]
        for (key, value) in questionData(question, form: form, answers: answers) { data[key] = value }
        return data
    }

    /// The view data of one question's own fields.
    func questionData(_ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers) -> [String: Any] {
        switch question.kind {
        case .screen:
            return ["isScreen": true, "heading": "Safety questions", "redFlagSteps": screenSteps(form)]
        case .muscles:
            return ["isMuscles": true, "muscles": View.choices(Muscle.allCases, chosen: form.muscle) { knowledge.muscleLabels[$0] ?? $0.rawValue }]
        case .duration:
            return [
                "isDuration": true, "durationValue": form.durationValue ?? "",
                "durationUnits": View.durationUnits(form.durationUnit ?? "minutes"),
            ]
        case .choice(let options):
            let chosen = form.answers[question.id]
            return [
                "isChoice": true, "name": question.id, "noneLabel": "I did not try anything",
                "options": options.map {
                    ["code": $0.rawValue, "label": knowledge.findings[$0]?.answer ?? label($0), "checked": chosen == $0.rawValue] as [String: Any]
                },
            ]
        case .checklist(let options):
            return ["isChecklist": true, "name": question.id, "sections": checklistSections(question, options, chosen: form.list(question.id))]
        case .side:
            return radios("side", View.choices(Side.allCases, chosen: form.side.map { [$0] } ?? []) { knowledge.sideLabels[$0] ?? $0.rawValue })
        case .onset:
            return radios("onset", View.choices(Onset.allCases, chosen: form.onset.map { [$0] } ?? []) { knowledge.onsetLabels[$0] ?? $0.rawValue })
        case .sex:
            return radios("sex", View.choices(Sex.allCases, chosen: form.sex.map { [$0] } ?? []) { knowledge.sexLabels[$0] ?? $0.rawValue })
        case .age:
            return ["isNumber": true, "name": "age", "value": form.age ?? "", "max": 120]
        case .episodes:
            return ["isNumber": true, "name": "episodesLast30Days", "value": form.episodesLast30Days ?? "", "max": 10000]
        case .severity:
            return ["isNumber": true, "name": "severity", "value": form.severity ?? "", "max": 10]
        case .recent(let context, let conditions):
            return codeLists([
                ("context", View.choices(context, chosen: form.context) { knowledge.context[$0]?.label ?? $0.rawValue }),
                ("window", View.choices(conditions, chosen: form.window) { knowledge.conditions[$0]?.label ?? $0.rawValue }),
            ])
        case .conditions(let list):
            return codeLists([("condition", View.choices(list, chosen: form.condition) { knowledge.conditions[$0]?.label ?? $0.rawValue })])
        case .medications:
            return codeLists([
                ("medication", View.choices(Medication.allCases, chosen: form.medication) { knowledge.medications[$0]?.label ?? $0.rawValue })
            ])
        case .confirmProfile:
            return ["isProfile": true, "facts": profileFacts(answers.profile)]
        }
    }

    func label(_ finding: Finding) -> String { knowledge.findings[finding]?.label ?? finding.rawValue }

    func radios(_ name: String, _ options: [[String: Any]]) -> [String: Any] { ["isRadios": true, "name": name, "options": options] }

    func codeLists(_ lists: [(name: String, items: [[String: Any]])]) -> [String: Any] {
        ["isCodes": true, "lists": lists.map { ["name": $0.name, "items": $0.items] as [String: Any] }]
    }

    /// Every safety question, with its answer and the signs ticked under it.
    func screenSteps(_ form: InterviewForm) -> [[String: Any]] {
        services.interview.questions.compactMap { item -> [String: Any]? in
            guard case .screen(let codes) = item.kind else { return nil }
            let id = fieldName(item)
            let value = form.answers[id]
            return [
                "id": id, "text": item.text, "yes": value == "yes", "no": value == "no", "unsure": value == "unsure", "many": codes.count > 1,
                "signs": codes.map {
                    ["code": $0.rawValue, "label": knowledge.findings[$0]?.question ?? label($0), "checked": form.sign.contains($0.rawValue)]
                        as [String: Any]
                },
            ]
        }
    }

    /// A checklist's options in the knowledge base's sections; a section with one-of answers
    /// (radios) offers "not sure" too.
    func checklistSections(_ question: InterviewQuestion, _ options: [Finding], chosen: [String]) -> [[String: Any]] {
        var sections: [[String: Any]] = []
        for finding in options {
            let section = knowledge.findings[finding]?.section ?? ""
            let radio = question.oneOf.contains(finding)
            let item: [String: Any] = [
                "code": finding.rawValue, "label": label(finding), "checked": chosen.contains(finding.rawValue), "type": radio ? "radio" : "checkbox",
            ]
            if var last = sections.last, last["title"] as? String == section {
                last["items"] = (last["items"] as? [[String: Any]] ?? []) + [item]
                if radio { last["hasRadio"] = true }
                sections[sections.count - 1] = last
            } else {
                sections.append(["title": section, "hasTitle": !section.isEmpty, "items": [item], "hasRadio": radio])
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
