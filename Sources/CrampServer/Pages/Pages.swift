import CrampApplication
import CrampAssessment
import CrampInsights
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore

/// What every page shares: the services, the configuration and the templates. Each resource's
/// pages are a `PageController` in a file of its own; they render through `page` below. The pages
/// work without JavaScript; every form carries a CSRF token that must match the person's CSRF
/// cookie, and every journal page acts for the signed-in owner only.
struct Pages: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration
    let library: MustacheLibrary

    init(services: CrampServices, configuration: ServerConfiguration) throws {
        self.services = services
        self.configuration = configuration
        library = try Self.templateLibrary()
    }

    /// Every resource's pages, in the order they are registered.
    func controllers() -> [any PageController] {
        [
            HomePages(web: self), AssessPages(web: self), NightLogPages(web: self), EpisodePages(web: self), DayPages(web: self),
            ProfilePages(web: self),
            LearnPages(web: self), RelievePages(web: self), PlanPages(web: self), InsightsPages(web: self), DataPages(web: self),
            AccountPages(web: self), OfflinePages(web: self), SharingPages(web: self), PatientPages(web: self),
        ]
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

    /// Where to go after signing in: a path on this site only.
    static func nextPath(_ text: String?) -> String {
        text.flatMap(Pages.localPath) ?? "/"
    }
}

/// A form a page receives; every one carries the browser's CSRF token.
protocol SubmittedForm: Decodable, Sendable {
    var csrf: String? { get }
}

/// A form with nothing but its token (a delete button).
struct PlainForm: SubmittedForm {
    var csrf: String?
}

/// One resource's pages: its routes, and the rendering, forms and sign-in every page shares.
protocol PageController: Sendable {
    var web: Pages { get }
    var routes: RouteCollection<CrampRequestContext> { get }
}

extension PageController {
    var services: CrampServices { web.services }
    var configuration: ServerConfiguration { web.configuration }
    var knowledge: KnowledgeBase { services.knowledge }
    var accounts: AccountService { AccountService(services: services, configuration: configuration) }

