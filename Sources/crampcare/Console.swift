import CrampJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level standard I/O: the NDJSON path must not pay for line-by-line String conversions.
enum Console {
    static var stdinIsTerminal: Bool { isatty(0) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb.
    static var colourEnabled: Bool {
        let settings = Settings()
        return stdoutIsTerminal && settings.text("no.color") == nil && settings.text("term") != "dumb"
    }

    static func readAll(fd: Int32 = 0, limit: Int = 16 << 20) throws(CLIError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError.input("cannot read the input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return out }
            out.append(contentsOf: buffer[0..<count])
            if out.count > limit { throw CLIError.input("the input is larger than \(limit >> 20) MiB") }
        }
    }

    static func readFile(_ path: String) throws(CLIError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CLIError.input("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try readAll(fd: fd)
    }

    static func write(_ bytes: [UInt8], to fd: Int32 = 1) {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Text for a person, each line wrapped at the terminal's width on word boundaries (a line
    /// that starts with spaces or a list mark keeps them for its continuation lines). Machine
    /// output (JSON, CSV) goes through `write` and is never wrapped.
    static func print(_ text: String) { write(Array((fitted(text, width: width) + "\n").utf8)) }

    /// How many lines `text` takes once wrapped to `width` (what a pager must keep together).
    static func lineCount(_ text: String, width: Int) -> Int {
        fitted(text, width: width).split(separator: "\n", omittingEmptySubsequences: false).count
    }

    /// Every line of `text` wrapped to `width`.
    static func fitted(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            visibleCount(line) <= width ? String(line) : hanging(String(line), width: width)
        }.joined(separator: "\n")
    }

    /// One long line wrapped under its own indent and list mark ("  - ", "  12. "), or under its
    /// second column when it is a table row ("  symptoms        How a cramp feels, ...").
    static func hanging(_ line: String, width: Int) -> String {
        let indent = line.prefix { $0 == " " }
        let rest = line.dropFirst(indent.count)
        var mark = ""
        if rest.hasPrefix("- ") || rest.hasPrefix("* ") {
            mark = String(rest.prefix(2))
        } else if let dot = rest.firstIndex(of: "."), rest[..<dot].count <= 3, !rest[..<dot].isEmpty,
            rest[..<dot].allSatisfy(\.isNumber), rest[dot...].hasPrefix(". ")
        {
            mark = String(rest[...dot]) + " "
        } else if let gap = rest.firstRange(of: "  "), rest.distance(from: rest.startIndex, to: gap.lowerBound) < width / 3 {
            // A label, then its text in a column: the column is where the spaces end.
            let column = rest[gap.lowerBound...].firstIndex { $0 != " " } ?? rest.endIndex
            mark = String(rest[..<column])
        }
        let prefix = String(indent) + mark
        let hang = String(repeating: " ", count: min(Console.visibleCount(Substring(prefix)), width / 2))
        return wrap(String(rest.dropFirst(mark.count)), width: width, indent: hang, firstIndent: prefix)
    }

    /// Characters a terminal shows: ANSI colour sequences take no room.
    static func visibleCount(_ text: Substring) -> Int {
        var count = 0
        var inEscape = false
        for character in text {
            if inEscape {
                if character.isLetter { inEscape = false }
            } else if character == "\u{1B}" {
                inEscape = true
            } else {
                count += 1
            }
        }
        return count
    }
    /// A message on stderr. Control characters other than new line and tab are shown as
    /// `\u{…}`: messages quote what a file or a flag held, and a raw ESC would drive the terminal.
    /// Wrapped for a person (a terminal, or COLUMNS set); one line for a script reading a pipe.
    static func error(_ text: String) {
        var safe = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value) {
                safe.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                safe.append(scalar)
            }
        }
        let person = isatty(2) == 1 || Settings().text("columns") != nil
        write(Array(((person ? fitted(String(safe), width: width) : String(safe)) + "\n").utf8), to: 2)
    }

