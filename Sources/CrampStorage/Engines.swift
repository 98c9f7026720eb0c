import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the journal reaches its database. The two engines differ only here; every query above
/// this is the same SQL.
protocol SQLEngine: Sendable {
    var name: String { get }
    /// Runs `body` with a database handle outside a transaction (reads).
    func withDatabase<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func withTransaction<T: Sendable>(_ body: @Sendable (SQLSession) async throws -> T) async throws -> T
    /// A read with `?` placeholders and values bound natively, returning each row's values in the
    /// order of the select list: the fast path for lists (no per-cell `Decodable`).
    func select(_ statement: String, _ values: [SQLValue]) async throws -> [[SQLValue]]
    /// A read that hands each row to `body` as it comes, without building values for it (a page
    /// of episodes is written to JSON straight from the rows).
    func eachRow(_ statement: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) async throws
    /// Runs `body` in one transaction that only inserts rows, the engine's fastest way.
    func withBulkTransaction<T: Sendable>(_ body: @Sendable (any RowWriter) async throws -> T) async throws -> T
    func close() async throws
}

extension SQLEngine {
    func eachRow(_ statement: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) async throws {
        for row in try await select(statement, values) { try body(StoredRow(values: row)) }
    }

    func withBulkTransaction<T: Sendable>(_ body: @Sendable (any RowWriter) async throws -> T) async throws -> T {
        try await withTransaction { session in try await body(session) }
    }
}

/// A value bound natively, without going through `Encodable` (bulk writes bind millions).
enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case text(String)
    case null

    static func int(_ value: Int?) -> SQLValue { value.map { .int(Int64($0)) } ?? .null }
    static func double(_ value: Double?) -> SQLValue { value.map { .double($0) } ?? .null }
    static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// A yes/no answer as 0 or 1.
    static func flag(_ value: Bool?) -> SQLValue { value.map { .int($0 ? 1 : 0) } ?? .null }

    var sqlite: SQLiteData {
        switch self {
        case .int(let number): .integer(Int(number))
        case .double(let number): .float(number)
        case .text(let text): .text(text)
        case .null: .null
        }
    }

    var integer: Int64? {
        switch self {
        case .int(let number): number
        case .double(let number): Int64(exactly: number)
        default: nil
        }
    }

    var string: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// One transaction: statements written with `?` placeholders, every value bound natively.
struct SQLSession: Sendable {
    let sql: any SQLDatabase
    /// Runs one statement; returns how many rows it changed (inserted, updated or deleted).
    let executeNative: @Sendable (String, [SQLValue]) async throws -> Int
    /// Runs one read inside the transaction; returns its rows' values in select-list order.
    let selectNative: @Sendable (String, [SQLValue]) async throws -> [[SQLValue]]

    func execute(_ statement: String, _ values: [SQLValue]) async throws -> Int {
        try await executeNative(statement, values)
    }

    func select(_ statement: String, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try await selectNative(statement, values)
    }
}

/// Runs `body` between BEGIN and COMMIT on one connection, rolling back when it throws.
func inTransaction<T: Sendable>(
    _ session: SQLSession, begin: SQLQueryString,
    _ body: @Sendable (SQLSession) async throws -> T
) async throws -> T {
    try await session.sql.raw(begin).run()
    do {
        let value = try await body(session)
        try await session.sql.raw("COMMIT").run()
        return value
    } catch {
        try? await session.sql.raw("ROLLBACK").run()
        throw error
    }
}

/// Why the journal could not be opened or used: said plainly, without any health data.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The embedded engine: one SQLite file, one connection, one statement at a time.
final class SQLiteEngine: SQLEngine {
    let name = "sqlite"
    let path: String
    private let connection: SQLiteConnection
    private let gate = SerialGate()
    private let readers: SQLiteReaders

