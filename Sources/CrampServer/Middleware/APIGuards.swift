import CrampStorage
import HTTPTypes
import Hummingbird

/// The API refuses a request sent from another site's page: a browser sends Origin with
/// cross-site requests; scripts and the CLI send none.
struct SameOriginOnly: RouterMiddleware {
    typealias Context = CrampRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let origin = request.headers[.origin], !APIGuard.isOwnOrigin(origin, request: request) {
            throw Problem(.forbidden, "Cross-site request refused", detail: "the API accepts requests from this server's own pages only")
        }
        return try await next(request, context)
    }
}

/// An API body must be JSON; a POST with no body at all (starting the second factor) needs no type.
struct JSONBodiesOnly: RouterMiddleware {
    typealias Context = CrampRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let hasBody = request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        if hasBody, request.method == .post || request.method == .put || request.method == .patch {
            let type = request.headers[.contentType]
            guard let type, APIGuard.isJSON(type) else {
                throw Problem(
                    .unsupportedMediaType, "JSON required",
                    detail:
                        "send the body as Content-Type: application/json or application/fhir+json (got \(type.map { "\"\($0.prefix(80))\"" } ?? "none"))"
                )
            }
        }
        return try await next(request, context)
    }
}

/// Who an API call is from (a session cookie or a bearer token), and whether its token's scope
/// reaches the route.
struct APIAuthentication: RouterMiddleware {
    typealias Context = CrampRequestContext
    let configuration: ServerConfiguration
    let services: CrampServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        try await AccountService(services: services, configuration: configuration).authenticate(request, context: &context)
        if case .apiToken(let scope) = context.credential { try TokenPolicy.check(scope, method: request.method, path: request.uri.path) }
        return try await next(request, context)
    }
}

/// The checks the API's door makes on media types and origins.
enum APIGuard {
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
