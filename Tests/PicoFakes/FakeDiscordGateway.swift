import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Gateway (WebSocket) side of `FakeDiscord`.
extension FakeDiscord {
    // MARK: Gateway scripting

    /// Dispatches `MESSAGE_CREATE` to the current session (buffered and replayed on RESUME if no connection is live;
    /// delivered after READY if nobody identified yet). With `mentionsBot`, the bot user is put into `mentions`
    /// and `<@botId> ` is prepended to `content` unless already present. Returns the message id.
    @discardableResult
    public func dispatchMessageCreate(
        channelId: String = "300000000000000001", guildId: String? = "200000000000000001",
        authorId: String = "100000000000000001", username: String = "alice", bot: Bool = false,
        content: String, mentionsBot: Bool = false, attachments: [JSONValue] = []
    ) -> String {
        let id = nextId()
        let (botUser, botId) = state.withLock { (user($0), $0.botId) }
        var text = content
        if mentionsBot, !text.contains("<@\(botId)>"), !text.contains("<@!\(botId)>") { text = "<@\(botId)> " + text }
        var d: [String: JSONValue] = [
            "id": .string(id), "channel_id": .string(channelId), "content": .string(text),
            "author": [
                "id": .string(authorId), "username": .string(username), "discriminator": "0",
                "global_name": .string(username), "avatar": .null, "bot": .bool(bot),
            ],
            "timestamp": .string(DiscordIDs.iso8601(unixTime())), "edited_timestamp": .null, "tts": false,
            "mention_everyone": false, "mentions": mentionsBot ? [botUser] : [], "mention_roles": [],
            "attachments": .array(attachments), "embeds": [], "pinned": false, "type": 0, "flags": 0,
        ]
        // The channel's history (REST) has the message without guild fields, as Discord's REST does.
        state.withLock { $0.history[channelId, default: []].append(.object(d)) }
        if let guildId {
            d["guild_id"] = .string(guildId)
            d["member"] = [
                "roles": [], "joined_at": .string(DiscordIDs.iso8601(unixTime() - 86400)), "deaf": false, "mute": false,
            ]
        }
        dispatch(type: "MESSAGE_CREATE", data: .object(d))
        return id
    }

    /// Starts an outage: every connection drops, sessions expire (RESUME then fails with op 9 `false`), new
    /// connections are dropped at once, and messages posted meanwhile only reach the channel history (REST),
    /// never a gateway session — as when Discord's gateway is unreachable longer than a session lives.
    public func beginOutage() {
        let conts = state.withLock { s -> [AsyncStream<GatewayCommand>.Continuation] in
            s.outage = true
            s.sessions = [:]
            s.currentSession = nil
            s.beforeReady = []
            return s.connections.values.map(\.continuation)
        }
        for c in conts { c.yield(.drop) }
        notifier.notify()
    }

    /// Ends the outage: connections are accepted again.
    public func endOutage() {
        state.withLock { $0.outage = false }
        notifier.notify()
    }

    /// Dispatches an arbitrary event (op 0) with the next sequence number.
    public func dispatch(type: String, data: JSONValue) {
        state.withLock { s in
            if s.outage { return }  // nobody receives it (it stays in the channel history)
            guard let sid = s.currentSession, s.sessions[sid] != nil else {
                s.beforeReady.append((type, data))
                return
            }
            Self.dispatchLocked(&s, sessionId: sid, type: type, data: data)
        }
    }

    /// Sends op 7 RECONNECT on the live connection.
    public func sendReconnect() { sendToLatest(.send(["op": 7, "d": .null])) }

    /// Sends op 9 INVALID_SESSION. Non-resumable also forgets the current session.
    public func sendInvalidSession(resumable: Bool) {
        if !resumable {
            state.withLock { s in
                if let sid = s.currentSession { s.sessions[sid] = nil }
                s.currentSession = nil
            }
        }
        sendToLatest(.send(["op": 9, "d": .bool(resumable)]))
    }

    /// Sends op 1 (server-requested heartbeat); the client must answer with a heartbeat at once.
    public func requestHeartbeat() { sendToLatest(.send(["op": 1, "d": .null])) }

