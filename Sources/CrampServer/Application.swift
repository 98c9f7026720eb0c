import CrampInsights
import CrampJSON
import CrampJournal
import CrampKnowledge
import CrampStorage
import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOPosix
public import Prometheus
public import ServiceLifecycle

/// Builds the whole web app from its configuration: the API, the pages, static files, health and
/// metrics. Tests build it the same way and drive it with Hummingbird's test client.
/// `running` are services that run beside the server in its ServiceGroup (the store's PostgreSQL
/// pool) and `beforeServerStarts` what must be done once they run (bringing the schema up to date).
public func buildApplication(
    configuration: ServerConfiguration, services: CrampServices, metrics: PrometheusCollectorRegistry? = nil,
    logger: Logger = Logger(label: "crampcare.server"), running: [any Service] = [],
    beforeServerStarts: (@Sendable () async throws -> Void)? = nil
) throws -> some ApplicationProtocol {
    let router = try buildRouter(configuration: configuration, services: services, metrics: metrics, logger: logger)
    // Idle connections are closed after 30 seconds, so held-open sockets cannot pile up.
    var application = Application(
        responder: HeadAsGet(inner: router.buildResponder()),
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "CrampCare"),
        eventLoopGroupProvider: .shared(ServerThreads.eventLoops), logger: logger)
    application.addServices(running)
    if configuration.hosted { application.addServices(NeedSweep(keeper: services.needs)) }
    if let beforeServerStarts { application.beforeServerStarts(perform: beforeServerStarts) }
    return application
}

