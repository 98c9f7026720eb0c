import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// The hosted engine: a pooled PostgresNIO client. Several instances can share one database.
final class PostgresEngine: SQLEngine {
    let name = "postgres"
    /// The connection pool. It works only while its `run()` does: the owner runs it as a
    /// service (the server's ServiceGroup, or a command's task group) and cancels it to stop.
    let client: PostgresClient
    private let url: String

    /// A pool for a `postgres://user:password@host:port/database` URL (`?sslmode=disable` for
    /// plain local connections; `?host=/path` for a Unix socket folder). Nothing connects yet.
    static func make(url: String) throws -> PostgresEngine {
        let configuration = try PostgresURL.configuration(url)
        return PostgresEngine(client: PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "crampcare.postgres")), url: url)
    }

    private init(client: PostgresClient, url: String) {
        self.client = client
        self.url = url
    }

    /// Fails now, with the reason, rather than at the first query (the pool must be running).
    func check() async throws {
        do {
            _ = try await withDatabase { db in try await db.raw("SELECT 1 AS ok").all() }
        } catch {
            throw StorageError("cannot reach PostgreSQL at \(PostgresURL.redacted(url)): \(String(reflecting: error).prefix(300))")
        }
    }

    func withDatabase<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection.sql(queryLogLevel: nil)) }
    }

    func withTransaction<T: Sendable>(_ body: @Sendable (SQLSession) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let db = connection.sql(queryLogLevel: nil)
            let session = SQLSession(
                sql: db,
                executeNative: { statement, values in
                    // PostgreSQL reports the changed rows by returning one per row.
                    let rows = try await connection.query(
                        PostgresQuery(unsafeSQL: PostgresEngine.numbered(statement) + " RETURNING 1", binds: PostgresEngine.bindings(values)),
                        logger: connection.logger)
                    var count = 0
                    for try await _ in rows { count += 1 }
                    return count
                }, selectNative: { statement, values in try await PostgresEngine.rows(statement, values, on: connection) })
            return try await inTransaction(session, begin: "BEGIN", body)
        }
    }

    func executeAlone(_ statement: String, _ values: [SQLValue]) async throws -> Int {
        try await client.withConnection { connection in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: Self.numbered(statement) + " RETURNING 1", binds: Self.bindings(values)), logger: connection.logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }

    func select<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try await client.withConnection { connection in
            try await Self.cells(connection.execute(PostgresKept<Statement>(values), logger: connection.logger))
        }
    }

    func executeAlone<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> Int {
        try await client.withConnection { connection in
            var count = 0
            for try await _ in try await connection.execute(PostgresKeptWrite<Statement>(values), logger: connection.logger) {
                count += 1
            }
            return count
        }
    }

    /// The pool stops when its run is cancelled by whoever runs it.
    func close() async throws {}

    func select(_ statement: String, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try await client.withConnection { connection in try await Self.rows(statement, values, on: connection) }
    }

    /// A read's rows as values, by the column's type (integers, numbers, else text).
    static func rows(_ statement: String, _ values: [SQLValue], on connection: PostgresConnection) async throws -> [[SQLValue]] {
        try await cells(
            connection.query(PostgresQuery(unsafeSQL: Self.numbered(statement), binds: Self.bindings(values)), logger: connection.logger))
    }

    /// Each row's values, by the column's type (integers, numbers, else text).
    static func cells<Rows: AsyncSequence>(_ rows: Rows) async throws -> [[SQLValue]] where Rows.Element == PostgresRow {
        var out: [[SQLValue]] = []
        for try await row in rows {
            var cells: [SQLValue] = []
            cells.reserveCapacity(row.count)
            for cell in row {
                guard cell.bytes != nil else {
                    cells.append(.null)
                    continue
                }
                switch cell.dataType {
                case .int2, .int4, .int8: cells.append(.int(try cell.decode(Int64.self)))
                case .float4, .float8, .numeric: cells.append(.double(try cell.decode(Double.self)))
                default: cells.append(.text(try cell.decode(String.self)))
                }
            }
            out.append(cells)
        }
        return out
    }

    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .int(let number): bindings.append(number)
            case .double(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, …` (our statements never hold a literal `?`).
    static func numbered(_ statement: String) -> String {
        var out = ""
        out.reserveCapacity(statement.utf8.count + statement.utf8.count / 3)
        var index = 0
        for character in statement {
            if character == "?" {
                index += 1
                out += "$\(index)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// Parses the `postgres://` URLs CrampCare accepts.
enum PostgresURL {
    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw StorageError("a PostgreSQL URL starts with postgres://")
        }
        var rest = Substring(url.drop(while: { $0 != ":" }).dropFirst(3))
        var query: [String: String] = [:]
        if let mark = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: mark)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                query[String(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            rest = rest[..<mark]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            if let colon = credentials.firstIndex(of: ":") {
                user = decode(credentials[..<colon])
                password = decode(credentials[credentials.index(after: colon)...])
            } else {
                user = decode(credentials)
            }
            rest = rest[rest.index(after: at)...]
        }
        var database: String?
        if let slash = rest.firstIndex(of: "/") {
            let name = decode(rest[rest.index(after: slash)...])
            database = name.isEmpty ? nil : name
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 5432
        if let colon = host.lastIndex(of: ":"), let value = Int(host[host.index(after: colon)...]) {
            port = value
            host = String(host[..<colon])
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            var configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
            configuration.options.maximumConnections = 16
            return configuration
        }
        var configuration = PostgresClient.Configuration(
            host: host.isEmpty ? "localhost" : host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = 16
        return configuration
    }

    /// The URL with its password hidden, for messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"),
            let colon = url[scheme.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    static func decode(_ text: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