    /// Closes the live connection with a close frame (`4000` unknown error = resumable, `4004` auth failed, …).
    public func closeConnection(code: UInt16 = 4000, reason: String = "Unknown error.") {
        sendToLatest(.close(code, reason))
    }

    /// Closes the live connection's TCP socket without a close frame.
    public func dropConnection() { sendToLatest(.drop) }

    // MARK: Gateway recording

    /// WebSocket connections accepted so far.
    public var connectionCount: Int { state.withLock { $0.connectionCount } }
    /// Connections open right now.
    public var openConnectionCount: Int { state.withLock { $0.connections.count } }
    /// Successful + failed IDENTIFYs.
    public var identifyCount: Int { state.withLock { $0.identifyCount } }
    /// RESUME attempts.
    public var resumeCount: Int { state.withLock { $0.resumeCount } }
    /// Op 1 heartbeats received.
    public var heartbeatsReceived: Int { state.withLock { $0.heartbeatsReceived } }
    /// `d` of the last heartbeat (last seq the client saw, or null).
    public var lastHeartbeatSeq: JSONValue { state.withLock { $0.lastHeartbeatSeq } }
    /// Full payload of the last IDENTIFY (`d.intents`, `d.properties`, …).
    public var lastIdentify: JSONValue? { state.withLock { $0.lastIdentify } }
    /// Full payload of the last RESUME.
    public var lastResume: JSONValue? { state.withLock { $0.lastResume } }
    /// Query strings of gateway connections (`v=10&encoding=json`).
    public var gatewayQueries: [String] { state.withLock { $0.gatewayQueries } }
    /// Every payload received from clients (all opcodes).
    public var receivedPayloads: [JSONValue] { state.withLock { $0.receivedPayloads } }
    /// Current session id (after READY).
    public var currentSessionId: String? { state.withLock { $0.currentSession } }

    /// Waits until `counter` (e.g. `\.identifyCount`) reaches `atLeast`.
    public func waitFor(
        _ what: String, timeout: Duration = .seconds(5), _ value: @escaping @Sendable (FakeDiscord) -> Int,
        atLeast: Int
    ) async throws {
        try await notifier.waitUntil(timeout: timeout, "\(what) ≥ \(atLeast) (is \(value(self)))") {
            value(self) >= atLeast ? () : nil
        }
    }

    /// Waits until `count` IDENTIFYs arrived.
    public func waitForIdentify(count: Int = 1, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("identifyCount", timeout: timeout, { $0.identifyCount }, atLeast: count)
    }
    /// Waits until `count` RESUMEs arrived.
    public func waitForResume(count: Int = 1, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("resumeCount", timeout: timeout, { $0.resumeCount }, atLeast: count)
    }
    /// Waits until `count` heartbeats arrived.
    public func waitForHeartbeats(count: Int, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("heartbeatsReceived", timeout: timeout, { $0.heartbeatsReceived }, atLeast: count)
    }
    /// Waits until `count` connections were made.
    public func waitForConnections(count: Int, timeout: Duration = .seconds(5)) async throws {
        try await waitFor("connectionCount", timeout: timeout, { $0.connectionCount }, atLeast: count)
    }
    /// Waits until no connection is open.
    public func waitForDisconnect(timeout: Duration = .seconds(5)) async throws {
        try await notifier.waitUntil(timeout: timeout, "all gateway connections closed") {
            openConnectionCount == 0 ? () : nil
        }
    }

    // MARK: Internals

    static func dispatchLocked(_ s: inout State, sessionId: String, type: String, data: JSONValue) {
        guard var session = s.sessions[sessionId] else { return }
        session.seq += 1
        let payload: JSONValue = ["op": 0, "t": .string(type), "s": .int(session.seq), "d": data]
        session.events.append(payload)
        s.sessions[sessionId] = session
        for c in s.connections.values where c.sessionId == sessionId { c.continuation.yield(.send(payload)) }
    }

    private func sendToLatest(_ command: GatewayCommand) {
        state.withLock { s in
            if let id = s.latestConnection, let c = s.connections[id] { c.continuation.yield(command) }
        }
    }

