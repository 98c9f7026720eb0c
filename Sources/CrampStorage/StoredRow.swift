import VaporCSQLite

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

    /// A number column; nil when NULL.
    public func double(_ column: Int) -> Double? {
        guard let statement else {
            switch cells[column] {
            case .double(let number): return number
            case .int(let number): return Double(number)
            default: return nil
            }
        }
        switch sqlite_nio_sqlite3_column_type(statement, Int32(column)) {
        case SQLITE_FLOAT, SQLITE_INTEGER: return sqlite_nio_sqlite3_column_double(statement, Int32(column))
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
