import Foundation
import HTTPTypes

/// The client's address behind trusted reverse proxies (RFC 7239 `Forwarded`, or
/// `X-Forwarded-For`): read right to left, skipping trusted proxies, so a client cannot choose
/// its own address by sending the header itself.
enum ClientAddress {
    /// Only the header the proxy writes is read: a client sends the other one itself.
    static func resolve(peer: String, headers: HTTPFields, trusted: [AddressRange], header: ProxyHeader = .xForwardedFor) -> String {
        guard !trusted.isEmpty, trusted.contains(where: { $0.contains(peer) }) else { return peer }
        var chain: [String] = []
        if header == .forwarded {
            let forwarded = headers[values: .init("Forwarded")!]
            for element in forwarded.joined(separator: ",").split(separator: ",") {
                for pair in element.split(separator: ";") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "for" else { continue }
                    var value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
                        value = String(value[value.index(after: value.startIndex)..<close])
                    } else if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") {
                        value = String(value[..<colon])
                    }
                    chain.append(value)
                }
            }
        } else {
            chain = headers[values: .init("X-Forwarded-For")!].joined(separator: ",").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        for candidate in chain.reversed().prefix(32) {
            guard AddressRange.parse(address: candidate) != nil else { return peer }
            if !trusted.contains(where: { $0.contains(candidate) }) { return candidate }
        }
        return chain.first.flatMap { AddressRange.parse(address: $0) != nil ? $0 : nil } ?? peer
    }
}

/// An address range in CIDR form (`10.0.0.0/8`, `::1/128`, or one address).
public struct AddressRange: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    public init?(cidr text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.parse(address: String(parts[0])) else { return nil }
        let bits = bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...bits).contains(prefix), parts[1].allSatisfy(\.isNumber) else { return nil }
            self.prefix = prefix
        } else {
            prefix = bits
        }
        self.bytes = bytes
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address as IPv4).
    static func parse(address text: String) -> [UInt8]? {
        guard text.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    func contains(_ address: String) -> Bool {
        guard let other = Self.parse(address: address), other.count == bytes.count else { return false }
        var left = prefix
        for index in 0..<bytes.count where left > 0 {
            let take = min(8, left)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if bytes[index] & mask != other[index] & mask { return false }
            left -= take
        }
        return true
    }
}
