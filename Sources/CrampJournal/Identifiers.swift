/// A UUID as 16 bytes, written in the canonical lower-case form. Own type so the domain needs no
/// Foundation, and so name-based ids (RFC 9562 version 5) can be derived.
public struct EntryID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 16 bytes as two big-endian halves: no heap storage, cheap to hash and compare.
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (either case).
    public init?(_ text: some StringProtocol) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0
        var nibbles = 0
        for byte in text.utf8 {
            count += 1
            if count == 9 || count == 14 || count == 19 || count == 24 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt64
            switch byte {
            case 48...57: nibble = UInt64(byte - 48)
            case 97...102: nibble = UInt64(byte - 87)
            case 65...70: nibble = UInt64(byte - 55)
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | nibble } else { low = low << 4 | nibble }
            nibbles += 1
        }
        guard count == 36, nibbles == 32 else { return nil }
        self.high = high
        self.low = low
    }

    /// A random (version 4) id.
    public static func random() -> EntryID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() & ~0xF000 | 0x4000
        let low = generator.next() & ~(0xC0 << 56) | (0x80 << 56)
        return EntryID(high: high, low: low)
    }

    /// The namespace of CrampCare's name-based ids: a fixed random UUID. Never change it, or every
    /// derived id (and so every re-import) changes with it.
    static let namespace = EntryID("5d6b2b7e-94b8-5a36-8f0c-2f6e8c3c1a40")!

    /// A name-based (version 5, SHA-1) id: the same name always gives the same id.
    public static func named(_ name: String) -> EntryID { named(bytes: Array(name.utf8)) }

    static let namespaceBytes = namespace.bytes

    static func named(bytes name: [UInt8]) -> EntryID {
        var message = namespaceBytes
        message.append(contentsOf: name)
        var digest = SHA1.hash(message)
        digest[6] = digest[6] & 0x0F | 0x50
        digest[8] = digest[8] & 0x3F | 0x80
        return EntryID(bytes: Array(digest.prefix(16)))!
    }

    public var description: String {
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            for index in 0..<32 {
                if index == 8 || index == 12 || index == 16 || index == 20 {
                    buffer[position] = UInt8(ascii: "-")
                    position += 1
                }
                let half = index < 16 ? high : low
                let nibble = Int(half >> (60 - 4 * UInt64(index % 16)) & 0xF)
                buffer[position] = hex[nibble]
                position += 1
            }
            return 36
        }
    }

    public static func < (lhs: EntryID, rhs: EntryID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

/// SHA-1 (FIPS 180-4), only for name-based UUIDs as RFC 9562 defines them; never for security.
/// Works in fixed buffers: imports derive an id for every row.
enum SHA1 {
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        let bitLength = UInt64(message.count) * 8
        let paddedCount = (message.count + 8) / 64 * 64 + 64
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { block in
                for chunk in stride(from: 0, to: paddedCount, by: 64) {
                    for offset in 0..<64 {
                        let position = chunk + offset
                        if position < message.count {
                            block[offset] = message[position]
                        } else if position == message.count {
                            block[offset] = 0x80
                        } else if position >= paddedCount - 8 {
                            block[offset] = UInt8(truncatingIfNeeded: bitLength >> UInt64((paddedCount - 1 - position) * 8))
                        } else {
                            block[offset] = 0
                        }
                    }
                    for i in 0..<16 {
                        w[i] = UInt32(block[i * 4]) << 24 | UInt32(block[i * 4 + 1]) << 16 | UInt32(block[i * 4 + 2]) << 8 | UInt32(block[i * 4 + 3])
                    }
                    for i in 16..<80 {
                        let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                        w[i] = x << 1 | x >> 31
                    }
                    var (a, b, c, d, e) = h
                    for i in 0..<80 {
                        let f: UInt32
                        let k: UInt32
                        if i < 20 {
                            f = (b & c) | (~b & d); k = 0x5A82_7999
                        } else if i < 40 {
                            f = b ^ c ^ d; k = 0x6ED9_EBA1
                        } else if i < 60 {
                            f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                        } else {
                            f = b ^ c ^ d; k = 0xCA62_C1D6
                        }
                        let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                        e = d
                        d = c
                        c = b << 30 | b >> 2
                        b = a
                        a = temp
                    }
                    h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
                }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for value in [h.0, h.1, h.2, h.3, h.4] {
            out.append(UInt8(truncatingIfNeeded: value >> 24))
            out.append(UInt8(truncatingIfNeeded: value >> 16))
            out.append(UInt8(truncatingIfNeeded: value >> 8))
            out.append(UInt8(truncatingIfNeeded: value))
        }
        return out
    }
}

/// Whose record a row is. The CLI and personal web app use one local owner.
public struct OwnerID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= 64,
            rawValue.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else { return nil }
        self.rawValue = rawValue
    }

    /// The one owner of a personal journal.
    public static let local = OwnerID("local")!

    public var description: String { rawValue }
}
