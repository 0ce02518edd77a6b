/// A start-up failure with the process exit status to use (78 = configuration error, as sysexits.h).
public struct GatewayStartError: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32

    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// The refusal for a non-loopback bind without the explicit opt-in.
public struct PublicBindRefused: Error, CustomStringConvertible {
    public let host: String
    public var description: String {
        "refusing to bind the gateway to \(host): that exposes it beyond this machine. Keep gateway.host at 127.0.0.1 and put a reverse proxy in front (see Docs/deploy.md#reverse-proxy), or opt in explicitly with gateway.allow_public_bind: true or --allow-public-bind"
    }
}
