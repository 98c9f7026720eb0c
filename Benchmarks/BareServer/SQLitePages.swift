// GET /episodes?limit=50&after=CURSOR: the same SQL as CrampCare's store, run through SQLite's C
// API on kept statements, each row written as the same JSON by a plain writer.
import Foundation
import Synchronization
import VaporCSQLite

/// One read-only connection with its two kept statements (the first page, and a page after a cursor).
struct PageConnection: @unchecked Sendable {
    let handle: OpaquePointer
    let first: OpaquePointer
    let after: OpaquePointer

    static let columns =
        "owner_id, id, started_at, utc_offset_seconds, duration_seconds, muscles, side, severity, onset, findings, reliefs, note, created_at, updated_at"

    init(path: String, limit: Int) throws {
        var handle: OpaquePointer?
        guard sqlite_nio_sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            throw BareError("cannot open \(path)")
        }
        let base = "SELECT \(Self.columns) FROM episodes WHERE owner_id = CAST(? AS TEXT)"
        let order = " ORDER BY started_at DESC, id DESC LIMIT \(limit + 1)"
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
                let statement
            else { throw BareError("cannot prepare \(sql)") }
            return statement
        }
        self.handle = handle
        first = try prepare(base + order)
        after = try prepare(
            base + " AND started_at <= CAST(? AS BIGINT) AND (started_at < CAST(? AS BIGINT) OR id < CAST(? AS TEXT))" + order)
    }
}

struct BareError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class SQLitePages: Sendable {
    let idle: Mutex<[PageConnection]>
    let path: String
    let owner: String
    let limit = 50

    init(path: String, owner: String) {
        self.path = path
        self.owner = owner
        idle = Mutex([])
    }

    func page(after cursor: String?) throws -> [UInt8] {
        let connection = try idle.withLock { $0.popLast() } ?? PageConnection(path: path, limit: limit)
        defer { idle.withLock { $0.append(connection) } }
        var statement = connection.first
        var cursorParts: (Int64, String)?
        if let cursor, let underscore = cursor.firstIndex(of: "_"), let instant = Int64(cursor[..<underscore]) {
            cursorParts = (instant, String(cursor[cursor.index(after: underscore)...]))
            statement = connection.after
        }
        defer { sqlite_nio_sqlite3_reset(statement) }
        bind(owner, 1, statement)
        if let (instant, id) = cursorParts {
            sqlite_nio_sqlite3_bind_int64(statement, 2, instant)
            sqlite_nio_sqlite3_bind_int64(statement, 3, instant)
            bind(id, 4, statement)
        }
        var out: [UInt8] = []
        out.reserveCapacity(320 * (limit + 1) + 64)
        out.append(contentsOf: #"{"episodes":["#.utf8)
        var written = 0
        var next: [UInt8]?
        while sqlite_nio_sqlite3_step(statement) == SQLITE_ROW {
            if written == limit {
                written += 1
                break
            }
            if written > 0 { out.append(UInt8(ascii: ",")) }
            let instant = PlainJSON.episode(statement, to: &out)
            written += 1
            if written == limit { next = Array("\(instant)_".utf8) + PlainJSON.text(statement, 1) }
        }
        out.append(contentsOf: #"],"next":"#.utf8)
        if written > limit, let next {
            out.append(UInt8(ascii: "\""))
            out += next
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private func bind(_ text: String, _ position: Int32, _ statement: OpaquePointer) {
        var text = text
        text.withUTF8 { bytes in
            _ = bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite_nio_sqlite3_bind_text64(
                    statement, position, $0, UInt64(bytes.count), unsafeBitCast(-1, to: sqlite3_destructor_type.self), UInt8(SQLITE_UTF8))
            }
        }
    }
}
