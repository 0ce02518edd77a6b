import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// Discord peer: REST at `/api/v10` (client api_base = `baseURL + "/api/v10"`) and a JSON gateway WebSocket at
/// `gatewayURL` (`ws://127.0.0.1:PORT/gateway`; any path upgrades, `?v=10&encoding=json` is accepted and recorded).
///
/// REST: `GET /gateway`, `GET /gateway/bot`, `GET /users/@me`, `GET /channels/{id}/messages?after=&limit=` (the
/// channel's history of dispatched user messages, newest first, without `guild_id` as Discord's REST omits it),
/// `POST /channels/{id}/messages` (2000-char limit,
/// 50035 / 50006 errors), `PATCH`/`DELETE /channels/{id}/messages/{mid}`, `POST /channels/{id}/typing` (204).
/// Every REST response carries `X-RateLimit-*` headers; `failNext(route:…)` injects 429 / 5xx.
///
/// Gateway: HELLO on connect; heartbeat → ACK (unless `ackHeartbeats == false`); IDENTIFY → READY (bad token →
/// close 4004); RESUME → replay + RESUMED (unknown session → op 9 `false`); scripting via `dispatchMessageCreate`,
/// `sendReconnect`, `sendInvalidSession`, `closeConnection`, `dropConnection`.
public final class FakeDiscord: Sendable {
    /// A message created through REST.
    public struct SentMessage: Sendable {
        public let channelId: String
        public let content: String
        /// `message_reference.message_id`, if replying.
        public let replyToMessageId: String?
        /// The id the fake assigned.
        public let messageId: String
        /// Full JSON body (`payload_json` for a message with attachments).
        public let body: JSONValue
        /// Attached files (`files[n]` parts).
        public var files: [MultipartPart] = []
    }

    enum GatewayCommand: Sendable {
        case send(JSONValue)
        case close(UInt16, String)
        case drop
    }

    struct Connection {
        let continuation: AsyncStream<GatewayCommand>.Continuation
        var sessionId: String?
    }

    struct Session {
        var seq = 0
        var events: [JSONValue] = []
    }

    struct RESTFailure {
        let route: String
        let status: Int
        let retryAfter: Double?
        let global: Bool
    }

    struct State {
        var token: String
        var botId: String
        var botUsername: String
        var heartbeatIntervalMS: Int
        var ackHeartbeats = true
        var idCounter = 0
        var attachments: [String: [UInt8]] = [:]
        var attachmentDownloads: [String] = []
        // gateway
        var connections: [Int: Connection] = [:]
        var nextConnectionId = 0
        var latestConnection: Int?
        var sessions: [String: Session] = [:]
        var currentSession: String?
        var beforeReady: [(t: String, d: JSONValue)] = []
        var connectionCount = 0
        var identifyCount = 0
        var resumeCount = 0
        var heartbeatsReceived = 0
        var lastHeartbeatSeq: JSONValue = .null
        var lastIdentify: JSONValue?
        var lastResume: JSONValue?
        var gatewayQueries: [String] = []
        var receivedPayloads: [JSONValue] = []
        // rest
        var failures: [RESTFailure] = []
        var sent: [SentMessage] = []
        var typing: [String] = []
        /// Interaction callbacks: (interaction id, body).
        var interactionReplies: [(String, JSONValue)] = []
        var restRequests: [RecordedRequest] = []
        // history and outages
        var history: [String: [JSONValue]] = [:]
        var outage = false
    }
    let state: Mutex<State>
    let notifier = ChangeNotifier()
    private let runner = Mutex<FakeServerRunner?>(nil)

