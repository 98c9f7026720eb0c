import Dispatch
import Synchronization
// SQLiteNIO's own copy of SQLite (its symbols carry a `sqlite_nio_` prefix): the same library the
// rest of the store uses, so the process never holds two SQLite libraries on one file, which
// would break SQLite's file locks. SQLiteNIO prepares every statement anew and has no way to
// reuse one; a bulk import needs exactly that. See docs/decisions.md.
import VaporCSQLite

/// A statement kept prepared in `cache` under its text, preparing it the first time.
func keptStatement(_ sql: String, handle: OpaquePointer?, cache: inout [String: OpaquePointer]) -> OpaquePointer? {
    if let cached = cache[sql] { return cached }
    var made: OpaquePointer?
    guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &made, nil) == SQLITE_OK, let made else { return nil }
    cache[sql] = made
    return made
}

private let transientText = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds one value to a statement's parameter (1-based); SQLite copies text at once.
func bindValue(_ value: SQLValue, at position: Int32, in statement: OpaquePointer) -> Int32 {
    switch value {
    case .int(let number): return sqlite_nio_sqlite3_bind_int64(statement, position, number)
    case .double(let number): return sqlite_nio_sqlite3_bind_double(statement, position, number)
    case .null: return sqlite_nio_sqlite3_bind_null(statement, position)
    case .text(var text):
        return text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else {
                // An empty buffer may have no address: bind an empty C string instead.
                return sqlite_nio_sqlite3_bind_text64(statement, position, "", 0, transientText, UInt8(SQLITE_UTF8))
            }
            return start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite_nio_sqlite3_bind_text64(statement, position, $0, UInt64(bytes.count), transientText, UInt8(SQLITE_UTF8))
            }
        }
    }
}

/// Rows to insert, one table, all with the same columns: `values` holds `columnCount` values per
/// row, row after row. `constants` are columns with one value for every row, written once as SQL
/// literals (the caller guarantees they are safe literals) instead of being bound per row.
public struct RowInsert: Sendable {
    public var table: String
    public var columns: String
    public var columnCount: Int
    public var suffix: String
    public var constants: (columns: String, literals: String)?
    public var values: [SQLValue]

    var rowCount: Int { values.count / columnCount }

    private var columnList: String { constants.map { "\($0.columns), \(columns)" } ?? columns }

    private var tuple: String {
        let placeholders = Array(repeating: "?", count: columnCount).joined(separator: ",")
        return constants.map { "(\($0.literals),\(placeholders))" } ?? "(\(placeholders))"
    }

    /// One row's INSERT, to be prepared once and run per row.
    var singleRowSQL: String { "INSERT INTO \(table) (\(columnList)) VALUES \(tuple) \(suffix)" }

    /// Multi-row INSERTs of at most `rowsPerStatement` rows: few round trips where statements
    /// cannot be kept prepared, within both engines' limits on bound values.
    func statements(rowsPerStatement: Int) -> [(sql: String, values: [SQLValue])] {
        var statements: [(sql: String, values: [SQLValue])] = []
        let tuple = tuple
        var start = 0
        while start < rowCount {
            let rows = min(rowsPerStatement, rowCount - start)
            let sql = "INSERT INTO \(table) (\(columnList)) VALUES " + Array(repeating: tuple, count: rows).joined(separator: ",") + " " + suffix
            statements.append((sql, Array(values[(start * columnCount)..<((start + rows) * columnCount)])))
            start += rows
        }
        return statements
    }
}

/// Where a bulk write puts its rows: inside one transaction, returning how many rows changed.
public protocol RowWriter: Sendable {
    func insert(_ rows: RowInsert) async throws -> Int
}

extension SQLSession: RowWriter {
    public func insert(_ rows: RowInsert) async throws -> Int {
        var changed = 0
        for statement in rows.statements(rowsPerStatement: SQLJournalStore.batchRows) {
            changed += try await execute(statement.sql, statement.values)
        }
        return changed
    }
}

