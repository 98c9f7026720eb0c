import CrampJournal
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt

/// Secrets handed to clients: browser sessions and API tokens. A secret is 32 random bytes; the
/// database keeps only its SHA-256 digest. The owner travels with the secret (`owner.secret`),
/// so every lookup is by owner and digest, within the owner's rows.
enum Credentials {
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `owner.secret` split, or nil for anything else.
    static func parse(_ value: String) -> (owner: OwnerID, secret: String)? {
        let parts = value.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let owner = OwnerID(String(parts[0])), parts[1].count >= 40, parts[1].count <= 64,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return (owner, String(parts[1]))
    }

    /// Equal strings, compared in time that does not depend on where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<x.count { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// API tokens carry a prefix so that a leaked one is recognisable (`cc.owner.secret`).
    static let tokenPrefix = "cc."

    static func sessionCookieName(secure: Bool) -> String { secure ? "__Host-crampcare_session" : "crampcare_session" }
    static func csrfCookieName(secure: Bool) -> String { secure ? "__Host-crampcare_csrf" : "crampcare_csrf" }

    static func newOwner() -> OwnerID {
        OwnerID("u" + EntryID.random().description.replacingOccurrences(of: "-", with: "").prefix(24))!
    }
}

/// Email addresses, passwords and labels for hosted accounts (ASVS 4.0.3 V2.1).
enum AccountRules {
    static let minPasswordLength = 12
    static let maxPasswordLength = 128

