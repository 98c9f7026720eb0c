import CrampAssessment
import CrampKnowledge
import Foundation

/// How the interview's pages read a form into answers: question by question in the interview's
/// order, as the terminal asks them. A value that does not fit its question is a problem naming
/// it, and is left unanswered.
extension AssessPages {
    typealias Reading = (answer: InterviewAnswer?, problem: String?)

    /// A form's values for a code field, read as the code lists spell them (case and spaces
    /// aside), with the values that are no code of the list.
    func codes<Code: CodeList>(_ values: [String], _: Code.Type) -> (codes: [Code], unknown: [String]) {
        var found: [Code] = []
        var unknown: [String] = []
        for value in values {
            let text = value.trimmingCharacters(in: .whitespaces).lowercased()
            if let code = Code.table.code(text) { found.append(code) } else if !text.isEmpty { unknown.append(value) }
        }
        return (found, unknown)
    }

    func read(_ form: InterviewForm, profile: InterviewProfile?) -> (InterviewAnswers, [(InterviewQuestion, String)]) {
        var answers = InterviewAnswers(profile: profile)
        var problems: [(InterviewQuestion, String)] = []
        let sent = Set(form.asked)
        let (tickedSigns, unknownSigns) = codes(form.sign, Finding.self)
        if let first = unknownSigns.first, let screen = services.interview.questions.first {
            problems.append((screen, "\"\(first.prefix(40))\" is not a sign CrampCare asks about"))
        }
        let ticked = CodeSet(tickedSigns)
        for question in services.interview.questions {
            let reading = answer(to: question, in: form, shown: sent.contains(pageID(question)), ticked: ticked)
            if let problem = reading.problem { problems.append((question, problem)) }
            guard let answer = reading.answer else { continue }
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

    /// One question's answer in the form; `shown` when its page was sent (an unanswered
    /// optional question is then skipped, not left to ask).
    func answer(to question: InterviewQuestion, in form: InterviewForm, shown: Bool, ticked: CodeSet<Finding>) -> Reading {
        func orSkip(_ answer: InterviewAnswer?) -> Reading { (answer ?? (shown ? .skip : nil), nil) }
        switch question.kind {
        case .screen(let signs):
            return screenAnswer(signs, said: form.answers[fieldName(question)], form: form, ticked: ticked)
        case .choice(let options):
            if let value = form.answers[question.id] { return (.findings(options.filter { $0.rawValue == value }), nil) }
            return (shown ? .findings([]) : nil, nil)
        case .checklist(let options):
            return checklistAnswer(question, options, form.list(question.id), shown: shown)
        case .muscles:
            let (muscles, unknown) = codes(form.muscle, Muscle.self)
            let problem = unknown.first.map { "\"\($0.prefix(40))\" is not a muscle; accepted: \(Muscle.table.accepted)" }
            return (muscles.isEmpty ? nil : .muscles(muscles), problem)
        case .duration:
            return durationAnswer(form.durationValue, unit: form.durationUnit)
        case .age:
            guard let text = form.age, !text.isEmpty else { return (nil, nil) }
            guard let years = Int(text) else { return (nil, "\"\(text.prefix(40))\" is not a whole number; give your age from 0 to 120") }
            return (.years(years), nil)
        case .episodes, .severity:
            guard let text = question.kind == .episodes ? form.episodesLast30Days : form.severity, !text.isEmpty else { return orSkip(nil) }
            guard let count = Int(text) else { return (nil, "\"\(text.prefix(40))\" is not a whole number") }
            return (question.kind == .episodes ? .count(count) : .severity(count), nil)
        case .side:
            return orSkip(form.side.flatMap(Side.init(rawValue:)).map(InterviewAnswer.side))
        case .onset:
            return orSkip(form.onset.flatMap(Onset.init(rawValue:)).map(InterviewAnswer.onset))
        case .sex:
            return orSkip(form.sex.flatMap(Sex.init(rawValue:)).map(InterviewAnswer.sex))
        case .recent:
            let context = codes(form.context, ContextCode.self), window = codes(form.window, Condition.self)
            let problem = (context.unknown.first ?? window.unknown.first).map { "\"\($0.prefix(40))\" is not one of this question's answers" }
            return (shown ? .recent(context.codes, window.codes) : nil, problem)
        case .conditions(let list):
            let found = codes(form.condition, Condition.self)
            let problem = found.unknown.first.map { "\"\($0.prefix(40))\" is not a condition CrampCare knows" }
            return (shown ? .conditions(found.codes.filter(list.contains)) : nil, problem)
        case .medications:
            let found = codes(form.medication, Medication.self)
            let problem = found.unknown.first.map { "\"\($0.prefix(40))\" is not a medicine on CrampCare's list" }
            return (shown ? .medications(found.codes) : nil, problem)
        case .confirmProfile:
            return (form.profile.map { .confirmed($0 == "yes") }, nil)
        }
    }

    /// A ticked sign counts as reported whatever its question's yes or no says, as does a sign
    /// sent by code (`f[code]=yes`).
    func screenAnswer(_ signs: [Finding], said: String?, form: InterviewForm, ticked: CodeSet<Finding>) -> Reading {
        let named = signs.filter { ticked.contains($0) || form.f[$0.rawValue]?.lowercased() == "yes" }
        let said = said?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let problem = ["yes", "no", "unsure", ""].contains(said) ? nil : "\"\(said.prefix(40))\" is not an answer; accepted: yes, no, unsure"
        if !named.isEmpty { return (.yes(named), problem) }
        switch said {
        case "yes": return (.yes(signs.count == 1 ? signs : []), problem)
        case "unsure": return (.notSure, problem)
        case "no": return (.no, problem)
        default: return (nil, problem)
        }
    }

    func checklistAnswer(_ question: InterviewQuestion, _ options: [Finding], _ values: [String], shown: Bool) -> Reading {
        let (chosen, unknown) = codes(values, Finding.self)
        let exclusive = chosen.filter(question.oneOf.contains)
        if exclusive.count > 1 {
            return (nil, "choose only one: " + exclusive.map { knowledge.findings[$0]?.label ?? $0.rawValue }.joined(separator: " or "))
        }
        let problem = unknown.first.map { "\"\($0.prefix(40))\" is not one of this question's answers" }
        return (shown || !chosen.isEmpty ? .findings(options.filter(chosen.contains)) : nil, problem)
    }

    func durationAnswer(_ value: String?, unit: String?) -> Reading {
        guard let text = value, !text.isEmpty else { return (nil, nil) }
        guard let minutes = View.minutes(text, unit: unit) else {
            return (
                nil,
                "\"\(text.prefix(40))\" \((unit ?? "").prefix(20)) is not a duration; give a number and one of the units seconds, minutes, hours or days"
            )
        }
        return (.minutes(minutes), nil)
    }

    /// The answers so far for the emergency check, with every code the form names added as
    /// reported, so nothing sent is lost to the page it came from.
    func emergencyCheckRequest(_ form: InterviewForm, _ answers: InterviewAnswers) -> (AssessmentRequest, KnownAnswers.Fields) {
        var (request, asked) = services.interview.request(answers)
        var findings = CodeSet(request.findings)
        for (code, said) in form.f where said.trimmingCharacters(in: .whitespaces).lowercased() == "yes" {
            if let finding = Finding(rawValue: code) { findings.insert(finding) }
        }
        findings.formUnion(codes(form.sign, Finding.self).codes)
        for question in services.interview.questions {
            if case .checklist = question.kind { findings.formUnion(codes(form.list(question.id), Finding.self).codes) }
        }
        request.findings = Array(findings)
        request.negatives.removeAll { findings.contains($0) }
        request.context = Array(CodeSet(request.context + codes(form.context, ContextCode.self).codes))
        request.conditions = Array(
            CodeSet(request.conditions + codes(form.condition, Condition.self).codes + codes(form.window, Condition.self).codes))
        request.medications = Array(CodeSet(request.medications + codes(form.medication, Medication.self).codes))
        return (request, asked)
    }
}
