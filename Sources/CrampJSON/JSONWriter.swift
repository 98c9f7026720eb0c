/// Builds JSON text into a byte buffer. Callers write structure by hand (keys in a fixed order),
/// which keeps output stable and lets fixed fragments be encoded once and appended as bytes.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    private var afterKey = false

    /// Puts a comma before every value but the first in a container; a value right after its
    /// member name needs none.
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member name; the value written next belongs to it.
    public mutating func key(_ name: String) {
        separate()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    private mutating func beforeScalar() { separate() }

    public mutating func value(_ text: String) {
        beforeScalar()
        Self.appendQuoted(text, to: &bytes)
    }

    public mutating func value(_ flag: Bool) {
        beforeScalar()
        bytes.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
    }

    public mutating func value(_ number: Int) {
        beforeScalar()
        bytes.append(contentsOf: String(number).utf8)
    }

    public mutating func value(_ number: Double) {
        beforeScalar()
        bytes.append(contentsOf: Self.format(number).utf8)
    }

    public mutating func null() {
        beforeScalar()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Appends an already-encoded JSON value (a fragment prepared once) as the next value.
    public mutating func raw(_ fragment: [UInt8]) {
        beforeScalar()
        bytes.append(contentsOf: fragment)
    }

    /// Appends already-encoded members (`"a":1,"b":2`, no braces) into the open object.
    public mutating func rawMembers(_ fragment: [UInt8]) {
        guard !fragment.isEmpty else { return }
        separate()
        bytes.append(contentsOf: fragment)
    }

    public mutating func stringArray(_ items: [String]) {
        beginArray()
        for item in items { value(item) }
        endArray()
    }

    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): self.value(b)
        case .number(let d, _): self.value(d)
        case .string(let s): self.value(s)
        case .array(let elements):
            beginArray()
            for element in elements { write(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                write(member.value)
            }
            endObject()
        }
    }

    /// Numbers as JSON wants them: integers without a fraction, others in the shortest form that
    /// reads back to the same value.
    public static func format(_ number: Double) -> String {
        if number.isNaN || number.isInfinite { return "null" }
        if number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        return "\(number)"
    }

    public static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(0x5C); bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// One string as a JSON string literal.
    public static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return out
    }
}