    // MARK: rendering
    /// A page in the layout. Sets the CSRF cookie when the person has none yet.
    ///
    /// Every value a template prints is escaped: no template has a triple brace. The page's own
    /// template is a partial of the layout, whose values live under `site`. `fragments` puts
    /// markup that one of CrampCare's own renderers made (the clinician report, which escapes
    /// every value it inserts) where the page's template has `<!--fragment:NAME-->`; data can
    /// never contain such a marker, because its `<` is printed as `&lt;`.
    func page(
        _ template: String, title: String, section: String, model: some Sendable, script: String? = nil, stylesheet: String? = nil,
        request: Request, context: CrampRequestContext, status: HTTPResponse.Status = .ok, fragments: [String: String] = [:],
        shared: Bool = false, diary: DiaryInView? = nil
    ) -> Response {
        // A page kept by the service worker (`shared`) holds nothing of the person's: no token.
        let (csrf, isNew) = shared ? ("", false) : csrfToken(request)
        var nav: [(href: String, label: String, section: String)] = [
            ("/relieve", "Ease a cramp", "relieve"), ("/assess", "Check symptoms", "assess"), ("/journal", "Journal", "journal"),
            ("/day", "My day", "day"), ("/insights", "Insights", "insights"), ("/plan", "My plan", "plan"), ("/learn", "Learn", "learn"),
            ("/profile", "Profile", "profile"), ("/data", "My data", "data"),
        ]
        if configuration.hosted {
            if context.owner == nil {
                nav = [
                    ("/relieve", "Ease a cramp", "relieve"), ("/learn", "Learn", "learn"), ("/signin", "Sign in", "signin"),
                    ("/register", "Create an account", "register"),
                ]
            } else {
                nav.append(("/sharing", "Sharing", "sharing"))
                nav.append(("/account", "Account", "account"))
            }
        }
        let emergency = numbers(context).emergency
        let theme = Theme.chosen(request)
        // Empty script and stylesheet are left out rather than asked for as "/static/".
        let site = Site(
            title: title, nav: nav.map { NavLink(href: $0.href, label: $0.label, current: $0.section == section) }, csrf: csrf,
            signedIn: configuration.hosted && context.owner != nil, owner: shared ? nil : context.owner?.rawValue,
            disclaimer: knowledge.disclaimer, emergencyNumber: emergency,
            // A carer in someone's diary: their number too, where they live.
            theirs: diary.flatMap { diary in
                diary.emergency.flatMap { number in diary.grant.map { TheirNumber(name: $0.sharedName, number: number) } }
            },
            script: script.flatMap { $0.isEmpty ? nil : $0 }, stylesheet: stylesheet.flatMap { $0.isEmpty ? nil : $0 },
            theme: theme?.rawValue,
            themes: Theme.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == theme) }
                + [Option(value: "system", label: "Same as this device", selected: theme == nil)],
            path: (Pages.localPath(request.uri.path) ?? "/").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2F")
        let data = Layout(
            page: model, pageTemplate: template, site: site, csrf: csrf, emergencyNumber: emergency, hosted: configuration.hosted)
        var html = web.library.render(data, withTemplate: "layout") ?? ""
        for (name, fragment) in fragments {
            if let marker = html.range(of: "<!--fragment:\(name)-->") { html.replaceSubrange(marker, with: fragment) }
        }
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        if isNew {
            response.setCookie(
                Cookie(
                    name: Credentials.csrfCookieName(secure: configuration.secureCookies), value: csrf, path: "/",
                    secure: configuration.secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// Every `Location` is a path on this site: anything else becomes the home page.
    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: Pages.localPath(location) ?? "/"])
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
    /// The submitted form as its type, after checking its size, its CSRF token and its Origin:
    /// decoded with Hummingbird's URLEncodedFormDecoder, which refuses a plain name sent twice
    /// (a list is sent as `name[]`).
    func form<Submitted: SubmittedForm>(_: Submitted.Type, _ request: Request, context: CrampRequestContext) async throws -> Submitted {
        let bytes = try await Body.bytes(request, context: context)
        try Form.checkSize(bytes)
        let form: Submitted
        do {
            form = try URLEncodedFormDecoder().decode(Submitted.self, from: String(decoding: bytes, as: UTF8.self))
        } catch let error as URLEncodedFormError {
            throw Problem.invalid("form", Form.problem(error))
        } catch let error as DecodingError {
            throw Form.problem(error)
        }
        try check(csrf: form.csrf, request)
        return form
    }

    /// Refuses a form sent from another site, or without the CSRF token of this browser.
    func check(csrf sent: String?, _ request: Request) throws {
        if let origin = request.headers[.origin], !APIGuard.isOwnOrigin(origin, request: request) {
            throw Problem(.forbidden, "Form refused", detail: "this form was sent from another site")
        }
        let cookie = request.cookies[Credentials.csrfCookieName(secure: configuration.secureCookies)]?.value ?? ""
        guard !cookie.isEmpty, let sent, View.constantTimeEquals(sent, cookie) else {
            throw Problem(
                .forbidden, "Form expired", detail: "this form has expired or was not sent from CrampCare; go back, reload the page and send it again"
            )
        }
    }

    /// The owner, or a redirect to sign in (hosted mode).
    func owner(_ request: Request, context: CrampRequestContext) throws -> OwnerID {
        guard let owner = context.owner else { throw SignInRequired(next: request.uri.path) }
        return owner
    }

    /// Kept assessments of the last 14 days that today's knowledge base makes urgent or an emergency.
    func raisedNotices(_ context: CrampRequestContext) async throws -> [String] {
        guard let owner = context.owner else { return [] }
        return try await services.app.raisedNotices(owner: owner).map(\.notice)
    }

    func requireHostedPage() throws {
        guard configuration.hosted else {
            throw Problem(.notFound, "Not found", detail: "accounts exist in hosted mode only; this is a personal journal")
        }
    }
}

/// Thrown by a page that needs a signed-in person: becomes a redirect to the sign-in page.
struct SignInRequired: Error, HTTPResponseError {
    let next: String
    var status: HTTPResponse.Status { .seeOther }
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let safe = Pages.nextPath(next)
        return Response(
            status: .seeOther, headers: [.location: "/signin?next=\(safe.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")"])
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

/// A link of the menu; `current` marks the page's own section.
struct NavLink: Sendable {
    let href: String
    let label: String
    let current: Bool
}

/// What the layout reads: the page's own model, and the values every page may use (`csrf`,
/// `hosted`, `emergencyNumber`) found by any template when its model has no such field.
struct Layout<Page: Sendable>: Sendable {
    let page: Page
    let pageTemplate: String
    let site: Site
    let csrf: String
    let emergencyNumber: String
    let hosted: Bool
}

struct Site: Sendable {
    let title: String
    let nav: [NavLink]
    let csrf: String
    let signedIn: Bool
    /// Whose queue of cramps noted offline this page may send (app.js); nil when signed out.
    let owner: String?
    let disclaimer: String
    let emergencyNumber: String
    let theirs: TheirNumber?
    let script: String?
    let stylesheet: String?
    /// The screen colours the person chose; nil follows the system.
    let theme: String?
    let themes: [Option]
    /// This page, for the theme switch to come back to.
    let path: String
}

/// Light or dark screen colours, chosen with the switch in the footer (a cookie of this browser,
/// not of the account: a phone at night and a laptop by day differ).
enum Theme: String, CaseIterable, Sendable {
    case light, dark

    static let cookie = "theme"

    var label: String {
        switch self {
        case .light: "Light"
        case .dark: "Dark"
        }
    }

    static func chosen(_ request: Request) -> Theme? {
        request.cookies[cookie].flatMap { Theme(rawValue: $0.value) }
    }
}

/// The emergency number of the person whose diary a carer is in (their profile's region).
struct TheirNumber: Sendable {
    let name: String
    let number: String
}
