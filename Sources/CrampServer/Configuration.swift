/// How the server runs. Defaults are the personal mode: loopback only, one local owner, no login.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Accounts and sign-in; required to bind any address other than loopback.
    public var hosted: Bool = false
    /// Host header values accepted besides the bound address and port (a DNS-rebinding page
    /// reaches the server under its own host name, which is refused). In hosted mode with none
    /// given, any host is accepted: the clinic's reverse proxy decides.
    public var allowedHosts: [String] = []
    /// Cookies marked Secure and HSTS sent (the server is reached over HTTPS, usually through a
    /// proxy). The command line turns this on in hosted mode unless --insecure-cookies is given.
    public var secureCookies: Bool = false
    /// bcrypt cost for new passwords: 12 in production, lower in tests.
    public var passwordCost: UInt8 = 12
    /// Seconds a connection may stay open with nothing to read or write.
    public var idleTimeoutSeconds: Int = 30
    /// Largest request body accepted.
    public var maxBodyBytes: Int = 1 << 20
    /// How long a browser session lasts at most, and unused (ASVS 4.0.3 3.3.2, level 2: 12 hours,
    /// or 30 minutes of inactivity).
    public var sessionSeconds: Int64 = 12 * 3600
    public var sessionIdleSeconds: Int64 = 30 * 60
    /// New accounts allowed per address per hour.
    public var registrationsPerAddress: Int = 10
    /// Reverse proxies whose forwarding header is believed, and which header they write.
    public var trustedProxies: [AddressRange] = []
    public var proxyHeader: ProxyHeader = .xForwardedFor
    /// In hosted mode `/metrics` answers only a request that carries this as a bearer token
    /// (and is not found without one set).
    public var metricsToken: String?
    /// Failed sign-ins allowed per account and per address in one window before refusing more.
    /// (Attempts are counted before the password is checked; a right one is taken back.)
    public var signInFailuresPerAccount: Int = 5
    public var signInFailuresPerAddress: Int = 20
    public var signInWindowSeconds: Int64 = 15 * 60

    public init() {}

    /// Loopback addresses: the only ones personal mode may bind.
    public static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// Why this configuration cannot run, if it cannot.
    public func problem() -> String? {
        if !hosted, !Self.isLoopback(host) {
            return
                "binding \(host) would open your personal journal to the network; personal mode binds 127.0.0.1 only (use --hosted for accounts and sign-in)"
        }
        if !(1...65535).contains(port) { return "port \(port) is out of range; accepted: 1 to 65535" }
        if !(4...31).contains(passwordCost) { return "password cost \(passwordCost) is out of range; accepted: 4 to 31" }
        return nil
    }
}

/// The header a trusted proxy writes the client's address in.
public enum ProxyHeader: String, Sendable, CaseIterable {
    case xForwardedFor = "x-forwarded-for"
    case forwarded
}