/// A connection of its own for one bulk transaction, with each INSERT prepared once and run per
/// row, as the sqlite3 shell's `.import` does. It runs on a serial queue of its own, so the
/// caller's parsing goes on meanwhile and the handle is only ever used from one thread.
final class SQLiteBulkWriter: RowWriter, @unchecked Sendable {
    // Touched only on `queue`.
    private var handle: OpaquePointer?
    private var prepared: [String: OpaquePointer] = [:]
    private let queue = DispatchQueue(label: "crampcare.sqlite.bulk")

    /// Opens the journal, sets the same durability as the main connection and begins an
    /// IMMEDIATE transaction (the write lock at once).
    static func begin(path: String) async throws -> SQLiteBulkWriter {
        let writer = SQLiteBulkWriter()
        try await writer.run {
            var handle: OpaquePointer?
            let opened = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
            writer.handle = handle
            do {
                guard opened == SQLITE_OK else { throw writer.failure("cannot open the journal at \(path) for the import") }
                sqlite_nio_sqlite3_busy_timeout(handle, 5000)
                for pragma in ["PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY",
                               "BEGIN IMMEDIATE"] {
                    try writer.exec(pragma)
                }
            } catch {
                writer.closeNow()
                throw error
            }
        }
        return writer
    }

    private init() {}

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func failure(_ what: String) -> StorageError {
        let reason = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { message in String(cString: message) } ?? "out of memory"
        return StorageError("\(what): \(reason)")
    }

    private func exec(_ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw failure("the import failed") }
    }

    func insert(_ rows: RowInsert) async throws -> Int {
        try await run { try self.insertNow(rows) }
    }

    private func insertNow(_ rows: RowInsert) throws -> Int {
        guard let statement = keptStatement(rows.singleRowSQL, handle: handle, cache: &prepared) else {
            throw failure("the import could not be prepared")
        }
        var changed = 0
        var index = 0
        while index < rows.values.count {
            for column in 0..<rows.columnCount {
                try bind(rows.values[index + column], at: Int32(column + 1), in: statement)
            }
            let stepped = sqlite_nio_sqlite3_step(statement)
            sqlite_nio_sqlite3_reset(statement)
            guard stepped == SQLITE_DONE else { throw failure("the import could not write a row") }
            changed += Int(sqlite_nio_sqlite3_changes(handle))
            index += rows.columnCount
        }
        return changed
    }

    private func bind(_ value: SQLValue, at position: Int32, in statement: OpaquePointer) throws {
        guard bindValue(value, at: position, in: statement) == SQLITE_OK else { throw failure("the import could not bind a value") }
    }

    /// Commits (durably: WAL with synchronous=FULL) or rolls back, then closes the connection.
    func end(commit: Bool) async throws {
        try await run {
            guard self.handle != nil else { return }
            defer { self.closeNow() }
            if commit {
                try self.exec("COMMIT")
            } else {
                _ = sqlite_nio_sqlite3_exec(self.handle, "ROLLBACK", nil, nil, nil)
            }
        }
    }

    private func closeNow() {
        for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
        prepared.removeAll()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }
}

/// Read-only connections, each keeping its statements prepared, taken from a small pool: the hot
/// reads (a page of episodes) skip SQLiteNIO's thread hop and its preparing every statement anew.
/// WAL lets them read beside the writer; each read is one statement, so none holds a snapshot
/// open between calls. A read runs on the caller's thread: they are short, bounded by a page.
final class SQLiteReaders: Sendable {
    private let path: String
    private let idle = Mutex<[SQLiteReader]>([])

    init(path: String) {
        self.path = path
    }

    func select(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]] {
        let reader = try idle.withLock { $0.popLast() } ?? SQLiteReader(path: path)
        defer { idle.withLock { $0.append(reader) } }
        return try reader.select(sql, values)
    }

    func each(_ sql: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) throws {
        let reader = try idle.withLock { $0.popLast() } ?? SQLiteReader(path: path)
        defer { idle.withLock { $0.append(reader) } }
        try reader.each(sql, values, body)
    }

    func close() {
        let readers = idle.withLock { readers in
            defer { readers.removeAll() }
            return readers
        }
        for reader in readers { reader.close() }
    }
}

