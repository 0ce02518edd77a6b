/// Which destinations the web tools may reach: operator host lists plus the address rules of ``IPAddress``.
public struct WebAccessPolicy: Sendable, Equatable {
    /// `tools.web.allow_hosts`: when non-empty, only these hosts (and their subdomains) may be fetched.
    public var allowHosts: [String]
    /// `tools.web.deny_hosts`: these hosts (and their subdomains) are never fetched.
    public var denyHosts: [String]
    /// Test-only: lets 127.0.0.0/8 and ::1 through so tests can fetch from loopback fakes. No configuration key or
    /// environment variable sets it; only code constructing the policy can (``AgentFactory/Options``).
    public var allowLoopbackForTesting: Bool

    /// Names that always point at the local machine or a cloud metadata service, whatever DNS says.
    static let reservedNames = ["localhost", "metadata.google.internal", "metadata.goog", "instance-data.ec2.internal"]

    public init(allowHosts: [String] = [], denyHosts: [String] = [], allowLoopbackForTesting: Bool = false) {
        self.allowHosts = allowHosts.map(WebAccessPolicy.normalize).filter { !$0.isEmpty }
        self.denyHosts = denyHosts.map(WebAccessPolicy.normalize).filter { !$0.isEmpty }
        self.allowLoopbackForTesting = allowLoopbackForTesting
    }

    /// Why `host` may not be fetched by name (`nil`: the name is fine; its addresses are checked separately).
    public func refusal(host: String) -> String? {
        if WebAccessPolicy.reservedNames.contains(where: { WebAccessPolicy.matches(host, $0) }) {
            return "\(host) is a local or cloud-metadata name"
        }
        if let rule = denyHosts.first(where: { WebAccessPolicy.matches(host, $0) }) {
            return "\(host) is blocked by tools.web.deny_hosts (\(rule))"
        }
        if !allowHosts.isEmpty, !allowHosts.contains(where: { WebAccessPolicy.matches(host, $0) }) {
            return "\(host) is not in tools.web.allow_hosts"
        }
        return nil
    }

    /// Why `address` may not be connected to (`nil`: a public address).
    public func refusal(address: IPAddress) -> String? {
        if allowLoopbackForTesting && address.isLoopback { return nil }
        return address.refusalReason
    }

    /// `example.com` matches `example.com` and `*.example.com`; a leading `*.` or `.` in a rule means the same.
    static func matches(_ host: String, _ rule: String) -> Bool {
        host == rule || host.hasSuffix("." + rule)
    }

    static func normalize(_ rule: String) -> String {
        var r = rule.trimmedSpaces.lowercased()
        if r.hasPrefix("*.") { r.removeFirst(2) } else if r.hasPrefix(".") { r.removeFirst() }
        if r.hasSuffix(".") { r.removeLast() }
        let unbracketed = r.hasPrefix("[") && r.hasSuffix("]") ? String(r.dropFirst().dropLast()) : r
        if let literal = IPAddress.parseIPv4(r) ?? IPAddress.parseIPv6(unbracketed) {
            return literal.description
        }
        return r
    }
}