    /// Bound port (valid after `start()`).
    public var port: Int { runner.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `baseURL + "/api/v10"`.
    public var apiBase: String { baseURL + "/api/v10" }
    /// `ws://127.0.0.1:PORT/gateway`.
    public var gatewayURL: String { "ws://127.0.0.1:\(port)/gateway" }
    /// The valid bot token (without the `Bot ` prefix).
    public var token: String { state.withLock { $0.token } }
    /// The bot user's id.
    public var botId: String { state.withLock { $0.botId } }

    /// - Parameter heartbeatIntervalMS: sent in HELLO (Discord uses 41250; use e.g. 300 in tests).
    public init(
        token: String = "test-discord-token", botId: String = "900000000000000001",
        botUsername: String = "pico", heartbeatIntervalMS: Int = 41250
    ) {
        state = Mutex(
            State(token: token, botId: botId, botUsername: botUsername, heartbeatIntervalMS: heartbeatIntervalMS))
    }

    /// Creates and starts a fake on an ephemeral loopback port.
    public static func start(
        token: String = "test-discord-token", botId: String = "900000000000000001",
        botUsername: String = "pico", heartbeatIntervalMS: Int = 41250
    ) async throws -> FakeDiscord {
        let f = FakeDiscord(
            token: token, botId: botId, botUsername: botUsername, heartbeatIntervalMS: heartbeatIntervalMS)
        try await f.start()
        return f
    }

    /// Starts listening (REST and gateway on one port). Call once.
    public func start() async throws {
        let server = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(ws: .init(maxFrameSize: 1 << 20, autoPing: .disabled, closeTimeout: .seconds(2)))
        ) { [self] request, channel, _ in
            guard request.headerFields[.upgrade]?.lowercased() == "websocket" else { return .dontUpgrade }
            let query =
                request.path.map { p in p.firstIndex(of: "?").map { String(p[p.index(after: $0)...]) } ?? "" } ?? ""
            return .upgrade([:]) { inbound, outbound, _ in
                try await self.runGateway(inbound: inbound, outbound: outbound, channel: channel, query: query)
            }
        }
        let r = try await FakeServerRunner.start(name: "discord", server: server) { [self] req, ctx in
            try await self.handleREST(req, ctx)
        }
        runner.withLock { $0 = r }
    }

    /// Stops the server and closes every connection.
    public func stop() async {
        let conts = state.withLock { s in s.connections.values.map(\.continuation) }
        for c in conts { c.yield(.drop) }
        let r = runner.withLock { $0 }
        await r?.stop()
        notifier.notify()
    }

    // MARK: Configuration

    /// Reply op 11 to heartbeats (set `false` to test zombie-connection detection).
    public var ackHeartbeats: Bool {
        get { state.withLock { $0.ackHeartbeats } }
        set { state.withLock { $0.ackHeartbeats = newValue } }
    }

    /// Interval announced in the next HELLO.
    public var heartbeatIntervalMS: Int {
        get { state.withLock { $0.heartbeatIntervalMS } }
        set { state.withLock { $0.heartbeatIntervalMS = newValue } }
    }

    // MARK: REST scripting & recording

    /// The next `count` REST requests whose `"METHOD /path"` (path without `/api/v10`) contains `route` fail with
    /// `status`. 429 bodies: `{"message":"You are being rate limited.","retry_after":…,"global":…}` plus
    /// `Retry-After`; 5xx bodies: `{"message":"<status>: …","code":0}`.
    public func failNext(route: String, status: Int, retryAfter: Double? = nil, global: Bool = false, count: Int = 1) {
        state.withLock {
            $0.failures.append(
                contentsOf: Array(
                    repeating: RESTFailure(
                        route: route, status: status, retryAfter: retryAfter,
                        global: global), count: count))
        }
    }

    /// Messages created through `POST /channels/{id}/messages`.
    public var sentMessages: [SentMessage] { state.withLock { $0.sent } }
    /// Created messages not deleted since: what the channels show in the end (a reply preview's placeholder
    /// message is deleted once the reply went out).
    public var keptMessages: [SentMessage] {
        state.withLock { s in
            let deleted = Set(s.restRequests.filter { $0.method == "DELETE" }.map(\.path))
            return s.sent.filter { !deleted.contains("/api/v10/channels/\($0.channelId)/messages/\($0.messageId)") }
        }
    }
    /// Channel ids of `POST /channels/{id}/typing` calls.
    public var typingCalls: [String] { state.withLock { $0.typing } }

    /// Bodies of `POST /interactions/{id}/{token}/callback`, in order.
    public var interactionReplies: [(id: String, body: JSONValue)] {
        state.withLock { $0.interactionReplies.map { ($0.0, $0.1) } }
    }

