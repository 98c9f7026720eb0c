import Crypto
import Foundation

/// Time-based one-time codes (RFC 6238 over RFC 4226, HMAC-SHA-1, 6 digits, 30 seconds): the
/// second factor any authenticator app makes, with no network. A code is accepted for the step
/// before and after now (clocks drift), and never twice (ASVS 2.8.4).
enum TOTP {
    static let digits = 6
    static let periodSeconds: Int64 = 30
    static let window: Int64 = 1

    static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The code for one time step.
    static func code(secret: [UInt8], step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: digits - text.count) + text
    }

    static func step(at milliseconds: Int64) -> Int64 { milliseconds / 1000 / periodSeconds }

    /// The step whose code this is, within the window around now and after `lastStep`; nil
    /// when it matches none (wrong, too old, or used already).
    static func matchingStep(_ typed: String, secret: [UInt8], now: Int64, after lastStep: Int64?) -> Int64? {
        let code = typed.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let current = step(at: now)
        for candidate in (current - window)...(current + window) where candidate > (lastStep ?? Int64.min) {
            if Credentials.constantTimeEqual(Self.code(secret: secret, step: candidate), code) { return candidate }
        }
        return nil
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// RFC 4648 base32 without padding, as authenticator apps take it.
    static func base32(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(base32 text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in text.utf8 where byte != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
            buffer &= (1 << bits) - 1
        }
        return out
    }

    /// The `otpauth://` address an authenticator app reads (typed in, or from a QR code).
    static func address(secret: [UInt8], account email: String) -> String {
        let label =
            "CrampCare:\(email)".addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "@.:-_")))
            ?? "CrampCare"
        return "otpauth://totp/\(label)?secret=\(base32(secret))&issuer=CrampCare&algorithm=SHA1&digits=\(digits)&period=\(periodSeconds)"
    }
}
