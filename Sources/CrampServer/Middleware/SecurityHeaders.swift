import HTTPTypes
import Hummingbird

/// Adds the security headers to every answer, errors included; HSTS when hosted behind HTTPS;
/// and `Cache-Control: no-store` unless a route chose otherwise (health data is never cached).
struct SecurityHeaders: RouterMiddleware {
    typealias Context = CrampRequestContext
    let configuration: ServerConfiguration

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Parsed once.
    static let headers: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .xContentTypeOptions: "nosniff",
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own forms.
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        HTTPField.Name("Cross-Origin-Opener-Policy")!: "same-origin",
        HTTPField.Name("Permissions-Policy")!: "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers.append(contentsOf: Self.headers)
        // Hosted behind HTTPS: browsers keep to HTTPS for a year (ASVS 14.4.5).
        if configuration.hosted && configuration.secureCookies { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
