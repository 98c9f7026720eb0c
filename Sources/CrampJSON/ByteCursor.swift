/// Writes bytes through a pointer into room a `JSONWriter` reserved: no capacity or uniqueness
/// check per byte. For hot loops (a page of fifty journal rows); the caller sizes the room from
/// what it will write, and `JSONWriter.value(reserving:_:)` checks that it stayed inside.
public struct ByteCursor {
    @usableFromInline let start: UnsafeMutablePointer<UInt8>
    @usableFromInline let end: UnsafeMutablePointer<UInt8>
    @usableFromInline var position: UnsafeMutablePointer<UInt8>

    @inlinable
    public init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        start = buffer.baseAddress!
        end = start + buffer.count
        position = start
    }

    @inlinable
    public var count: Int { position - start }

    @inlinable
    public mutating func byte(_ value: UInt8) {
        precondition(position < end, "ByteCursor: more bytes than reserved")
        position.pointee = value
        position += 1
    }

    @inlinable
    public mutating func bytes(_ text: StaticString) {
        bytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inlinable
    public mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        precondition(end - position >= source.count, "ByteCursor: more bytes than reserved")
        position.update(from: base, count: source.count)
        position += source.count
    }

    /// A JSON string literal from valid UTF-8; at most 6 bytes per input byte plus 2.
    @inlinable
    public mutating func quoted(utf8 text: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        if !text.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes(text)
        } else {
            escape(text)
        }
        byte(UInt8(ascii: "\""))
    }

    @usableFromInline
    mutating func escape(_ text: UnsafeBufferPointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        for value in text {
            switch value {
            case UInt8(ascii: "\""): byte(0x5C); byte(0x22)
            case UInt8(ascii: "\\"): byte(0x5C); byte(0x5C)
            case 0x0A: byte(0x5C); byte(UInt8(ascii: "n"))
            case 0x0D: byte(0x5C); byte(UInt8(ascii: "r"))
            case 0x09: byte(0x5C); byte(UInt8(ascii: "t"))
            case 0x00..<0x20:
                byte(0x5C); byte(UInt8(ascii: "u")); byte(0x30); byte(0x30)
                byte(hex.utf8Start[Int(value >> 4)]); byte(hex.utf8Start[Int(value & 0xF)])
            default: byte(value)
            }
        }
    }

    /// A decimal integer; at most 20 bytes.
    @inlinable
    public mutating func integer(_ number: Int64) {
        if number >= 0, number < 10 {
            byte(UInt8(ascii: "0") + UInt8(number))
            return
        }
        if number < 0 { byte(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20, magnitude >= scale {
            digits += 1
            if digits < 20 { scale &*= 10 }
        }
        precondition(end - position >= digits, "ByteCursor: more bytes than reserved")
        var index = digits
        repeat {
            index -= 1
            position[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while index > 0
        position += digits
    }

    /// A number as a fixed count of digits, zero-padded (dates and times).
    @inlinable
    public mutating func padded(_ number: Int, width: Int) {
        if number < 0 || number >= Self.power(width) {
            integer(Int64(number))
            return
        }
        precondition(end - position >= width, "ByteCursor: more bytes than reserved")
        var value = number
        var index = width
        while index > 0 {
            index -= 1
            position[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        position += width
    }

    @inlinable
    static func power(_ width: Int) -> Int {
        var result = 1
        for _ in 0..<width { result *= 10 }
        return result
    }
}

extension JSONWriter {
    /// Writes one value of at most `maximum` bytes through a cursor (see `ByteCursor`).
    @inlinable
    public mutating func value(reserving maximum: Int, _ body: (inout ByteCursor) throws -> Void) rethrows {
        separate()
        let before = output.count
        output.append(contentsOf: repeatElement(0, count: maximum))
        var written = 0
        try output.withUnsafeMutableBufferPointer { buffer in
            var cursor = ByteCursor(UnsafeMutableBufferPointer(rebasing: buffer[before...]))
            try body(&cursor)
            written = cursor.count
        }
        output.removeLast(maximum - written)
    }
}