/// `listing`, when given, gets every route as it is added (the permission matrix test's list).
public func buildRouter(
    configuration: ServerConfiguration, services: CrampServices, metrics: PrometheusCollectorRegistry? = nil,
    logger: Logger = Logger(label: "crampcare.server"), listing: RouteListing? = nil
) throws -> Router<CrampRequestContext> {
    let built = Router(context: CrampRequestContext.self)
    let router = RouteBook(built, listing: listing)
    // Outermost first: every answer is logged and gets the security headers, errors included.
    // One job each, composed as one statically typed stack (Hummingbird's result builder), so the
    // compiler joins the layers: added one by one, each was an async hop of its own (measured 14%
    // more CPU per assessment than one guard doing the five jobs; Benchmarks/http-load.py).
    router.addMiddleware {
        RequestLog(logger: logger, metrics: metrics.map { RequestMetrics(registry: $0) })
        SecurityHeaders(configuration: configuration)
        ProblemMapper(logger: logger)
        HostGuard(configuration: configuration)
        QueryLimits()
        UploadLimit(bytes: configuration.maxBodyBytes)
    }
    let assets = StaticAssets()
    router.get("static/:name") { _, context in try assets.response(context.parameters.get("name") ?? "") }
    router.get("openapi.json") { _, _ in try assets.response("openapi.json", cache: false) }
    // The installable app: its manifest, and the service worker at the root so its scope is the
    // whole site; both checked again on every visit (no-cache) so an update reaches the phone.
    router.get("manifest.webmanifest") { _, _ in try assets.response("manifest.webmanifest", cache: false) }
    router.get("sw.js") { _, _ in
        var response = try assets.response("sw.js", cache: false)
        response.body = .init(byteBuffer: ByteBuffer(string: assets.serviceWorker))
        return response
    }
    router.get("health") { _, _ in
        // Ready only when the database answers.
        try await services.store.ping()
        return Body.json(Array(#"{"status":"ok"}"#.utf8))
    }
    router.get("metrics") { request, _ in
        // Hosted: only for a scraper holding the metrics token (counts by route are still
        // about the service's users).
        if configuration.hosted {
            guard let token = configuration.metricsToken, !token.isEmpty,
                let given = request.headers[.authorization], Credentials.constantTimeEqual(given, "Bearer \(token)")
            else { throw Problem.notFound("The page /metrics") }
        }
        var bytes: [UInt8] = []
        metrics?.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
    AccountService.prepare(configuration)
    APIRoutes(services: services, configuration: configuration).register(on: router)
    let web = try Pages(services: services, configuration: configuration)
    let pages = router.group().addMiddleware {
        ErrorPages(web: web)
        PageGuard(services: services, configuration: configuration)
    }
    for controller in web.controllers() { pages.addRoutes(controller.routes) }
    // Any other address is a page that is not there, said as a page to a browser.
    pages.get("**") { request, _ -> Response in throw Problem.notFound("The page \(request.uri.path.prefix(200))") }
    return built
}

/// The style sheet, scripts and OpenAPI document, compiled into the binary.
struct StaticAssets: Sendable {
    let files: [String: [UInt8]]

    init() {
        var files: [String: [UInt8]] = [:]
        for file in EmbeddedWeb.files where !file.name.hasSuffix(".mustache") { files[file.name] = Array(file.text.utf8) }
        // The clinician report's own styles, so the page and the downloaded file look the same.
        files["report.css"] = Array(ClinicianReport.style.utf8)
        for size in AppIcon.sizes { files["icon-\(size).png"] = AppIcon.png(size: size, maskable: false) }
        files["icon-maskable-512.png"] = AppIcon.png(size: 512, maskable: true)
        // The shell's version: a digest of every file, so a new build replaces the phone's copy.
        // The templates and the knowledge base are in it too: the kept offline page holds the
        // call-now signs and the stretch steps.
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325
        let parts =
            files.keys.sorted().map { Array($0.utf8) + (files[$0] ?? []) } + EmbeddedWeb.files.map { Array($0.text.utf8) }
            + KnowledgeBase.bundledFiles.map { Array($0.text.utf8) }
        for part in parts {
            for byte in part { digest = (digest ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        version = String(digest, radix: 16)
        self.files = files
    }

    /// The shell's version, and the service worker that names it.
    let version: String
    var serviceWorker: String {
        String(decoding: files["sw.js"] ?? [], as: UTF8.self).replacingOccurrences(of: "{{version}}", with: version)
    }

    func response(_ name: String, cache: Bool = true) throws -> Response {
        guard let bytes = files[name] else { throw Problem.notFound("The file \(name.prefix(60))") }
        let type: String
        if name.hasSuffix(".css") {
            type = "text/css; charset=utf-8"
        } else if name.hasSuffix(".js") {
            type = "text/javascript; charset=utf-8"
        } else if name.hasSuffix(".json") {
            type = "application/json"
        } else if name.hasSuffix(".webmanifest") {
            type = "application/manifest+json"
        } else if name.hasSuffix(".png") {
            type = "image/png"
        } else {
            type = "application/octet-stream"
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: cache ? "public, max-age=3600" : "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// One event loop per CPU this process may run on. NIO's default counts the machine's CPUs (and
/// cgroup limits) but not the process's CPU affinity (taskset, cpusets set per process): a server
/// confined to one core ran two event loops there, and they preempted each other and the
/// handlers on every request.
enum ServerThreads {
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: usableCPUs)

    static var usableCPUs: Int {
        allowedCPUs(status: (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? "").map { min($0, System.coreCount) }
            ?? System.coreCount
    }

    /// The count in `/proc/self/status`'s `Cpus_allowed_list` (`0-3,6`); nil where there is none.
    static func allowedCPUs(status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var count = 0
        for range in line.dropFirst("Cpus_allowed_list:".count).split(separator: ",") {
            let ends = range.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch ends.count {
            case 1: guard ends[0] != nil else { return nil }; count += 1
            case 2: guard let low = ends[0], let high = ends[1], high >= low else { return nil }; count += high - low + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }
}

/// HEAD answered as GET without the body (RFC 9110 9.3.2): Hummingbird routes HEAD only where a
/// route names it, so every page answered HEAD with 404.
struct HeadAsGet<Inner: HTTPResponder>: HTTPResponder where Inner.Context == CrampRequestContext {
    let inner: Inner

    func respond(to request: Request, context: CrampRequestContext) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        if response.headers[.contentLength] == nil, let length = response.body.contentLength { response.headers[.contentLength] = String(length) }
        response.body = .init()
        return response
    }
}
