import Glibc

/// A minimal blocking HTTP/1.1 GET on 127.0.0.1 that returns the status code, or `nil` when the port does not
/// accept yet (or the answer is not HTTP). No library, so the probe itself costs a few microseconds.
func httpStatus(port: Int, path: String, timeoutMS: Int = 1000) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeoutMS / 1000, tv_usec: (timeoutMS % 1000) * 1000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    guard sent == request.count else { return nil }
    var buffer = [UInt8](repeating: 0, count: 512)
    var have = 0
    while have < 12 {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + have, $0.count - have, 0) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        have += n
    }
    guard have >= 12 else { return nil }
    let line = String(decoding: buffer[0..<have], as: UTF8.self)
    guard line.hasPrefix("HTTP/1."), let code = Int(line.dropFirst(9).prefix(3)) else { return nil }
    return code
}

/// Polls `path` until it answers `want` (every `intervalUS`), up to `timeoutMS`. Returns the monotonic ns
/// of the first matching answer (taken when the answer arrived), or `nil` on timeout or when `alive()` turns false.
func pollUntil(
    port: Int, path: String, want: Int = 200, intervalUS: UInt32 = 250, timeoutMS: Int,
    alive: () -> Bool
) -> UInt64? {
    let deadline = monoNS() + UInt64(timeoutMS) * 1_000_000
    var polls = 0
    while monoNS() < deadline {
        if httpStatus(port: port, path: path) == want { return monoNS() }
        polls += 1
        if polls % 64 == 0 && !alive() { return nil }
        usleep(intervalUS)
    }
    return nil
}

/// Whether `pid` is still running (not a zombie).
func processAlive(_ pid: pid_t) -> Bool {
    guard let text = readWholeFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return false }
    let state = text[text.index(after: close)...].dropFirst().first
    return state != "Z" && state != "X"
}
