import Glibc
import PicoFakes

/// A tiny HTTP/1.0 GET over a loopback TCP socket, for checking `/health` of a gateway started as a
/// subprocess (no HTTP client dependency in the black-box tests).
enum BinaryHTTP {
    /// `(status, body)` of `GET path` on 127.0.0.1:`port`, or `nil` when nothing answers. Synchronous: a loopback
    /// connect fails at once when nothing listens, and a reply is bounded by a 2 s receive timeout.
    static func get(port: Int, path: String) -> (status: Int, body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = loopback(port: port)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/"), let statusText = text.split(separator: " ").dropFirst().first,
            let status = Int(statusText)
        else { return nil }
        let body = text.firstRange(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// Polls `GET path` until it answers or `timeout` seconds pass.
    static func waitFor(port: Int, path: String, timeout: Double) async -> (status: Int, body: String)? {
        var answer: (status: Int, body: String)?
        try? await eventually(
            "GET \(path) to answer", timeout: .milliseconds(Int(timeout * 1000)), interval: .milliseconds(50)
        ) {
            answer = get(port: port, path: path)
            return answer != nil
        }
        return answer
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return addr
    }
}
