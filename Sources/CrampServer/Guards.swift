import CrampJournal
import CrampStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Applied to every request: refuses hosts that are not this server's (DNS rebinding), adds the
/// security headers, turns unexpected errors into a plain 500 without internals, and logs the
/// method, the route's pattern, the status and the time — never a query, a body or a user's id.
struct SiteGuard: RouterMiddleware {
    typealias Context = CrampRequestContext
    let configuration: ServerConfiguration
    let logger: Logger
    let metrics: RequestMetrics?
    /// Host header values this server answers to; nil accepts any (hosted mode with no host
    /// list: the reverse proxy in front decides). Built once: this runs on every request.
    let acceptedHosts: Set<String>?

    init(configuration: ServerConfiguration, logger: Logger, metrics: RequestMetrics?) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        if configuration.hosted && configuration.allowedHosts.isEmpty {
            acceptedHosts = nil
        } else {
            var hosts = Set(configuration.allowedHosts.map { $0.lowercased() })
            if !configuration.hosted {
                for name in ["127.0.0.1", "localhost", "[::1]", configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host] {
                    hosts.insert("\(name):\(configuration.port)")
                    if configuration.port == 80 { hosts.insert(name) }
                }
            }
            acceptedHosts = hosts
        }
    }

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Added to every response; parsed once.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .xContentTypeOptions: "nosniff",
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own forms.
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        HTTPField.Name("Cross-Origin-Opener-Policy")!: "same-origin",
        HTTPField.Name("Permissions-Policy")!: "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        if let refusal = Self.refusal(request) {
            response = try refusal.response(from: request, context: context)
        } else if acceptedHosts.map({ hosts in request.head.authority.map { hosts.contains($0) || hosts.contains($0.lowercased()) } ?? false }) ?? true {
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try Self.errorResponse(error, request: request, context: context)
            } catch {
                // Logged by type only: an error's text may quote what the user sent.
                logger.error("request failed", metadata: ["error": "\(type(of: error))", "route": "\(context.endpointPath ?? "-")"])
                response = try Problem(.internalServerError, "Internal error", detail: "something went wrong on the server; nothing was changed by this request")
                    .response(from: request, context: context)
            }
        } else {
            response = try Problem(.misdirectedRequest, "Unknown host", detail: "this server does not answer to that host name")
                .response(from: request, context: context)
        }
        response.headers.append(contentsOf: Self.securityHeaders)
        // Hosted behind HTTPS: browsers keep to HTTPS for a year (ASVS 14.4.5).
        if configuration.hosted && configuration.secureCookies { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        let elapsed = ContinuousClock.now - started
        metrics?.record(status: Int(response.status.code), elapsed: elapsed)
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "-")", "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)",
        ])
        return response
    }

    /// Query parameters a request may carry: no route reads more than a few, and each costs work.
    static let maxQueryParameters = 100
    static let maxQueryBytes = 8 << 10

    /// A request refused before any route sees it: two Host headers (which one is believed
    /// differs between servers and proxies), or a query of too many parameters.
    static func refusal(_ request: Request) -> Problem? {
        if request.headers[values: HTTPField.Name("Host")!].count > 0 {
            return Problem(.badRequest, "Two Host headers", detail: "the request names its host more than once")
        }
        let query = request.uri.query ?? ""
        if query.utf8.count > maxQueryBytes {
            return Problem(.uriTooLong, "Address too long", detail: "the query is \(query.utf8.count) bytes; at most \(maxQueryBytes) are accepted")
        }
        if query.utf8.count > 0 {
            let count = query.utf8.lazy.filter { $0 == UInt8(ascii: "&") }.count + 1
            if count > maxQueryParameters {
                return Problem.invalid("query", "it has \(count) parameters; at most \(maxQueryParameters) are accepted")
            }
        }
        return nil
    }

    /// Pages get an HTML page for an error; the API and everything else a problem document.
    static func errorResponse(_ error: any HTTPResponseError, request: Request, context: Context) throws -> Response {
        if let redirect = error as? SignInRequired { return try redirect.response(from: request, context: context) }
        if !request.uri.path.hasPrefix("/api/"), request.headers[.accept]?.contains("text/html") == true {
            let problem = error as? Problem ?? Problem(error.status, error.status.reasonPhrase, detail: error.status.reasonPhrase)
            return Pages.errorPage(problem)
        }
        if let problem = error as? Problem { return try problem.response(from: request, context: context) }
        // Hummingbird's own errors (404 for an unknown route, 413 for a large body …) as problems.
        let detail: String
        switch error.status {
        case .notFound: detail = "there is nothing at \(request.uri.path.prefix(200))"
        case .contentTooLarge: detail = "the request body is larger than the server accepts"
        case .methodNotAllowed: detail = "\(request.method.rawValue) is not allowed on \(request.uri.path.prefix(200))"
        default: detail = error.status.reasonPhrase
        }
        return try Problem(error.status, error.status.reasonPhrase, detail: detail).response(from: request, context: context)
    }
}

