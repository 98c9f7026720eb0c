/// Where and why a JSON text could not be read.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let line: Int
    public let column: Int

    public var description: String { "malformed JSON at line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes. It rejects duplicate object keys (a request must
/// not say two things about one field), trailing content and nesting deeper than `maxDepth`.
public struct JSONParser {
    public static let maxDepth = 64
    /// Members of one object and elements of one array: far above any document CrampCare reads
    /// (a request has a few dozen), and bounding the work one value may ask of the code that walks it.
    /// The arrays a streaming parse hands out one at a time have no cap.
    public static let maxMembers = 1000
    public static let maxElements = 100_000
    /// Objects up to this many members find a repeated key by scanning; larger ones by hashing.
    static let scannedMembers = 16

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    private var countedTo = 0
    private var countedLine = 1

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ data: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = data.withUnsafeBufferPointer { buffer in
            do throws(JSONSyntaxError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < buffer.count {
            throw parser.error("unexpected content after the JSON value")
        }
        return value
    }

    /// Parses a document that is one object, handing each element of the arrays named in
    /// `streamed` to `element` (with its index and line) as soon as it is read, instead of keeping
    /// it: the document's memory is then one element's tree, not the whole file's. Those members
    /// are empty arrays in the value returned. `element` returns false to stop; the result is
    /// then nil.
    public static func parseObject(
        _ data: [UInt8], streaming streamed: Set<String>,
        element: @escaping (_ key: String, _ index: Int, _ line: Int, _ value: JSONValue) -> Bool
    ) throws(JSONSyntaxError) -> JSONValue? {
        let result: Result<JSONValue?, JSONSyntaxError> = data.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            do throws(JSONSyntaxError) {
                return .success(try parser.parseStreamingDocument(streamed, element: element))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// A streamed array's element: its key, index, line and value; false stops the parse.
    typealias Element = (String, Int, Int, JSONValue) -> Bool

    private mutating func parseStreamingDocument(_ streamed: Set<String>, element: @escaping Element) throws(JSONSyntaxError) -> JSONValue? {
        skipWhitespace()
        let value: JSONValue?
        if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
            value = try parseObject(streaming: streamed, element: element)
        } else {
            value = try parseValue()
        }
        guard let value else { return nil }
        skipWhitespace()
        if index < bytes.count { throw error("unexpected content after the JSON value") }
        return value
    }

    /// The line of `at`, counted on from the last line asked for, so each costs no rescan.
    private mutating func line(at: Int) -> Int {
        while countedTo < at {
            if bytes[countedTo] == UInt8(ascii: "\n") { countedLine += 1 }
            countedTo += 1
        }
        return countedLine
    }

    private func error(_ message: String) -> JSONSyntaxError {
        var line = 1
        var column = 1
        var i = 0
        while i < min(index, bytes.count) {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return JSONSyntaxError(message: message, line: line, column: column)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(streaming: [], element: nil) ?? .null
        case UInt8(ascii: "["): return try parseArray(key: "", element: nil) ?? .null
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(printable(bytes[index]))'")
        }
    }

    private func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("expected '\(literal)'")
        }
        index += count
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nested deeper than \(Self.maxDepth) levels") }
    }

    /// An object; with `element`, the arrays of the members named in `streamed` are handed
    /// over element by element and kept as empty arrays. Nil only when `element` stopped it.
    private mutating func parseObject(streaming streamed: Set<String>, element: Element?) throws(JSONSyntaxError) -> JSONValue? {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        // Duplicate keys: a scan while the object is small, a hash set once it is not, so that
        // an object of many distinct keys costs linear time, not quadratic.
        var keys: Set<String>?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
            let keyStart = index
            let key = try parseString()
            let repeated: Bool
            if let inserted = keys?.insert(key).inserted {
                repeated = !inserted
            } else if members.count < Self.scannedMembers {
                repeated = members.contains { $0.key == key }
            } else {
                var set = Set(members.map(\.key))
                repeated = !set.insert(key).inserted
                keys = set
            }
            if repeated {
                index = keyStart
                throw error("the member \"\(key.prefix(80))\" appears twice")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the member name")
            }
            index += 1
            skipWhitespace()
            let value: JSONValue
            if let element, streamed.contains(key), index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                guard let streamedArray = try parseArray(key: key, element: element) else { return nil }
                value = streamedArray
            } else {
                value = try parseValue()
            }
            members.append((key, value))
            if members.count > Self.maxMembers { throw error("an object with more than \(Self.maxMembers) members") }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            throw error("expected ',' or '}' in an object")
        }
    }

    /// An array; with `element`, each element is handed over instead of kept (no cap on their
    /// number then) and the value is an empty array. Nil only when `element` stopped it.
    private mutating func parseArray(key: String, element: Element?) throws(JSONSyntaxError) -> JSONValue? {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        var count = 0
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            let start = index
            let value = try parseValue()
            if let element {
                guard element(key, count, line(at: start), value) else { return nil }
            } else {
                elements.append(value)
                if elements.count > Self.maxElements { throw error("an array with more than \(Self.maxElements) elements") }
            }
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                guard let text = String(validating: slice, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8")
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("a control character inside a string") }
            index += 1
        }
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("a string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end of input in a string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("an unpaired surrogate in a \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw error("an unpaired surrogate in a \\u escape")
                        }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("an unpaired surrogate in a \\u escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    index -= 1
                    throw error("an invalid escape '\\\(printable(escape))'")
                }
            default:
                if byte < 0x20 { throw error("a control character inside a string") }
                utf8.append(byte)
                index += 1
            }
        }
        throw error("unexpected end of input in a string")
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("an invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number lacks digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("a number has a leading zero") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number lacks digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("a number lacks exponent digits") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
        // Small integers are by far the most common: read them without a string round trip.
        if isInteger, slice.count <= 15 {
            var value: Int64 = 0
            var negative = false
            for byte in slice {
                if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int64(byte - 48) }
            }
            return .number(Double(negative ? -value : value), isInteger: true)
        }
        guard let value = Double(String(decoding: slice, as: UTF8.self)), value.isFinite else {
            throw error("a number is out of range")
        }
        return .number(value, isInteger: isInteger)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}
