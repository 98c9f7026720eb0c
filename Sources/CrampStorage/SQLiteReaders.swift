import Synchronization
import VaporCSQLite

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