    /// Dispatches `INTERACTION_CREATE` for a press of the button with `customId` by `userId` (a DM press when
    /// `guildId` is nil). Returns the interaction id.
    @discardableResult
    public func dispatchButtonPress(
        customId: String, userId: String, channelId: String, guildId: String? = nil
    ) -> String {
        let id = nextId()
        let user: JSONValue = ["id": .string(userId), "username": "presser", "discriminator": "0"]
        var d: [String: JSONValue] = [
            "id": .string(id), "token": .string("itoken-\(id)"), "type": 3, "version": 1,
            "application_id": "1", "channel_id": .string(channelId),
            "data": ["custom_id": .string(customId), "component_type": 2],
        ]
        if let guildId { d["guild_id"] = .string(guildId); d["member"] = ["user": user] } else { d["user"] = user }
        dispatch(type: "INTERACTION_CREATE", data: .object(d))
        return id
    }

    /// Waits until `count` interaction callbacks arrived.
    public func waitForInteractionReplies(
        count: Int, timeout: Duration = .seconds(5)
    ) async throws -> [(id: String, body: JSONValue)] {
        try await notifier.waitUntil(
            timeout: timeout, "\(count) interaction callbacks (have \(interactionReplies.count))"
        ) {
            let r = interactionReplies
            return r.count >= count ? r : nil
        }
    }
    /// Every REST request (including rejected ones).
    public var restRequests: [RecordedRequest] { state.withLock { $0.restRequests } }

    /// Waits until at least `count` messages were created.
    public func waitForSentMessages(count: Int, timeout: Duration = .seconds(5)) async throws -> [SentMessage] {
        try await notifier.waitUntil(
            timeout: timeout, "\(count) Discord messages (have \(sentMessages.map(\.content)))"
        ) {
            let m = sentMessages
            return m.count >= count ? m : nil
        }
    }

    /// Waits until at least `count` typing calls arrived.
    /// Serves `data` as an attachment on this fake's CDN and returns the attachment object for
    /// `dispatchMessageCreate(attachments:)`. `reportedSize` is the size Discord claims (default: the real one).
    public func addAttachment(
        _ data: [UInt8], filename: String, contentType: String, reportedSize: Int? = nil,
        voice: Bool = false
    ) -> JSONValue {
        let id = nextId()
        let path = "/attachments/\(id)/\(filename)"
        state.withLock { $0.attachments[path] = data }
        var a: [String: JSONValue] = [
            "id": .string(id), "filename": .string(filename), "content_type": .string(contentType),
            "size": .int(reportedSize ?? data.count), "url": .string(baseURL + path),
            "proxy_url": .string(baseURL + path),
        ]
        if voice { a["duration_secs"] = .number(2.5) }
        return .object(a)
    }

    /// Attachment paths downloaded from the fake CDN.
    public var attachmentDownloads: [String] { state.withLock { $0.attachmentDownloads } }

    /// Waits until at least `count` REST requests with `method` (`PATCH`, `DELETE`, …) arrived.
    public func waitForRequests(
        method: String, count: Int, timeout: Duration = .seconds(5)
    ) async throws -> [RecordedRequest] {
        try await notifier.waitUntil(timeout: timeout, "\(count) \(method) requests") {
            let r = restRequests.filter { $0.method == method }
            return r.count >= count ? r : nil
        }
    }

    /// Waits until at least `count` typing calls arrived.
    public func waitForTypingCalls(count: Int, timeout: Duration = .seconds(5)) async throws -> [String] {
        try await notifier.waitUntil(timeout: timeout, "\(count) typing calls (have \(typingCalls.count))") {
            let t = typingCalls
            return t.count >= count ? t : nil
        }
    }

    // MARK: REST

    func user(_ s: State) -> JSONValue {
        [
            "id": .string(s.botId), "username": .string(s.botUsername), "discriminator": "0", "global_name": .null,
            "avatar": .null, "bot": true,
        ]
    }

    private static func rateHeaders(_ bucket: String, remaining: Int = 4, resetAfter: Double = 1) -> [String: String] {
        [
            "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": String(remaining),
            "X-RateLimit-Reset": String(unixTime() + Int(resetAfter.rounded(.up))),
            "X-RateLimit-Reset-After": String(resetAfter), "X-RateLimit-Bucket": bucket,
        ]
    }

