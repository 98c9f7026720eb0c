import ArgumentParser
import CrampJSON
import CrampKnowledge
import CrampServer
import CrampStorage
import Hummingbird
import Logging
import Metrics
import Prometheus

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web app: the pages and the HTTP API.", usage: "crampcare serve [--port <port>] [--hosted] [options]",
        discussion: """
            With nothing set, serves your personal journal at http://127.0.0.1:8080 with no sign-in, reachable from this machine only. \
            --hosted turns on accounts and sign-in and is required to listen on any other address; several hosted instances can share \
            one PostgreSQL database (--database postgres://…). Stops cleanly on Ctrl-C or SIGTERM.
            """
    )

    @OptionGroup var journal: JournalOptions

    @Option(help: "The address to listen on (personal mode: loopback only).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on. Default: $CRAMPCARE_PORT, else 8080.")
    var port: Int?

    @Flag(help: "Accounts and sign-in, for a server that many people use.")
    var hosted = false

    @Option(name: .customLong("allowed-host"), help: "A host name (with :port if not 80/443) the server answers to; repeat for several.")
    var allowedHosts: [String] = []

    @Flag(help: "Mark cookies Secure and send HSTS: the default in hosted mode (kept for older scripts).")
    var secureCookies = false

    @Flag(help: "Hosted mode over plain HTTP (testing only): cookies not Secure, no HSTS.")
    var insecureCookies = false

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "A reverse proxy (CIDR, such as 10.0.0.0/8 or ::1) whose Forwarded or X-Forwarded-For header gives the client's address; repeat for several."
    )
    var trustedProxies: [String] = []

    @Option(help: "The header the trusted proxy writes the client's address in: x-forwarded-for or forwarded.")
    var proxyHeader = "x-forwarded-for"

    @Option(help: "Seconds a connection may stay open with nothing to read or write (1 to 3600).")
    var idleTimeout = 30

    @Option(help: "Minutes a signed-in session may go unused before it ends (hosted mode).")
    var sessionIdleMinutes: Int64 = 30

    @Option(help: "Hours a signed-in session lasts at most (hosted mode).")
    var sessionHours: Int64 = 12

    @Option(help: "bcrypt cost for new passwords (4 to 31).")
    var passwordCost: UInt8 = 12

    func run() async throws {
        Self.startWithoutCrashSymbolication()
        let knowledge = try loadKnowledge()
        let settings = Settings(flags: ["crampcare.database": journal.database, "crampcare.port": port.map(String.init)])
        let configuration = try serverConfiguration(settings)
        let registry = PrometheusCollectorRegistry()
        // Libraries that report through swift-metrics (connection pools …) land in the same registry.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let store: SQLJournalStore
        do {
            store = try await SQLJournalStore.at(settings.database)
        } catch {
            Console.error("crampcare: \((error as? StorageError)?.message ?? "cannot open the journal: \(error)")")
            throw ExitCode(74)
        }
        var logger = Logger(label: "crampcare.server")
        logger.logLevel = settings.logLevel
        do {
            let services = CrampServices(
                journal: store, knowledge: knowledge, hosted: hosted,
                region: hosted ? nil : KnowledgeBase.region(fromLocale: settings.locale))
            // One ServiceGroup runs the server and the store's services (PostgreSQL's pool); the
            // schema is brought up to date once the pool runs, before the first request.
            let app = try buildApplication(
                configuration: configuration, services: services, metrics: registry, logger: logger,
                running: store.services, beforeServerStarts: { try await store.open() })
            logger.info(
                "serving",
                metadata: [
                    "address": "http://\(host.contains(":") ? "[\(host)]" : host):\(configuration.port)",
                    "mode": "\(hosted ? "hosted" : "personal")", "engine": "\(store.engineName)",
                ])
            try await app.runService()
            try await store.close()
        } catch {
            try? await store.close()
            Console.error("crampcare: the server stopped: \(error)")
            throw ExitCode(74)
        }
    }

    /// The server's configuration from the flags and the settings; a bad value exits 2 with a
    /// message naming it.
    func serverConfiguration(_ settings: Settings) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.hosted = hosted
        configuration.allowedHosts = allowedHosts
        if secureCookies && insecureCookies { Console.error("crampcare: choose one of --secure-cookies and --insecure-cookies"); throw ExitCode(2) }
        configuration.secureCookies = secureCookies || (hosted && !insecureCookies)
        for text in trustedProxies {
            guard let range = AddressRange(cidr: text) else {
                Console.error(
                    "crampcare: --trusted-proxy \(ShownText.quoted(text)) is not an address range; accepted: CIDR such as 10.0.0.0/8, 192.168.1.5 or ::1"
                )
                throw ExitCode(2)
            }
            configuration.trustedProxies.append(range)
        }
        guard let header = ProxyHeader(rawValue: proxyHeader.lowercased()) else {
            Console.error("crampcare: --proxy-header \(ShownText.quoted(proxyHeader)) is not a header; accepted: x-forwarded-for, forwarded")
            throw ExitCode(2)
        }
        configuration.proxyHeader = header
        guard (1...24 * 60).contains(sessionIdleMinutes), (1...24 * 30).contains(sessionHours) else {
            Console.error(
                "crampcare: --session-idle-minutes is 1 to 1440 and --session-hours 1 to 720 (given \(sessionIdleMinutes) and \(sessionHours))")
            throw ExitCode(2)
        }
        guard (1...3600).contains(idleTimeout) else {
            Console.error("crampcare: --idle-timeout \(idleTimeout) is out of range; accepted: 1 to 3600 seconds")
            throw ExitCode(2)
        }
        configuration.idleTimeoutSeconds = idleTimeout
        configuration.sessionIdleSeconds = sessionIdleMinutes * 60
        configuration.sessionSeconds = sessionHours * 3600
        do {
            configuration.port = try settings.port()
            configuration.maxBodyBytes = try settings.maxBodyBytes()
        } catch let error as ValidationError {
            Console.error("crampcare: \(error.message)")
            throw ExitCode(2)
        }
        // The scraper's token comes from the environment, never the command line (ps shows that).
        configuration.metricsToken = settings.metricsToken
        configuration.passwordCost = passwordCost
        if let problem = configuration.problem() {
            Console.error("crampcare: \(problem)")
            throw ExitCode(2)
        }
        return configuration
    }
}

extension Serve {
    /// A crash report that symbolicates holds a crashed server for many seconds and writes
    /// registers and memory, which can hold health data, to its log. The Swift runtime reads
    /// SWIFT_BACKTRACE only at start-up, so `serve` starts itself again with the backtracer off,
    /// unless the variable is set already (to choose another setting, or after the restart).
    static func startWithoutCrashSymbolication() {
        guard getenv("SWIFT_BACKTRACE") == nil else { return }
        // The new environment is built apart (this process's own is not changed while its
        // threads run), and the arguments are passed as the bytes they came as.
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("SWIFT_BACKTRACE=enable=no")]
        var entry = environ
        while let variable = entry.pointee {
            environment.append(variable)
            entry += 1
        }
        environment.append(nil)
        #if os(Linux)
        execve("/proc/self/exe", CommandLine.unsafeArgv, &environment)
        #endif
        // It failed (or there is no /proc): serve as this process, with the default crash reports.
        free(environment[0])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
