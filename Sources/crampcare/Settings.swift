import ArgumentParser
import Configuration
import Logging

/// Every setting a command reads, from one place (swift-configuration): the flags
/// argument-parser parsed come first, then the environment (`crampcare.port` is CRAMPCARE_PORT),
/// then the defaults written here. No other code reads the environment for a setting.
struct Settings: Sendable {
    let reader: ConfigReader

    /// `flags` are the options given on the command line, under their settings' keys.
    init(flags: [String: String?] = [:], environment: [String: String]? = nil) {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in flags {
            if let value { values[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(.string(value), isSecret: false) }
        }
        let variables =
            environment.map { EnvironmentVariablesProvider(environmentVariables: $0, secretsSpecifier: Self.secrets) }
            ?? EnvironmentVariablesProvider(secretsSpecifier: Self.secrets)
        reader = ConfigReader(providers: [InMemoryProvider(name: "flags", values: values), variables])
    }

    /// Never printed or logged.
    static let secrets: SecretsSpecifier<String, String> = .specific(["CRAMPCARE_METRICS_TOKEN"])

    func text(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key.split(separator: ".").map(String.init))).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The journal: `--database`, else CRAMPCARE_DATABASE, else the XDG data directory.
    var database: String {
        if let configured = text("crampcare.database") { return configured }
        if let data = text("xdg.data.home"), data.hasPrefix("/") { return "\(data)/crampcare/journal.sqlite" }
        return "\(text("home") ?? ".")/.local/share/crampcare/journal.sqlite"
    }

    /// The port to serve on: `--port`, else CRAMPCARE_PORT, else 8080.
    func port() throws -> Int {
        guard let text = text("crampcare.port") else { return 8080 }
        guard let value = Int(text) else {
            throw ValidationError("CRAMPCARE_PORT \"\(text.prefix(40))\" is not a port number; accepted: 1 to 65535")
        }
        return value
    }

    /// The bearer token a metrics scraper sends in hosted mode (never a flag: `ps` shows those).
    var metricsToken: String? {
        reader.string(forKey: ["crampcare", "metrics", "token"], isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The largest request body the server accepts, CRAMPCARE_MAX_BODY_BYTES (default 1 MiB).
    func maxBodyBytes() throws -> Int {
        guard let text = text("crampcare.max.body.bytes") else { return 1 << 20 }
        guard let value = Int(text), (1024...(64 << 20)).contains(value) else {
            throw ValidationError("CRAMPCARE_MAX_BODY_BYTES \"\(text.prefix(40))\" is out of range; accepted: 1024 to 67108864")
        }
        return value
    }

    var logLevel: Logger.Level { text("log.level").flatMap { Logger.Level(rawValue: $0) } ?? .info }

    /// The locale's variables (LC_ALL, LC_MESSAGES, LANG), by their environment names.
    func locale(_ name: String) -> String? { text(name.lowercased().replacing("_", with: ".")) }

    /// Where to look for programs (a browser to print a PDF).
    var path: String { text("path") ?? "/usr/bin:/bin" }
}
