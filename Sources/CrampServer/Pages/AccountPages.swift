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

/// Hosted mode's account pages: sign in, register, sign out, and the account with its tokens and second step.
struct AccountPages: PageController {
    let web: Pages

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.get("signin", use: signInForm)
        routes.post("signin", use: signIn)
        routes.get("register", use: registerForm)
        routes.post("register", use: register)
        routes.post("signout", use: signOut)
        routes.get("account", use: account)
        routes.post("account/tokens", use: createToken)
        routes.post("account/tokens/:id/revoke", use: revokeToken)
        routes.post("account/password", use: changePassword)
        routes.post("account/signout-everywhere", use: signOutEverywhere)
        routes.post("account/second-step", use: secondFactorStart)
        routes.post("account/second-step/confirm", use: secondFactorConfirm)
        routes.post("account/second-step/remove", use: secondFactorRemove)
        return routes
    }

    @Sendable func signInForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let next = Pages.nextPath(request.uri.queryParameters.get("next"))
        return page(
            "signin", title: "Sign in", section: "signin",
            model: SignInPage(
                heading: "Sign in", action: "/signin?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")",
                register: false, email: "", errors: []),
            request: request, context: context)
    }

    @Sendable func signIn(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let form = try await form(AccountForm.self, request, context: context)
        let email = form.email ?? ""
        do {
            let signedIn = try await accounts.signIn(
                email: email, password: form.password ?? "", address: accounts.clientAddress(request, context: context),
                device: request.cookies[accounts.deviceCookieName]?.value, code: form.code)
            var response = redirect(Pages.nextPath(request.uri.queryParameters.get("next")))
            for cookie in try await accounts.signedInCookies(signedIn, request: request) { response.setCookie(cookie) }
            return response
        } catch let problem as Problem {
            var response = page(
                "signin", title: "Sign in", section: "signin",
                model: SignInPage(
                    heading: "Sign in", action: "/signin", register: false, email: email,
                    errors: View.errors([(problem.field ?? "email", problem.detail)])),
                request: request, context: context, status: problem.status)
            if let retry = problem.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
    }

    @Sendable func registerForm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        return page(
            "signin", title: "Create an account", section: "register",
            model: SignInPage(heading: "Create an account", action: "/register", register: true, email: "", errors: []),
            request: request, context: context)
    }

    @Sendable func register(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let form = try await form(AccountForm.self, request, context: context)
        let email = form.email ?? ""
        do {
            let account = try await accounts.register(
                email: email, password: form.password ?? "", address: accounts.clientAddress(request, context: context))
            var response = redirect("/")
            response.setCookie(accounts.sessionCookie(try await accounts.startSession(owner: account.owner, replacing: request)))
            return response
        } catch let problem as Problem {
            return page(
                "signin", title: "Create an account", section: "register",
                model: SignInPage(
                    heading: "Create an account", action: "/register", register: true, email: email,
                    errors: View.errors([(problem.field ?? "email", problem.detail)])),
                request: request, context: context, status: problem.status)
        }
    }

    @Sendable func signOut(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        _ = try await form(AccountForm.self, request, context: context)
        if let owner = context.owner, case .session(let digest) = context.credential {
            try await services.accounts.removeCredential(owner: owner, digest: digest)
        }
        var response = redirect("/")
        accounts.endSession(&response)
        return response
    }

    @Sendable func account(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        return try await accountPage(owner: owner, newToken: nil, errors: [], request: request, context: context)
    }

    func accountPage(
        owner: OwnerID, newToken: String?, errors: [(String, String)], notice: String? = nil, request: Request,
        context: CrampRequestContext
    ) async throws -> Response {
        guard let account = try await services.accounts.account(owner: owner) else { throw Problem.notFound("The account") }
        let tokens = try await services.accounts.apiTokens(owner: owner)
        let clock = try await services.clock(owner: owner)
        let (csrf, _) = csrfToken(request)
        let sessions = try await accounts.sessionCount(owner: owner)
        let factor = try await services.accounts.secondFactor(owner: owner)
        return page(
            "account", title: "My account", section: "account",
            model: AccountPage(
                email: account.email, newToken: newToken, sessions: sessions, oneSession: sessions == 1, factorOn: factor?.confirmed == true,
                factorPending: factor.map { !$0.confirmed } ?? false,
                factorSecret: factor.flatMap { $0.confirmed ? nil : Self.grouped($0.secret) },
                factorAddress: factor.flatMap {
                    $0.confirmed ? nil : TOTP.bytes(base32: $0.secret).map { TOTP.address(secret: $0, account: account.email) }
                }, errors: View.errors(errors), notice: notice.map { [$0] } ?? [],
                tokens: tokens.map { token in
                    AccountPage.Token(
                        id: token.id, label: token.label, created: View.when(clock.stamp(token.createdAt)),
                        expires: token.expiresAt.map { View.when(clock.stamp($0)) } ?? "never", scope: Self.scopeWords(token.scope),
                        csrf: csrf)
                }),
            request: request, context: context, status: errors.isEmpty ? (newToken == nil ? .ok : .created) : .unprocessableContent)
    }

    /// A secret in groups of four, easier to type into an app.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { String(secret.dropFirst($0).prefix(4)) }.joined(separator: " ")
    }

    @Sendable func secondFactorStart(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(AccountForm.self, request, context: context)
        do {
            _ = try await accounts.startSecondFactor(owner: owner)
            return redirect("/account#second-step")
        } catch let problem as Problem {
            return try await accountPage(owner: owner, newToken: nil, errors: [("code", problem.detail)], request: request, context: context)
        }
    }

    @Sendable func secondFactorConfirm(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(AccountForm.self, request, context: context)
        do {
            try await accounts.confirmSecondFactor(owner: owner, code: form.code ?? "")
            return try await accountPage(
                owner: owner, newToken: nil, errors: [], notice: "The second step is on: from now on, signing in asks for a code from your app.",
                request: request, context: context)
        } catch let problem as Problem {
            return try await accountPage(
                owner: owner, newToken: nil, errors: [("code", problem.detail.replacingOccurrences(of: "code: ", with: "Code: "))],
                request: request, context: context)
        }
    }

    @Sendable func secondFactorRemove(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(AccountForm.self, request, context: context)
        do {
            try await accounts.removeSecondFactor(
                owner: owner, password: form.password ?? "", code: form.code ?? "", request: request, context: context)
            return try await accountPage(
                owner: owner, newToken: nil, errors: [], notice: "The second step is off.", request: request, context: context)
        } catch let problem as Problem where problem.status != .tooManyRequests {
            return try await accountPage(
                owner: owner, newToken: nil, errors: [(problem.field ?? "password", problem.detail)], request: request, context: context)
        }
    }

    static func scopeWords(_ scope: TokenScope) -> String {
        switch scope {
        case .read: "read only"
        case .full: "read and change"
        case .log: "log cramps only"
        }
    }

    @Sendable func changePassword(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(AccountForm.self, request, context: context)
        do {
            let session = try await accounts.changePassword(
                owner: owner, current: form.password ?? "", new: form.newPassword ?? "",
                request: request, context: context)
            var response = try await accountPage(
                owner: owner, newToken: nil, errors: [],
                notice: "Your password is changed. You are signed out everywhere else, and your tokens are revoked.", request: request,
                context: context)
            response.setCookie(accounts.sessionCookie(session))
            return response
        } catch let problem as Problem where problem.status != .tooManyRequests {
            return try await accountPage(
                owner: owner, newToken: nil,
                errors: [(problem.field ?? "password", problem.detail.replacingOccurrences(of: "newPassword: ", with: "New password: "))],
                request: request, context: context)
        }
    }

    @Sendable func signOutEverywhere(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(AccountForm.self, request, context: context)
        _ = try await accounts.signOutEverywhere(owner: owner)
        var response = redirect("/signin")
        accounts.endSession(&response)
        return response
    }

    @Sendable func createToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        let form = try await form(AccountForm.self, request, context: context)
        do {
            let (scope, days) = try AccountAPI.tokenTerms(scope: form.scope, days: form.days)
            let created = try await accounts.createToken(owner: owner, label: form.label ?? "", scope: scope, days: days)
            return try await accountPage(owner: owner, newToken: created.token, errors: [], request: request, context: context)
        } catch let problem as Problem {
            return try await accountPage(
                owner: owner, newToken: nil, errors: [(problem.field ?? "label", problem.detail)], request: request, context: context)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHostedPage()
        let owner = try owner(request, context: context)
        _ = try await form(AccountForm.self, request, context: context)
        guard try await services.accounts.revokeAPIToken(owner: owner, id: context.parameters.get("id") ?? "") else {
            throw Problem.notFound("That token")
        }
        return redirect("/account")
    }
}

/// The account pages' forms, as their fields are named in `signin.mustache` and `account.mustache`.
struct AccountForm: SubmittedForm {
    var csrf: String?
    var email: String?
    var password: String?
    var newPassword: String?
    /// A second-step code.
    var code: String?
    var label: String?
    var scope: String?
    var days: String?
}

/// The sign-in and create-an-account pages.
struct SignInPage: Sendable {
    let heading: String
    let action: String
    let register: Bool
    let email: String
    let errors: [FieldError]
    let minPassword = AccountRules.minPasswordLength
}

struct AccountPage: Sendable {
    struct Token: Sendable {
        let id: String
        let label: String
        let created: String
        let expires: String
        let scope: String
        let csrf: String
    }

    let email: String
    /// Shown once, just after it is made.
    let newToken: String?
    let sessions: Int
    let oneSession: Bool
    let factorOn: Bool
    let factorPending: Bool
    let factorSecret: String?
    let factorAddress: String?
    let errors: [FieldError]
    let notice: [String]
    let tokens: [Token]
    let minPassword = AccountRules.minPasswordLength
    let maxDays = AccountService.maxTokenDays
}
