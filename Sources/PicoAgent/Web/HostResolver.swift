import Glibc
import PicoSystem

/// Resolves host names for the web tools. Tests substitute a scripted resolver.
public protocol HostResolver: Sendable {
    /// Every address of `host` (A and AAAA). Throws ``HostResolutionError`` when there is none.
    func addresses(of host: String) async throws(HostResolutionError) -> [IPAddress]
}

/// Why a host name could not be resolved (safe to show the model).
public struct HostResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let reason: String
    public init(host: String, reason: String) {
        self.host = host
        self.reason = reason
    }
    public var description: String { "cannot resolve \(host): \(reason)" }
}

/// The system resolver (`getaddrinfo`), run on a short-lived dedicated thread so a slow DNS server never blocks
/// Swift's cooperative thread pool.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async throws(HostResolutionError) -> [IPAddress] {
        let result = await DedicatedThread.run { SystemHostResolver.lookup(host) }
        return try result.get()
    }

    private static func lookup(_ host: String) -> Result<[IPAddress], HostResolutionError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            return .failure(HostResolutionError(host: host, reason: String(cString: gai_strerror(rc))))
        }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var node = list
        while let n = node {
            if let sa = n.pointee.ai_addr {
                switch Int32(sa.pointee.sa_family) {
                case AF_INET:
                    var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    out.append(IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) })!)
                case AF_INET6:
                    var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    out.append(IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) })!)
                default: break
                }
            }
            node = n.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        out = out.filter { seen.insert($0).inserted }
        return out.isEmpty ? .failure(HostResolutionError(host: host, reason: "no addresses")) : .success(out)
    }
}
