import Glibc

/// An IPv4 or IPv6 address as raw bytes, with the parsing rules web tools need.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])  // 16 bytes

    /// Parses a host as an IPv4 literal the way `inet_aton` (and so libcurl and browsers) does: one to four parts
    /// separated by dots, each decimal, octal (leading `0`) or hex (`0x`), the last part filling the remaining
    /// bytes — so `2130706433`, `0x7f.1`, `017700000001` and `127.1` are all 127.0.0.1. `nil` when not such a literal.
    public static func parseIPv4(_ text: String) -> IPAddress? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let n = parseIPv4Part(part) else { return nil }
            numbers.append(n)
        }
        var value: UInt64 = 0
        for (i, n) in numbers.dropLast().enumerated() {
            guard n <= 255 else { return nil }
            value |= n << UInt64(8 * (3 - i))
        }
        let lastBits = UInt64(8 * (5 - numbers.count))
        guard let last = numbers.last, lastBits >= 64 || last < (1 << lastBits) else { return nil }
        value |= last
        return value <= UInt64(UInt32.max) ? .v4(UInt32(value)) : nil
    }

    private static func parseIPv4Part(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.count <= 32 else { return nil }
        let lower = part.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            return digits.isEmpty ? 0 : UInt64(digits, radix: 16)
        }
        if lower.count > 1, lower.hasPrefix("0") { return UInt64(lower.dropFirst(), radix: 8) }
        return UInt64(lower, radix: 10)
    }

    /// Parses an IPv6 literal (without brackets; a zone `%…` is refused).
    public static func parseIPv6(_ text: String) -> IPAddress? {
        guard !text.contains("%") else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        var raw = in6_addr()
        guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
        withUnsafeBytes(of: &raw) { bytes = Array($0) }
        return .v6(bytes)
    }

    /// From a `sockaddr` family and bytes (getaddrinfo results).
    init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// Dotted quad or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let v): return "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
        case .v6(let b): return formatIPv6(b)
        }
    }

    /// The form libcurl accepts in a `CURLOPT_RESOLVE` entry and a URL host (`[…]` around IPv6).
    public var urlHost: String {
        if case .v6 = self { return "[\(description)]" }
        return description
    }

    /// Why a web tool must not connect to this address (`nil`: a public unicast address).
    ///
    /// Refused: unspecified, loopback, private (RFC 1918), CGNAT (100.64/10, which includes Alibaba's metadata
    /// address), link-local (169.254/16, including the cloud metadata address 169.254.169.254), IETF protocol and
    /// documentation/benchmark ranges, multicast, reserved and broadcast; for IPv6 also unique-local (fc00::/7,
    /// including AWS's fd00:ec2::254), link-local, site-local, multicast, discard, documentation, Teredo, and
    /// IPv4-mapped/compatible/translated/6to4 forms whose embedded IPv4 address is refused (mapped and compatible
    /// forms are refused outright).
    public var refusalReason: String? {
        switch self {
        case .v4(let v): return IPAddress.ipv4Reason(v)
        case .v6(let b): return IPAddress.ipv6Reason(b)
        }
    }

    private static func ipv4Reason(_ v: UInt32) -> String? {
        func inNet(_ a: UInt32, _ bits: UInt32) -> Bool {
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            return v & mask == a & mask
        }
        let ranges: [(UInt32, UInt32, String)] = [
            (0x0000_0000, 8, "unspecified/this-network"), (0x0A00_0000, 8, "private"),
            (0x6440_0000, 10, "carrier-grade NAT (and cloud metadata)"), (0x7F00_0000, 8, "loopback"),
            (0xA9FE_0000, 16, "link-local (and cloud metadata)"), (0xAC10_0000, 12, "private"),
            (0xC000_0000, 24, "IETF protocol assignments"), (0xC000_0200, 24, "documentation"),
            (0xC058_6300, 24, "6to4 relay anycast"), (0xC0A8_0000, 16, "private"), (0xC612_0000, 15, "benchmarking"),
            (0xC633_6400, 24, "documentation"), (0xCB00_7100, 24, "documentation"), (0xE000_0000, 4, "multicast"),
            (0xF000_0000, 4, "reserved/broadcast"),
        ]
        return ranges.first { inNet($0.0, $0.1) }.map { "\($0.2) address" }
    }

    private static func ipv6Reason(_ b: [UInt8]) -> String? {
        let prefix12 = b[0..<12]
        let embedded = UInt32(b[12]) << 24 | UInt32(b[13]) << 16 | UInt32(b[14]) << 8 | UInt32(b[15])
        if b.allSatisfy({ $0 == 0 }) { return "unspecified address" }
        if prefix12.allSatisfy({ $0 == 0 }) {
            return embedded == 1 ? "loopback address" : "IPv4-compatible IPv6 address"
        }
        if prefix12.dropLast(2).allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return "IPv4-mapped IPv6 address"
        }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0 {
            return "IPv4-translated IPv6 address"
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
            if b[4] == 0 && b[5] == 1 { return "local-use NAT64 address" }
            if b[4..<12].allSatisfy({ $0 == 0 }) { return ipv4Reason(embedded).map { "NAT64 form of a \($0)" } }
        }
        if b[0] == 0x20 && b[1] == 0x02 {
            let v4 = UInt32(b[2]) << 24 | UInt32(b[3]) << 16 | UInt32(b[4]) << 8 | UInt32(b[5])
            return ipv4Reason(v4).map { "6to4 form of a \($0)" }
        }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return "Teredo address" }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return "documentation address" }
        if b[0] == 0x01 && b[1] == 0x00 && b[2..<8].allSatisfy({ $0 == 0 }) { return "discard-only address" }
        if b[0] & 0xFE == 0xFC { return "unique-local address (and cloud metadata)" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local address" }
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return "site-local address" }
        if b[0] == 0xFF { return "multicast address" }
        // Only global unicast (2000::/3) is reachable; everything else is reserved.
        if b[0] & 0xE0 != 0x20 { return "reserved IPv6 address" }
        return nil
    }

    /// `true` for 127.0.0.0/8 and ::1 (the only refusals a test-only switch may lift).
    public var isLoopback: Bool {
        switch self {
        case .v4(let v): return v >> 24 == 127
        case .v6(let b): return b[0..<15].allSatisfy { $0 == 0 } && b[15] == 1
        }
    }
}

private func formatIPv6(_ b: [UInt8]) -> String {
    let groups = stride(from: 0, to: 16, by: 2).map { UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]) }
    // The longest run (≥ 2) of zero groups becomes "::".
    var best = (start: -1, length: 0)
    var i = 0
    while i < 8 {
        if groups[i] == 0 {
            var j = i
            while j < 8 && groups[j] == 0 { j += 1 }
            if j - i > best.length { best = (i, j - i) }
            i = j
        } else {
            i += 1
        }
    }
    func hex(_ g: UInt16) -> String { String(g, radix: 16) }
    guard best.length >= 2 else { return groups.map(hex).joined(separator: ":") }
    let head = groups[..<best.start].map(hex).joined(separator: ":")
    let tail = groups[(best.start + best.length)...].map(hex).joined(separator: ":")
    return head + "::" + tail
}
