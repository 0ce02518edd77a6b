/// Whether a gateway bind address is loopback (only this machine can reach it).
public func isLoopbackHost(_ host: String) -> Bool {
    let h = host.lowercased()
    if h == "localhost" || h == "::1" || h == "[::1]" { return true }
    let parts = h.split(separator: ".")
    return parts.count == 4 && parts.first == "127" && parts.allSatisfy { UInt8($0) != nil }
}

/// The refusal for a public bind without the explicit opt-in.
public struct PublicBindRefused: Error, CustomStringConvertible {
    public let host: String
    public var description: String {
        "refusing to bind the gateway to \(host): that exposes it beyond this machine. Keep gateway.host at 127.0.0.1 and put a reverse proxy in front (see Docs/deploy.md#reverse-proxy), or opt in explicitly with gateway.allow_public_bind: true or --allow-public-bind"
    }
}
