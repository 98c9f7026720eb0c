import Dispatch
import Synchronization
// SQLiteNIO's own copy of SQLite, as in SQLiteStatements.swift.
import VaporCSQLite

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
                for pragma in [
                    "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-65536", "PRAGMA temp_store=MEMORY",
                    "BEGIN IMMEDIATE",
                ] {
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
        // The shared values stay bound across resets: bound once, before the rows.
        let sharedValues = rows.shared?.values ?? []
        for (index, value) in sharedValues.enumerated() { try bind(value, at: Int32(index + 1), in: statement) }
        let first = Int32(sharedValues.count + 1)
        var changed = 0
        var index = 0
        while index < rows.values.count {
            for column in 0..<rows.columnCount {
                try bind(rows.values[index + column], at: first + Int32(column), in: statement)
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
