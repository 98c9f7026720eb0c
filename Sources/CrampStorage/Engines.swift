import SQLKit
import SQLiteKit

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
    /// Runs one statement, atomic by itself; returns how many rows it changed. On PostgreSQL it is
    /// one round trip where BEGIN, the statement and COMMIT were three.
    func executeAlone(_ statement: String, _ values: [SQLValue]) async throws -> Int
    /// A read kept prepared where the engine can (see `KeptStatement`).
    func select<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> [[SQLValue]]
    /// `executeAlone` of a statement kept prepared where the engine can.
    func executeAlone<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> Int
    func close() async throws
}

extension SQLEngine {
    func eachRow(_ statement: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) async throws {
        for row in try await select(statement, values) { try body(StoredRow(values: row)) }
    }

    func withBulkTransaction<T: Sendable>(_ body: @Sendable (any RowWriter) async throws -> T) async throws -> T {
        try await withTransaction { session in try await body(session) }
    }

    func executeAlone(_ statement: String, _ values: [SQLValue]) async throws -> Int {
        try await withTransaction { session in try await session.execute(statement, values) }
    }

    func select<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> [[SQLValue]] {
        try await select(Statement.sql, values)
    }

    func executeAlone<Statement: KeptStatement>(kept: Statement.Type, _ values: [SQLValue]) async throws -> Int {
        try await executeAlone(Statement.sql, values)
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