    /// Opens (creating if needed, mode 0600) the journal file and sets it up for durability:
    /// WAL with synchronous=FULL, so an acknowledged write survives a power cut, not only a crash.
    static func open(path: String) async throws -> SQLiteEngine {
        try createPrivately(path)
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: Logger(label: "crampcare.sqlite"))
        } catch {
            throw StorageError("cannot open the journal at \(path): \(error)")
        }
        let engine = SQLiteEngine(path: path, connection: connection)
        do {
            let db = connection.sql(queryLogLevel: nil)
            // 16 KiB pages for a new journal (SQLite fixes the size once WAL is on): a quarter of
            // the page writes and B-tree splits of 4 KiB pages on a large import.
            try await db.raw("PRAGMA page_size=16384").run()
            try await db.raw("PRAGMA journal_mode=WAL").run()
            try await db.raw("PRAGMA synchronous=FULL").run()
            try await db.raw("PRAGMA foreign_keys=ON").run()
            try await db.raw("PRAGMA busy_timeout=5000").run()
            // A 64 MiB page cache keeps a large import's index pages in memory instead of spilling
            // them mid-transaction; statement journals stay in memory too.
            try await db.raw("PRAGMA cache_size=-65536").run()
            try await db.raw("PRAGMA temp_store=MEMORY").run()
            // Reads map the file instead of copying each page through read().
            try await db.raw("PRAGMA mmap_size=268435456").run()
        } catch {
            try? await connection.close()
            throw StorageError("cannot set up the journal at \(path): \(error)")
        }
        return engine
    }

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
        readers = SQLiteReaders(path: path)
    }

    /// Creates the file and its folder readable by the owner only, before SQLite opens it.
    static func createPrivately(_ path: String) throws {
        var folder = ""
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        for (index, part) in parts.enumerated() {
            folder += (index == 0 ? "" : "/") + part
            guard !folder.isEmpty else { continue }
            if mkdir(folder, 0o700) != 0, errno != EEXIST {
                throw StorageError("cannot create the folder \(folder): \(String(cString: strerror(errno)))")
            }
        }
        let fd = Glibc.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError("cannot create the journal at \(path): \(String(cString: strerror(errno)))") }
        Glibc.close(fd)
    }

    func withDatabase<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await gate.run { try await body(self.connection.sql(queryLogLevel: nil)) }
    }

    func withTransaction<T: Sendable>(_ body: @Sendable (SQLSession) async throws -> T) async throws -> T {
        try await gate.run {
            let db = self.connection.sql(queryLogLevel: nil)
            let connection = self.connection
            let session = SQLSession(
                sql: db,
                executeNative: { statement, values in
                    try await connection.query(statement, values.map(\.sqlite)) { _ in }
                    // changes() rather than RETURNING: SQLiteNIO would build a row object per returned id.
                    let changed = Mutex(0)
                    try await connection.query("SELECT changes()", []) { row in
                        if case .integer(let count)? = row.columns.first?.data { changed.withLock { $0 = Int(count) } }
                    }
                    return changed.withLock { $0 }
                },
                selectNative: { statement, values in
                    let rows = Mutex<[[SQLValue]]>([])
                    try await connection.query(statement, values.map(\.sqlite)) { row in
                        let cells = row.columns.map { column -> SQLValue in
                            switch column.data {
                            case .integer(let number): .int(Int64(number))
                            case .float(let number): .double(number)
                            case .text(let text): .text(text)
                            case .blob, .null: .null
                            }
                        }
                        rows.withLock { $0.append(cells) }
                    }
                    return rows.withLock { $0 }
                })
            // IMMEDIATE takes the write lock at once, so two writers never deadlock on upgrade.
            return try await inTransaction(session, begin: "BEGIN IMMEDIATE", body)
        }
    }

    /// A connection of its own with prepared statements (see `SQLiteBulkWriter`); the gate keeps
    /// the main connection idle meanwhile.
    func withBulkTransaction<T: Sendable>(_ body: @Sendable (any RowWriter) async throws -> T) async throws -> T {
        try await gate.run {
            let writer = try await SQLiteBulkWriter.begin(path: self.path)
            let value: T
            do {
                value = try await body(writer)
            } catch {
                try? await writer.end(commit: false)
                throw error
            }
            try await writer.end(commit: true)
            return value
        }
    }

    func select(_ statement: String, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try readers.select(statement, values)
    }

    func eachRow(_ statement: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) async throws {
        try readers.each(statement, values, body)
    }

    func close() async throws {
        readers.close()
        try await gate.run { try await self.connection.close() }
    }
}

/// Lets one async operation at a time through, in arrival order (SQLite has one connection, and a
/// transaction must not interleave with another caller's statements).
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            if waiting.isEmpty {
                busy = false
            } else {
                waiting.removeFirst().resume()
            }
        }
        return try await body()
    }
}

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

    /// The pool stops when its run is cancelled by whoever runs it.
    func close() async throws {}

    func select(_ statement: String, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try await client.withConnection { connection in try await Self.rows(statement, values, on: connection) }
    }

    /// A read's rows as values, by the column's type (integers, numbers, else text).
    static func rows(_ statement: String, _ values: [SQLValue], on connection: PostgresConnection) async throws -> [[SQLValue]] {
        do {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: Self.numbered(statement), binds: Self.bindings(values)),
                logger: connection.logger)
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
