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