/// What each API token scope may do, by method and path (account changes need a session
/// whatever the scope: `AccountAPI.requireSession`).
enum TokenPolicy {
    /// `log`: log a cramp, put one queued offline, and check one; nothing is read back.
    static func allows(_ scope: TokenScope, method: HTTPRequest.Method, path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch scope {
        case .full:
            return true
        case .read:
            return method == .get || method == .head || (method == .post && ["assessments", "questionnaire-responses"].contains(parts.last ?? ""))
        case .log:
            guard parts.count >= 3, parts[0] == "api", parts[1] == "v1" else { return false }
            switch (method, parts.count, parts[2]) {
            case (.post, 3, "episodes"), (.put, 4, "episodes"), (.post, 3, "assessments"), (.post, 3, "questionnaire-responses"): return true
            default: return false
            }
        }
    }

    static func check(_ scope: TokenScope, method: HTTPRequest.Method, path: String) throws {
        guard allows(scope, method: method, path: path) else {
            var problem = Problem(.forbidden, "Not allowed for this token", detail: "a \(scope.rawValue) token may not \(method.rawValue) \(path.prefix(100)); use a token with more rights, or sign in")
            problem.headers[.wwwAuthenticate] = "Bearer realm=\"crampcare\", error=\"insufficient_scope\""
            throw problem
        }
    }
}

/// The API's door: JSON only, from no page but this server's own, and who the caller is.
struct APIGuard: RouterMiddleware {
    typealias Context = CrampRequestContext
    let configuration: ServerConfiguration
    let services: CrampServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A browser sends Origin with cross-site requests; scripts and the CLI send none.
        if let origin = request.headers[.origin], !Self.isOwnOrigin(origin, request: request) {
            throw Problem(.forbidden, "Cross-site request refused", detail: "the API accepts requests from this server's own pages only")
        }
        // A body must be JSON; a POST with no body at all (starting the second factor) needs no type.
        let hasBody = request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        if hasBody, request.method == .post || request.method == .put || request.method == .patch {
            let type = request.headers[.contentType]
            guard let type, Self.isJSON(type) else {
                throw Problem(.unsupportedMediaType, "JSON required", detail: "send the body as Content-Type: application/json or application/fhir+json (got \(type.map { "\"\($0.prefix(80))\"" } ?? "none"))")
            }
        }
        var context = context
        try await AccountService(services: services, configuration: configuration).authenticate(request, context: &context)
        if case .apiToken(let scope) = context.credential { try TokenPolicy.check(scope, method: request.method, path: request.uri.path) }
        return try await next(request, context)
    }

    /// `application/json` (or FHIR's `application/fhir+json`), any case, with or without
    /// parameters such as `; charset=utf-8`.
    static func isJSON(_ type: String) -> Bool {
        isMediaType(type, "application/json") || isMediaType(type, "application/fhir+json")
    }

    static func isMediaType(_ type: String, _ wanted: String) -> Bool {
        let expected = wanted.utf8
        let bytes = type.utf8
        guard bytes.count >= expected.count else { return false }
        var index = bytes.startIndex
        for byte in expected {
            let got = bytes[index]
            guard got == byte || (got >= 65 && got <= 90 && got + 32 == byte) else { return false }
            index = bytes.index(after: index)
        }
        guard index < bytes.endIndex else { return true }
        let next = bytes[index]
        return next == UInt8(ascii: ";") || next == UInt8(ascii: " ")
    }

    static func isOwnOrigin(_ origin: String, request: Request) -> Bool {
        guard let host = request.head.authority?.lowercased() else { return false }
        let origin = origin.lowercased()
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}
