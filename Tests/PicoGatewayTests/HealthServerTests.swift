import Glibc
import PicoHTTP
@testable import PicoGateway
import PicoFakes
import Testing

/// Slow clients must not starve `/health`: an absolute deadline per connection (a trickled header byte does not
/// extend it), and loopback probes keep their own slots while other addresses sit at their limits.
@Suite("health endpoint under slow clients", .serialized)
struct HealthServerTests {
    @Test func tricklingClientIsCutOffAtTheDeadline() async throws {
        let clock = ManualClock()
        let server = try HealthServer(
            host: "127.0.0.1", port: 0, board: ReadinessBoard(), deadline: .seconds(2),
            now: { clock.now() })
        defer { server.stop() }
        let fd = try #require(SlowClient.connect(port: server.port, from: "127.0.0.1"))
        defer { close(fd) }
        try await eventually("the connection to be accepted") { server.openConnectionCount == 1 }
        // One header byte every 300 ms of the injected clock: under the 10 s idle timeout forever, and each byte
        // arrives, but none extends the deadline.
        let header = Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
        for byte in header.prefix(6) {
            #expect(SlowClient.send(fd, byte))
            clock.advance(by: .milliseconds(300))
            server.recheckDeadlines()
        }
        // 1.8 s in: the watchdog has looked six times and left the connection open.
        #expect(!SlowClient.peerClosed(fd), "cut off before the deadline")
        #expect(SlowClient.send(fd, header[6]))
        clock.advance(by: .milliseconds(300))
        server.recheckDeadlines()
        // 2.1 s in: cut off, long before libmicrohttpd's idle timeout could act (in real time this took moments).
        try await eventually("the trickling connection to be cut off") { SlowClient.peerClosed(fd) }
    }

    @Test func watchdogThreadRunsOnlyWhileConnectionsComeAndGo() async throws {
        let board = ReadinessBoard()
        let server = try HealthServer(
            host: "127.0.0.1", port: 0, board: board, deadline: .seconds(2),
            linger: .milliseconds(200))
        defer { server.stop() }
        #expect(!server.watchdogRunning, "an idle health server needs no watchdog thread")
        for _ in 0..<2 {
            let response = try await HTTPClient.shared.send(
                HTTPRequest(
                    url: "http://127.0.0.1:\(server.port)/health",
                    timeout: .seconds(3)))
            #expect(response.status == 200)
            try await eventually("the idle watchdog thread to end") { !server.watchdogRunning }
        }
        // A watchdog started again after ending still cuts a trickling client off at its deadline.
        let fd = try #require(SlowClient.connect(port: server.port, from: "127.0.0.1"))
        defer { close(fd) }
        _ = SlowClient.send(fd, UInt8(ascii: "G"))
        let start = ContinuousClock.now
        try await eventually("the trickling client to be cut off", timeout: .seconds(8), interval: .milliseconds(50)) {
            SlowClient.peerClosed(fd)
        }
        let after = ContinuousClock.now - start
        #expect(after >= .milliseconds(1500) && after < .seconds(7), "closed after \(after)")
        try await eventually("the watchdog thread to end again") { !server.watchdogRunning }
    }

    @Test func loopbackProbeIsAnsweredWhileOtherAddressesAreAtTheirLimit() async throws {
        let board = ReadinessBoard()
        let server = try HealthServer(host: "127.0.0.1", port: 0, board: board, deadline: .seconds(30))
        defer { server.stop() }
        // 8 half-open requests from another address (its per-address limit) and 8 from 127.0.0.1 itself.
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for source in Array(repeating: "127.0.0.2", count: 8) + Array(repeating: "127.0.0.1", count: 8) {
            let fd = try #require(SlowClient.connect(port: server.port, from: source))
            _ = SlowClient.send(fd, UInt8(ascii: "G"))
            held.append(fd)
        }
        // The 9th connection from the same other address is refused ...
        let ninth = try #require(SlowClient.connect(port: server.port, from: "127.0.0.2"))
        defer { close(ninth) }
        try await eventually("the ninth connection from 127.0.0.2 to be closed") { SlowClient.peerClosed(ninth) }
        // ... while a probe from loopback is answered at once.
        let started = ContinuousClock.now
        let response = try await HTTPClient.shared.send(
            HTTPRequest(
                url: "http://127.0.0.1:\(server.port)/health",
                timeout: .seconds(3)))
        #expect(response.status == 200)
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(
            held.allSatisfy { !SlowClient.peerClosed($0) }, "held connections should stay open until their deadline")
    }

}

/// Raw TCP clients with a chosen loopback source address.
enum SlowClient {
    static func connect(port: Int, from source: String) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let ok =
            withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            } == 0
            && withUnsafePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            } == 0
        if !ok { close(fd); return nil }
        return fd
    }

    static func send(_ fd: Int32, _ byte: UInt8) -> Bool {
        var b = byte
        return Glibc.send(fd, &b, 1, Int32(MSG_NOSIGNAL)) == 1
    }

    /// `true` when the server closed or reset the connection (a non-blocking peek sees EOF or an error).
    static func peerClosed(_ fd: Int32) -> Bool {
        var b: UInt8 = 0
        let n = recv(fd, &b, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        if n == 0 { return true }
        return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK
    }
}