    /// The width text is wrapped to: COLUMNS when set (as shells set it), else the terminal's,
    /// else 80; never under 20, and at most 100 (longer lines are hard to read).
    static var width: Int {
        if let columns = Settings().text("columns"), columns.count <= 4, let value = Int(columns), value > 0 { return min(max(value, 20), 100) }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return min(max(Int(size.ws_col), 20), 100) }
        return 80
    }

    /// The terminal's height in lines: LINES when set, else the terminal's, else 24.
    static var height: Int {
        if let lines = Settings().text("lines"), lines.count <= 4, let value = Int(lines), value > 0 { return max(value, 8) }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return max(Int(size.ws_row), 8) }
        return 24
    }

    /// Long text on a terminal, a screen at a time: the first `kept` lines are printed whole
    /// (the banner, the red flags and what to do first are never behind a key), then the rest a
    /// screen per Enter, until q. Not on a terminal (a pipe, a file), or with `whole`, it is all
    /// printed at once.
    static func page(_ text: String, kept: Int, whole: Bool = false) {
        let lines = fitted(text, width: width).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let screen = height - 1
        guard !whole, stdoutIsTerminal, stdinIsTerminal, lines.count > max(kept, screen) else {
            write(Array((lines.joined(separator: "\n") + "\n").utf8))
            return
        }
        var shown = max(kept, screen - 1)
        write(Array((lines[0..<shown].joined(separator: "\n") + "\n").utf8))
        while shown < lines.count {
            write(Array("-- \(lines.count - shown) more lines: Enter for more, q to stop -- ".utf8))
            guard let answer = readLine(), answer.trimmingCharacters().lowercased() != "q" else {
                write(Array("\n".utf8))
                return
            }
            let next = min(lines.count, shown + screen - 1)
            write(Array((lines[shown..<next].joined(separator: "\n") + "\n").utf8))
            shown = next
        }
    }
}

/// Errors the CLI reports on stderr with an exit code: 2 for bad input, 70 for a broken build.
enum CLIError: Error {
    case input(String)
    case knowledge(String)
    /// The journal could not be opened, read or written (sysexits' EX_IOERR).
    case storage(String)
    /// Something asked for is not there (an id, a date).
    case notFound(String)
    /// A tool it needs is not installed or failed (sysexits' EX_UNAVAILABLE).
    case unavailable(String)

    var message: String {
        switch self {
        case .input(let text), .knowledge(let text), .storage(let text), .notFound(let text), .unavailable(let text): text
        }
    }

    var exitCode: Int32 {
        switch self {
        case .input: 2
        case .notFound: 3
        case .knowledge: 70
        case .storage: 74
        case .unavailable: 69
        }
    }
}

/// ANSI styles, empty when colour is off.
struct Style {
    let enabled: Bool

    func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
}

/// Wraps text to a width at word boundaries, indenting every line (a word longer than a line,
/// such as an address, stands on a line of its own).
func wrap(_ text: String, width: Int, indent: String = "", firstIndent: String? = nil) -> String {
    var lines: [String] = []
    var line = firstIndent ?? indent
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if lineHasWord, Console.visibleCount(Substring(line)) + 1 + Console.visibleCount(word) > width {
            lines.append(line)
            line = indent
            lineHasWord = false
        }
        line += (lineHasWord ? " " : "") + word
        lineHasWord = true
    }
    lines.append(line)
    return lines.joined(separator: "\n")
}

/// The error object an NDJSON stream prints in place of a line it could not take.
func ndjsonError(line: Int, field: String, message: String) -> [UInt8] {
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("line"); writer.value(line)
    writer.key("error"); writer.beginObject()
    writer.key("field"); writer.value(field)
    writer.key("message"); writer.value(message)
    writer.endObject()
    writer.endObject()
    return writer.bytes + [0x0A]
}

/// Lines of an NDJSON stream, read in chunks with every line capped: memory stays at one chunk
/// and one line whatever the input's shape. An over-long line is reported by number and skipped.
struct NDJSONLines {
    static let maxLine = 1 << 20
    enum Line {
        case text(ArraySlice<UInt8>, number: Int)
        case tooLong(number: Int)
    }

    let fd: Int32
    private var pending: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var number = 0
    private var skippingLongLine = false
    private var ended = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// The error object for a line past the cap.
    static func tooLongError(line: Int) -> [UInt8] {
        ndjsonError(line: line, field: "", message: "the line is longer than \(maxLine >> 20) MiB")
    }

    mutating func next() throws(CLIError) -> Line? {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = pending[start..<newline]
                start = newline + 1
                number += 1
                return .text(line, number: number)
            }
            if ended {
                guard start < pending.count else { return nil }
                let line = pending[start...]
                start = pending.count
                number += 1
                return .text(line, number: number)
            }
            pending.removeSubrange(0..<start)
            start = 0
            if pending.count > Self.maxLine {
                number += 1
                pending.removeAll(keepingCapacity: true)
                skippingLongLine = true
                return .tooLong(number: number)
            }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError.input("cannot read the input: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                ended = true
                if skippingLongLine { pending.removeAll() }
                continue
            }
            var slice = chunk[0..<count]
            if skippingLongLine {
                // The rest of an over-long line, up to its newline, is dropped unread.
                guard let newline = slice.firstIndex(of: 0x0A) else { continue }
                slice = slice[(newline + 1)...]
                skippingLongLine = false
            }
            pending.append(contentsOf: slice)
        }
    }
}
