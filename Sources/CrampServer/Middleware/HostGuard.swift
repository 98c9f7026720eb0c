import HTTPTypes
import Hummingbird

/// Refuses a request that is not for this server: a Host it does not answer to (a DNS-rebinding
/// page reaches a personal server under its own name), or two Host headers (which one counts
/// differs between servers and proxies).
struct HostGuard: RouterMiddleware {
    typealias Context = CrampRequestContext
    /// Host header values this server answers to; nil accepts any (hosted mode with no host
    /// list: the reverse proxy in front decides). Built once: this runs on every request.
    let acceptedHosts: Set<String>?

    init(configuration: ServerConfiguration) {
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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.headers[values: HTTPField.Name("Host")!].count > 0 {
            throw Problem(.badRequest, "Two Host headers", detail: "the request names its host more than once")
        }
        if let acceptedHosts, !(request.head.authority.map { acceptedHosts.contains($0) || acceptedHosts.contains($0.lowercased()) } ?? false) {
            throw Problem(.misdirectedRequest, "Unknown host", detail: "this server does not answer to that host name")
        }
        return try await next(request, context)
    }
}

/// Refuses a query of too many parameters or bytes before any route reads it: no route reads
/// more than a few, and each costs work.
struct QueryLimits: RouterMiddleware {
    typealias Context = CrampRequestContext
    static let maxQueryParameters = 100
    static let maxQueryBytes = 8 << 10

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let query = request.uri.query ?? ""
        if query.utf8.count > Self.maxQueryBytes {
            throw Problem(
                .uriTooLong, "Address too long", detail: "the query is \(query.utf8.count) bytes; at most \(Self.maxQueryBytes) are accepted")
        }
        if query.utf8.count > 0 {
            let count = query.utf8.lazy.filter { $0 == UInt8(ascii: "&") }.count + 1
            if count > Self.maxQueryParameters {
                throw Problem.invalid("query", "it has \(count) parameters; at most \(Self.maxQueryParameters) are accepted")
            }
        }
        return try await next(request, context)
    }
}
