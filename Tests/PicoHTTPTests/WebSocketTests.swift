import PicoFakes
import PicoHTTP
import Testing

/// The libcurl WebSocket client against a real WebSocket peer (the fake Discord gateway).
@Suite("WebSocket over libcurl")
struct WebSocketTests {
    /// Reads the next event, failing the test instead of hanging.
    func next(_ iterator: inout AsyncStream<WebSocketEvent>.Iterator) async -> WebSocketEvent? {
        await iterator.next()
    }

    @Test func exchangesTextFramesBothWays() async throws {
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 60_000)
        defer { Task { await discord.stop() } }
        let ws = try await WebSocket.connect(url: discord.gatewayURL + "?v=10&encoding=json")
        var events = ws.events.makeAsyncIterator()
        guard case .text(let hello)? = await next(&events) else {
            Issue.record("expected HELLO")
            return
        }
        #expect(hello.contains("\"op\":10"))
        try await ws.send(text: #"{"op":1,"d":null}"#)
        guard case .text(let ack)? = await next(&events) else {
            Issue.record("expected a heartbeat ACK")
            return
        }
        #expect(ack.contains("\"op\":11"))
        #expect(discord.heartbeatsReceived == 1)
        await ws.close(code: 1000)
        try await discord.waitForDisconnect()
    }

    @Test func receivesLargeMessagesWhole() async throws {
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 60_000)
        defer { Task { await discord.stop() } }
        let ws = try await WebSocket.connect(url: discord.gatewayURL)
        var events = ws.events.makeAsyncIterator()
        _ = await next(&events)  // HELLO
        try await ws.send(
            text:
                #"{"op":2,"d":{"token":"test-discord-token","intents":37376,"properties":{"os":"linux","browser":"t","device":"t"}}}"#
        )
        guard case .text(let ready)? = await next(&events) else {
            Issue.record("expected READY")
            return
        }
        #expect(ready.contains("READY"))
        let big = String(repeating: "x", count: 300_000)
        _ = discord.dispatchMessageCreate(
            channelId: "1", guildId: nil, authorId: "2", username: "u", bot: false,
            content: big, mentionsBot: false)
        guard case .text(let message)? = await next(&events) else {
            Issue.record("expected MESSAGE_CREATE")
            return
        }
        #expect(message.contains(big))
        await ws.close()
    }

    @Test func reportsThePeersCloseCode() async throws {
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 60_000)
        defer { Task { await discord.stop() } }
        let ws = try await WebSocket.connect(url: discord.gatewayURL)
        var events = ws.events.makeAsyncIterator()
        _ = await next(&events)  // HELLO
        discord.closeConnection(code: 4004, reason: "Authentication failed.")
        let last = await next(&events)
        #expect(last == .closed(code: 4004, reason: "Authentication failed."))
        #expect(await next(&events) == nil)
        await #expect(throws: HTTPClientError.self) { try await ws.send(text: "late") }
    }

    @Test func reportsALostConnection() async throws {
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 60_000)
        defer { Task { await discord.stop() } }
        let ws = try await WebSocket.connect(url: discord.gatewayURL)
        var events = ws.events.makeAsyncIterator()
        _ = await next(&events)  // HELLO
        discord.dropConnection()
        guard case .closed(let code, _)? = await next(&events) else {
            Issue.record("expected .closed")
            return
        }
        #expect(code == nil)
    }

    @Test func refusedConnectionFailsTheHandshake() async throws {
        let refusing = RefusingLoopbackPort()
        defer { withExtendedLifetime(refusing) {} }
        let port = refusing.port
        await #expect(throws: HTTPClientError.self) {
            _ = try await WebSocket.connect(url: "ws://127.0.0.1:\(port)/gateway", connectTimeout: .seconds(2))
        }
        await #expect(throws: HTTPClientError.invalidURL) {
            _ = try await WebSocket.connect(url: "http://127.0.0.1:\(port)/gateway")
        }
    }
}
