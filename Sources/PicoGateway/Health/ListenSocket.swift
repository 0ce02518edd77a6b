import Glibc
import PicoConfig
import PicoSystem

/// Why the health listener could not be opened.
public struct ListenError: Error, CustomStringConvertible {
    public let description: String
}

/// Opens a listening TCP socket on `host:port` (IPv4 or IPv6 literal, or `localhost`).
/// Opened before anything else starts, so a busy port fails fast with a clear message.
func openListenSocket(host: String, port: Int, backlog: Int32 = 64) throws(ListenError) -> Int32 {
    guard let address = GatewayConfig.listenAddress(host) else {
        throw ListenError(
            description:
                "gateway.host \"\(host)\" is not an IP address; use 127.0.0.1, ::1 or a local interface address")
    }
    var v4 = in_addr()
    var v6 = in6_addr()
    let isV4: Bool
    switch address {
    case .ipv4(let literal): isV4 = true; _ = inet_pton(AF_INET, literal, &v4)
    case .ipv6(let literal): isV4 = false; _ = inet_pton(AF_INET6, literal, &v6)
    }
    let fd = socket(isV4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ListenError(description: "cannot create a socket: \(errnoText())") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    let rc: Int32
    if isV4 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr = v4
        rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    } else {
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = in_port_t(UInt16(port).bigEndian)
        addr.sin6_addr = v6
        rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
            }
        }
    }
    if rc != 0 {
        let err = errno
        close(fd)
        let hint =
            err == EADDRINUSE
            ? "another process is using it (a second gateway?). Stop it or set gateway.port / PICOCLAW_GATEWAY_PORT"
            : err == EADDRNOTAVAIL ? "no local interface has that address" : errnoText(err)
        throw ListenError(description: "cannot listen on \(host):\(port): \(hint)")
    }
    guard listen(fd, backlog) == 0 else {
        let text = errnoText()
        close(fd)
        throw ListenError(description: "cannot listen on \(host):\(port): \(text)")
    }
    return fd
}

/// The port a bound socket actually uses (for port 0 in tests).
func boundPort(of fd: Int32) -> Int {
    var storage = sockaddr_storage()
    var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    if Int32(storage.ss_family) == AF_INET {
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
    return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
    }
}
