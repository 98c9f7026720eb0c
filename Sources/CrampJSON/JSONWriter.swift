/// Builds JSON text into a byte buffer. Callers write structure by hand (keys in a fixed order),
/// which keeps output stable and lets fixed fragments be encoded once and appended as bytes.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// One bit per open container (up to 64 deep): set once it holds a value, so the next needs a comma.
    private var commaBits: UInt64 = 0
    private var depth = 0
    private var afterKey = false

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Puts a comma before every value but the first in a container; a value right after its
    /// member name needs none.
    @inline(__always)
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if commaBits & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        commaBits |= bit
    }

    private mutating func open(_ byte: UInt8) {
        separate()
        bytes.append(byte)
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        depth += 1
        commaBits &= ~(1 << UInt64(depth - 1))
    }

    private mutating func close(_ byte: UInt8) {
        depth -= 1
        bytes.append(byte)
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes a member name; the value written next belongs to it.
    public mutating func key(text name: String) {
        separate()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A member name known at compile time: plain ASCII that needs no escaping.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        // Two appends, not an array literal: that would allocate for every key.
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func value(_ text: String) {
        separate()
        Self.appendQuoted(text, to: &bytes)
    }

    public mutating func value(_ flag: Bool) {
        separate()
        if flag {
            bytes.append(contentsOf: Self.trueBytes)
        } else {
            bytes.append(contentsOf: Self.falseBytes)
        }
    }

    public mutating func value(_ number: Int) {
        separate()
        if number >= 0, number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        // Digits written straight into the buffer: no String per number.
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    public mutating func value(_ number: Double) {
        separate()
        bytes.append(contentsOf: Self.format(number).utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(0x6E); bytes.append(0x75); bytes.append(0x6C); bytes.append(0x6C)
    }

    /// Appends an already-encoded JSON value (a fragment prepared once) as the next value.
    public mutating func raw(_ fragment: [UInt8]) {
        separate()
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
                key(text: member.key)
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
        var text = text
        text.withUTF8 { appendQuoted(utf8: $0, to: &bytes) }
    }

    /// UTF-8 text (already valid) as a JSON string literal.
    public static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escaping: copy it in one go.
        if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
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
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value from UTF-8 bytes, without building a String.
    public mutating func value(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        Self.appendQuoted(utf8: utf8, to: &bytes)
    }

    /// A string value whose bytes need no escaping (ASCII the caller produced, such as a timestamp).
    public mutating func value(plainASCII: [UInt8]) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: plainASCII)
        bytes.append(UInt8(ascii: "\""))
    }

    /// One string as a JSON string literal.
    public static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return out
    }
}
