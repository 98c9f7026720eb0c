// A plain JSON writer for one stored episode row, in the API's member order: the yardstick's
// counterpart of EpisodesTable.writeJSON, with no cursor, no sizing and no shared code.
import VaporCSQLite

enum PlainJSON {
    /// A text column's bytes in place (valid until the next step).
    static func text(_ statement: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        guard let bytes = sqlite_nio_sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite_nio_sqlite3_column_bytes(statement, column)))
    }

    static func isNull(_ statement: OpaquePointer, _ column: Int32) -> Bool { sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_NULL }

    static func quoted(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: "\\u00".utf8); out += [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func list(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for item in bytes.split(separator: UInt8(ascii: ";")) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            quoted(item, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    static func reliefs(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for item in bytes.split(separator: UInt8(ascii: ";")) {
            let parts = item.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: #"{"technique":"#.utf8)
            quoted(parts[0], to: &out)
            out.append(contentsOf: #","outcome":"#.utf8)
            quoted(parts[1], to: &out)
            if parts.count > 2 { out.append(contentsOf: #","secondsToEase":"#.utf8); out.append(contentsOf: parts[2]) }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    static func number(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { room in
            repeat {
                room[count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(room[index]) }
        }
    }

    static func two(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(48 + value / 10))
        out.append(UInt8(48 + value % 10))
    }

    /// A local time with its offset as RFC 3339, as the API writes it.
    static func iso(instant: Int64, offset: Int, to out: inout [UInt8]) {
        let local = instant + Int64(offset) * 1000
        var days = local / 86_400_000
        var ms = local % 86_400_000
        if ms < 0 { ms += 86_400_000; days -= 1 }
        // Days to a civil date (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        number(Int64(year), to: &out)
        out.append(UInt8(ascii: "-"))
        two(month, to: &out)
        out.append(UInt8(ascii: "-"))
        two(day, to: &out)
        out.append(UInt8(ascii: "T"))
        let seconds = Int(ms / 1000)
        two(seconds / 3600, to: &out)
        out.append(UInt8(ascii: ":"))
        two(seconds / 60 % 60, to: &out)
        out.append(UInt8(ascii: ":"))
        two(seconds % 60, to: &out)
        if ms % 1000 != 0 { out += Array(".\(String(ms % 1000 + 1000).dropFirst())".utf8) }
        if offset == 0 {
            out.append(UInt8(ascii: "Z"))
        } else {
            out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            two(abs(offset) / 3600, to: &out)
            out.append(UInt8(ascii: ":"))
            two(abs(offset) / 60 % 60, to: &out)
        }
    }

    /// One row of `PageConnection.columns` as the API's episode object; returns its instant.
    static func episode(_ statement: OpaquePointer, to out: inout [UInt8]) -> Int64 {
        let instant = sqlite_nio_sqlite3_column_int64(statement, 2)
        out.append(contentsOf: #"{"id":"#.utf8)
        quoted(text(statement, 1), to: &out)
        out.append(contentsOf: #","startedAt":""#.utf8)
        iso(instant: instant, offset: Int(sqlite_nio_sqlite3_column_int64(statement, 3)), to: &out)
        out.append(contentsOf: #"","durationSeconds":"#.utf8); number(sqlite_nio_sqlite3_column_int64(statement, 4), to: &out)
        out.append(contentsOf: #","muscles":"#.utf8)
        list(text(statement, 5), to: &out)
        if !isNull(statement, 6) { out.append(contentsOf: #","side":"#.utf8); quoted(text(statement, 6), to: &out) }
        if !isNull(statement, 7) { out.append(contentsOf: #","severity":"#.utf8); number(sqlite_nio_sqlite3_column_int64(statement, 7), to: &out) }
        if !isNull(statement, 8) { out.append(contentsOf: #","onset":"#.utf8); quoted(text(statement, 8), to: &out) }
        out.append(contentsOf: #","findings":"#.utf8)
        list(text(statement, 9), to: &out)
        out.append(contentsOf: #","reliefs":"#.utf8)
        reliefs(text(statement, 10), to: &out)
        if !isNull(statement, 11) { out.append(contentsOf: #","note":"#.utf8); quoted(text(statement, 11), to: &out) }
        out.append(contentsOf: #","createdAt":"#.utf8); number(sqlite_nio_sqlite3_column_int64(statement, 12), to: &out)
        out.append(contentsOf: #","updatedAt":"#.utf8); number(sqlite_nio_sqlite3_column_int64(statement, 13), to: &out)
        out.append(UInt8(ascii: "}"))
        return instant
    }
}
