import CrampJSON
import CrampJournal

extension EpisodesTable {
    /// One stored episode row as the API's JSON object (exactly `JournalBackup.episodeJSON`'s; a
    /// contract test holds the two together); returns its instant. Written through a cursor into
    /// room sized from the row's text: a page is fifty of these per request, with no Episode,
    /// String or value built per row.
    static func writeJSON(_ row: StoredRow, to w: inout JSONWriter, notes: Bool = true) throws -> Int64 {
        func at(_ column: Column) -> Int { column.position }
        guard let instant = row.int(at(.startedAt)), let offset = row.int(at(.utcOffsetSeconds)),
            let time = LocalTimestamp(instant: instant, utcOffsetSeconds: Int(offset)), let duration = row.int(at(.durationSeconds)),
            let created = row.int(at(.createdAt)), let updated = row.int(at(.updatedAt))
        else { throw StorageError("the journal holds a malformed episode row") }
        // Escaping at most sextuples text; list items add quotes and commas, reliefs their keys.
        let room =
            512 + LocalTimestamp.maximumISOBytes
            + 6 * (row.byteCount(at(.id)) + row.byteCount(at(.side)) + row.byteCount(at(.onset)) + row.byteCount(at(.note)))
            + 6 * (row.byteCount(at(.durationRange)) + row.byteCount(at(.safetyQuestions)) + row.byteCount(at(.loggedBy))) + 52
            + 9 * (row.byteCount(at(.muscles)) + row.byteCount(at(.findings))) + 23 * row.byteCount(at(.reliefs)) + 70
            + 48 * EpisodeDetail.all.count
        w.value(reserving: room) { out in
            out.bytes("{\"id\":")
            row.withText(at(.id)) { id in
                if let id { out.quoted(utf8: id) } else { out.bytes("null") }
            }
            out.bytes(",\"startedAt\":\"")
            time.writeISO(to: &out)
            out.bytes("\",\"durationSeconds\":")
            out.integer(duration)
            row.withText(at(.durationRange)) { if let range = $0 { out.bytes(",\"durationRange\":"); out.quoted(utf8: range) } }
            out.bytes(",\"muscles\":")
            writeList(row, at(.muscles), to: &out)
            row.withText(at(.side)) { if let side = $0 { out.bytes(",\"side\":"); out.quoted(utf8: side) } }
            for (position, key) in detailKeys {
                guard let value = row.int(position) else { continue }
                key.withUnsafeBufferPointer { out.bytes($0) }
                out.integer(value)
            }
            row.withText(at(.onset)) { if let onset = $0 { out.bytes(",\"onset\":"); out.quoted(utf8: onset) } }
            out.bytes(",\"findings\":")
            writeList(row, at(.findings), to: &out)
            out.bytes(",\"reliefs\":")
            writeReliefs(row, at(.reliefs), to: &out)
            if notes { row.withText(at(.note)) { if let note = $0 { out.bytes(",\"note\":"); out.quoted(utf8: note) } } }
            row.withText(at(.safetyQuestions)) { if let said = $0 { out.bytes(",\"safetyQuestions\":"); out.quoted(utf8: said) } }
            row.withText(at(.loggedBy)) { if let carer = $0 { out.bytes(",\"loggedBy\":"); out.quoted(utf8: carer) } }
            out.bytes(",\"createdAt\":")
            out.integer(created)
            out.bytes(",\"updatedAt\":")
            out.integer(updated)
            out.byte(UInt8(ascii: "}"))
        }
        return instant
    }

    /// Each detail's column and its `,"key":`, found once.
    static let detailKeys = EpisodeDetail.all.map { (Column.detail($0).position, Array(",\"\($0.field.jsonKey)\":".utf8)) }

    /// A stored list as a JSON array of strings.
    static func writeList(_ row: StoredRow, _ column: Int, to out: inout ByteCursor) {
        out.byte(UInt8(ascii: "["))
        row.withText(column) { text in
            var first = true
            StoredList.forEachItem(text) { item in
                if !first { out.byte(UInt8(ascii: ",")) }
                first = false
                out.quoted(utf8: item)
            }
        }
        out.byte(UInt8(ascii: "]"))
    }

    /// Stored `technique:outcome[:seconds]` reliefs as JSON objects, cut at the colons without
    /// building arrays.
    static func writeReliefs(_ row: StoredRow, _ column: Int, to out: inout ByteCursor) {
        out.byte(UInt8(ascii: "["))
        row.withText(column) { text in
            var firstItem = true
            StoredList.forEachItem(text) { item in
                guard let first = item.firstIndex(of: UInt8(ascii: ":")) else { return }
                let second = item[(first + 1)...].firstIndex(of: UInt8(ascii: ":"))
                if !firstItem { out.byte(UInt8(ascii: ",")) }
                firstItem = false
                out.bytes("{\"technique\":")
                out.quoted(utf8: UnsafeBufferPointer(rebasing: item[..<first]))
                out.bytes(",\"outcome\":")
                out.quoted(utf8: UnsafeBufferPointer(rebasing: item[(first + 1)..<(second ?? item.endIndex)]))
                if let second {
                    var seconds: Int64 = 0
                    for byte in item[(second + 1)...] where byte >= 48 && byte <= 57 && seconds < Int64.max / 10 - 9 {
                        seconds = seconds * 10 + Int64(byte - 48)
                    }
                    out.bytes(",\"secondsToEase\":")
                    out.integer(seconds)
                }
                out.byte(UInt8(ascii: "}"))
            }
        }
        out.byte(UInt8(ascii: "]"))
    }
}
