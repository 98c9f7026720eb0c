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

/// Registration, sign-in with per-account, per-device and per-address limits, sessions and API
/// tokens: one place for the rules (docs/asvs.md), used by the API and the pages alike.
struct AccountService: Sendable {
    let services: CrampServices
    let configuration: ServerConfiguration

    var accounts: AccountStore { services.accounts }

    /// bcrypt on the blocking pool, through a bounded queue: a hash takes a quarter of a second
    /// at cost 12, so a flood of sign-ins would otherwise queue without end. When the queue is
    /// full the request is answered at once with 503 and Retry-After.
    static let hashing = HashQueue(capacity: max(4, 4 * ProcessInfo.processInfo.activeProcessorCount))

    func hash(_ password: String) async throws -> String {
        let cost = configuration.passwordCost
        return try await Self.hashing.run { PasswordHash.make(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await Self.hashing.run { PasswordHash.verify(password, stored: hash) }
    }

    /// A new account. The address is looked up first and the password hashed either way, so a
    /// taken address costs the same work; CrampCare sends no email, so it says the address is
    /// taken (docs/decisions.md).
    func register(email rawEmail: String, password rawPassword: String, address: String) async throws -> Account {
        let email = try AccountRules.email(rawEmail)
        let password = try AccountRules.password(rawPassword)
        try await limit("register:\(address)", configuration.registrationsPerAddress, windowSeconds: 3600, what: "new accounts from this address")
        let taken = try await accounts.account(email: email) != nil
        let hash = try await hash(password)
        guard !taken,
            let account = try await accounts.createAccount(
                owner: Credentials.newOwner(), email: email, passwordHash: hash, now: services.clock.millisecondsNow())
        else {
            throw Problem(.conflict, "Already registered", detail: "an account with this email address exists; sign in instead", field: "email")
        }
        return account
    }

    /// Counts an attempt for `subject` and refuses it with 429 and Retry-After past `limit`.
    func limit(_ subject: String, _ limit: Int, windowSeconds: Int64, what: String) async throws {
        let now = services.clock.millisecondsNow()
        let counted = try await accounts.countAttempt(subject: subject, now: now, windowMilliseconds: windowSeconds * 1000)
        guard counted.count <= limit else {
            let seconds = max(1, (counted.windowEndsAt - now + 999) / 1000)
            var problem = Problem(.tooManyRequests, "Too many attempts", detail: "too many \(what); try again in \(seconds / 60 + 1) minutes")
            problem.headers[.retryAfter] = String(seconds)
            throw problem
        }
    }

    /// A hash of a random password at each cost in use, checked when the address is unknown, so
    /// that an unknown address takes as long to refuse as a wrong password.
    private static let decoys = Mutex<[UInt8: String]>([:])

    static func decoy(cost: UInt8) -> String {
        if let hash = decoys.withLock({ $0[cost] }) { return hash }
        let hash = PasswordHash.make("decoy-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
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

    /// What a successful sign-in hands back: the account, and the device cookie's value when
    /// this browser had none for it.
    struct SignedIn {
        let account: Account
        let newDevice: String?
    }

    /// Checks the password within the limits. Each attempt is counted *before* the hash is
    /// checked, in one statement per limit. The per-account limit counts a browser that signed
    /// in to the account before (its device cookie) apart from everyone else, so failures from
    /// strangers cannot lock the owner's own browser out (OWASP's device cookie).
    func signIn(
        email rawEmail: String, password rawPassword: String, address: String, device: String?, code: String? = nil,
        checkSecondFactor: Bool = true
    ) async throws -> SignedIn {
        // Before anything else: normalising can grow text eighteen-fold.
        guard AccountRules.isPlausible(email: rawEmail, password: rawPassword) else {
            throw Problem(.unauthorized, "Sign-in failed", detail: "the email address or the password is wrong")
        }
        let email = AccountRules.comparable(email: rawEmail)
        let password = AccountRules.normalised(password: rawPassword)
        let window = configuration.signInWindowSeconds
        let found = AccountRules.hasControl(rawEmail) ? nil : try await accounts.account(email: email)
        var accountSubject = "account:\(Credentials.digest(email))"
        var knownDevice = false
        if let device, let found, let parsed = Credentials.parse(device), parsed.owner == found.account.owner,
            try await accounts.isValid(
                owner: parsed.owner, digest: Credentials.digest(parsed.secret), kind: .device, now: services.clock.millisecondsNow())
        {
            accountSubject = "device:\(Credentials.digest(parsed.secret))"
            knownDevice = true
        }
        try await limit(
            "address:\(address)", configuration.signInFailuresPerAddress, windowSeconds: window, what: "sign-in attempts from this address")
        try await limit(accountSubject, configuration.signInFailuresPerAccount, windowSeconds: window, what: "failed sign-ins for this account")
        let hash =
            if let found { found.passwordHash } else { try await Self.hashing.run { [cost = configuration.passwordCost] in Self.decoy(cost: cost) } }
        let verified = try await verify(password, hash: hash)
        let matches = verified && !AccountRules.hasControl(rawPassword)
        guard let found, matches else {
            throw Problem(.unauthorized, "Sign-in failed", detail: "the email address or the password is wrong")
        }
        // The second factor, when the account has one: a wrong code stays counted as a failure.
        if checkSecondFactor, let factor = try await accounts.secondFactor(owner: found.account.owner), factor.confirmed {
            try await checkCode(code, owner: found.account.owner, factor: factor)
        }
        try await accounts.clearFailures(subject: accountSubject)
        try await accounts.forgiveAttempt(subject: "address:\(address)")
        if !PasswordHash.isCurrent(found.passwordHash) {
            try await accounts.setPasswordHash(owner: found.account.owner, passwordHash: try await self.hash(password))
        }
        var newDevice: String?
        if !knownDevice {
            let secret = Credentials.secret()
            let now = services.clock.millisecondsNow()
            try await accounts.addCredential(
                owner: found.account.owner, digest: Credentials.digest(secret), kind: .device, label: nil, now: now,
                expiresAt: now + Self.deviceLifetimeSeconds * 1000)
            newDevice = "\(found.account.owner.rawValue).\(secret)"
        }
        return SignedIn(account: found.account, newDevice: newDevice)
    }

    /// A code from the authenticator app for this account's confirmed secret, used once.
    func checkCode(_ code: String?, owner: OwnerID, factor: (secret: String, confirmed: Bool, lastStep: Int64?)) async throws {
        guard let code, !code.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Problem(.unauthorized, "Code needed", detail: "enter the 6-digit code from your authenticator app", field: "code")
        }
        // Every code checked is counted first, wherever it is asked (sign-in, turning it off):
        // a million codes cannot be tried five at a time.
        let subject = "code:\(owner.rawValue)"
        try await limit(subject, configuration.signInFailuresPerAccount, windowSeconds: configuration.signInWindowSeconds, what: "wrong codes")
        guard let secret = TOTP.bytes(base32: factor.secret),
            let step = TOTP.matchingStep(code, secret: secret, now: services.clock.millisecondsNow(), after: factor.lastStep),
            try await accounts.useSecondFactorStep(owner: owner, step: step)
        else {
            throw Problem(
                .unauthorized, "Wrong code", detail: "that code is wrong or was used already; wait for the next one in your authenticator app",
                field: "code")
        }
        try await accounts.clearFailures(subject: subject)
    }

    /// Starts setting up the second factor: a new secret, kept pending until a code from it is
    /// confirmed. The secret (base32) and the address an authenticator app reads.
    func startSecondFactor(owner: OwnerID) async throws -> (secret: String, address: String) {
        guard let account = try await accounts.account(owner: owner) else { throw Problem.notFound("the account") }
        if let factor = try await accounts.secondFactor(owner: owner), factor.confirmed {
            throw Problem(.conflict, "Already on", detail: "the second factor is on already; turn it off first to make a new one")
        }
        let secret = TOTP.newSecret()
        try await accounts.setSecondFactor(owner: owner, secret: TOTP.base32(secret), confirmed: false)
        return (TOTP.base32(secret), TOTP.address(secret: secret, account: account.email))
    }

    /// Turns the second factor on once a code from the new secret is right.
    func confirmSecondFactor(owner: OwnerID, code: String) async throws {
        guard let factor = try await accounts.secondFactor(owner: owner), !factor.confirmed, let secret = TOTP.bytes(base32: factor.secret) else {
            throw Problem(.conflict, "Nothing to confirm", detail: "start setting up the second factor first")
        }
        guard let step = TOTP.matchingStep(code, secret: secret, now: services.clock.millisecondsNow(), after: nil) else {
            throw Problem.invalid("code", "that code does not match; type the 6 digits your authenticator app shows now")
        }
        try await accounts.setSecondFactor(owner: owner, secret: factor.secret, confirmed: true, step: step)
    }

    /// Turns the second factor off, with the password and a current code.
    func removeSecondFactor(owner: OwnerID, password: String, code: String, request: Request, context: CrampRequestContext) async throws {
        try await confirmPassword(owner: owner, password: password, request: request, context: context)
        if let factor = try await accounts.secondFactor(owner: owner), factor.confirmed {
            try await checkCode(code, owner: owner, factor: factor)
        }
        try await accounts.setSecondFactor(owner: owner, secret: nil, confirmed: false)
    }

    /// Whether the account must use a second factor: one that holds another person's grant
    /// (sharing, the clinician issue) must; others may.
    func requiresSecondFactor(owner: OwnerID) async throws -> Bool { false }

    /// The password of the signed-in owner, checked within the same limits (before erasing,
    /// deleting the account or changing the password).
    func confirmPassword(owner: OwnerID, password: String, request: Request, context: CrampRequestContext) async throws {
        guard let account = try await accounts.account(owner: owner) else { throw Problem.notFound("the account") }
        _ = try await signIn(
            email: account.email, password: password, address: clientAddress(request, context: context),
            device: request.cookies[deviceCookieName]?.value, checkSecondFactor: false)
    }

    static func deviceCookieName(secure: Bool) -> String { secure ? "__Host-crampcare_device" : "crampcare_device" }
    var deviceCookieName: String { Self.deviceCookieName(secure: configuration.secureCookies) }
    static let deviceLifetimeSeconds: Int64 = 180 * 86_400

    func deviceCookie(_ value: String) -> Cookie {
        Cookie(
            name: deviceCookieName, value: value, maxAge: Int(Self.deviceLifetimeSeconds), path: "/", secure: configuration.secureCookies,
            httpOnly: true, sameSite: .strict)
    }

    /// The client's address: the peer's, or, when the peer is a trusted proxy, the nearest
    /// address in `Forwarded` or `X-Forwarded-For` that is not itself a trusted proxy.
    func clientAddress(_ request: Request, context: CrampRequestContext) -> String {
        ClientAddress.resolve(
            peer: context.peerAddress, headers: request.headers, trusted: configuration.trustedProxies, header: configuration.proxyHeader)
    }

    /// A new browser session, ending the one this browser held (sessions are rotated at
    /// sign-in); the cookie value.
    func startSession(owner: OwnerID, replacing request: Request? = nil) async throws -> String {
        if let request,
            let old = request.cookies[Credentials.sessionCookieName(secure: configuration.secureCookies)].flatMap({ Credentials.parse($0.value) })
        {
            try await accounts.removeCredential(owner: old.owner, digest: Credentials.digest(old.secret))
        }
        let secret = Credentials.secret()
        let now = services.clock.millisecondsNow()
        try await accounts.addCredential(
            owner: owner, digest: Credentials.digest(secret), kind: .session, label: nil, now: now,
            expiresAt: now + configuration.sessionSeconds * 1000)
        return "\(owner.rawValue).\(secret)"
    }

    /// The session and device cookies a successful sign-in sets.
    func signedInCookies(_ signedIn: SignedIn, request: Request) async throws -> [Cookie] {
        var cookies = [sessionCookie(try await startSession(owner: signedIn.account.owner, replacing: request))]
        if let device = signedIn.newDevice { cookies.append(deviceCookie(device)) }
        return cookies
    }

    func sessionCookie(_ value: String) -> Cookie {
        Cookie(
            name: Credentials.sessionCookieName(secure: configuration.secureCookies), value: value, maxAge: Int(configuration.sessionSeconds),
            path: "/", secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// Ends the browser's session: the cookie expired and, by Clear-Site-Data, this site's
    /// caches, storage (the offline queue) and service worker cleared, so nothing stays behind.
    func endSession(_ response: inout Response) {
        response.setCookie(expiredSessionCookie())
        response.headers[HTTPField.Name("Clear-Site-Data")!] = "\"cache\", \"storage\""
    }

    func expiredSessionCookie() -> Cookie {
        Cookie(
            name: Credentials.sessionCookieName(secure: configuration.secureCookies), value: "", maxAge: 0, path: "/",
            secure: configuration.secureCookies, httpOnly: true, sameSite: .lax)
    }

    /// A new password for the signed-in owner, after the current one is confirmed; every other
    /// session ends, and this one is replaced. The new session cookie's value.
    func changePassword(owner: OwnerID, current: String, new rawNew: String, request: Request, context: CrampRequestContext) async throws -> String {
        try await confirmPassword(owner: owner, password: current, request: request, context: context)
        let password = try AccountRules.password(rawNew, field: "newPassword")
        let hash = try await hash(password)
        try await accounts.changePassword(owner: owner, passwordHash: hash, keepingSession: nil)
        return try await startSession(owner: owner)
    }

    /// Ends every session of the owner, this one included; how many ended.
    func sessionCount(owner: OwnerID) async throws -> Int {
        try await accounts.liveCredentials(
            owner: owner, kind: .session, now: services.clock.millisecondsNow(), idleMilliseconds: configuration.sessionIdleSeconds * 1000)
    }

    func signOutEverywhere(owner: OwnerID) async throws -> Int {
        try await accounts.removeCredentials(owner: owner, kind: .session)
    }

    static let maxTokenDays = 90

    /// A new API token with its scope and a lifetime of 1 to 90 days; the token, shown once.
    func createToken(owner: OwnerID, label rawLabel: String, scope: TokenScope, days: Int) async throws -> (token: String, info: APITokenInfo) {
        let label = try AccountRules.label(rawLabel)
        guard (1...Self.maxTokenDays).contains(days) else {
            throw Problem.invalid("days", "\(days) is out of range; accepted: 1 to \(Self.maxTokenDays) days")
        }
        let secret = Credentials.secret()
        let digest = Credentials.digest(secret)
        let now = services.clock.millisecondsNow()
        let expires = now + Int64(days) * 86_400_000
        try await accounts.addCredential(owner: owner, digest: digest, kind: .apiToken, label: label, now: now, expiresAt: expires, scope: scope)
        return (
            "\(Credentials.tokenPrefix)\(owner.rawValue).\(secret)",
            APITokenInfo(id: String(digest.prefix(AccountStore.tokenIDLength)), label: label, createdAt: now, scope: scope, expiresAt: expires)
        )
    }

    /// Who a request is from: an API token, else a session cookie. Personal mode: the local owner.
    func authenticate(_ request: Request, context: inout CrampRequestContext, cookiesOnly: Bool = false) async throws {
        guard configuration.hosted else {
            context.owner = .local
            context.credential = .local
            return
        }
        let now = services.clock.millisecondsNow()
        if !cookiesOnly, let authorization = request.headers[.authorization] {
            // A request that names a token must carry a valid one: no silent fall-back to the cookie.
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(Credentials.tokenPrefix),
                let parsed = Credentials.parse(String(parts[1].dropFirst(Credentials.tokenPrefix.count))),
                let use = try await accounts.use(owner: parsed.owner, digest: Credentials.digest(parsed.secret), kind: .apiToken, now: now)
            else {
                var problem = Problem(
                    .unauthorized, "Invalid token", detail: "the API token is not valid or has expired; create one under Account, API tokens")
                problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\", error=\"invalid_token\""
                throw problem
            }
            context.owner = parsed.owner
            context.credential = .apiToken(scope: use.scope ?? .full)
            return
        }
        if let cookie = request.cookies[Credentials.sessionCookieName(secure: configuration.secureCookies)],
            let parsed = Credentials.parse(cookie.value)
        {
            let digest = Credentials.digest(parsed.secret)
            if try await accounts.use(
                owner: parsed.owner, digest: digest, kind: .session, now: now,
                idleMilliseconds: configuration.sessionIdleSeconds * 1000) != nil
            {
                context.owner = parsed.owner
                context.credential = .session(digest: digest)
            }
        }
    }
}
