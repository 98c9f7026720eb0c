import CrampJournal
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

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

    /// API tokens carry a prefix so that a leaked one is recognisable (`cc.owner.secret`).
    static let tokenPrefix = "cc."

    static func sessionCookieName(secure: Bool) -> String { secure ? "__Host-crampcare_session" : "crampcare_session" }
    static func csrfCookieName(secure: Bool) -> String { secure ? "__Host-crampcare_csrf" : "crampcare_csrf" }

    static func newOwner() -> OwnerID {
        OwnerID("u" + EntryID.random().description.replacingOccurrences(of: "-", with: "").prefix(24))!
    }
}

/// Email addresses and passwords for hosted accounts.
enum AccountRules {
    static func email(_ text: String) throws -> String {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            email.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "<" && $0 != ">" && $0 != "\"" })
        else {
            throw Problem.invalid("email", "\"\(text.prefix(100))\" is not an email address; accepted: name@example.org")
        }
        return email
    }

    static func password(_ text: String) throws -> String {
        guard text.count >= 10 else { throw Problem.invalid("password", "a password needs at least 10 characters (this one has \(text.count))") }
        // bcrypt reads 72 bytes; longer ones would silently match their prefix.
        guard text.utf8.count <= 72 else { throw Problem.invalid("password", "a password may have at most 72 bytes (this one has \(text.utf8.count))") }
        return text
    }
}