    private func handleREST(_ request: Request, _ context: FakeContext) async throws -> Response {
        let rec = try await record(request)
        let prefix = "/api/v10"
        if rec.method == "GET", rec.path.hasPrefix("/attachments/") {  // the CDN
            let data = state.withLock { s -> [UInt8]? in
                s.attachmentDownloads.append(rec.path)
                return s.attachments[rec.path]
            }
            guard let data else { return Reply.json(404, ["message": "404: Not Found", "code": 0]) }
            return Reply.make(200, body: data, contentType: "application/octet-stream")
        }
        guard rec.path.hasPrefix(prefix) else {
            return Reply.json(404, ["message": "404: Not Found", "code": 0])
        }
        let path = String(rec.path.dropFirst(prefix.count))
        let routeKey = "\(rec.method) \(path)"
        let parts = path.split(separator: "/").map(String.init)
        // bucket: route with ids masked except the major parameter (channel id)
        let bucket =
            "fake-" + (parts.first ?? "") + "-" + (parts.count > 2 ? parts[2] : "") + "-" + rec.method.lowercased()
        let (failure, tok) = state.withLock { s -> (RESTFailure?, String) in
            s.restRequests.append(rec)
            var f: RESTFailure?
            if let i = s.failures.firstIndex(where: { routeKey.contains($0.route) }) { f = s.failures.remove(at: i) }
            return (f, s.token)
        }
        notifier.notify()
        var headers = Self.rateHeaders(bucket)
        if let f = failure {
            if f.status == 429 {
                let ra = f.retryAfter ?? 1
                headers = Self.rateHeaders(bucket, remaining: 0, resetAfter: ra)
                headers["Retry-After"] = String(Int(ra.rounded(.up)))
                headers["X-RateLimit-Scope"] = f.global ? "global" : "user"
                if f.global { headers["X-RateLimit-Global"] = "true" }
                return Reply.json(
                    429,
                    [
                        "message": "You are being rate limited.", "retry_after": .number(ra),
                        "global": .bool(f.global), "code": 0,
                    ], headers: headers)
            }
            let text =
                f.status == 502
                ? "Bad Gateway"
                : f.status == 503
                    ? "Service Unavailable"
                    : f.status >= 500
                        ? "Internal Server Error" : "Error"
            return Reply.json(f.status, ["message": .string("\(f.status): \(text)"), "code": 0], headers: headers)
        }
        if rec.method == "GET", path == "/gateway" {
            return Reply.json(200, ["url": .string(gatewayURL)], headers: headers)
        }
        guard rec.header("authorization") == "Bot \(tok)" else {
            return Reply.json(401, ["message": "401: Unauthorized", "code": 0], headers: headers)
        }
        switch (rec.method, parts.count) {
        case ("GET", 2) where path == "/gateway/bot":
            return Reply.json(
                200,
                [
                    "url": .string(gatewayURL), "shards": 1,
                    "session_start_limit": [
                        "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1,
                    ],
                ], headers: headers)
        case ("GET", 2) where path == "/users/@me":
            return Reply.json(200, state.withLock { user($0) }, headers: headers)
        case ("GET", 3) where parts[0] == "channels" && parts[2] == "messages":
            return Reply.json(200, .array(history(channelId: parts[1], query: rec.query)), headers: headers)
        case ("POST", 3) where parts[0] == "channels" && parts[2] == "messages":
            return createMessage(channelId: parts[1], rec, headers)
        case ("PATCH", 4) where parts[0] == "channels" && parts[2] == "messages":
            let content = rec.json?["content"]?.stringValue ?? ""
            if content.count > 2000 { return Self.tooLong(headers) }
            return Reply.json(
                200, messageObject(id: parts[3], channelId: parts[1], content: content, edited: true), headers: headers)
        case ("DELETE", 4) where parts[0] == "channels" && parts[2] == "messages":
            return Reply.empty(204, headers: headers)
        case ("POST", 3) where path == "/users/@me/channels":
            let recipient = rec.json?["recipient_id"]?.stringValue ?? ""
            return Reply.json(
                200,
                [
                    "id": .string("dm-\(recipient)"), "type": 1,
                    "recipients": [["id": .string(recipient), "username": "user"]],
                ], headers: headers)
        case ("POST", 4) where parts[0] == "interactions" && parts[3] == "callback":
            state.withLock { $0.interactionReplies.append((parts[1], rec.json ?? .null)) }
            notifier.notify()
            return Reply.empty(204, headers: headers)
        case ("POST", 3) where parts[0] == "channels" && parts[2] == "typing":
            state.withLock { $0.typing.append(parts[1]) }
            notifier.notify()
            return Reply.empty(204, headers: headers)
        default:
            return Reply.json(404, ["message": "404: Not Found", "code": 0], headers: headers)
        }
    }

