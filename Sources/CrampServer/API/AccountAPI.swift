import CrampJSON
import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The account routes of the API (hosted mode only).
struct AccountAPI: APIController {
    let services: CrampServices
    let configuration: ServerConfiguration

    var accounts: AccountService { AccountService(services: services, configuration: configuration) }

    var routes: RouteCollection<CrampRequestContext> {
        let routes = RouteCollection(context: CrampRequestContext.self)
        routes.post("account", use: registerAccount)
        routes.get("account", use: readAccount)
        routes.delete("account", use: deleteAccount)
        routes.put("account/password", use: changePassword)
        routes.delete("account/sessions", use: signOutEverywhere)
        routes.post("account/second-factor", use: startSecondFactor)
        routes.put("account/second-factor", use: confirmSecondFactor)
        routes.delete("account/second-factor", use: removeSecondFactor)
        routes.post("session", use: signIn)
        routes.delete("session", use: signOut)
        routes.get("account/tokens", use: listTokens)
        routes.post("account/tokens", use: createToken)
        routes.delete("account/tokens/:id", use: revokeToken)
        return routes
    }

    func accountJSON(_ account: Account) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("owner"); w.value(account.owner.rawValue)
        w.key("email"); w.value(account.email)
        w.key("createdAt"); w.value(Int(account.createdAt))
        w.endObject()
        return w.bytes
    }

    @Sendable func registerAccount(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let fields = try await fields(request, context: context, ["email", "password"])
        let account = try await accounts.register(
            email: fields["email"]!, password: fields["password"]!, address: accounts.clientAddress(request, context: context))
        var response = Body.json(accountJSON(account), status: .created)
        response.setCookie(accounts.sessionCookie(try await accounts.startSession(owner: account.owner, replacing: request)))
        return response
    }

    @Sendable func readAccount(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        guard let account = try await services.accounts.account(owner: try context.requireOwner()) else { throw Problem.notFound("the account") }
        return Body.json(accountJSON(account))
    }

    @Sendable func deleteAccount(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(request, context: context, ["password"])
        try await accounts.confirmPassword(owner: owner, password: fields["password"]!, request: request, context: context)
        _ = try await services.accounts.deleteAccount(owner: owner)
        var response = Response(status: .noContent)
        accounts.endSession(&response)
        return response
    }

    @Sendable func changePassword(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(request, context: context, ["password", "newPassword"])
        let session = try await accounts.changePassword(
            owner: owner, current: fields["password"]!, new: fields["newPassword"]!, request: request, context: context)
        var response = Response(status: .noContent)
        response.setCookie(accounts.sessionCookie(session))
        return response
    }

    @Sendable func signOutEverywhere(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        _ = try await accounts.signOutEverywhere(owner: owner)
        var response = Response(status: .noContent)
        accounts.endSession(&response)
        return response
    }

    @Sendable func signIn(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let fields = try await fields(request, context: context, ["email", "password"], optional: ["code"])
        let signedIn = try await accounts.signIn(
            email: fields["email"]!, password: fields["password"]!, address: accounts.clientAddress(request, context: context),
            device: request.cookies[accounts.deviceCookieName]?.value, code: fields["code"])
        var response = Body.json(accountJSON(signedIn.account))
        for cookie in try await accounts.signedInCookies(signedIn, request: request) { response.setCookie(cookie) }
        return response
    }

    @Sendable func startSecondFactor(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let started = try await accounts.startSecondFactor(owner: try requireSession(context))
        var w = JSONWriter()
        w.beginObject()
        w.key("secret"); w.value(started.secret)
        w.key("uri"); w.value(started.address)
        w.endObject()
        return Body.json(w.bytes, status: .created)
    }

    @Sendable func confirmSecondFactor(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(request, context: context, ["code"])
        try await accounts.confirmSecondFactor(owner: owner, code: fields["code"]!)
        return Response(status: .noContent)
    }

    @Sendable func removeSecondFactor(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(request, context: context, ["password", "code"])
        try await accounts.removeSecondFactor(owner: owner, password: fields["password"]!, code: fields["code"]!, request: request, context: context)
        return Response(status: .noContent)
    }

    @Sendable func signOut(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        if case .session(let digest) = context.credential { try await services.accounts.removeCredential(owner: owner, digest: digest) }
        var response = Response(status: .noContent)
        accounts.endSession(&response)
        return response
    }

    static func tokenJSON(_ token: APITokenInfo, to w: inout JSONWriter) {
        w.key("id"); w.value(token.id)
        w.key("label"); w.value(token.label)
        w.key("scope"); w.value(token.scope.rawValue)
        w.key("createdAt"); w.value(Int(token.createdAt))
        if let expires = token.expiresAt { w.key("expiresAt"); w.value(Int(expires)) }
        if let used = token.lastUsedAt { w.key("lastUsedAt"); w.value(Int(used)) }
    }

    @Sendable func listTokens(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let tokens = try await services.accounts.apiTokens(owner: try requireSession(context))
        var w = JSONWriter()
        w.beginObject()
        w.key("tokens"); w.beginArray()
        for token in tokens {
            w.beginObject()
            Self.tokenJSON(token, to: &w)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    /// Reads a scope name and a lifetime in days, naming the field when either is wrong.
    static func tokenTerms(scope: String?, days: String?) throws -> (TokenScope, Int) {
        let scopeText = scope ?? TokenScope.full.rawValue
        guard let scope = TokenScope(rawValue: scopeText) else {
            throw Problem.invalid(
                "scope", "\(Problem.shown(scopeText)) is not a scope; accepted: \(TokenScope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let daysText = days ?? String(AccountService.maxTokenDays)
        guard let count = Int(daysText), (1...AccountService.maxTokenDays).contains(count) else {
            throw Problem.invalid("days", "\(Problem.shown(daysText)) is out of range; accepted: 1 to \(AccountService.maxTokenDays) days")
        }
        return (scope, count)
    }

    @Sendable func createToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try requireSession(context)
        let fields = try await fields(request, context: context, ["label"], optional: ["scope", "days"], numbers: ["days"])
        let (scope, days) = try Self.tokenTerms(scope: fields["scope"], days: fields["days"])
        let created = try await accounts.createToken(owner: owner, label: fields["label"]!, scope: scope, days: days)
        var w = JSONWriter()
        w.beginObject()
        Self.tokenJSON(created.info, to: &w)
        w.key("token"); w.value(created.token)
        w.endObject()
        return Body.json(w.bytes, status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let id = context.parameters.get("id") ?? ""
        guard try await services.accounts.revokeAPIToken(owner: owner, id: id) else {
            throw Problem.notFound("token \(Problem.shown(id, limit: 40))")
        }
        return Response(status: .noContent)
    }
}
