// Over 400 lines for now: the interview's pages read their form as ordered pairs (every answer
// rides along); this file splits when that form becomes a typed one (issue 14, next session).
import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The assessment's pages, driven by `AssessmentInterview` like the terminal: the red-flag
/// screen on one page, then one question a page, only those that can still matter. Every answer
/// so far rides along in hidden fields; `asked` lists the questions whose page was sent.
struct AssessPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("assess", use: assessStart)
        routes.post("assess", use: assessStep)
        routes.post("assess/save", use: assessSave)
        return routes
    }

    @Sendable func assessStart(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let answers = InterviewAnswers(profile: try await interviewProfile(context))
        return assessPage(services.interview.questions[0], form: Form([]), answers: answers, errors: [], request: request, context: context)
    }

    @Sendable func assessStep(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let form = try Form.parse(try await Body.bytes(request, context: context))
        let machine = services.interview
        let (answers, problems) = read(form, profile: try await interviewProfile(context))
        // Before anything else, and before any other answer is checked: stop at once when the
        // answers so far make an emergency certain, as the terminal interview does. Read in the
        // interview's order, the answers stop where the terminal's questions would have stopped;
        // then every sign, code and value sent counts, whatever page the form came from. Even on
        // an expired form (a lost cookie, a restored tab): showing a result changes nothing stored.
        let inOrder = machine.request(answers)
        if services.assessor.isEmergencyNow(inOrder.request, asked: inOrder.asked) {
            return resultPage(inOrder.request, stoppedEarly: true, counted: counted(answers, in: inOrder.request), request: request, context: context)
        }
        let (soFar, asked) = emergencyCheckRequest(form, answers)
        if services.assessor.isEmergencyNow(soFar, asked: asked) {
            return resultPage(soFar, stoppedEarly: true, counted: counted(answers, in: soFar), request: request, context: context)
        }
        try check(form, request)
        if let (question, message) = problems.first {
            return assessPage(question, form: form, answers: answers, errors: [(question.id, message)], request: request, context: context)
        }
        switch machine.next(answers) {
        case .emergency(let built, _):
            return resultPage(built, stoppedEarly: true, counted: counted(answers, in: built), request: request, context: context)
        case .finished(let built, _):
            return resultPage(built, stoppedEarly: false, counted: counted(answers, in: built), request: request, context: context)
        case .ask(let question):
            // Already certain to need care today: the person may see the advice now rather than
            // answer the rest (the answers so far, the rest unknown).
            let built = machine.request(answers)
            let certain = services.assessor.certainLevel(built.request, asked: built.asked)
            if let certain, certain >= .urgent, form.value("finish") == "now" {
                return resultPage(built.request, stoppedEarly: true, counted: counted(answers, in: built.request), request: request, context: context)
            }
            // A required question whose page was sent without an answer says so.
            let sent = form.values("asked").contains(pageID(question))
            var errors: [(String, String)] = []
            if sent, case .screen = question.kind {
                for item in machine.questions where !answers.hasAnswered(item) {
                    if case .screen = item.kind { errors.append((fieldName(item), "Please answer: \(item.text)")) }
                }
            } else if sent, question.required {
                errors.append((fieldName(question), "Please answer: \(question.text)"))
            }
            return assessPage(
                question, form: form, answers: answers, errors: errors, request: request, context: context,
                seenToday: (certain ?? .selfCare) >= .urgent)
        }
    }

    /// The signs counted for "yes" or "not sure" with none ticked, with their question's words.
    func counted(_ answers: InterviewAnswers, in built: AssessmentRequest) -> [(question: String, sign: Finding)] {
        let named = answers.present
        return answers.unnamed.compactMap { id -> (String, Finding)? in
            guard let question = services.interview.question(id), case .screen(let signs) = question.kind,
                let sign = signs.first(where: { built.findings.contains($0) && !named.contains($0) })
            else { return nil }
            return (question.text, sign)
        }
    }

    /// The profile's lasting facts, for a signed-in person; nil otherwise.
    func interviewProfile(_ context: CrampRequestContext) async throws -> InterviewProfile? {
        guard let owner = context.owner, let profile = try await services.journal.profile(owner: owner) else { return nil }
        return profile.interviewProfile(today: services.app.clock(for: profile).today)
    }

    /// The page a question is asked on: the whole screen shares one.
    func pageID(_ question: InterviewQuestion) -> String {
        if case .screen = question.kind { return "screen" }
        return question.id
    }

    /// The form field of a question (where an error about it points).
    func fieldName(_ question: InterviewQuestion) -> String {
        switch question.kind {
        case .screen: return String(question.id.dropFirst("screen.".count))
        case .muscles: return "muscle"
        case .duration: return "durationValue"
        case .episodes: return "episodesLast30Days"
        case .recent: return "context"
        case .conditions: return "condition"
        case .medications: return "medication"
        default: return question.id
        }
    }

    /// The form's fields owned by a question's page (the rest ride along as hidden fields).
    func ownFields(_ question: InterviewQuestion) -> Set<String> {
        switch question.kind {
        case .screen:
            return Set(
                services.interview.questions.compactMap { item in
                    if case .screen = item.kind { return fieldName(item) } else { return nil }
                } + ["sign"])
        case .muscles: return ["muscle"]
        case .duration: return ["durationValue", "durationUnit"]
        case .choice: return [question.id]
        case .checklist: return [question.id]
        case .recent: return ["context", "window"]
        case .conditions: return ["condition"]
        case .medications: return ["medication"]
        case .confirmProfile: return ["profile"]
        default: return [fieldName(question)]
        }
    }

    /// A form's values for a code field, read as the code lists spell them (case and spaces
    /// aside), with the values that are no code of the list.
    func codes<Code: CodeList>(_ form: Form, _ name: String, _: Code.Type) -> (codes: [Code], unknown: [String]) {
        var found: [Code] = []
        var unknown: [String] = []
        for value in form.values(name) {
            let text = value.trimmingCharacters(in: .whitespaces).lowercased()
            if let code = Code.table.code(text) { found.append(code) } else if !text.isEmpty { unknown.append(value) }
        }
        return (found, unknown)
    }

    /// Reads every answer the form holds, question by question in the interview's order. A value
    /// that does not fit its question is a problem naming it, and is left unanswered.
    func read(_ form: Form, profile: InterviewProfile?) -> (InterviewAnswers, [(InterviewQuestion, String)]) {
        var answers = InterviewAnswers(profile: profile)
        var problems: [(InterviewQuestion, String)] = []
        let sent = Set(form.values("asked"))
        let (tickedSigns, unknownSigns) = codes(form, "sign", Finding.self)
        let ticked = CodeSet(tickedSigns)
        if let first = unknownSigns.first, let screen = services.interview.questions.first {
            problems.append((screen, "\"\(first.prefix(40))\" is not a sign CrampCare asks about"))
        }
        // A field that holds one value, sent more than once with different values, is refused.
        for name in ["durationValue", "durationUnit", "age", "episodesLast30Days", "severity", "side", "onset", "sex", "profile"] {
            let values = Set(form.values(name).map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            if values.count > 1, let question = services.interview.questions.first(where: { ownFields($0).contains(name) }) {
                problems.append((question, "\(name) was given \(values.count) different values; give one"))
            }
        }
        for question in services.interview.questions {
            let field = fieldName(question)
            let wasShown = sent.contains(pageID(question))
            var answer: InterviewAnswer?
            switch question.kind {
            case .screen(let signs):
                // A ticked sign counts as reported whatever its question's yes or no says; a
                // question answered more than once counts its most cautious answer.
                let named = signs.filter { ticked.contains($0) || form.value("f-\($0.rawValue)") == "yes" }
                let said = Set(form.values(field).map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                if let odd = said.first(where: { !["yes", "no", "unsure", ""].contains($0) }) {
                    problems.append((question, "\"\(odd.prefix(40))\" is not an answer; accepted: yes, no, unsure"))
                }
                if !named.isEmpty {
                    answer = .yes(named)
                } else if said.contains("yes") {
                    answer = .yes(signs.count == 1 ? signs : [])
                } else if said.contains("unsure") {
                    answer = .notSure
                } else if said.contains("no") {
                    answer = .no
                }
            case .choice(let options):
                if let value = form.value(question.id) {
                    answer = .findings(options.filter { $0.rawValue == value })
                } else if wasShown {
                    answer = .findings([])
                }
            case .checklist(let options):
                let (chosen, unknown) = codes(form, question.id, Finding.self)
                if let first = unknown.first { problems.append((question, "\"\(first.prefix(40))\" is not one of this question's answers")) }
                let exclusive = chosen.filter(question.oneOf.contains)
                if exclusive.count > 1 {
                    let words = exclusive.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: " or ")
                    problems.append((question, "choose only one: \(words)"))
                    continue
                }
                if wasShown || !chosen.isEmpty { answer = .findings(options.filter(chosen.contains)) }
            case .muscles:
                let (muscles, unknown) = codes(form, "muscle", Muscle.self)
                if let first = unknown.first {
                    problems.append((question, "\"\(first.prefix(40))\" is not a muscle; accepted: \(Muscle.table.accepted)"))
                }
                if !muscles.isEmpty { answer = .muscles(muscles) }
            case .duration:
                if let text = form.value("durationValue"), !text.isEmpty {
                    guard let minutes = View.minutes(text, unit: form.value("durationUnit")) else {
                        problems.append(
                            (
                                question,
                                "\"\(text.prefix(40))\" \((form.value("durationUnit") ?? "").prefix(20)) is not a duration; "
                                    + "give a number and one of the units seconds, minutes, hours or days"
                            ))
                        continue
                    }
                    answer = .minutes(minutes)
                }
            case .age:
                if let text = form.value("age"), !text.isEmpty {
                    guard let years = Int(text) else {
                        problems.append((question, "\"\(text.prefix(40))\" is not a whole number; give your age from 0 to 120"))
                        continue
                    }
                    answer = .years(years)
                }
            case .episodes, .severity:
                if let text = form.value(field), !text.isEmpty {
                    guard let count = Int(text) else {
                        problems.append((question, "\"\(text.prefix(40))\" is not a whole number"))
                        continue
                    }
                    answer = question.kind == .episodes ? .count(count) : .severity(count)
                } else if wasShown {
                    answer = .skip
                }
            case .side:
                answer = form.value("side").flatMap(Side.init(rawValue:)).map(InterviewAnswer.side) ?? (wasShown ? .skip : nil)
            case .onset:
                answer = form.value("onset").flatMap(Onset.init(rawValue:)).map(InterviewAnswer.onset) ?? (wasShown ? .skip : nil)
            case .sex:
                answer = form.value("sex").flatMap(Sex.init(rawValue:)).map(InterviewAnswer.sex) ?? (wasShown ? .skip : nil)
            case .recent:
                let context = codes(form, "context", ContextCode.self), window = codes(form, "window", Condition.self)
                if let first = context.unknown.first ?? window.unknown.first {
                    problems.append((question, "\"\(first.prefix(40))\" is not one of this question's answers"))
                }
                if wasShown { answer = .recent(context.codes, window.codes) }
            case .conditions(let list):
                let found = codes(form, "condition", Condition.self)
                if let first = found.unknown.first { problems.append((question, "\"\(first.prefix(40))\" is not a condition CrampCare knows")) }
                if wasShown { answer = .conditions(found.codes.filter(list.contains)) }
            case .medications:
                let found = codes(form, "medication", Medication.self)
                if let first = found.unknown.first { problems.append((question, "\"\(first.prefix(40))\" is not a medicine on CrampCare's list")) }
                if wasShown { answer = .medications(found.codes) }
            case .confirmProfile:
                if let value = form.value("profile") { answer = .confirmed(value == "yes") }
            }
            guard let answer else { continue }
            do throws(InterviewError) {
                try answers.record(answer, to: question)
            } catch {
                problems.append((question, error.problem))
            }
            // The terminal asks no more once an emergency is certain; nor is more read here.
            let soFar = services.interview.request(answers)
            if services.assessor.isEmergencyNow(soFar.request, asked: soFar.asked) { break }
        }
        return (answers, problems)
    }

    /// The answers so far for the emergency check, with every code the form names added as
    /// reported, so nothing sent is lost to the page it came from.
    func emergencyCheckRequest(_ form: Form, _ answers: InterviewAnswers) -> (AssessmentRequest, KnownAnswers.Fields) {
        var (request, asked) = services.interview.request(answers)
        var findings = CodeSet(request.findings)
        for code in Finding.allCases where form.value("f-\(code.rawValue)") == "yes" { findings.insert(code) }
        findings.formUnion(codes(form, "sign", Finding.self).codes)
        for question in services.interview.questions {
            if case .checklist = question.kind { findings.formUnion(codes(form, question.id, Finding.self).codes) }
        }
        request.findings = Array(findings)
        request.negatives.removeAll { findings.contains($0) }
        request.context = Array(CodeSet(request.context + codes(form, "context", ContextCode.self).codes))
        request.conditions = Array(
            CodeSet(request.conditions + codes(form, "condition", Condition.self).codes + codes(form, "window", Condition.self).codes))
        request.medications = Array(CodeSet(request.medications + codes(form, "medication", Medication.self).codes))
        return (request, asked)
    }

    func assessPage(
        _ question: InterviewQuestion, form: Form, answers: InterviewAnswers, errors: [(String, String)],
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

    /// What a page shows: the screen, or one question; the other answers ride along hidden.
    func assessData(_ question: InterviewQuestion, form: Form, answers: InterviewAnswers, errors: [(String, String)]) -> [String: Any] {
        let own = ownFields(question)
        let page = pageID(question)
        let carried = form.pairs.filter {
            !own.contains($0.name) && !["csrf", "step", "finish"].contains($0.name) && !($0.name == "asked" && $0.value == page)
        }
        .map { ["name": $0.name, "value": $0.value] }
        var data: [String: Any] = [
            "step": page, "carried": carried, "errors": View.errors(errors), "heading": question.text,
            "required": question.required,
        ]
        func label(_ finding: Finding) -> String { knowledge.findings[finding]?.label ?? finding.rawValue }
        switch question.kind {
        case .screen:
            data["isScreen"] = true
            data["heading"] = "Safety questions"
            let ticked = form.values("sign")
            data["redFlagSteps"] = services.interview.questions.compactMap { item -> [String: Any]? in
                guard case .screen(let codes) = item.kind else { return nil }
                let id = fieldName(item)
                let value = form.value(id)
                return [
                    "id": id, "text": item.text, "yes": value == "yes", "no": value == "no", "unsure": value == "unsure",
                    "many": codes.count > 1,
                    "signs": codes.map {
                        [
                            "code": $0.rawValue, "label": knowledge.findings[$0]?.question ?? label($0),
                            "checked": ticked.contains($0.rawValue),
                        ] as [String: Any]
                    },
                ]
            }
        case .muscles:
            data["isMuscles"] = true
            data["muscles"] = View.choices(Muscle.allCases, chosen: form.values("muscle")) { knowledge.muscleLabels[$0] ?? $0.rawValue }
        case .duration:
            data["isDuration"] = true
            data["durationValue"] = form.value("durationValue") ?? ""
            data["durationUnits"] = View.durationUnits(form.value("durationUnit") ?? "minutes")
        case .choice(let options):
            data["isChoice"] = true
            data["name"] = question.id
            data["options"] = options.map {
                [
                    "code": $0.rawValue, "label": knowledge.findings[$0]?.answer ?? label($0),
                    "checked": form.value(question.id) == $0.rawValue,
                ] as [String: Any]
            }
            data["noneLabel"] = "I did not try anything"
        case .checklist(let options):
            data["isChecklist"] = true
            data["name"] = question.id
            var sections: [[String: Any]] = []
            for finding in options {
                let section = knowledge.findings[finding]?.section ?? ""
                let item: [String: Any] = [
                    "code": finding.rawValue, "label": label(finding), "checked": form.values(question.id).contains(finding.rawValue),
                    "type": question.oneOf.contains(finding) ? "radio" : "checkbox",
                ]
                let radio = question.oneOf.contains(finding)
                if var last = sections.last, last["title"] as? String == section {
                    last["items"] = (last["items"] as? [[String: Any]] ?? []) + [item]
                    if radio { last["hasRadio"] = true }
                    sections[sections.count - 1] = last
                } else {
                    sections.append(["title": section, "hasTitle": !section.isEmpty, "items": [item], "hasRadio": radio])
                }
            }
            data["sections"] = sections
        case .side:
            data["isRadios"] = true
            data["name"] = "side"
            data["options"] = View.choices(Side.allCases, chosen: form.values("side")) { knowledge.sideLabels[$0] ?? $0.rawValue }
        case .onset:
            data["isRadios"] = true
            data["name"] = "onset"
            data["options"] = View.choices(Onset.allCases, chosen: form.values("onset")) { knowledge.onsetLabels[$0] ?? $0.rawValue }
        case .sex:
            data["isRadios"] = true
            data["name"] = "sex"
            data["options"] = View.choices(Sex.allCases, chosen: form.values("sex")) { knowledge.sexLabels[$0] ?? $0.rawValue }
        case .age, .episodes, .severity:
            data["isNumber"] = true
            data["name"] = fieldName(question)
            data["value"] = form.value(fieldName(question)) ?? ""
            data["max"] = question.kind == .age ? 120 : question.kind == .severity ? 10 : 10000
        case .recent(let context, let conditions):
            data["isCodes"] = true
            data["lists"] = [
                ["name": "context", "items": View.choices(context, chosen: form.values("context")) { knowledge.context[$0]?.label ?? $0.rawValue }],
                [
                    "name": "window",
                    "items": View.choices(conditions, chosen: form.values("window")) { knowledge.conditions[$0]?.label ?? $0.rawValue },
                ],
            ]
        case .conditions(let list):
            data["isCodes"] = true
            data["lists"] = [
                [
                    "name": "condition",
                    "items": View.choices(list, chosen: form.values("condition")) { knowledge.conditions[$0]?.label ?? $0.rawValue },
                ]
            ]
        case .medications:
            data["isCodes"] = true
            data["lists"] = [
                [
                    "name": "medication",
                    "items": View.choices(Medication.allCases, chosen: form.values("medication")) { knowledge.medications[$0]?.label ?? $0.rawValue },
                ]
            ]
        case .confirmProfile:
            data["isProfile"] = true
            let profile = answers.profile
            var facts: [String] = []
            if let age = profile?.age { facts.append("Age: \(age)") }
            if let sex = profile?.sex { facts.append("Sex: \(knowledge.sexLabels[sex] ?? sex.rawValue)") }
            let conditions = (profile?.conditions ?? []).map { knowledge.conditions[$0]?.label ?? $0.rawValue }
            facts.append("Conditions: \(conditions.isEmpty ? "none" : conditions.joined(separator: ", "))")
            let medicines = (profile?.medications ?? []).map { knowledge.medications[$0]?.label ?? $0.rawValue }
            facts.append("Medicines: \(medicines.isEmpty ? "none" : medicines.joined(separator: ", "))")
            data["facts"] = facts
        }
        return data
    }

    func resultPage(
        _ assessment: AssessmentRequest, stoppedEarly: Bool, counted: [(question: String, sign: Finding)], request: Request,
        context: CrampRequestContext
    ) -> Response {
        let shown = ResultPresentation(services.assessor.assess(assessment), knowledge: knowledge, numbers: numbers(context))
        let model = ResultPage(
            shown, stoppedEarly: stoppedEarly,
            counted: counted.map { question, sign in
                "You said yes or not sure to \"\(question)\" without ticking which, so CrampCare counted the most serious: \(knowledge.findings[sign]?.label ?? sign.rawValue)"
            }, requestJSON: context.owner != nil ? String(decoding: assessment.json(), as: UTF8.self) : nil)
        return page("result", title: shown.title, section: "assess", model: model, request: request, context: context)
    }

    @Sendable func assessSave(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(KeepForm.self, request, context: context)
        let assessment: AssessmentRequest
        do throws(RequestError) {
            assessment = try AssessmentRequest.decode(json: Array((form.request ?? "").utf8))
        } catch {
            throw Problem.invalid("request", error.description)
        }
        let kept = await services.app.assess(assessment, keepFor: owner)
        if let failure = kept.keeping.failure {
            throw Problem(
                .serviceUnavailable, "Not kept", detail: "the result could not be kept in your journal (\(failure.prefix(200))); it still stands")
        }
        return page(
            "message", title: "Kept", section: "assess",
            [
                "heading": "Kept in your journal", "text": "The result is kept with your journal, for your reports.",
                "link": ["href": "/journal", "label": "Go to the journal"],
            ], request: request, context: context)
    }
}

/// "Keep this result": the request the result was made from.
struct KeepForm: SubmittedForm {
    var csrf: String?
    var request: String?
}
