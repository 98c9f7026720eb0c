/// What the XML tokenizer reports: elements opening (with their attributes) and closing.
public enum XMLEvent: Sendable, Equatable {
    case start(name: String, attributes: [String: String], line: Int)
    case end(name: String)
}

/// A streaming XML tokenizer fed in chunks, for files too large to hold (Apple Health exports run
/// to gigabytes). It reads a document type's internal subset but never expands entities: only
/// the five predefined ones and character references are decoded, and any other reference is an
/// error, so an "XML bomb" costs nothing. Text content is not kept. A single piece of markup over
/// `maxMarkupBytes` is refused, which keeps memory constant.
public struct XMLStreamParser: Sendable {
    public let maxMarkupBytes: Int
    public let maxDepth = 64
    private var markup: [UInt8] = []
    private var inMarkup = false
    private var quote: UInt8 = 0
    /// Inside `<!DOCTYPE … [ … ]>`: how deep in the internal subset's brackets.
    private var doctypeBracket = 0
    private var inComment = false
    private var inSubsetComment = false
    private var inCDATA = false
    private var stack: [String] = []
    private var line = 1
    private var markupLine = 1
    private var textEntity: [UInt8] = []
    private var inTextEntity = false
    private var sawRoot = false

    public init(maxMarkupBytes: Int = 1 << 20) {
        self.maxMarkupBytes = maxMarkupBytes
    }

    func error(_ problem: String, line: Int) -> JournalError {
        JournalError(field: "", problem: problem, location: "line \(line)")
    }

    public mutating func feed(_ chunk: [UInt8]) throws(JournalError) -> [XMLEvent] {
        var events: [XMLEvent] = []
        for byte in chunk {
            if byte == 0x0A { line += 1 }
            if inMarkup {
                try consumeMarkup(byte, into: &events)
                continue
            }
            if inTextEntity {
                textEntity.append(byte)
                if byte == UInt8(ascii: ";") {
                    _ = try Self.decodeEntity(textEntity, line: line)
                    inTextEntity = false
                    textEntity.removeAll(keepingCapacity: true)
                } else if textEntity.count > Self.maxEntityLength {
                    throw error("a '&' in text that does not start an entity reference", line: line)
                }
                continue
            }
            if byte == UInt8(ascii: "<") {
                inMarkup = true
                markupLine = line
                markup.removeAll(keepingCapacity: true)
            } else if byte == UInt8(ascii: "&") {
                inTextEntity = true
                textEntity = [byte]
            }
        }
        return events
    }

