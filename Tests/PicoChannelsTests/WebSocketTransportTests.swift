import PicoFakes
import PicoHTTP
import Testing

/// PicoHTTP's libcurl WebSocket as the Discord channel uses it (first real user).
@Suite("libcurl WebSocket against the fake gateway")
struct WebSocketTransportTests {
    @Test func connectionOutlivesItsConnectTimeoutAndCarriesLargeMessages() async throws {
        let fake = try await FakeDiscord.start()
        // Short, but long enough for the handshake on a loaded machine (a quiet one needs milliseconds).
        let connectTimeout = Patience.bound(.milliseconds(500))
        let ws = try await WebSocket.connect(
            url: fake.gatewayURL + "?v=10&encoding=json", connectTimeout: connectTimeout)
        var events = ws.events.makeAsyncIterator()
        guard case .text(let hello)? = await events.next() else { Issue.record("no HELLO"); return }
        #expect(hello.contains("\"op\":10"))
        try await ws.send(text: "{\"op\":2,\"d\":{\"token\":\"\(fake.token)\",\"intents\":37376,\"properties\":{}}}")
        guard case .text(let ready)? = await events.next() else { Issue.record("no READY"); return }
        #expect(ready.contains("READY"))
        // Longer than the connect timeout: the established connection must not be timed out by libcurl.
        try await Task.sleep(for: connectTimeout + .milliseconds(300))
        let big = String(repeating: "0123456789", count: 30_000)  // 300 kB: many curl_ws_recv chunks
        fake.dispatch(type: "BIG", data: ["blob": .string(big)])
        guard case .text(let message)? = await events.next() else { Issue.record("no BIG"); return }
        #expect(message.utf8.count > 300_000)
        #expect(message.contains(big))
        try await ws.send(text: "{\"op\":1,\"d\":null}")
        guard case .text(let ack)? = await events.next() else { Issue.record("no ACK"); return }
        #expect(ack.contains("11"))
        await ws.close(code: 1000)
        var last: WebSocketEvent?
        while let e = await events.next() { last = e }
        #expect(last == .closed(code: 1000, reason: ""))
        await fake.stop()
    }

    @Test func serverCloseCodeIsReported() async throws {
        let fake = try await FakeDiscord.start()
        let ws = try await WebSocket.connect(url: fake.gatewayURL)
        var events = ws.events.makeAsyncIterator()
        _ = await events.next()  // HELLO
        fake.closeConnection(code: 4004, reason: "Authentication failed.")
        var last: WebSocketEvent?
        while let e = await events.next() { last = e }
        #expect(last == .closed(code: 4004, reason: "Authentication failed."))
        await fake.stop()
    }

    @Test func refusedConnectionThrows() async throws {
        let fake = try await FakeDiscord.start()
        let url = fake.gatewayURL
        await fake.stop()
        await #expect(throws: HTTPClientError.self) {
            _ = try await WebSocket.connect(url: url, connectTimeout: .seconds(2))
        }
    }
}
