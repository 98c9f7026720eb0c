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
        return assessPage(services.interview.questions[0], form: InterviewForm(), answers: answers, errors: [], request: request, context: context)
    }

    @Sendable func assessStep(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let bytes = try await Body.bytes(request, context: context)
        try Form.checkSize(bytes)
        let machine = services.interview
        let profile = try await interviewProfile(context)
        // Before anything else, and before the form is decoded or any answer is checked: stop at
        // once when the answers so far make an emergency certain, as the terminal interview does.
        // The form is read leniently for this (a field sent twice counts its most cautious
        // answer). Read in the interview's order, the answers stop where the terminal's questions
        // would have stopped; then every sign, code and value sent counts, whatever page the form
        // came from. Even on an expired form (a lost cookie, a restored tab): showing a result
        // changes nothing stored.
        let lenient = InterviewForm(leniently: Form(bytes))
        let (lenientAnswers, _) = read(lenient, profile: profile)
        if let stop = emergencyStop(lenient, lenientAnswers, request: request, context: context) { return stop }
        let form: InterviewForm
        do {
            form = try URLEncodedFormDecoder().decode(InterviewForm.self, from: String(decoding: bytes, as: UTF8.self))
        } catch {
            try check(csrf: lenient.csrf, request)
            let message = (error as? URLEncodedFormError).map(Form.problem) ?? (error as? DecodingError).map { Form.problem($0).detail } ?? "\(error)"
            var question = machine.questions[0]
            if case .ask(let next) = machine.next(lenientAnswers) { question = next }
            return assessPage(question, form: lenient, answers: lenientAnswers, errors: [("form", message)], request: request, context: context)
        }
        try check(csrf: form.csrf, request)
        let (answers, problems) = read(form, profile: profile)
        if let (question, message) = problems.first {
            return assessPage(question, form: form, answers: answers, errors: [(question.id, message)], request: request, context: context)
        }
        switch machine.next(answers) {
        case .emergency(let built, _):
            return resultPage(built, stoppedEarly: true, counted: counted(answers, in: built), request: request, context: context)
        case .finished(let built, _):
            return resultPage(built, stoppedEarly: false, counted: counted(answers, in: built), request: request, context: context)
        case .ask(let question):
            return nextQuestion(question, form: form, answers: answers, request: request, context: context)
        }
    }

    /// The emergency result, when the answers so far (or any sign the form names) make an
    /// emergency certain; nil otherwise.
    func emergencyStop(_ form: InterviewForm, _ answers: InterviewAnswers, request: Request, context: CrampRequestContext) -> Response? {
        let inOrder = services.interview.request(answers)
        if services.assessor.isEmergencyNow(inOrder.request, asked: inOrder.asked) {
            return resultPage(inOrder.request, stoppedEarly: true, counted: counted(answers, in: inOrder.request), request: request, context: context)
        }
        let (soFar, asked) = emergencyCheckRequest(form, answers)
        if services.assessor.isEmergencyNow(soFar, asked: asked) {
            return resultPage(soFar, stoppedEarly: true, counted: counted(answers, in: soFar), request: request, context: context)
        }
        return nil
    }

    /// The next question's page, or the advice now when the answers already mean care today and
    /// the person asked to see it (the answers so far, the rest unknown).
    func nextQuestion(
        _ question: InterviewQuestion, form: InterviewForm, answers: InterviewAnswers, request: Request, context: CrampRequestContext
    ) -> Response {
        let built = services.interview.request(answers)
        let certain = services.assessor.certainLevel(built.request, asked: built.asked)
        if let certain, certain >= .urgent, form.finish == "now" {
            return resultPage(built.request, stoppedEarly: true, counted: counted(answers, in: built.request), request: request, context: context)
        }
        // A required question whose page was sent without an answer says so.
        let sent = form.asked.contains(pageID(question))
        var errors: [(String, String)] = []
        if sent, case .screen = question.kind {
            for item in services.interview.questions where !answers.hasAnswered(item) {
                if case .screen = item.kind { errors.append((fieldName(item), "Please answer: \(item.text)")) }
            }
        } else if sent, question.required {
            errors.append((fieldName(question), "Please answer: \(question.text)"))
        }
        return assessPage(
            question, form: form, answers: answers, errors: errors, request: request, context: context, seenToday: (certain ?? .selfCare) >= .urgent)
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
            model: MessagePage(
                heading: "Kept in your journal", text: "The result is kept with your journal, for your reports.",
                link: Link(href: kept.keeping.record.map { "/journal/checks/\($0.id)" } ?? "/journal", label: "See it in your journal")),
            request: request, context: context)
    }
}

/// "Keep this result": the request the result was made from.
struct KeepForm: SubmittedForm {
    var csrf: String?
    var request: String?
}