    private mutating func consumeMarkup(_ byte: UInt8, into events: inout [XMLEvent]) throws(JournalError) {
        markup.append(byte)
        if markup.count > maxMarkupBytes {
            throw error("a piece of markup is longer than \(maxMarkupBytes >> 10) KiB", line: markupLine)
        }
        // Comments and CDATA end only at their own closers, whatever they contain.
        if markup.count == 3, markup == [0x21, 0x2D, 0x2D] { inComment = true }
        if inComment {
            if markup.count >= 5, markup.suffix(3) == [0x2D, 0x2D, 0x3E] { finishMarkup(); inComment = false }
            return
        }
        if markup.count == 8, markup == Array("![CDATA[".utf8) { inCDATA = true }
        if inCDATA {
            if markup.suffix(3) == [0x5D, 0x5D, 0x3E] { finishMarkup(); inCDATA = false }
            return
        }
        if inSubsetComment {
            if markup.suffix(3) == [0x2D, 0x2D, 0x3E] { inSubsetComment = false }
            return
        }
        if quote != 0 {
            if byte == quote { quote = 0 }
            return
        }
        if doctypeBracket > 0, markup.suffix(4) == [0x3C, 0x21, 0x2D, 0x2D] {
            // A comment in the internal subset: its text may hold quotes that mean nothing.
            inSubsetComment = true
            return
        }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            // Quotes matter in tags and declarations, not in a processing instruction's text.
            if markup.first != UInt8(ascii: "?") { quote = byte }
        case UInt8(ascii: "["):
            if markup.starts(with: Array("!DOCTYPE".utf8)) { doctypeBracket += 1 }
        case UInt8(ascii: "]"):
            if doctypeBracket > 0 { doctypeBracket -= 1 }
        case UInt8(ascii: "<"):
            // Declarations inside the internal subset (<!ENTITY …>, <!ELEMENT …>) nest in the DOCTYPE.
            if doctypeBracket == 0 { throw error("a '<' inside a tag", line: line) }
        case UInt8(ascii: ">"):
            guard doctypeBracket == 0 else { return }
            try closeMarkup(into: &events)
        default:
            break
        }
    }

    private mutating func finishMarkup() {
        inMarkup = false
        markup.removeAll(keepingCapacity: true)
    }

    private mutating func closeMarkup(into events: inout [XMLEvent]) throws(JournalError) {
        defer { finishMarkup() }
        markup.removeLast()  // the '>'
        guard let first = markup.first else { throw error("an empty tag '<>'", line: markupLine) }
        switch first {
        case UInt8(ascii: "?"):
            return  // <?xml …?> and other processing instructions carry nothing we need
        case UInt8(ascii: "!"):
            // <!DOCTYPE …> with its internal subset: read, never expanded. External entities are
            // never fetched: nothing here opens a file or a URL.
            guard markup.starts(with: Array("!DOCTYPE".utf8)) else {
                throw error("unexpected markup '<\(String(decoding: markup.prefix(20), as: UTF8.self))'", line: markupLine)
            }
            return
        case UInt8(ascii: "/"):
            let name = String(decoding: markup.dropFirst().prefix { !Self.isSpace($0) }, as: UTF8.self)
            guard let open = stack.popLast() else { throw error("a closing </\(name)> with nothing open", line: markupLine) }
            guard open == name else { throw error("</\(name)> closes <\(open)>", line: markupLine) }
            events.append(.end(name: name))
        default:
            let selfClosing = markup.last == UInt8(ascii: "/")
            if selfClosing { markup.removeLast() }
            let (name, attributes) = try parseTag(markup)
            if stack.isEmpty {
                guard !sawRoot else { throw error("a second root element <\(name)>", line: markupLine) }
                sawRoot = true
            }
            events.append(.start(name: name, attributes: attributes, line: markupLine))
            if selfClosing {
                events.append(.end(name: name))
            } else {
                stack.append(name)
                guard stack.count <= maxDepth else { throw error("elements nested deeper than \(maxDepth)", line: markupLine) }
            }
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private func parseTag(_ bytes: [UInt8]) throws(JournalError) -> (String, [String: String]) {
        var index = 0
        while index < bytes.count, !Self.isSpace(bytes[index]) { index += 1 }
        let name = String(decoding: bytes[0..<index], as: UTF8.self)
        var attributes: [String: String] = [:]
        while true {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { break }
            let nameStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), !Self.isSpace(bytes[index]) { index += 1 }
            let attribute = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw error("the attribute '\(attribute)' of <\(name)> has no value", line: markupLine)
            }
            index += 1
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
                throw error("the attribute '\(attribute)' of <\(name)> is not quoted", line: markupLine)
            }
            let delimiter = bytes[index]
            index += 1
            let valueStart = index
            while index < bytes.count, bytes[index] != delimiter { index += 1 }
            guard index < bytes.count else { throw error("an unclosed attribute value in <\(name)>", line: markupLine) }
            attributes[attribute] = try Self.decodeText(bytes[valueStart..<index], line: markupLine)
            index += 1
        }
        return (name, attributes)
    }

    /// The longest entity name or character reference read (`&#x10FFFF;` is 8 characters).
    static let maxEntityLength = 32

    /// Decodes the predefined entities and character references; refuses every other entity.
    static func decodeText(_ bytes: ArraySlice<UInt8>, line: Int) throws(JournalError) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            // A reference is short: look for its ';' only in the next bytes, as text does, so a
            // value full of bare '&' costs linear time, not a search to the end from each one.
            let reach = bytes[index..<min(bytes.endIndex, index + maxEntityLength + 2)]
            if bytes[index] == UInt8(ascii: "&"), let end = reach.firstIndex(of: UInt8(ascii: ";")) {
                out += try decodeEntity(Array(bytes[index...end]), line: line)
                index = end + 1
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeEntity(_ reference: [UInt8], line: Int) throws(JournalError) -> [UInt8] {
        let name = String(decoding: reference.dropFirst().dropLast(), as: UTF8.self)
        switch name {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default:
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let value, let scalar = Unicode.Scalar(value) { return Array(String(Character(scalar)).utf8) }
            }
            throw JournalError(
                field: "",
                problem: "the entity reference &\(name); is not expanded: CrampCare never expands entities (this guards against XML bombs)",
                location: "line \(line)")
        }
    }

    /// Ends the input; a file that stops inside markup or an open element was cut short.
    public mutating func finish() throws(JournalError) {
        if inMarkup { throw error("the file ends inside a tag: it looks cut short", line: markupLine) }
        if let open = stack.last { throw error("the file ends with <\(open)> still open: it looks cut short", line: line) }
        if !sawRoot { throw error("the file holds no XML element", line: line) }
    }
}
