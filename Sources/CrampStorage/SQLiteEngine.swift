import Logging
import SQLKit
import SQLiteKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
