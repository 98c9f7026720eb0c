/// Builds JSON text into a byte buffer. Callers write structure by hand (keys in a fixed order),
/// which keeps output stable and lets fixed fragments be encoded once and appended as bytes.
///
/// The small methods are inlinable: the journal writes pages of rows through them, and a call
/// per key and value across the module boundary cost more than the writing.
public struct JSONWriter: Sendable {
    @usableFromInline var output: [UInt8] = []
    /// One bit per open container (up to 64 deep): set once it holds a value, so the next needs a comma.
    @usableFromInline var commaBits: UInt64 = 0
    @usableFromInline var depth = 0
    @usableFromInline var afterKey = false

    public init(capacity: Int = 256) {
        output.reserveCapacity(capacity)
    }

    public var bytes: [UInt8] { output }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Puts a comma before every value but the first in a container; a value right after its
    /// member name needs none.
    @inlinable @inline(__always)
    mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if commaBits & bit != 0 { output.append(UInt8(ascii: ",")) }
        commaBits |= bit
    }

    @inlinable
    mutating func open(_ byte: UInt8) {
        separate()
        output.append(byte)
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        depth += 1
        commaBits &= ~(1 << UInt64(depth - 1))
    }

    @inlinable
    mutating func close(_ byte: UInt8) {
        depth -= 1
        output.append(byte)
    }

    @inlinable public mutating func beginObject() { open(UInt8(ascii: "{")) }
    @inlinable public mutating func endObject() { close(UInt8(ascii: "}")) }
    @inlinable public mutating func beginArray() { open(UInt8(ascii: "[")) }
    @inlinable public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Writes a member name; the value written next belongs to it.
    public mutating func key(text name: String) {
        separate()
        Self.appendQuoted(name, to: &output)
        output.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A member name known at compile time: plain ASCII that needs no escaping.
    @inlinable
    public mutating func key(_ name: StaticString) {
        separate()
        output.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { output.append(contentsOf: $0) }
        // Two appends, not an array literal: that would allocate for every key.
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func value(_ text: String) {
        separate()
        Self.appendQuoted(text, to: &output)
    }

    @inlinable
    public mutating func value(_ flag: Bool) {
        separate()
        if flag {
            output.append(0x74); output.append(0x72); output.append(0x75); output.append(0x65)
        } else {
            output.append(0x66); output.append(0x61); output.append(0x6C); output.append(0x73); output.append(0x65)
        }
    }

    @inlinable
    public mutating func value(_ number: Int) {
        separate()
        if number >= 0, number < 10 {
            output.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        // Digits written straight into the buffer: no String per number.
        if number < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { output.append(buffer[index]) }
        }
    }

    public mutating func value(_ number: Double) {
        separate()
        output.append(contentsOf: Self.format(number).utf8)
    }

    @inlinable
    public mutating func null() {
        separate()
        output.append(0x6E); output.append(0x75); output.append(0x6C); output.append(0x6C)
    }

    /// Appends an already-encoded JSON value (a fragment prepared once) as the next value.
    @inlinable
    public mutating func raw(_ fragment: [UInt8]) {
        separate()
        output.append(contentsOf: fragment)
    }

    /// Appends already-encoded members (`"a":1,"b":2`, no braces) into the open object.
    @inlinable
    public mutating func rawMembers(_ fragment: [UInt8]) {
        guard !fragment.isEmpty else { return }
        separate()
        output.append(contentsOf: fragment)
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
    @inlinable
    public static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        // Most text needs no escaping: copy it in one go.
        if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
        } else {
            appendEscaped(utf8: utf8, to: &bytes)
        }
    }

    @usableFromInline
    static func appendEscaped(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
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
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value from UTF-8 bytes, without building a String.
    @inlinable
    public mutating func value(utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        Self.appendQuoted(utf8: utf8, to: &output)
    }

    /// A string value whose bytes need no escaping (ASCII the caller produced, such as a timestamp).
    @inlinable
    public mutating func value(plainASCII: [UInt8]) {
        separate()
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: plainASCII)
        output.append(UInt8(ascii: "\""))
    }

    /// A string value whose plain ASCII bytes (nothing to escape) `body` appends in place.
    @inlinable
    public mutating func value(plainASCIIWrittenBy body: (inout [UInt8]) -> Void) {
        separate()
        output.append(UInt8(ascii: "\""))
        body(&output)
        output.append(UInt8(ascii: "\""))
    }

    /// One string as a JSON string literal.
    public static func quoted(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return out
    }
}
