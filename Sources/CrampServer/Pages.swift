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
        library = try Self.templateLibrary()
    }

    /// Every template, each naming the project's escaper first (swift-mustache's own HTML
    /// escaper works per Character, see HTMLText.escape, and a partial starts again with it).
    static func templateLibrary() throws -> MustacheLibrary {
        MustacheContentTypes.register(ScalarHTML(), named: ScalarHTML.name)
        var library = MustacheLibrary()
        for file in EmbeddedWeb.files where file.name.hasSuffix(".mustache") {
            guard file.text.hasPrefix("{{% CONTENT_TYPE: \(ScalarHTML.name) }}") else { throw ScalarHTML.MissingPragma(file: file.name) }
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        return library
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
        pages.post("account/password", use: changePassword)
        pages.post("account/signout-everywhere", use: signOutEverywhere)
        pages.post("account/second-step", use: secondFactorStart)
        pages.post("account/second-step/confirm", use: secondFactorConfirm)
        pages.post("account/second-step/remove", use: secondFactorRemove)
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
        render(template, title: title, section: section, root: View.flags(data) as? [String: Any] ?? [:], script: data["script"] as? String,
               stylesheet: data["stylesheet"] as? String, request: request, context: context, status: status, fragments: fragments)
    }

    /// A page whose template reads a typed model: its fields are looked up first, then the
    /// layout's (`csrf`, `site`).
    func page(_ template: String, title: String, section: String, model: some Sendable, script: String? = nil, stylesheet: String? = nil,
              request: Request, context: CrampRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        render(template, title: title, section: section, root: ["page": model], script: script, stylesheet: stylesheet, request: request,
               context: context, status: status, fragments: [:])
    }

    private func render(_ template: String, title: String, section: String, root: [String: Any], script: String?, stylesheet: String?,
                        request: Request, context: CrampRequestContext, status: HTTPResponse.Status, fragments: [String: String]) -> Response {
        let (csrf, isNew) = csrfToken(request)
        var data = root
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
        if let script, !script.isEmpty { site["script"] = script }
        if let stylesheet, !stylesheet.isEmpty { site["stylesheet"] = stylesheet }
        data["site"] = site
        data["pageTemplate"] = template
        var html = library.render(data, withTemplate: "layout") ?? ""
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

    /// Every `Location` is a path on this site: anything else becomes the home page.
    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: Self.localPath(location) ?? "/"])
    }

    /// `text` when it is a path on this site, else nil: it starts with one "/", and has only
    /// printable ASCII that a browser keeps as it is (no TAB, CR, LF or space, which browsers
    /// strip, so "/\t/evil.example" would become "//evil.example"; no backslash, which they read
    /// as "/").
    static func localPath(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 1024, bytes.first == UInt8(ascii: "/"), bytes.count == 1 || bytes[1] != UInt8(ascii: "/") else { return nil }
        let refused = Set("\\\"<>`{}|^ ".utf8)
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !refused.contains($0) }) else { return nil }
        return text
    }

    /// The emergency numbers for the person: their profile's region, else the server's (personal
    /// mode: the machine's locale), else the default that works from mobiles in many countries.
    func numbers(_ context: CrampRequestContext) -> EmergencyNumbers {
        services.app.numbers(region: context.region)
    }

    func csrfToken(_ request: Request) -> (String, Bool) {
        if let cookie = request.cookies[Credentials.csrfCookieName(secure: configuration.secureCookies)], cookie.value.count >= 40 {
            return (cookie.value, false)
        }
        return (Credentials.secret(), true)
    }

    /// The submitted form, after checking its CSRF token and Origin.
    func form(_ request: Request, context: CrampRequestContext) async throws -> Form {
        let form = try Form.parse(try await Body.bytes(request, context: context))
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
        page("home", title: "What is happening now?", section: "home", ["raised": try await raisedNotices(context)], request: request, context: context)
    }

    /// Kept assessments of the last 14 days that today's knowledge base makes urgent or an emergency.
    func raisedNotices(_ context: CrampRequestContext) async throws -> [String] {
        guard let owner = context.owner else { return [] }
        return try await services.app.raisedNotices(owner: owner).map(\.notice)
    }

    func resultPage(_ assessment: AssessmentRequest, stoppedEarly: Bool, counted: [(question: String, sign: Finding)], request: Request,
                    context: CrampRequestContext) -> Response {
        let shown = ResultPresentation(services.assessor.assess(assessment), knowledge: knowledge, numbers: numbers(context))
        let model = ResultPage(shown, stoppedEarly: stoppedEarly, counted: counted.map { question, sign in
            "You said yes or not sure to \"\(question)\" without ticking which, so CrampCare counted the most serious: \(knowledge.findings[sign]?.label ?? sign.rawValue)"
        }, requestJSON: context.owner != nil ? String(decoding: assessment.json(), as: UTF8.self) : nil)
        return page("result", title: shown.title, section: "assess", model: model, request: request, context: context)
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
        let kept = await services.app.assess(assessment, keepFor: owner)
        if let failure = kept.keeping.failure {
            throw Problem(.serviceUnavailable, "Not kept", detail: "the result could not be kept in your journal (\(failure.prefix(200))); it still stands")
        }
        return page("message", title: "Kept", section: "assess",
                    ["heading": "Kept in your journal", "text": "The result is kept with your journal, for your reports.",
                     "link": ["href": "/journal", "label": "Go to the journal"]], request: request, context: context)
    }
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

/// The templates' content type: HTML escaped by the project's one escaper.
struct ScalarHTML: MustacheContentType {
    static let name = "HTML_SCALARS"

    struct MissingPragma: Error, CustomStringConvertible {
        let file: String
        var description: String { "\(file) must begin with {{% CONTENT_TYPE: \(ScalarHTML.name) }}" }
    }

    func escapeText(_ text: String) -> String { HTMLText.escape(text) }
}
