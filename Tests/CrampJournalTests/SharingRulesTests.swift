import CrampJournal
import Foundation
import Testing

/// Invitation codes and names (issue 17): 160 random bits in Crockford's base32, typed back in
/// any case, with or without dashes and spaces, the look-alike letters read as digits.
@Suite struct SharingRulesTests {
    @Test func aCodeCarriesEveryBitAndIsReadBackHoweverTyped() {
        var random = SystemRandomNumberGenerator()
        var seen = Set<String>()
        for _ in 0..<2000 {
            let bytes = (0..<SharingRules.codeBytes).map { _ in UInt8.random(in: 0...255, using: &random) }
            let code = SharingRules.code(bytes: bytes)
            #expect(code.count == 39 && code.split(separator: "-").allSatisfy { $0.count == 4 })
            let plain = SharingRules.normalised(code: code)
            #expect(plain == code.replacingOccurrences(of: "-", with: ""))
            #expect(SharingRules.normalised(code: code.lowercased().replacingOccurrences(of: "-", with: " ")) == plain)
            // One byte changed, another code: no two byte strings share one.
            var other = bytes
            other[Int.random(in: 0..<other.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            #expect(SharingRules.code(bytes: other) != code)
            seen.insert(code)
        }
        #expect(seen.count == 2000)
        // The letters people confuse are read as the digits they look like; others are refused.
        let zeros = String(repeating: "0", count: 32)
        #expect(SharingRules.normalised(code: String(repeating: "O", count: 32)) == zeros)
        #expect(
            SharingRules.normalised(code: String(repeating: "l", count: 16) + String(repeating: "I", count: 16)) == String(repeating: "1", count: 32))
        for bad in [
            "", String(repeating: "U", count: 32), String(repeating: "0", count: 31), String(repeating: "0", count: 33), "é" + zeros,
            String(repeating: "0", count: 200),
        ] {
            #expect(SharingRules.normalised(code: bad) == nil, "\(bad)")
        }
    }

    @Test func aNameIsOneLineThatReadsAsItIs() {
        #expect(SharingRules.name("  Jane Smith, physiotherapist ") == "Jane Smith, physiotherapist")
        #expect(SharingRules.name(String(repeating: "a", count: SharingRules.maxNameLength)) != nil)
        for bad in ["", "   ", "a\nb", "Jane\u{202E}htims", "a\u{0}", String(repeating: "a", count: SharingRules.maxNameLength + 1)] {
            #expect(SharingRules.name(bad) == nil, "\(bad.debugDescription)")
        }
    }
}
