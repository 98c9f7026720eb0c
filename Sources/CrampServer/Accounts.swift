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

/// Registration, sign-in with per-account and per-address limits, sessions and API tokens: one
/// place for the rules, used by the API and the pages alike.
struct AccountService: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    var accounts: AccountStore { services.accounts }

    /// bcrypt on the blocking pool: a hash takes a quarter of a second at cost 12, far too long
    /// for the event loop or the cooperative pool.
    func hash(_ password: String) async throws -> String {
        let cost = configuration.passwordCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    func register(email rawEmail: String, password rawPassword: String) async throws -> Account {
        let email = try AccountRules.email(rawEmail)
        let password = try AccountRules.password(rawPassword)
        let hash = try await hash(password)
        guard let account = try await accounts.createAccount(owner: Credentials.newOwner(), email: email, passwordHash: hash, now: Clock.millisecondsNow()) else {
            throw Problem(.conflict, "Already registered", detail: "an account with this email address exists; sign in instead", field: "email")
        }
        return account
    }

    /// A hash of a random password at each cost in use, checked when the address is unknown, so
    /// that an unknown address takes as long to refuse as a wrong password: at the configured
    /// cost, or the time would tell who has an account.
    private static let decoys = Mutex<[UInt8: String]>([:])

    static func decoy(cost: UInt8) -> String {
        if let hash = decoys.withLock({ $0[cost] }) { return hash }
        let hash = Bcrypt.hash("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
        return decoys.withLock { known in
            if let first = known[cost] { return first }
            known[cost] = hash
            return hash
        }
    }

    /// Makes the decoy before the first request, so that the first unknown address is not slower.
    static func prepare(_ configuration: ServerConfiguration) {
        if configuration.hosted { _ = decoy(cost: configuration.passwordCost) }
    }

    private func decoy() async throws -> String {
        let cost = configuration.passwordCost
        return try await NIOThreadPool.singleton.runIfActive { Self.decoy(cost: cost) }
    }

    /// Checks the password within the limits; the account on success.
    func signIn(email rawEmail: String, password: String, address: String) async throws -> Account {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let now = Clock.millisecondsNow()
        let window = configuration.signInWindowSeconds * 1000
        let accountSubject = "account:\(Credentials.digest(email))"
        let addressSubject = "address:\(address)"
        for (subject, limit) in [(accountSubject, configuration.signInFailuresPerAccount), (addressSubject, configuration.signInFailuresPerAddress)] {
            let failures = try await accounts.failures(subject: subject, now: now, windowMilliseconds: window)
            if failures.count >= limit {
                let seconds = max(1, (failures.windowEndsAt - now + 999) / 1000)
                var problem = Problem(.tooManyRequests, "Too many attempts", detail: "too many failed sign-ins; try again in \(seconds / 60 + 1) minutes")
                problem.headers[.retryAfter] = String(seconds)
                throw problem
            }
        }
        let found = try await accounts.account(email: email)
        let hash = if let found { found.passwordHash } else { try await decoy() }
        let matches = try await verify(password, hash: hash)
        guard let found, matches else {
            _ = try await accounts.recordFailure(subject: accountSubject, now: now, windowMilliseconds: window)
            _ = try await accounts.recordFailure(subject: addressSubject, now: now, windowMilliseconds: window)
            throw Problem(.unauthorized, "Sign-in failed", detail: "the email address or the password is wrong")
        }
        try await accounts.clearFailures(subject: accountSubject)
        return found.account
    }

    /// A new browser session; the cookie value.
    func startSession(owner: OwnerID) async throws -> String {
        let secret = Credentials.secret()
        let now = Clock.millisecondsNow()
        try await accounts.addCredential(owner: owner, digest: Credentials.digest(secret), kind: .session, label: nil, now: now,
                                         expiresAt: now + configuration.sessionSeconds * 1000)
        return "\(owner.rawValue).\(secret)"
    }

    func sessionCookie(_ value: String) -> Cookie {
        Cookie(name: Credentials.sessionCookieName(secure: configuration.secureCookies), value: value, maxAge: Int(configuration.sessionSeconds),
               path: "/", secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    func expiredSessionCookie() -> Cookie {
        Cookie(name: Credentials.sessionCookieName(secure: configuration.secureCookies), value: "", maxAge: 0, path: "/",
               secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// A new API token; the token, shown once.
    func createToken(owner: OwnerID, label: String) async throws -> (token: String, info: APITokenInfo) {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        // Counted in code points, as the OpenAPI document's maxLength counts them.
        guard !label.isEmpty, label.unicodeScalars.count <= 100 else { throw Problem.invalid("label", "a token needs a label of 1 to 100 characters, such as \"phone app\"") }
        let secret = Credentials.secret()
        let digest = Credentials.digest(secret)
        let now = Clock.millisecondsNow()
        try await accounts.addCredential(owner: owner, digest: digest, kind: .apiToken, label: label, now: now, expiresAt: nil)
        return ("\(Credentials.tokenPrefix)\(owner.rawValue).\(secret)", APITokenInfo(id: String(digest.prefix(AccountStore.tokenIDLength)), label: label, createdAt: now))
    }

    /// Who a request is from: an API token, else a session cookie. Personal mode: the local owner.
    func authenticate(_ request: Request, context: inout CrampRequestContext, cookiesOnly: Bool = false) async throws {
        guard configuration.hosted else {
            context.owner = .local
            context.credential = .local
            return
        }
        let now = Clock.millisecondsNow()
        if !cookiesOnly, let authorization = request.headers[.authorization] {
            // A request that names a token must carry a valid one: no silent fall-back to the cookie.
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(Credentials.tokenPrefix),
                let parsed = Credentials.parse(String(parts[1].dropFirst(Credentials.tokenPrefix.count))),
                try await accounts.isValid(owner: parsed.owner, digest: Credentials.digest(parsed.secret), kind: .apiToken, now: now)
            else {
                var problem = Problem(.unauthorized, "Invalid token", detail: "the API token is not valid; create one under Account, API tokens")
                problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\", error=\"invalid_token\""
                throw problem
            }
            context.owner = parsed.owner
            context.credential = .apiToken
            return
        }
        if let cookie = request.cookies[Credentials.sessionCookieName(secure: configuration.secureCookies)], let parsed = Credentials.parse(cookie.value) {
            let digest = Credentials.digest(parsed.secret)
            if try await accounts.isValid(owner: parsed.owner, digest: digest, kind: .session, now: now) {
                context.owner = parsed.owner
                context.credential = .session(digest: digest)
            }
        }
    }
}

/// The account routes of the API (hosted mode only).
struct AccountAPI: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    var accounts: AccountService { AccountService(services: services, configuration: configuration) }

    func register(on api: RouterGroup<CrampRequestContext>) {
        api.post("account", use: registerAccount)
        api.get("account", use: readAccount)
        api.delete("account", use: deleteAccount)
        api.post("session", use: signIn)
        api.delete("session", use: signOut)
        api.get("account/tokens", use: listTokens)
        api.post("account/tokens", use: createToken)
        api.delete("account/tokens/:id", use: revokeToken)
    }

    func requireHosted() throws {
        guard configuration.hosted else { throw Problem(.notFound, "Not found", detail: "accounts exist in hosted mode only; this server is a personal journal") }
    }

    /// `{"email": …, "password": …}` (or other string members), naming a missing one.
    func fields(_ request: Request, context: CrampRequestContext, _ names: [String]) async throws -> [String: String] {
        let bytes = try await Body.bytes(request, context: context)
        guard let value = try? JSONParser.parse(bytes) else { throw Problem(.badRequest, "Malformed JSON", detail: "the body is not a JSON document") }
        guard case .object(let members) = value else { throw Problem.invalid("", "the body must be a JSON object") }
        for member in members where !names.contains(member.key) {
            throw Problem.invalid(member.key, "not a field here; accepted: \(names.joined(separator: ", "))")
        }
        var result: [String: String] = [:]
        for name in names {
            guard let member = value[name] else { throw Problem.invalid(name, "is required") }
            guard let text = member.stringValue else { throw Problem.invalid(name, "must be a string, found \(member.typeName)") }
            result[name] = text
        }
        return result
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
        let account = try await accounts.register(email: fields["email"]!, password: fields["password"]!)
        var response = Body.json(accountJSON(account), status: .created)
        response.setCookie(accounts.sessionCookie(try await accounts.startSession(owner: account.owner)))
        return response
    }

    @Sendable func readAccount(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        guard let account = try await services.accounts.account(owner: try context.requireOwner()) else { throw Problem.notFound("the account") }
        return Body.json(accountJSON(account))
    }

    @Sendable func deleteAccount(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let fields = try await fields(request, context: context, ["password"])
        guard let account = try await services.accounts.account(owner: owner) else { throw Problem.notFound("the account") }
        _ = try await accounts.signIn(email: account.email, password: fields["password"]!, address: context.peerAddress)
        _ = try await services.accounts.deleteAccount(owner: owner)
        var response = Response(status: .noContent)
        response.setCookie(accounts.expiredSessionCookie())
        return response
    }

    @Sendable func signIn(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let fields = try await fields(request, context: context, ["email", "password"])
        let account = try await accounts.signIn(email: fields["email"]!, password: fields["password"]!, address: context.peerAddress)
        var response = Body.json(accountJSON(account))
        response.setCookie(accounts.sessionCookie(try await accounts.startSession(owner: account.owner)))
        return response
    }

    @Sendable func signOut(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        if case .session(let digest) = context.credential { try await services.accounts.removeCredential(owner: owner, digest: digest) }
        var response = Response(status: .noContent)
        response.setCookie(accounts.expiredSessionCookie())
        return response
    }

    @Sendable func listTokens(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let tokens = try await services.accounts.apiTokens(owner: try context.requireOwner())
        var w = JSONWriter()
        w.beginObject()
        w.key("tokens"); w.beginArray()
        for token in tokens {
            w.beginObject()
            w.key("id"); w.value(token.id)
            w.key("label"); w.value(token.label)
            w.key("createdAt"); w.value(Int(token.createdAt))
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return Body.json(w.bytes)
    }

    @Sendable func createToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let fields = try await fields(request, context: context, ["label"])
        let created = try await accounts.createToken(owner: owner, label: fields["label"]!)
        var w = JSONWriter()
        w.beginObject()
        w.key("id"); w.value(created.info.id)
        w.key("label"); w.value(created.info.label)
        w.key("createdAt"); w.value(Int(created.info.createdAt))
        w.key("token"); w.value(created.token)
        w.endObject()
        return Body.json(w.bytes, status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: CrampRequestContext) async throws -> Response {
        try requireHosted()
        let owner = try context.requireOwner()
        let id = context.parameters.get("id") ?? ""
        guard try await services.accounts.revokeAPIToken(owner: owner, id: id) else { throw Problem.notFound("token \(id.prefix(40))") }
        return Response(status: .noContent)
    }
}
