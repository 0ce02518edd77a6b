import Glibc

/// A TCP port on 127.0.0.1 that nothing listens on: bound to port 0, read back, released. Another process could
/// take it in between: for child processes that must bind a port of their own. A port that must stay refused is a
/// ``RefusingLoopbackPort``.
public func unusedLoopbackPort() -> Int {
    RefusingLoopbackPort().port
}

/// A TCP port on 127.0.0.1 that refuses connections for as long as this value lives: a socket bound to it but
/// never listening, so no other test or process can take the port meanwhile (unlike ``unusedLoopbackPort()``).
/// Keep it alive to the end of the test: `withExtendedLifetime(refusing) { ... }`.
public final class RefusingLoopbackPort: Sendable {
    /// The port.
    public let port: Int
    private let fd: Int32

    public init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}
