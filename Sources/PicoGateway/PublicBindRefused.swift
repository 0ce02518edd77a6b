/// The refusal for a non-loopback bind without the explicit opt-in.
public struct PublicBindRefused: Error, CustomStringConvertible {
    public let host: String
    public var description: String {
        "refusing to bind the gateway to \(host): that exposes it beyond this machine. Keep gateway.host at 127.0.0.1 and put a reverse proxy in front (see Docs/deploy.md#reverse-proxy), or opt in explicitly with gateway.allow_public_bind: true or --allow-public-bind"
    }
}
