/// One CSV record and the line it started on (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public let line: Int
    public let fields: [String]
}

/// An RFC 4180 parser fed in chunks, so a file of any size is read in constant memory. A record
/// longer than `maxRecordBytes` is refused with its line number rather than buffered.
public struct CSVParser: Sendable {
    public let maxRecordBytes: Int
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var recordBytes = 0
    private var inQuotes = false
    private var quoteClosed = false
    private var fieldStarted = false
    private var pendingCR = false
    private var line = 1
    private var recordLine = 1

    public init(maxRecordBytes: Int = 1 << 20) {
        self.maxRecordBytes = maxRecordBytes
    }

    private func error(_ problem: String, line: Int) -> JournalError {
        JournalError(field: "", problem: problem, location: "line \(line)")
    }

    private mutating func endField() throws(JournalError) {
        // Plain ASCII, nearly every field, needs no validation (the generic validating
        // initialiser costs a metadata lookup per call).
        if field.allSatisfy({ $0 < 0x80 }) {
            fields.append(field.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
        } else if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            throw error("the text is not valid UTF-8", line: recordLine)
        }
        field.removeAll(keepingCapacity: true)
        quoteClosed = false
        fieldStarted = false
    }

    private mutating func endRecord(into records: inout [CSVRecord]) throws(JournalError) {
        try endField()
        // A blank line is no record.
        if !(fields.count == 1 && fields[0].isEmpty) {
            records.append(CSVRecord(line: recordLine, fields: fields))
        }
        fields.removeAll(keepingCapacity: true)
        recordBytes = 0
    }

    /// Parses the next chunk; returns the records it completed.
    public mutating func feed(_ chunk: some Sequence<UInt8>) throws(JournalError) -> [CSVRecord] {
        let bytes = Array(chunk)
        var records: [CSVRecord] = []
        let result: Result<Void, JournalError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JournalError) {
                try scan(buffer, into: &records)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return records
    }

    /// Copies runs of ordinary bytes in bulk; only quotes, commas and line ends are looked at.
    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into records: inout [CSVRecord]) throws(JournalError) {
        var index = 0
        let count = buffer.count
        while index < count {
            if pendingCR {
                pendingCR = false
                if buffer[index] == 0x0A {
                    index += 1
                    continue
                }
            }
            if inQuotes {
                // Up to the next quote, new lines included.
                var end = index
                while end < count, buffer[end] != 0x22 { end += 1 }
                for byte in buffer[index..<end] where byte == 0x0A { line += 1 }
                try take(buffer, index, end)
                index = end
                if index < count {
                    try grow(1)
                    inQuotes = false
                    quoteClosed = true
                    index += 1
                }
                continue
            }
            let byte = buffer[index]
            switch byte {
            case 0x22:
                try grow(1)
                if quoteClosed {
                    // "" inside a quoted field is one quote.
                    field.append(0x22)
                    inQuotes = true
                    quoteClosed = false
                } else if !fieldStarted {
                    inQuotes = true
                    fieldStarted = true
                } else {
                    throw error("a quote inside an unquoted field; put the field in quotes and double the quote", line: line)
                }
                index += 1
            case 0x2C:
                try grow(1)
                try endField()
                index += 1
            case 0x0D, 0x0A:
                try endRecord(into: &records)
                pendingCR = byte == 0x0D
                line += 1
                recordLine = line
                index += 1
            default:
                if quoteClosed { throw error("text after a closing quote; a quoted field ends at a comma or the line's end", line: line) }
                var end = index + 1
                while end < count {
                    let next = buffer[end]
                    if next == 0x2C || next == 0x22 || next == 0x0D || next == 0x0A { break }
                    end += 1
                }
                try take(buffer, index, end)
                fieldStarted = true
                index = end
            }
        }
    }

    private mutating func take(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(JournalError) {
        try grow(end - start)
        field.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
    }

    /// Counts a record's bytes; a record over the cap is refused at once, so a huge line is never
    /// read to its end.
    private mutating func grow(_ bytes: Int) throws(JournalError) {
        recordBytes += bytes
        if recordBytes > maxRecordBytes {
            throw error("a record is longer than \(maxRecordBytes >> 10) KiB; the file is not a CrampCare CSV", line: recordLine)
        }
    }

    /// Ends the input: returns the last record if the file did not end with a new line.
    public mutating func finish() throws(JournalError) -> [CSVRecord] {
        if inQuotes { throw error("a quoted field is not closed before the end of the file", line: recordLine) }
        var records: [CSVRecord] = []
        if !field.isEmpty || !fields.isEmpty || fieldStarted { try endRecord(into: &records) }
        return records
    }
}

/// Writes RFC 4180 CSV: fields quoted only when they must be, CRLF line ends.
public enum CSVWriter {
    public static func row(_ fields: [String]) -> String {
        fields.map(quote).joined(separator: ",") + "\r\n"
    }

    /// A free-text cell made safe from spreadsheets: one that a spreadsheet would run as a
    /// formula (it begins with = + - @, TAB or CR, perhaps after quotes) gets a leading `'`.
    /// `unguarded` removes exactly that one, so every text round-trips, "'=" included.
    public static func guarded(_ text: String) -> String {
        startsLikeFormula(text) ? "'" + text : text
    }

    public static func unguarded(_ text: String) -> String {
        guard text.utf8.first == UInt8(ascii: "'"), startsLikeFormula(String(text.dropFirst())) else { return text }
        return String(text.dropFirst())
    }

    static func startsLikeFormula(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { $0 != UInt8(ascii: "'") }) else { return false }
        return [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first)
    }

    static func quote(_ field: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character and would slip past a Character test.
        guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }
}
