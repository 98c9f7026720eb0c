import CrampAssessment
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// The server-rendered pages. They work without JavaScript; every form carries a CSRF token that
/// must match the person's CSRF cookie, and every journal page acts for the signed-in owner only.
struct Pages: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration
    let library: MustacheLibrary

    var knowledge: KnowledgeBase { services.knowledge }
    var accounts: AccountService { AccountService(services: services, configuration: configuration) }

    init(services: CrampServices, configuration: ServerConfiguration) throws {
        self.services = services
        self.configuration = configuration
        var library = MustacheLibrary()
        for file in EmbeddedWeb.files where file.name.hasSuffix(".mustache") {
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        self.library = library
    }

    func register(on router: Router<CrampRequestContext>) {
        let pages = router.group().add(middleware: PageGuard(services: services, configuration: configuration))
        pages.get("/", use: home)
        pages.get("assess", use: assessStart)
        pages.post("assess", use: assessStep)
        pages.post("assess/save", use: assessSave)
        pages.get("journal", use: journal)
        pages.get("journal/new", use: newEpisode)
        pages.post("journal/new", use: createEpisode)
        pages.get("journal/:id", use: showEpisode)
        pages.get("journal/:id/edit", use: editEpisode)
        pages.post("journal/:id/edit", use: updateEpisode)
        pages.post("journal/:id/delete", use: deleteEpisode)
        pages.get("day", use: dayForm)
        pages.post("day", use: saveDay)
        pages.get("profile", use: profileForm)
        pages.post("profile", use: saveProfile)
        pages.get("learn", use: learn)
        pages.get("learn/search", use: search)
        pages.get("learn/:topic", use: topic)
        pages.get("relieve", use: relievePage)
        pages.post("relieve", use: relieveLog)
        pages.get("plan", use: planPage)
        pages.get("plan.ics", use: planCalendar)
        pages.get("insights", use: insightsPage)
        pages.get("insights/report.html", use: reportDownload)
        pages.get("data", use: dataPage)
        pages.get("export", use: export)
        pages.post("data/erase", use: erase)
        pages.get("signin", use: signInForm)
        pages.post("signin", use: signIn)
        pages.get("register", use: registerForm)
        pages.post("register", use: register)
        pages.post("signout", use: signOut)
        pages.get("account", use: account)
        pages.post("account/tokens", use: createToken)
        pages.post("account/tokens/:id/revoke", use: revokeToken)
    }

    // MARK: rendering

    /// A page in the layout. Sets the CSRF cookie when the person has none yet.
    ///
    /// Every value a template prints is escaped: no template has a triple brace. The page's own
    /// template is a partial of the layout, whose values live under `site`. `fragments` puts
    /// markup that one of CrampCare's own renderers made (the clinician report, which escapes
    /// every value it inserts) where the page's template has `<!--fragment:NAME-->`; data can
    /// never contain such a marker, because its `<` is printed as `&lt;`.
    func page(_ template: String, title: String, section: String, _ data: [String: Any], request: Request, context: CrampRequestContext,
              status: HTTPResponse.Status = .ok, fragments: [String: String] = [:]) -> Response {
        let (csrf, isNew) = csrfToken(request)
        var data = data
        data["csrf"] = csrf
        data["emergencyNumber"] = numbers(context).emergency
        data["hosted"] = configuration.hosted
        var nav: [[String: Any]] = [
            ["href": "/relieve", "label": "Ease a cramp", "section": "relieve"],
            ["href": "/assess", "label": "Check symptoms", "section": "assess"],
            ["href": "/journal", "label": "Journal", "section": "journal"],
            ["href": "/day", "label": "My day", "section": "day"],
            ["href": "/insights", "label": "Insights", "section": "insights"],
            ["href": "/plan", "label": "My plan", "section": "plan"],
            ["href": "/learn", "label": "Learn", "section": "learn"],
            ["href": "/profile", "label": "Profile", "section": "profile"],
            ["href": "/data", "label": "My data", "section": "data"],
        ]
        if configuration.hosted {
            if context.owner == nil {
                nav = [["href": "/relieve", "label": "Ease a cramp", "section": "relieve"], ["href": "/learn", "label": "Learn", "section": "learn"],
                       ["href": "/signin", "label": "Sign in", "section": "signin"],
                       ["href": "/register", "label": "Create an account", "section": "register"]]
            } else {
                nav.append(["href": "/account", "label": "Account", "section": "account"])
            }
        }
        nav = nav.map { item in
            var item = item
            item["current"] = (item["section"] as? String) == section
            return item
        }
        var site: [String: Any] = [
            "title": title, "nav": nav, "csrf": csrf, "signedIn": configuration.hosted && context.owner != nil,
            "disclaimer": knowledge.disclaimer, "emergencyNumber": numbers(context).emergency,
        ]
        // An empty string is truthy in Mustache: leave these out rather than ask for "/static/".
        for name in ["script", "stylesheet"] {
            if let file = data[name] as? String, !file.isEmpty { site[name] = file }
        }
        data["site"] = site
        data["pageTemplate"] = template
        var html = library.render(View.flags(data), withTemplate: "layout") ?? ""
        for (name, fragment) in fragments {
            if let marker = html.range(of: "<!--fragment:\(name)-->") { html.replaceSubrange(marker, with: fragment) }
        }
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: html)))
        if isNew {
            response.setCookie(Cookie(name: Credentials.csrfCookieName(secure: configuration.secureCookies), value: csrf, path: "/",
                                      secure: configuration.secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    static func errorPage(_ problem: Problem) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(View.escape(problem.title)) · CrampCare</title><link rel="stylesheet" href="/static/style.css"></head>
            <body><main id="main"><h1>\(View.escape(problem.title))</h1><p>\(View.escape(problem.detail))</p><p><a href="/">Home</a></p></main></body></html>
            """
        return Response(status: problem.status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The emergency numbers for the person: their profile's region, else the server's (personal
    /// mode: the machine's locale), else the default that works from mobiles in many countries.
    func numbers(_ context: CrampRequestContext) -> EmergencyNumbers {
        knowledge.emergencyNumbers(region: context.region ?? services.defaultRegion)
    }

    func csrfToken(_ request: Request) -> (String, Bool) {
        if let cookie = request.cookies[Credentials.csrfCookieName(secure: configuration.secureCookies)], cookie.value.count >= 40 {
            return (cookie.value, false)
        }
        return (Credentials.secret(), true)
    }

    /// The submitted form, after checking its CSRF token and Origin.
    func form(_ request: Request, context: CrampRequestContext) async throws -> Form {
        let form = Form(try await Body.bytes(request, context: context))
        try check(form, request)
        return form
    }

    /// Refuses a form sent from another site, or without the CSRF token of this browser.
    func check(_ form: Form, _ request: Request) throws {
        if let origin = request.headers[.origin], !APIGuard.isOwnOrigin(origin, request: request) {
            throw Problem(.forbidden, "Form refused", detail: "this form was sent from another site")
        }
        let cookie = request.cookies[Credentials.csrfCookieName(secure: configuration.secureCookies)]?.value ?? ""
        guard !cookie.isEmpty, let sent = form.value("csrf"), View.constantTimeEquals(sent, cookie) else {
            throw Problem(.forbidden, "Form expired", detail: "this form has expired or was not sent from CrampCare; go back, reload the page and send it again")
        }
    }

    /// The owner, or a redirect to sign in (hosted mode).
    func owner(_ request: Request, context: CrampRequestContext) throws -> OwnerID {
        guard let owner = context.owner else { throw SignInRequired(next: request.uri.path) }
        return owner
    }

    // MARK: home and assessment

    @Sendable func home(_ request: Request, context: CrampRequestContext) async throws -> Response {
        page("home", title: "What is happening now?", section: "home", [:], request: request, context: context)
    }

    @Sendable func assessStart(_ request: Request, context: CrampRequestContext) async throws -> Response {
        page("assess", title: "Check my symptoms", section: "assess", assessData(step: 1, form: Form([]), errors: []), request: request, context: context)
    }

    @Sendable func assessStep(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let form = Form(try await Body.bytes(request, context: context))
        let step = Int(form.value("step") ?? "1") ?? 1
        // Before anything else, and before any other answer is checked: stop at once when the
        // answers so far make an emergency certain, as the terminal interview does. Even on an
        // expired form (a lost cookie, a restored tab): showing a result changes nothing stored.
        let (soFar, asked, safety) = answersSoFar(form, step: step)
        if services.assessor.isEmergencyNow(soFar, asked: asked) {
            return resultPage(soFar, stoppedEarly: true, counted: safety.counted, request: request, context: context)
        }
        try check(form, request)
        if !safety.errors.isEmpty { return assessPage(step: 1, form: form, errors: safety.errors, request: request, context: context) }
        switch step {
        case 1:
            return assessPage(step: 2, form: form, errors: [], request: request, context: context)
        case 2:
            let errors = episodeErrors(form)
            return assessPage(step: errors.isEmpty ? 3 : 2, form: form, errors: errors, request: request, context: context)
        default:
            do {
                let assessment = try assessmentRequest(form)
                return resultPage(assessment, stoppedEarly: false, counted: safety.counted, request: request, context: context)
            } catch let problem as Problem {
                return assessPage(step: 2, form: form, errors: [(problem.field ?? "", problem.detail)], request: request, context: context)
            }
        }
    }

    func assessPage(step: Int, form: Form, errors: [(String, String)], request: Request, context: CrampRequestContext) -> Response {
        page("assess", title: "Check my symptoms, step \(step) of 3", section: "assess", assessData(step: step, form: form, errors: errors),
             request: request, context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// What a step shows; the answers of the other steps ride along as hidden fields.
    func assessData(step: Int, form: Form, errors: [(String, String)]) -> [String: Any] {
        let own: Set<String>
        switch step {
        case 1: own = Set(knowledge.redFlagSteps.map(\.id) + ["sign"])
        case 2: own = ["muscle", "durationValue", "durationUnit", "age", "side", "onset", "severity", "episodesLast30Days", "sex"]
        default: own = Set(["context", "condition", "medication"] + Finding.allCases.map { "f-\($0.rawValue)" })
        }
        let carried = form.pairs.filter { !own.contains($0.name) && $0.name != "csrf" && $0.name != "step" }.map { ["name": $0.name, "value": $0.value] }
        var data: [String: Any] = [
            "step": step, "carried": carried, "errors": View.errors(errors),
            "stepTitle": ["Safety questions", "The cramp", "More about you"][min(step, 3) - 1],
            "isSafety": step == 1, "isEpisode": step == 2, "isDetail": step == 3,
        ]
        let signs = form.values("sign")
        data["redFlagSteps"] = knowledge.redFlagSteps.map { question -> [String: Any] in
            let codes = knowledge.signs(of: question)
            return ["id": question.id, "text": question.text, "yes": form.value(question.id) == "yes", "no": form.value(question.id) == "no",
                    "many": codes.count > 1,
                    "signs": codes.map { ["code": $0.rawValue, "label": knowledge.findings[$0]?.question ?? knowledge.findings[$0]?.label ?? $0.rawValue,
                                          "checked": signs.contains($0.rawValue)] as [String: Any] }]
        }
        data["muscles"] = View.choices(Muscle.allCases, chosen: form.values("muscle")) { knowledge.muscleLabels[$0] ?? $0.rawValue }
        data["durationValue"] = form.value("durationValue") ?? ""
        data["durationUnits"] = View.durationUnits(form.value("durationUnit") ?? "minutes")
        data["age"] = form.value("age") ?? ""
        data["sides"] = View.choices(Side.allCases, chosen: form.values("side")) { knowledge.sideLabels[$0] ?? $0.rawValue }
        data["onsets"] = View.choices(Onset.allCases, chosen: form.values("onset")) { knowledge.onsetLabels[$0] ?? $0.rawValue }
        data["severity"] = form.value("severity") ?? ""
        data["episodesLast30Days"] = form.value("episodesLast30Days") ?? ""
        data["sexes"] = View.choices(Sex.allCases, chosen: form.values("sex")) { knowledge.sexLabels[$0] ?? $0.rawValue }
        data["otherSteps"] = knowledge.otherSteps.map { group -> [String: Any] in
            ["text": group.text,
             "findings": Finding.allCases.filter { knowledge.findings[$0]?.step == group.id && knowledge.findings[$0]?.isRedFlag == false }.map { code -> [String: Any] in
                 let answer = form.value("f-\(code.rawValue)") ?? ""
                 return ["code": code.rawValue, "question": knowledge.findings[code]?.question ?? knowledge.findings[code]?.label ?? code.rawValue,
                         "yes": answer == "yes", "no": answer == "no", "skip": answer.isEmpty]
             }]
        }
        data["contexts"] = View.choices(ContextCode.allCases, chosen: form.values("context")) { knowledge.context[$0]?.label ?? $0.rawValue }
        data["conditions"] = View.choices(Condition.allCases, chosen: form.values("condition")) { knowledge.conditions[$0]?.label ?? $0.rawValue }
        data["medications"] = View.choices(Medication.allCases, chosen: form.values("medication")) { knowledge.medications[$0]?.label ?? $0.rawValue }
        return data
    }

    /// Everything the form says so far, read leniently (a value that does not read stays
    /// unasked), with which fields that covers and the safety step's own answers: what the
    /// emergency check may rely on. Every field present counts, whatever step the form claims.
    func answersSoFar(_ form: Form, step: Int) -> (request: AssessmentRequest, asked: KnownAnswers.Fields, safety: SafetyAnswers) {
        var asked: KnownAnswers.Fields = []
        var request = AssessmentRequest(age: 40, durationMinutes: 1, muscles: [.unsure])
        let muscles = form.values("muscle").compactMap { Muscle(rawValue: $0) }
        if !muscles.isEmpty {
            request.muscles = Array(CodeSet(muscles))
            asked.insert(.muscles)
        }
        if let age = Int(form.value("age") ?? ""), (0...120).contains(age) {
            request.age = age
            asked.insert(.age)
        }
        if let minutes = View.minutes(form.value("durationValue"), unit: form.value("durationUnit")), minutes > 0, minutes <= 7 * 1440 {
            request.durationMinutes = minutes
            asked.insert(.duration)
        }
        request.side = form.value("side").flatMap { Side(rawValue: $0) }
        request.onset = form.value("onset").flatMap { Onset(rawValue: $0) }
        if let text = form.value("episodesLast30Days"), let count = Int(text), (0...10_000).contains(count) { request.episodesLast30Days = count }
        // A choice left blank on a step that was shown is an answer: none applies.
        if step >= 2 {
            asked.formUnion([.side, .onset])
            if (form.value("episodesLast30Days") ?? "").isEmpty || request.episodesLast30Days != nil { asked.insert(.episodes) }
        }
        request.context = Array(CodeSet(form.values("context").compactMap { ContextCode(rawValue: $0) }))
        request.conditions = Array(CodeSet(form.values("condition").compactMap { Condition(rawValue: $0) }))
        request.medications = Array(CodeSet(form.values("medication").compactMap { Medication(rawValue: $0) }))
        if step >= 3 { asked.formUnion([.context, .conditions, .medications]) }
        var yes: [Finding] = []
        var no: [Finding] = []
        for code in Finding.allCases {
            switch form.value("f-\(code.rawValue)") {
            case "yes": yes.append(code)
            case "no": no.append(code)
            default: break
            }
        }
        request.findings = yes
        request.negatives = no
        let safety = safetyAnswers(form, given: request, asked: asked)
        let reported = CodeSet(yes + safety.findings)
        request.findings = Array(reported)
        request.negatives = Array(CodeSet<Finding>(bits: CodeSet(no + safety.negatives).bits & ~reported.bits))
        return (request, asked, safety)
    }

    /// The safety step's answers, with an error for each question left unanswered. A ticked sign
    /// counts as reported whatever its question's yes or no says (the cautious reading of a form
    /// that says both). "Yes" to a question with several signs and none ticked counts as its
    /// most urgent sign, chosen with everything else said (`counted`); its other signs stay
    /// unknown, not denied.
    func safetyAnswers(_ form: Form, given others: AssessmentRequest, asked: KnownAnswers.Fields) -> SafetyAnswers {
        var answers = SafetyAnswers()
        let ticked = Set(form.values("sign"))
        var unnamed: [QuestionStep] = []
        for question in knowledge.redFlagSteps {
            let codes = knowledge.signs(of: question)
            let named = codes.count > 1 ? codes.filter { ticked.contains($0.rawValue) } : []
            if !named.isEmpty {
                answers.findings += named
                answers.negatives += codes.filter { !named.contains($0) }
                continue
            }
            switch form.value(question.id) {
            case "no": answers.negatives += codes
            case "yes" where codes.count == 1: answers.findings += codes
            case "yes": unnamed.append(question)
            default: answers.errors.append((question.id, "Please answer: \(question.text)"))
            }
        }
        if !unnamed.isEmpty {
            var soFar = others
            soFar.findings += answers.findings
            soFar.negatives += answers.negatives
            let counted = services.assessor.mostUrgentSigns(for: unnamed.map { knowledge.signs(of: $0) }, given: soFar, asked: asked)
            answers.findings += counted
            answers.counted = Array(zip(unnamed, counted))
        }
        return answers
    }

    func episodeErrors(_ form: Form) -> [(String, String)] {
        do {
            _ = try assessmentRequest(form)
            return []
        } catch let problem as Problem {
            return [(problem.field ?? "", problem.detail)]
        } catch {
            return [("", "something in the answers could not be read")]
        }
    }

    /// The form's answers as a contract request, checked by the same decoder as the API.
    func assessmentRequest(_ form: Form) throws -> AssessmentRequest {
        // The signs reported and denied, on the safety step and after, read as the emergency check reads them.
        let signs = answersSoFar(form, step: 3).request
        var members: [(key: String, value: JSONValue)] = []
        var episode: [(key: String, value: JSONValue)] = []
        guard let age = Int(form.value("age") ?? "") else {
            throw Problem.invalid("age", "please give your age as a whole number from 0 to 120")
        }
        members.append(("age", .number(Double(age), isInteger: true)))
        guard let minutes = View.minutes(form.value("durationValue"), unit: form.value("durationUnit")), minutes > 0 else {
            throw Problem.invalid("duration", "please say how long it lasted, as a number such as 2 (minutes)")
        }
        episode.append(("durationMinutes", .number(minutes, isInteger: false)))
        let muscles = form.values("muscle")
        guard !muscles.isEmpty else { throw Problem.invalid("muscles", "please tick which muscle cramped (or \"not sure\")") }
        episode.append(("muscles", .array(muscles.map { .string($0) })))
        for name in ["side", "onset"] {
            if let value = form.value(name), !value.isEmpty { episode.append((name, .string(value))) }
        }
        if let value = form.value("sex"), !value.isEmpty { members.append(("sex", .string(value))) }
        for name in ["severity", "episodesLast30Days"] {
            guard let text = form.value(name), !text.isEmpty else { continue }
            guard let number = Int(text) else { throw Problem.invalid(name, "\"\(text.prefix(40))\" is not a whole number") }
            if name == "severity" { episode.append((name, .number(Double(number), isInteger: true))) } else { members.append((name, .number(Double(number), isInteger: true))) }
        }
        members.append(("episode", .object(episode)))
        members.append(("findings", .array(signs.findings.map { .string($0.rawValue) })))
        members.append(("negatives", .array(signs.negatives.map { .string($0.rawValue) })))
        members.append(("context", .array(form.values("context").map { .string($0) })))
        members.append(("conditions", .array(form.values("condition").map { .string($0) })))
        members.append(("medications", .array(form.values("medication").map { .string($0) })))
        var w = JSONWriter()
        w.write(.object(members))
        do throws(RequestError) {
            return try AssessmentRequest.decode(json: w.bytes)
        } catch {
            throw Problem.invalid(error.field, error.problem)
        }
    }

    func resultPage(_ assessment: AssessmentRequest, stoppedEarly: Bool, counted: [(QuestionStep, Finding)], request: Request,
                    context: CrampRequestContext) -> Response {
        let result = services.assessor.assess(assessment)
        var data = ResultView.data(result, knowledge: knowledge, numbers: numbers(context))
        data["stoppedEarly"] = stoppedEarly
        data["counted"] = counted.map { question, sign in
            "You said yes to \"\(question.text)\" without ticking which, so CrampCare counted the most serious: \(knowledge.findings[sign]?.label ?? sign.rawValue)"
        }
        if context.owner != nil { data["requestJSON"] = String(decoding: assessment.json(), as: UTF8.self) }
        return page("result", title: ResultView.title(result, numbers: numbers(context)), section: "assess", data, request: request, context: context)
    }

    @Sendable func assessSave(_ request: Request, context: CrampRequestContext) async throws -> Response {
        let owner = try owner(request, context: context)
        let form = try await form(request, context: context)
        let assessment: AssessmentRequest
        do throws(RequestError) {
            assessment = try AssessmentRequest.decode(json: Array((form.value("request") ?? "").utf8))
        } catch {
            throw Problem.invalid("request", error.description)
        }
        let result = services.assessor.assess(assessment)
        let zone = try await services.zone(owner: owner)
        try await services.journal.saveAssessment(AssessmentRecord(
            id: EntryID.random(), madeAt: Zones.now(in: zone), knowledgeVersion: knowledge.version, triage: result.triage,
            requestJSON: String(decoding: assessment.json(), as: UTF8.self), resultJSON: String(decoding: services.resultEncoder.encode(result), as: UTF8.self)),
            owner: owner)
        return page("message", title: "Kept", section: "assess",
                    ["heading": "Kept in your journal", "text": "The result is kept with your journal, for your reports.",
                     "link": ["href": "/journal", "label": "Go to the journal"]], request: request, context: context)
    }
}

/// The safety step's answers: the signs reported and denied, the questions left unanswered, and
/// the questions answered "yes" with no sign named, with the sign counted for each.
struct SafetyAnswers {
    var findings: [Finding] = []
    var negatives: [Finding] = []
    var errors: [(String, String)] = []
    var counted: [(QuestionStep, Finding)] = []
}

/// Thrown by a page that needs a signed-in person: becomes a redirect to the sign-in page.
struct SignInRequired: Error, HTTPResponseError {
    let next: String
    var status: HTTPResponse.Status { .seeOther }
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let safe = Pages.nextPath(next)
        return Response(status: .seeOther, headers: [.location: "/signin?next=\(safe.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")"])
    }
}

/// Pages learn who is signed in from the session cookie only.
struct PageGuard: RouterMiddleware {
    typealias Context = CrampRequestContext
    let services: CrampServices
    let configuration: ServerConfiguration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // A page is reached by a browser: an Authorization header is not how it signs in.
        try await AccountService(services: services, configuration: configuration).authenticate(request, context: &context, cookiesOnly: true)
        if let owner = context.owner { context.region = try await services.journal.profile(owner: owner)?.region }
        return try await next(request, context)
    }
}
