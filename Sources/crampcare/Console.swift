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

    static func print(_ text: String) { write(Array((text + "\n").utf8)) }
    /// A message on stderr. Control characters other than new line and tab are shown as
    /// `\u{…}`: messages quote what a file or a flag held, and a raw ESC would drive the terminal.
    static func error(_ text: String) {
        var safe = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value) {
                safe.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                safe.append(scalar)
            }
        }
        write(Array((String(safe) + "\n").utf8), to: 2)
    }

    /// The terminal's width, for wrapping text; 80 when it cannot be told.
    static var width: Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return min(Int(size.ws_col), 100) }
        return 80
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

/// Wraps text to a width at word boundaries, indenting every line.
func wrap(_ text: String, width: Int, indent: String = "", firstIndent: String? = nil) -> String {
    var lines: [String] = []
    var line = firstIndent ?? indent
    var lineHasWord = false
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        if lineHasWord, line.count + 1 + word.count > width {
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