/// One read-only connection; used by one caller at a time (the pool hands it out).
final class SQLiteReader: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var prepared: [String: OpaquePointer] = [:]

    init(path: String) throws {
        var handle: OpaquePointer?
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        self.handle = handle
        guard opened == SQLITE_OK else {
            let reason = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { message in String(cString: message) } ?? "out of memory"
            close()
            throw StorageError("cannot open the journal at \(path) for reading: \(reason)")
        }
        sqlite_nio_sqlite3_busy_timeout(handle, 5000)
        _ = sqlite_nio_sqlite3_exec(handle, "PRAGMA mmap_size=268435456", nil, nil, nil)
    }

    private func failure(_ what: String) -> StorageError {
        let reason = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { message in String(cString: message) } ?? "unknown"
        return StorageError("\(what): \(reason)")
    }

    func select(_ sql: String, _ values: [SQLValue]) throws -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        try each(sql, values) { row in rows.append(row.values()) }
        return rows
    }

    func each(_ sql: String, _ values: [SQLValue], _ body: (StoredRow) throws -> Void) throws {
        guard let statement = keptStatement(sql, handle: handle, cache: &prepared) else { throw failure("the journal could not be read") }
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in values.enumerated() {
            guard bindValue(value, at: Int32(index + 1), in: statement) == SQLITE_OK else { throw failure("the journal could not be read") }
        }
        let row = StoredRow(statement: statement)
        while true {
            let stepped = sqlite_nio_sqlite3_step(statement)
            if stepped == SQLITE_DONE { break }
            guard stepped == SQLITE_ROW else { throw failure("the journal could not be read") }
            try body(row)
        }
    }

    /// How often each kept statement was prepared again (a test checks that a page does not).
    func vmSteps() -> [String: Int32] {
        prepared.mapValues { sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_VM_STEP, 1) }
    }

    func reprepareCounts() -> [String: Int32] {
        prepared.mapValues { sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0) }
    }

    func close() {
        for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
        prepared.removeAll()
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }
}

/// One row of a read, valid only inside the callback it is handed to: on SQLite it reads the
/// statement's current row in place; elsewhere it wraps the row's values.
public struct StoredRow {
    private let statement: OpaquePointer?
    private let cells: [SQLValue]

    init(statement: OpaquePointer) {
        self.statement = statement
        cells = []
    }

    init(values: [SQLValue]) {
        statement = nil
        cells = values
    }

    public var count: Int { statement.map { Int(sqlite_nio_sqlite3_column_count($0)) } ?? cells.count }

    /// An integer column; nil when NULL (or not a number).
    public func int(_ column: Int) -> Int64? {
        guard let statement else { return cells[column].integer }
        switch sqlite_nio_sqlite3_column_type(statement, Int32(column)) {
        case SQLITE_INTEGER: return sqlite_nio_sqlite3_column_int64(statement, Int32(column))
        case SQLITE_FLOAT: return Int64(exactly: sqlite_nio_sqlite3_column_double(statement, Int32(column)))
        default: return nil
        }
    }

    /// A text column's UTF-8 bytes, lent to `body`; nil when NULL.
    public func withText<R>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        guard let statement else {
            guard case .text(var text) = cells[column] else { return try body(nil) }
            return try text.withUTF8 { try body($0) }
        }
        guard sqlite_nio_sqlite3_column_type(statement, Int32(column)) == SQLITE_TEXT else { return try body(nil) }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, Int32(column)))
        guard let start = sqlite_nio_sqlite3_column_text(statement, Int32(column)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: start, count: count))
    }

    /// A column's length in bytes as text (0 when NULL).
    public func byteCount(_ column: Int) -> Int {
        guard let statement else {
            guard case .text(let text) = cells[column] else { return 0 }
            return text.utf8.count
        }
        return Int(sqlite_nio_sqlite3_column_bytes(statement, Int32(column)))
    }

    /// Every column as a value.
    func values() -> [SQLValue] {
        guard let statement else { return cells }
        return (0..<Int32(count)).map { column -> SQLValue in
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .int(sqlite_nio_sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: return .double(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_TEXT: return .text(withText(Int(column)) { $0.map { String(decoding: $0, as: UTF8.self) } ?? "" })
            default: return .null
            }
        }
    }
}
