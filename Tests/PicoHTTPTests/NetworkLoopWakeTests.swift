import Glibc
import PicoFakes
import PicoSystem
import Testing

@testable import PicoHTTP

/// A wake-up of the network loop serves only what has events: an idle WebSocket is not read when transfers wake
/// the loop, yet everything that arrives is delivered — also frames that came in with the handshake's response.
@Suite("Network loop wake-ups")
struct NetworkLoopWakeTests {
    @Test func anIdleWebSocketIsNotReadWhileTransfersWakeTheLoop() async throws {
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 60_000)
        defer { Task { await discord.stop() } }
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let ws = try await WebSocket.connect(url: discord.gatewayURL)
        var events = ws.events.makeAsyncIterator()
        guard case .text(let hello)? = await events.next() else {
            Issue.record("expected HELLO")
            return
        }
        #expect(hello.contains("\"op\":10"))
        let idle = await ws.socketReads()
        // Each request wakes the loop several times (hand-off, connect, answer) from this task and from the pool.
        for i in 1...20 {
            let response = try await HTTPClient.shared.send(HTTPRequest(url: server.baseURL + "/bytes/\(i)"))
            #expect(response.body.count == i)
        }
        #expect(await ws.socketReads() == idle)
        // Something arriving is still read and delivered at once.
        discord.requestHeartbeat()
        guard case .text(let request)? = await events.next() else {
            Issue.record("expected the heartbeat request")
            return
        }
        #expect(request.contains("\"op\":1"))
        #expect(await ws.socketReads() > idle)
        await ws.close()
    }

    @Test func aFrameThatCameWithTheHandshakeIsDelivered() async throws {
        let peer = try RawUpgradePeer()
        let served = Task { await peer.serveOnce(firstText: "first") }
        let ws = try await WebSocket.connect(url: "ws://127.0.0.1:\(peer.port)/")
        // The frame is already in curl's buffer and the socket holds nothing more: only the read after the
        // handshake finds it. Bounded, so a lost frame fails the test instead of hanging it.
        let first = await firstEvent(of: ws, within: .seconds(10))
        #expect(first == .text("first"))
        await ws.close()
        #expect(await served.value)
    }

    private func firstEvent(of ws: WebSocket, within limit: Duration) async -> WebSocketEvent? {
        await withTaskGroup(of: WebSocketEvent?.self) { group in
            group.addTask {
                var events = ws.events.makeAsyncIterator()
                return await events.next()
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}

/// A WebSocket peer on a raw loopback socket that answers the upgrade and sends a text frame in the same `write`,
/// so the frame arrives with the `101` response. libcurl 8 does not check `Sec-WebSocket-Accept`; the value sent is
/// the RFC 6455 example's.
final class RawUpgradePeer: Sendable {
    let port: Int
    private let listener: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPClientError.connectionFailed("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw HTTPClientError.connectionFailed("bind: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(listener) }

    /// Accepts one connection, reads the upgrade request, answers it with the frame, then waits for the client's
    /// close. Returns whether the request was an upgrade.
    func serveOnce(firstText: String) async -> Bool {
        let listener = self.listener
        return await DedicatedThread.run {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return false }
            defer { close(connection) }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.ends(with: Array("\r\n\r\n".utf8)) {
                let n = recv(connection, &buffer, buffer.count, 0)
                guard n > 0 else { return false }
                request.append(contentsOf: buffer[0..<n])
            }
            let upgrade = String(decoding: request, as: UTF8.self).lowercased().contains("upgrade: websocket")
            var answer = Array(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").utf8)
            let payload = Array(firstText.utf8)
            answer += [0x81, UInt8(payload.count)] + payload  // FIN + text, unmasked, < 126 bytes
            guard send(connection, answer, answer.count, 0) == answer.count else { return false }
            // Until the client closes (its close frame, then EOF).
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
            return upgrade
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