    /// No control characters (C0, DEL, C1) and no unpaired or format-breaking scalars: a NUL ends
    /// a C string (bcrypt would stop reading there), and `x@example.org\u{0}` must not be a
    /// second account.
    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" }
    }

    /// Direction overrides and isolates (U+202A–U+202E, U+2066–U+2069): in a label or an address
    /// they make text read other than it is.
    static func hasBidiControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) }
    }

    /// Raw input longer than this is refused before it is normalised: NFKC can grow text
    /// eighteen-fold (U+FDFA), so normalising first would let one request cost seconds.
    static let maxRawPasswordBytes = 1024
    static let maxRawEmailBytes = 320

    /// Whether sign-in input is small enough to look at at all.
    static func isPlausible(email: String, password: String) -> Bool {
        email.utf8.count <= maxRawEmailBytes && password.utf8.count <= maxRawPasswordBytes
    }

    /// The address as it is compared and stored: trimmed, compatibility-normalised, lower case.
    static func comparable(email text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).precomposedStringWithCompatibilityMapping.lowercased()
    }

    static func email(_ text: String) throws -> String {
        let shown = Problem.shown(String(text.unicodeScalars.prefix(100).map(Character.init)), limit: 100)
        guard text.utf8.count <= maxRawEmailBytes else {
            throw Problem.invalid("email", "\(shown) is longer than an email address can be (\(text.utf8.count) bytes; at most 254 are accepted)")
        }
        guard !hasControl(text), !hasBidiControl(text) else {
            throw Problem.invalid("email", "\(shown) contains a control character; accepted: an address such as name@example.org")
        }
        let email = comparable(email: text)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains(".."),
            email.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && !"<>\"(),;:[]\\".unicodeScalars.contains($0) || $0 == "@" })
        else {
            throw Problem.invalid("email", "\(shown) is not an email address; accepted: name@example.org")
        }
        return email
    }

    /// The password as it is hashed: compatibility-normalised (NIST SP 800-63B 5.1.1.2), so the
    /// same password typed on two keyboards matches.
    static func normalised(password text: String) -> String {
        text.precomposedStringWithCompatibilityMapping
    }

    /// The 30,000 most common passwords, lower case.
    static let common: Set<String> = Set(CommonPasswords.text.split(separator: "\n").map { $0.lowercased() })

    /// A new password: 12 to 128 characters, no control characters, not common, not one
    /// character or two repeated, not a common password padded with digits or symbols.
    static func password(_ text: String, field: String = "password") throws -> String {
        // Length is counted as typed, with runs of spaces as one (ASVS 2.1.1), and checked before
        // normalising (which can grow it): twelve spaces are not twelve characters, nor is one
        // U+FDFA eighteen.
        let typed = text.unicodeScalars.count
        let length = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ").unicodeScalars.count
        guard typed <= maxPasswordLength, text.utf8.count <= maxRawPasswordBytes else {
            throw Problem.invalid(field, "a password may have at most \(maxPasswordLength) characters (this one has \(typed))")
        }
        let password = normalised(password: text)
        guard !hasControl(password) else {
            throw Problem.invalid(field, "contains a control character; accepted: letters, digits, spaces and symbols")
        }
        guard length >= minPasswordLength else {
            throw Problem.invalid(
                field, "a password needs at least \(minPasswordLength) characters (this one has \(length)); a few words together make a good one")
        }
        guard length <= maxPasswordLength else {
            throw Problem.invalid(field, "a password may have at most \(maxPasswordLength) characters (this one has \(length))")
        }
        let lower = password.lowercased()
        // The common word under padding: "password1234", "!!letmein2024".
        let core = String(
            lower.unicodeScalars.drop(while: { !$0.properties.isAlphabetic }).reversed().drop(while: { !$0.properties.isAlphabetic }).reversed()
                .map(Character.init))
        if common.contains(lower) || (core.count >= 4 && common.contains(core)) || Set(lower.unicodeScalars).count < 5 || isPattern(lower) {
            throw Problem.invalid(
                field, "this password is one of the most common, and easy to guess; choose another (a few words together make a good one)")
        }
        return password
    }

    /// A repetition of a common or short unit ("passwordpassword"), a run of one step
    /// ("123456789012", "abcdefghijkl"), or a walk over neighbouring keys ("qwertyuiopasdf",
    /// "zaq12wsxcde3"): patterns the guessers try first.
    static func isPattern(_ lower: String) -> Bool {
        let scalars = Array(lower.unicodeScalars)
        let count = scalars.count
        guard count >= 2 else { return false }
        for unit in 1...(count / 2) where count % unit == 0 {
            let piece = scalars[0..<unit]
            if (1..<(count / unit)).allSatisfy({ scalars[($0 * unit)..<(($0 + 1) * unit)] == piece }) {
                var text = ""
                text.unicodeScalars.append(contentsOf: piece)
                if unit <= 8 || common.contains(text) { return true }
            }
        }
        var steps = 0
        var neighbours = 0
        for index in 1..<count {
            let a = scalars[index - 1].value, b = scalars[index].value
            if a.distance(to: b).magnitude == 1 || (a == 0x39 && b == 0x30) || (a == 0x30 && b == 0x31) { steps += 1 }
            if keyNeighbours[Character(scalars[index - 1]), default: ""].contains(Character(scalars[index])) { neighbours += 1 }
        }
        return steps * 4 >= (count - 1) * 3 || neighbours * 4 >= (count - 1) * 3 || famous.contains(lower)
    }

    /// Passphrases made famous as examples.
    static let famous: Set<String> = [
        "correcthorsebatterystaple", "correct horse battery staple", "thequickbrownfoxjumpsoverthelazydog",
        "the quick brown fox jumps over the lazy dog", "iloveyouiloveyou", "passwordpassword",
    ]

    /// Each key's neighbours on a US/UK keyboard (QWERTY), the digits row included.
    static let keyNeighbours: [Character: String] = {
        let rows = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]
        var map: [Character: String] = [:]
        for (r, row) in rows.enumerated() {
            let keys = Array(row)
            for (c, key) in keys.enumerated() {
                var near = ""
                for (dr, dc) in [(0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, -1)] {
                    let nr = r + dr, nc = c + dc
                    guard nr >= 0, nr < rows.count else { continue }
                    let other = Array(rows[nr])
                    if nc >= 0, nc < other.count { near.append(other[nc]) }
                }
                map[key] = near
            }
        }
        return map
    }()

    /// A label (of an API token): 1 to 100 characters, no control characters.
    static func label(_ text: String) throws -> String {
        let label = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !hasControl(label), !hasBidiControl(label) else {
            throw Problem.invalid("label", "contains a control character; accepted: a short name such as \"phone app\"")
        }
        // Counted in code points, as the OpenAPI document's maxLength counts them.
        guard !label.isEmpty, label.unicodeScalars.count <= 100 else {
            throw Problem.invalid("label", "a token needs a label of 1 to 100 characters, such as \"phone app\"")
        }
        return label
    }
}

/// bcrypt reads at most 72 bytes and stops at a NUL: passwords are hashed through SHA-256 first
/// (base64, 44 ASCII bytes), so no password is ever cut short. Hashes made before are read
/// as they were and replaced at the next sign-in.
enum PasswordHash {
    static let prefix = "sha256-bcrypt$"

    static func input(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    static func make(_ password: String, cost: UInt8) -> String {
        prefix + Bcrypt.hash(input(password), cost: cost)
    }

    static func verify(_ password: String, stored: String) -> Bool {
        if stored.hasPrefix(prefix) { return Bcrypt.verify(input(password), hash: String(stored.dropFirst(prefix.count))) }
        return Bcrypt.verify(password, hash: stored)
    }

    static func isCurrent(_ stored: String) -> Bool { stored.hasPrefix(prefix) }
}