    func runGateway(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel,
        query: String
    ) async throws {
        if state.withLock({ $0.outage }) {
            try? await channel.close()
            return
        }
        let (commands, continuation) = AsyncStream.makeStream(of: GatewayCommand.self)
        let connId = state.withLock { s -> Int in
            s.nextConnectionId += 1
            s.connections[s.nextConnectionId] = Connection(continuation: continuation, sessionId: nil)
            s.latestConnection = s.nextConnectionId
            s.connectionCount += 1
            s.gatewayQueries.append(query)
            continuation.yield(.send(["op": 10, "d": ["heartbeat_interval": .int(s.heartbeatIntervalMS)]]))
            return s.nextConnectionId
        }
        notifier.notify()
        defer {
            continuation.finish()
            state.withLock { s in
                s.connections[connId] = nil
                if s.latestConnection == connId { s.latestConnection = nil }
            }
            notifier.notify()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await command in commands {
                    switch command {
                    case .send(let payload):
                        try await outbound.write(.text(payload.jsonString))
                    case .close(let code, let reason):
                        try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                        return
                    case .drop:
                        try? await channel.close()
                        return
                    }
                }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    let text: String
                    switch message {
                    case .text(let t): text = t
                    case .binary(let b): text = String(buffer: b)
                    }
                    self.receive(text, connId: connId, continuation: continuation)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private func receive(_ text: String, connId: Int, continuation: AsyncStream<GatewayCommand>.Continuation) {
        guard let payload = JSONValue.parse(text), let op = payload["op"]?.intValue else {
            continuation.yield(.close(4002, "Error while decoding payload."))
            return
        }
        let d = payload["d"] ?? .null
        state.withLock { s in
            s.receivedPayloads.append(payload)
            let identified = s.connections[connId]?.sessionId != nil
            switch op {
            case 1:
                s.heartbeatsReceived += 1
                s.lastHeartbeatSeq = d
                if s.ackHeartbeats { continuation.yield(.send(["op": 11])) }
            case 2:
                s.identifyCount += 1
                s.lastIdentify = payload
                let tok = d["token"]?.stringValue ?? ""
                guard tok == s.token || tok == "Bot \(s.token)" else {
                    continuation.yield(.close(4004, "Authentication failed."))
                    return
                }
                guard !identified else {
                    continuation.yield(.close(4005, "Already authenticated."))
                    return
                }
                s.idCounter += 1
                let sid = "fake-session-\(s.idCounter)"
                s.sessions[sid] = Session()
                s.currentSession = sid
                s.connections[connId]?.sessionId = sid
                let ready: JSONValue = [
                    "v": 10, "user": user(s), "session_id": .string(sid), "resume_gateway_url": .string(gatewayURL),
                    "guilds": [], "application": ["id": .string(s.botId), "flags": 0], "shard": [0, 1],
                ]
                Self.dispatchLocked(&s, sessionId: sid, type: "READY", data: ready)
                let pending = s.beforeReady
                s.beforeReady.removeAll()
                for e in pending { Self.dispatchLocked(&s, sessionId: sid, type: e.t, data: e.d) }
            case 6:
                s.resumeCount += 1
                s.lastResume = payload
                let tok = d["token"]?.stringValue ?? ""
                guard tok == s.token || tok == "Bot \(s.token)" else {
                    continuation.yield(.close(4004, "Authentication failed."))
                    return
                }
                guard let sid = d["session_id"]?.stringValue, let session = s.sessions[sid] else {
                    continuation.yield(.send(["op": 9, "d": false]))
                    return
                }
                // detach the session from any older connection
                for (id, c) in s.connections where c.sessionId == sid && id != connId {
                    s.connections[id]?.sessionId = nil
                }
                let last = d["seq"]?.intValue ?? 0
                for e in session.events where (e["s"]?.intValue ?? 0) > last { continuation.yield(.send(e)) }
                s.connections[connId]?.sessionId = sid
                s.currentSession = sid
                Self.dispatchLocked(&s, sessionId: sid, type: "RESUMED", data: [:])
            case 3, 4, 8:
                if !identified { continuation.yield(.close(4003, "Not authenticated.")) }
            default:
                continuation.yield(.close(4001, "Unknown opcode."))
            }
        }
        notifier.notify()
    }
}