    /// Messages of a channel after `after` (snowflake order), newest first, at most `limit` (default 50).
    private func history(channelId: String, query: String) -> [JSONValue] {
        var after = ""
        var limit = 50
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            if kv[0] == "after" { after = kv[1] }
            if kv[0] == "limit", let n = Int(kv[1]) { limit = min(max(n, 1), 100) }
        }
        let all = state.withLock { $0.history[channelId] ?? [] }
        let newer = all.filter { m in
            let id = m["id"]?.stringValue ?? ""
            return (id.count, id) > (after.count, after)
        }
        // Discord returns the oldest `limit` after the id, newest first.
        return Array(newer.prefix(limit).reversed())
    }

    private static func tooLong(_ headers: [String: String]) -> Response {
        Reply.json(
            400,
            [
                "message": "Invalid Form Body", "code": 50035,
                "errors": [
                    "content": [
                        "_errors": [["code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."]]
                    ]
                ],
            ], headers: headers)
    }

    func nextId() -> String {
        let n = state.withLock { s -> Int in
            s.idCounter += 1
            return s.idCounter
        }
        return DiscordIDs.snowflake(n)
    }

    private func messageObject(
        id: String, channelId: String, content: String, edited: Bool = false,
        reference: String? = nil
    ) -> JSONValue {
        let author = state.withLock { user($0) }
        var m: [String: JSONValue] = [
            "id": .string(id), "channel_id": .string(channelId), "author": author, "content": .string(content),
            "timestamp": .string(DiscordIDs.iso8601(unixTime())),
            "edited_timestamp": edited ? .string(DiscordIDs.iso8601(unixTime())) : .null, "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false, "type": reference == nil ? 0 : 19,
        ]
        if let reference {
            m["message_reference"] = ["message_id": .string(reference), "channel_id": .string(channelId)]
        }
        return .object(m)
    }

    private func createMessage(channelId: String, _ rec: RecordedRequest, _ headers: [String: String]) -> Response {
        // A message with attachments: multipart with `payload_json` and `files[n]`.
        var files: [MultipartPart] = []
        var json = rec.json
        let ct = rec.header("content-type") ?? ""
        if ct.contains("multipart/form-data") {
            guard let parts = MultipartParsing.parse(rec.body, contentType: ct) else {
                return Reply.json(400, ["message": "400: Bad Request", "code": 0], headers: headers)
            }
            json = parts.first { $0.name == "payload_json" }.flatMap { JSONValue.parse($0.text) } ?? [:]
            files = parts.filter { $0.name.hasPrefix("files[") && $0.filename != nil }
            if files.contains(where: { $0.data.count > 10 << 20 }) {
                return Reply.json(413, ["message": "Request entity too large", "code": 40005], headers: headers)
            }
        }
        guard let body = json, case .object = body else {
            return Reply.json(400, ["message": "400: Bad Request", "code": 0], headers: headers)
        }
        let content = body["content"]?.stringValue ?? ""
        let hasOther = !(body["embeds"]?.arrayValue ?? []).isEmpty || body["sticker_ids"] != nil || !files.isEmpty
        if content.isEmpty && !hasOther {
            return Reply.json(400, ["message": "Cannot send an empty message", "code": 50006], headers: headers)
        }
        if content.count > 2000 { return Self.tooLong(headers) }
        let ref =
            body["message_reference"]?["message_id"]?.stringValue
            ?? body["message_reference"]?["message_id"]?.intValue.map(String.init)
        let id = nextId()
        let msg = messageObject(id: id, channelId: channelId, content: content, reference: ref)
        state.withLock {
            $0.sent.append(
                SentMessage(
                    channelId: channelId, content: content, replyToMessageId: ref, messageId: id, body: body,
                    files: files))
        }
        notifier.notify()
        return Reply.json(200, msg, headers: headers)
    }
}
