import Hummingbird
import Synchronization

/// Telegram Bot API peer at `/bot<TOKEN>/<method>` (client base_url = `baseURL`, i.e. in place of
/// `https://api.telegram.org`). Parameters are read from the query string, JSON bodies and form bodies.
///
/// Implemented methods: `getMe`, `getUpdates` (real long-poll, offset confirmation, `limit`, `allowed_updates`,
/// 409 when a newer `getUpdates` supersedes a waiting one), `sendMessage` (4096 limit, HTML/MarkdownV2 entity
/// checks), `sendChatAction`, `editMessageText`, `deleteMessage`, `answerCallbackQuery`, `setMyCommands`,
/// `deleteWebhook`, `getWebhookInfo`; any other method answers `{"ok":true,"result":true}` (see `setResult`).
public final class FakeTelegram: Sendable {
    /// A `sendMessage` call that Telegram accepted.
    public struct SentMessage: Sendable {
        /// `chat_id` as an integer (0 if it was a `@channel` name; see `chatIdRaw`).
        public let chatId: Int
        /// `chat_id` as sent.
        public let chatIdRaw: String
        /// `text` as sent (with markup).
        public let text: String
        /// `parse_mode` if any.
        public let parseMode: String?
        /// `reply_to_message_id` or `reply_parameters.message_id`.
        public let replyToMessageId: Int?
        /// The `message_id` the fake assigned.
        public let messageId: Int
        /// All parameters.
        public let params: JSONValue
    }

    /// A `sendChatAction` call.
    public struct ChatAction: Sendable, Equatable {
        public let chatId: Int
        public let action: String
    }

    /// One `getUpdates` call (recorded when it arrives).
    public struct GetUpdatesCall: Sendable {
        public let offset: Int?
        public let timeout: Int
        public let limit: Int?
        public let allowedUpdates: [String]?
    }

    /// Any API call (after token check), in arrival order.
    public struct Call: Sendable {
        public let method: String
        public let params: JSONValue
        public let http: RecordedRequest
    }

    enum Failure: Sendable {
        case status(Int, retryAfter: Int?, description: String?)
        case malformed
        case drop(after: Duration)
    }

    private struct State {
        var token: String
        var botId: Int
        var botUsername: String
        var botFirstName: String
        var nextUpdateId = 100_000_001
        var nextMessageId = 1
        var updates: [(id: Int, update: JSONValue)] = []
        /// Updates served verbatim (by their queue id) instead of serialising `updates[i].update`.
        var rawUpdates: [Int: String] = [:]
        var allowedUpdates: [String] = []
        var pollGeneration = 0
        var failures: [String: [Failure]] = [:]
        var results: [String: JSONValue] = [:]
        var lastBotMessage: [Int: JSONValue] = [:]
        var sent: [SentMessage] = []
        var sentAt: [ContinuousClock.Instant] = []
        var actions: [ChatAction] = []
        var getUpdatesCalls: [GetUpdatesCall] = []
        var calls: [Call] = []
        var draftsSupported = true
        var drafts: [Draft] = []
        var edits: [Edit] = []
        var deleted: [Int] = []
        var uploads: [Upload] = []
        var files: [String: (path: String, data: [UInt8], reportedSize: Int)] = [:]
        var fileDownloads: [String] = []
    }

    /// An accepted `sendDocument` / `sendPhoto` upload.
    public struct Upload: Sendable {
        public let method: String
        public let chatId: Int
        public let threadId: Int?
        public let caption: String?
        public let file: MultipartPart
    }

    /// A `sendMessageDraft` call Telegram accepted (private chats only).
    public struct Draft: Sendable {
        public let chatId: Int
        public let draftId: Int
        public let text: String
        public let threadId: Int?
        /// `can_stop`: whether the user was shown Telegram's stop button (Bot API 10.3).
        public let canStop: Bool
    }

    /// An accepted `editMessageText` call.
    public struct Edit: Sendable {
        public let chatId: Int
        public let messageId: Int
        public let text: String
    }
    private let state: Mutex<State>
    private let notifier = ChangeNotifier()
    private let runner = Mutex<FakeServerRunner?>(nil)

    /// Bound port (valid after `start()`).
    public var port: Int { runner.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT` — use as the Bot API base URL.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The valid token.
    public var token: String { state.withLock { $0.token } }
    /// The bot's user id.
    public var botId: Int { state.withLock { $0.botId } }
    /// The bot's username (without `@`).
    public var botUsername: String { state.withLock { $0.botUsername } }

    public init(
        token: String = "123456:TEST-token", botId: Int = 123456, botUsername: String = "pico_test_bot",
        botFirstName: String = "Pico"
    ) {
        state = Mutex(State(token: token, botId: botId, botUsername: botUsername, botFirstName: botFirstName))
    }

    /// Creates and starts a fake on an ephemeral loopback port.
    public static func start(
        token: String = "123456:TEST-token", botId: Int = 123456,
        botUsername: String = "pico_test_bot"
    ) async throws -> FakeTelegram {
        let f = FakeTelegram(token: token, botId: botId, botUsername: botUsername)
        try await f.start()
        return f
    }

    /// Starts listening. Call once.
    public func start() async throws {
        let r = try await FakeServerRunner.start(name: "telegram") { [self] req, ctx in try await self.handle(req, ctx)
        }
        runner.withLock { $0 = r }
    }

    /// Stops the server; pending long polls end with their connection closed.
    public func stop() async {
        let r = runner.withLock { $0 }
        await r?.stop()
        notifier.notify()
    }

    // MARK: Scripting

    /// Queues an incoming text message update and returns its `update_id`.
    /// - Parameters:
    ///   - entities: explicit entities; `nil` → `bot_command` / `mention` entities computed like Telegram does.
    ///   - replyToBotMessage: include `reply_to_message` pointing at the bot's last message in that chat
    ///     (or a synthesized bot message).
    @discardableResult
    public func enqueueTextMessage(
        from userId: Int = 1001, username: String? = "alice", firstName: String = "Alice", chatId: Int? = nil,
        chatType: String = "private", chatTitle: String = "Test Group", text: String, entities: [JSONValue]? = nil,
        replyToBotMessage: Bool = false, threadId: Int? = nil
    ) -> Int {
        let chat = chatId ?? userId
        let id = state.withLock { s -> Int in
            var chatObj: [String: JSONValue] = ["id": .int(chat), "type": .string(chatType)]
            if chatType == "private" {
                chatObj["first_name"] = .string(firstName)
                if let username { chatObj["username"] = .string(username) }
            } else {
                chatObj["title"] = .string(chatTitle)
            }
            var from: [String: JSONValue] = [
                "id": .int(userId), "is_bot": false, "first_name": .string(firstName),
                "language_code": "en",
            ]
            if let username { from["username"] = .string(username) }
            var msg: [String: JSONValue] = [
                "message_id": .int(s.nextMessageId), "from": .object(from), "chat": .object(chatObj),
                "date": .int(unixTime()), "text": .string(text),
            ]
            s.nextMessageId += 1
            if let threadId {
                msg["message_thread_id"] = .int(threadId)
                msg["is_topic_message"] = true
            }
            let ents = entities ?? TelegramText.autoEntities(text)
            if !ents.isEmpty { msg["entities"] = .array(ents) }
            if replyToBotMessage {
                msg["reply_to_message"] =
                    s.lastBotMessage[chat] ?? [
                        "message_id": .int(s.nextMessageId), "from": botUser(s), "chat": .object(chatObj),
                        "date": .int(unixTime() - 60), "text": "earlier bot message",
                    ]
                s.nextMessageId += 1
            }
            return appendUpdate(&s, ["message": .object(msg)])
        }
        notifier.notify()
        return id
    }

    /// Queues a `callback_query` update: user `userId` pressed the inline button carrying `data` under a message
    /// in chat `chatId` (default: the user's private chat). Returns the `update_id`.
    @discardableResult
    public func enqueueCallbackQuery(from userId: Int, data: String, chatId: Int? = nil, messageId: Int = 1) -> Int {
        let chat = chatId ?? userId
        return enqueueRawUpdate([
            "callback_query": [
                "id": .string("cbq-\(userId)-\(unixTime())-\(data.hashValue & 0xffff)"),
                "from": ["id": .int(userId), "is_bot": false, "first_name": "Presser"],
                "message": [
                    "message_id": .int(messageId), "date": .int(unixTime()),
                    "chat": ["id": .int(chat), "type": .string(chat == userId ? "private" : "supergroup")],
                ],
                "chat_instance": "1", "data": .string(data),
            ]
        ])
    }

    /// The user presses the stop button Telegram shows on `draft` (only drafts sent with `can_stop`): queues the
    /// `stopped_message_generation` update Telegram sends then (Bot API 10.3). Returns the `update_id`, or `nil`
    /// when the draft showed no stop button.
    @discardableResult
    public func pressStop(on draft: Draft) -> Int? {
        guard draft.canStop else { return nil }
        return enqueueGenerationStopped(chatId: draft.chatId, draftId: draft.draftId, threadId: draft.threadId)
    }

    /// Queues a `stopped_message_generation` update for draft `draftId` in the private chat `chatId`.
    @discardableResult
    public func enqueueGenerationStopped(chatId: Int, draftId: Int, threadId: Int? = nil) -> Int {
        var stopped: [String: JSONValue] = [
            "chat": ["id": .int(chatId), "type": "private", "first_name": "Alice"],
            "draft_id": .int(draftId),
        ]
        if let threadId { stopped["message_thread_id"] = .int(threadId) }
        return enqueueRawUpdate(["stopped_message_generation": .object(stopped)])
    }

    /// The `callback_data` of every inline keyboard button sent to `chatId`, in order (row by row).
    public func inlineButtons(sentTo chatId: Int) -> [(text: String, data: String)] {
        sentMessages.filter { $0.chatId == chatId }.flatMap { message -> [(text: String, data: String)] in
            guard let rows = message.params["reply_markup"]?["inline_keyboard"]?.arrayValue else { return [] }
            return rows.flatMap { $0.arrayValue ?? [] }.compactMap { b in
                guard let text = b["text"]?.stringValue, let data = b["callback_data"]?.stringValue else { return nil }
                return (text, data)
            }
        }
    }

    /// Queues a photo message (Telegram's sizes: a thumbnail and the full picture) whose full-size file serves
    /// `data`. `reportedSize` is the `file_size` Telegram claims (default: the real size). Returns the `update_id`.
    @discardableResult
    public func enqueuePhotoMessage(
        from userId: Int = 1001, chatId: Int? = nil, chatType: String = "private",
        caption: String? = nil, data: [UInt8], reportedSize: Int? = nil
    ) -> Int {
        let full = addFile(data, path: "photos", ext: "jpg", reportedSize: reportedSize)
        let thumb = addFile(Array(data.prefix(16)), path: "photos", ext: "jpg", reportedSize: nil)
        var fields: [String: JSONValue] = [
            "photo": [
                [
                    "file_id": .string(thumb), "file_unique_id": .string(thumb + "u"), "width": 90, "height": 60,
                    "file_size": 16,
                ],
                [
                    "file_id": .string(full), "file_unique_id": .string(full + "u"), "width": 1280, "height": 853,
                    "file_size": .int(reportedSize ?? data.count),
                ],
            ]
        ]
        if let caption { fields["caption"] = .string(caption) }
        return enqueueMediaMessage(from: userId, chatId: chatId, chatType: chatType, fields: fields)
    }

    /// Queues a voice note whose file serves `data` (`audio/ogg`). Returns the `update_id`.
    @discardableResult
    public func enqueueVoiceMessage(
        from userId: Int = 1001, chatId: Int? = nil, data: [UInt8], duration: Int = 3
    ) -> Int {
        let id = addFile(data, path: "voice", ext: "oga", reportedSize: nil)
        return enqueueMediaMessage(
            from: userId, chatId: chatId, chatType: "private",
            fields: [
                "voice": [
                    "file_id": .string(id), "file_unique_id": .string(id + "u"), "duration": .int(duration),
                    "mime_type": "audio/ogg", "file_size": .int(data.count),
                ]
            ])
    }

    /// Queues a document (`mime_type` as given) whose file serves `data`. Returns the `update_id`.
    @discardableResult
    public func enqueueDocumentMessage(
        from userId: Int = 1001, chatId: Int? = nil, fileName: String, mimeType: String,
        data: [UInt8], caption: String? = nil
    ) -> Int {
        let id = addFile(data, path: "documents", ext: "bin", reportedSize: nil)
        var fields: [String: JSONValue] = [
            "document": [
                "file_id": .string(id), "file_unique_id": .string(id + "u"),
                "file_name": .string(fileName), "mime_type": .string(mimeType),
                "file_size": .int(data.count),
            ]
        ]
        if let caption { fields["caption"] = .string(caption) }
        return enqueueMediaMessage(from: userId, chatId: chatId, chatType: "private", fields: fields)
    }

    /// Queues an animation the way Telegram delivers a GIF from its GIF picker: an MP4 video (`animation` and, for
    /// backward compatibility, `document`) with a thumbnail whose file serves `thumbnail`. Returns the `update_id`.
    @discardableResult
    public func enqueueAnimationMessage(
        from userId: Int = 1001, video: [UInt8], thumbnail: [UInt8],
        mimeType: String = "video/mp4", caption: String? = nil
    ) -> Int {
        let clip = addFile(video, path: "animations", ext: "mp4", reportedSize: nil)
        let still = addFile(thumbnail, path: "thumbnails", ext: "jpg", reportedSize: nil)
        let file: [String: JSONValue] = [
            "file_id": .string(clip), "file_unique_id": .string(clip + "u"),
            "file_name": "clip.mp4", "mime_type": .string(mimeType), "file_size": .int(video.count),
            "thumbnail": [
                "file_id": .string(still), "file_unique_id": .string(still + "u"),
                "width": 320, "height": 180, "file_size": .int(thumbnail.count),
            ],
        ]
        var animation = file
        animation["width"] = 640; animation["height"] = 360; animation["duration"] = 3
        var fields: [String: JSONValue] = ["animation": .object(animation), "document": .object(file)]
        if let caption { fields["caption"] = .string(caption) }
        return enqueueMediaMessage(from: userId, chatId: nil, chatType: "private", fields: fields)
    }

    /// File paths downloaded through `/file/bot<token>/…`, in order.
    public var fileDownloads: [String] { state.withLock { $0.fileDownloads } }

    private func addFile(_ data: [UInt8], path: String, ext: String, reportedSize: Int?) -> String {
        state.withLock { s in
            let n = s.files.count + 1
            let id = "FILE\(n)x\(data.count)"
            s.files[id] = ("\(path)/file_\(n).\(ext)", data, reportedSize ?? data.count)
            return id
        }
    }

    private func enqueueMediaMessage(
        from userId: Int, chatId: Int?, chatType: String, fields: [String: JSONValue]
    ) -> Int {
        let chat = chatId ?? userId
        let id = state.withLock { s -> Int in
            var msg: [String: JSONValue] = [
                "message_id": .int(s.nextMessageId),
                "from": ["id": .int(userId), "is_bot": false, "first_name": "Alice", "username": "alice"],
                "chat": ["id": .int(chat), "type": .string(chatType)], "date": .int(unixTime()),
            ]
            msg.merge(fields) { $1 }
            s.nextMessageId += 1
            return appendUpdate(&s, ["message": .object(msg)])
        }
        notifier.notify()
        return id
    }

    /// Queues an arbitrary update (`edited_message`, `callback_query`, `my_chat_member`, …). `update_id` is added
    /// (overwriting any given). Returns the `update_id`.
    @discardableResult
    public func enqueueRawUpdate(_ update: JSONValue) -> Int {
        let id = state.withLock { appendUpdate(&$0, update) }
        notifier.notify()
        return id
    }

    /// Queues an update given as raw JSON text, served verbatim: no `update_id` is added, so it can be an update a
    /// real Telegram never sends (no `update_id`, nesting deeper than any decoder allows). Returns its queue id,
    /// which orders it among the other updates; an `offset` above that id confirms (removes) it.
    @discardableResult
    public func enqueueRawUpdateText(_ text: String) -> Int {
        let id = state.withLock { s -> Int in
            let id = s.nextUpdateId
            s.nextUpdateId += 1
            s.updates.append((id, ["message": .null]))
            s.rawUpdates[id] = text
            return id
        }
        notifier.notify()
        return id
    }

    /// Next `count` calls of `method` fail with `status` (e.g. 429 with `retryAfter`, 502, 400 with `description`).
    public func failNext(
        method: String, status: Int, retryAfter: Int? = nil, description: String? = nil, count: Int = 1
    ) {
        addFailure(
            method, Array(repeating: .status(status, retryAfter: retryAfter, description: description), count: count))
    }

    /// Next call of `method` returns 200 with a body that is not JSON.
    public func malformedNext(method: String, count: Int = 1) {
        addFailure(method, Array(repeating: .malformed, count: count))
    }

    /// Next call of `method` has its TCP connection closed without any response, after `after`
    /// (e.g. to simulate a dropped long poll).
    public func dropConnectionNext(method: String, after: Duration = .zero, count: Int = 1) {
        addFailure(method, Array(repeating: .drop(after: after), count: count))
    }

    /// Whether `sendMessageDraft` exists (`false`: 404 Not Found, like a Bot API server older than 9.3).
    public func setDraftsSupported(_ supported: Bool) {
        state.withLock { $0.draftsSupported = supported }
    }

    /// Accepted `sendMessageDraft` calls.
    public var drafts: [Draft] { state.withLock { $0.drafts } }
    /// Accepted file uploads.
    public var uploads: [Upload] { state.withLock { $0.uploads } }

    /// Waits until at least `count` uploads were accepted.
    public func waitForUploads(count: Int, timeout: Duration = .seconds(5)) async throws -> [Upload] {
        try await notifier.waitUntil(timeout: timeout, "\(count) uploads") {
            let u = uploads
            return u.count >= count ? u : nil
        }
    }

    /// Accepted `editMessageText` calls.
    public var edits: [Edit] { state.withLock { $0.edits } }
    /// Message ids removed with `deleteMessage`.
    public var deletedMessageIds: [Int] { state.withLock { $0.deleted } }
    /// Accepted `sendMessage` calls whose message was not deleted since: what the chats show in the end (a reply
    /// preview's placeholder message is deleted once the reply went out).
    public var keptMessages: [SentMessage] {
        state.withLock { s in s.sent.filter { !s.deleted.contains($0.messageId) } }
    }

    /// Waits until at least `count` drafts were accepted.
    public func waitForDrafts(count: Int, timeout: Duration = .seconds(5)) async throws -> [Draft] {
        try await notifier.waitUntil(timeout: timeout, "\(count) drafts (have \(drafts.map(\.text)))") {
            let d = drafts
            return d.count >= count ? d : nil
        }
    }

    /// Waits until at least `count` edits were accepted.
    public func waitForEdits(count: Int, timeout: Duration = .seconds(5)) async throws -> [Edit] {
        try await notifier.waitUntil(timeout: timeout, "\(count) edits (have \(edits.map(\.text)))") {
            let e = edits
            return e.count >= count ? e : nil
        }
    }

    /// Fixed `result` for `method` (for methods the fake does not model).
    public func setResult(method: String, result: JSONValue) {
        state.withLock { $0.results[method.lowercased()] = result }
    }

    // MARK: Recording

    /// Accepted `sendMessage` calls.
    public var sentMessages: [SentMessage] { state.withLock { $0.sent } }
    /// `sendChatAction` calls.
    public var chatActions: [ChatAction] { state.withLock { $0.actions } }
    /// `getUpdates` calls.
    public var getUpdatesCalls: [GetUpdatesCall] { state.withLock { $0.getUpdatesCalls } }
    /// Every call with a valid token.
    public var calls: [Call] { state.withLock { $0.calls } }
    /// Updates not yet confirmed by an offset.
    public var pendingUpdateCount: Int { state.withLock { $0.updates.count } }

    /// Waits until at least `count` messages were sent.
    public func waitForSentMessages(count: Int, timeout: Duration = .seconds(5)) async throws -> [SentMessage] {
        try await notifier.waitUntil(timeout: timeout, "\(count) sent messages (have \(sentMessages.map(\.text)))") {
            let m = sentMessages
            return m.count >= count ? m : nil
        }
    }

    /// Waits until at least `count` chat actions were sent.
    public func waitForChatActions(count: Int, timeout: Duration = .seconds(5)) async throws -> [ChatAction] {
        try await notifier.waitUntil(timeout: timeout, "\(count) chat actions (have \(chatActions.count))") {
            let a = chatActions
            return a.count >= count ? a : nil
        }
    }

    /// Waits until at least `count` getUpdates calls arrived.
    public func waitForGetUpdatesCalls(count: Int, timeout: Duration = .seconds(5)) async throws -> [GetUpdatesCall] {
        try await notifier.waitUntil(timeout: timeout, "\(count) getUpdates calls (have \(getUpdatesCalls.count))") {
            let c = getUpdatesCalls
            return c.count >= count ? c : nil
        }
    }

    /// Waits until every queued update was confirmed (an offset above its id was sent).
    public func waitForUpdatesConfirmed(timeout: Duration = .seconds(5)) async throws {
        try await notifier.waitUntil(timeout: timeout, "updates confirmed (\(pendingUpdateCount) pending)") {
            pendingUpdateCount == 0 ? () : nil
        }
    }

    /// Waits until at least `count` calls of `method` arrived.
    public func waitForCalls(method: String, count: Int, timeout: Duration = .seconds(5)) async throws -> [Call] {
        let m = method.lowercased()
        return try await notifier.waitUntil(timeout: timeout, "\(count) \(method) calls") {
            let c = calls.filter { $0.method.lowercased() == m }
            return c.count >= count ? c : nil
        }
    }

    // MARK: Timing (for benchmarks: no copies of the whole history)

    /// Number of accepted `sendMessage` calls.
    public var sentMessageCount: Int { state.withLock { $0.sent.count } }

    /// Accepted `sendMessage` calls from index `from` on, each with the `ContinuousClock` instant it was accepted.
    public func sentMessages(from index: Int) -> [(message: SentMessage, at: ContinuousClock.Instant)] {
        state.withLock { s in
            guard index < s.sent.count else { return [] }
            return (max(0, index)..<s.sent.count).map { (s.sent[$0], s.sentAt[$0]) }
        }
    }

    /// Waits until at least `count` messages were sent, without copying them.
    public func waitForSentMessageCount(_ count: Int, timeout: Duration = .seconds(5)) async throws {
        try await notifier.waitUntil(timeout: timeout, "\(count) sent messages (have \(sentMessageCount))") {
            sentMessageCount >= count ? () : nil
        }
    }

    // MARK: Internals

    private func addFailure(_ method: String, _ f: [Failure]) {
        state.withLock { $0.failures[method.lowercased(), default: []].append(contentsOf: f) }
    }

    private func appendUpdate(_ s: inout State, _ update: JSONValue) -> Int {
        let id = s.nextUpdateId
        s.nextUpdateId += 1
        var u = update.objectValue ?? [:]
        u["update_id"] = .int(id)
        s.updates.append((id, .object(u)))
        return id
    }

    private func botUser(_ s: State) -> JSONValue {
        [
            "id": .int(s.botId), "is_bot": true, "first_name": .string(s.botFirstName),
            "username": .string(s.botUsername),
        ]
    }

    private static func ok(_ result: JSONValue) -> Response { Reply.json(200, ["ok": true, "result": result]) }

    private static func error(_ code: Int, _ description: String, retryAfter: Int? = nil) -> Response {
        var body: [String: JSONValue] = ["ok": false, "error_code": .int(code), "description": .string(description)]
        if let retryAfter { body["parameters"] = ["retry_after": .int(retryAfter)] }
        return Reply.json(code, .object(body), headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:])
    }

    private static func params(_ rec: RecordedRequest) -> [String: JSONValue] {
        var p: [String: JSONValue] = [:]
        for (k, v) in rec.queryItems { p[k] = .string(v) }
        let ct = rec.header("content-type") ?? ""
        if let json = rec.json?.objectValue, !ct.contains("x-www-form-urlencoded") {
            p.merge(json) { $1 }
        } else if ct.contains("multipart/form-data") {
            for part in MultipartParsing.parse(rec.body, contentType: ct) ?? [] {
                p[part.name] =
                    part.filename == nil
                    ? .string(part.text)
                    : [
                        "filename": .string(part.filename!), "size": .int(part.data.count),
                        "content_type": .optString(part.contentType),
                    ]
            }
        } else if ct.contains("x-www-form-urlencoded") || (!rec.body.isEmpty && !ct.contains("multipart")) {
            for (k, v) in FormDecoding.decode(rec.bodyString) {
                // form values holding JSON (reply_markup, allowed_updates) are kept as parsed JSON
                if let first = v.first, first == "[" || first == "{", let j = JSONValue.parse(v) {
                    p[k] = j
                } else {
                    p[k] = .string(v)
                }
            }
        }
        return p
    }

    private func handle(_ request: Request, _ context: FakeContext) async throws -> Response {
        let rec = try await record(request)
        let parts = rec.path.split(separator: "/", maxSplits: 2).map(String.init)
        if parts.count == 3, parts[0] == "file" {  // GET /file/bot<token>/<file_path>
            guard parts[1] == "bot" + token else { return Self.error(401, "Unauthorized") }
            let file = state.withLock { s -> [UInt8]? in
                guard let f = s.files.values.first(where: { $0.path == parts[2] }) else { return nil }
                s.fileDownloads.append(parts[2])
                return f.data
            }
            notifier.notify()
            guard let file else { return Self.error(404, "Not Found") }
            return Reply.make(200, body: file, contentType: "application/octet-stream")
        }
        guard parts.count == 2, parts[0].hasPrefix("bot") else { return Self.error(404, "Not Found") }
        guard String(parts[0].dropFirst(3)) == token else { return Self.error(401, "Unauthorized") }
        let method = parts[1]
        let m = method.lowercased()
        let p = Self.params(rec)
        let pj = JSONValue.object(p)
        let failure = state.withLock { s -> Failure? in
            s.calls.append(Call(method: method, params: pj, http: rec))
            if m == "getupdates" {
                let allowed = p["allowed_updates"].flatMap { v -> [String]? in
                    if let a = v.arrayValue { return a.compactMap(\.stringValue) }
                    if let str = v.stringValue, let a = JSONValue.parse(str)?.arrayValue {
                        return a.compactMap(\.stringValue)
                    }
                    return nil
                }
                s.getUpdatesCalls.append(
                    GetUpdatesCall(
                        offset: p["offset"]?.intValue, timeout: p["timeout"]?.intValue ?? 0,
                        limit: p["limit"]?.intValue,
                        allowedUpdates: allowed))
            }
            guard var list = s.failures[m], !list.isEmpty else { return nil }
            let f = list.removeFirst()
            s.failures[m] = list
            return f
        }
        notifier.notify()
        switch failure {
        case .status(let code, let retryAfter, let description)?:
            let d = description ?? Self.describe(code, retryAfter: retryAfter)
            return Self.error(code, d, retryAfter: code == 429 ? (retryAfter ?? 1) : retryAfter)
        case .malformed?:
            return Reply.make(
                200, body: Array("{\"ok\":true,\"result\":[{\"update_id\":".utf8), contentType: "application/json")
        case .drop(let after)?:
            if after > .zero { await fakeSleep(after) }
            try await dropConnection(context)
        case nil:
            break
        }
        switch m {
        case "getme":
            return Self.ok(
                state.withLock { s in
                    guard case .object(var u) = botUser(s) else { return .null }
                    u["can_join_groups"] = true
                    u["can_read_all_group_messages"] = false
                    u["supports_inline_queries"] = false
                    return .object(u)
                })
        case "getupdates": return await getUpdates(p)
        case "sendmessage": return sendMessage(p)
        case "sendchataction":
            guard let chat = p["chat_id"], let action = p["action"]?.stringValue else {
                return Self.error(400, "Bad Request: chat_id is empty")
            }
            state.withLock { $0.actions.append(ChatAction(chatId: chat.intValue ?? 0, action: action)) }
            notifier.notify()
            return Self.ok(true)
        case "getfile":
            guard let id = p["file_id"]?.stringValue, let f = state.withLock({ $0.files[id] }) else {
                return Self.error(400, "Bad Request: invalid file_id")
            }
            if f.reportedSize > 20 << 20 { return Self.error(400, "Bad Request: file is too big") }
            return Self.ok([
                "file_id": .string(id), "file_unique_id": .string(id + "u"), "file_size": .int(f.reportedSize),
                "file_path": .string(f.path),
            ])
        case "senddocument", "sendphoto":
            let field = m == "sendphoto" ? "photo" : "document"
            let parts = MultipartParsing.parse(rec.body, contentType: rec.header("content-type") ?? "") ?? []
            guard let chat = p["chat_id"]?.intValue ?? p["chat_id"]?.stringValue.flatMap({ Int($0) }) else {
                return Self.error(400, "Bad Request: chat_id is empty")
            }
            guard let file = parts.first(where: { $0.name == field && $0.filename != nil }) else {
                return Self.error(400, "Bad Request: there is no \(field) in the request")
            }
            if m == "sendphoto", !Self.looksLikeImage(file.data) {
                return Self.error(400, "Bad Request: IMAGE_PROCESS_FAILED")
            }
            let thread = p["message_thread_id"]?.intValue ?? p["message_thread_id"]?.stringValue.flatMap { Int($0) }
            let mid = state.withLock { s -> Int in
                s.uploads.append(
                    Upload(
                        method: method, chatId: chat, threadId: thread, caption: p["caption"]?.stringValue, file: file))
                s.nextMessageId += 1
                return s.nextMessageId - 1
            }
            notifier.notify()
            return Self.ok(
                state.withLock { s in
                    [
                        "message_id": .int(mid), "from": botUser(s), "date": .int(unixTime()),
                        "chat": ["id": .int(chat), "type": "private"],
                    ]
                })
        case "sendmessagedraft":
            guard state.withLock({ $0.draftsSupported }) else { return Self.error(404, "Not Found") }
            guard let chat = p["chat_id"]?.intValue, chat > 0 else {
                return Self.error(400, "Bad Request: TEXTDRAFT_PEER_INVALID")
            }
            guard let draft = p["draft_id"]?.intValue, draft != 0 else {
                return Self.error(400, "Bad Request: draft_id must be non-zero")
            }
            let text = p["text"]?.stringValue ?? ""
            if text.utf16.count > 4096 { return Self.error(400, "Bad Request: text is too long") }
            let canStop = p["can_stop"]?.boolValue ?? (p["can_stop"]?.stringValue == "true")
            state.withLock {
                $0.drafts.append(
                    Draft(
                        chatId: chat, draftId: draft, text: text, threadId: p["message_thread_id"]?.intValue,
                        canStop: canStop))
            }
            notifier.notify()
            return Self.ok(true)
        case "deletemessage":
            guard let mid = p["message_id"]?.intValue else {
                return Self.error(400, "Bad Request: message identifier is not specified")
            }
            state.withLock { $0.deleted.append(mid) }
            notifier.notify()
            return Self.ok(true)
        case "editmessagetext":
            guard let text = p["text"]?.stringValue, !text.isEmpty else {
                return Self.error(400, "Bad Request: message text is empty")
            }
            if case .failure(let e) = TelegramText.parse(text, mode: p["parse_mode"]?.stringValue) {
                return Self.error(400, "Bad Request: \(e.description)")
            }
            if text.utf16.count > 4096 { return Self.error(400, "Bad Request: MESSAGE_TOO_LONG") }
            state.withLock {
                $0.edits.append(
                    Edit(chatId: p["chat_id"]?.intValue ?? 0, messageId: p["message_id"]?.intValue ?? 0, text: text))
            }
            notifier.notify()
            return Self.ok(
                state.withLock { s in
                    [
                        "message_id": p["message_id"] ?? 0, "from": botUser(s), "date": .int(unixTime()),
                        "edit_date": .int(unixTime()),
                        "chat": ["id": p["chat_id"].flatMap { .int($0.intValue ?? 0) } ?? 0, "type": "private"],
                        "text": .string(text),
                    ]
                })
        case "getwebhookinfo":
            return Self.ok([
                "url": "", "has_custom_certificate": false, "pending_update_count": .int(pendingUpdateCount),
            ])
        default:
            if let r = state.withLock({ $0.results[m] }) { return Self.ok(r) }
            let known: Set<String> = [
                "deletemessage", "answercallbackquery", "setmycommands", "deletewebhook",
                "setmessagereaction", "deletemycommands", "setwebhook", "logout", "close",
            ]
            return known.contains(m) ? Self.ok(true) : Self.error(404, "Not Found")
        }
    }

    static func looksLikeImage(_ d: [UInt8]) -> Bool {
        d.starts(with: [0xFF, 0xD8, 0xFF]) || d.starts(with: [0x89, 0x50, 0x4E, 0x47])
            || d.starts(with: Array("GIF8".utf8))
            || (d.starts(with: Array("RIFF".utf8)) && d.count > 12 && Array(d[8..<12]) == Array("WEBP".utf8))
    }

    private static func describe(_ code: Int, retryAfter: Int?) -> String {
        switch code {
        case 429: "Too Many Requests: retry after \(retryAfter ?? 1)"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden: bot was blocked by the user"
        case 404: "Not Found"
        case 409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
        case 502: "Bad Gateway"
        default: "Internal Server Error"
        }
    }

    private func getUpdates(_ p: [String: JSONValue]) async -> Response {
        let offset = p["offset"]?.intValue
        let timeout = max(0, min(p["timeout"]?.intValue ?? 0, 120))
        let limit = max(1, min(p["limit"]?.intValue ?? 100, 100))
        let allowed = p["allowed_updates"].flatMap { v -> [String]? in
            if let a = v.arrayValue { return a.compactMap(\.stringValue) }
            if let str = v.stringValue { return JSONValue.parse(str)?.arrayValue?.compactMap(\.stringValue) }
            return nil
        }
        let generation = state.withLock { s -> Int in
            if let offset {
                if offset < 0 {
                    s.updates = Array(s.updates.suffix(-offset))
                } else {
                    s.updates.removeAll { $0.id < offset }
                }
            }
            if let allowed { s.allowedUpdates = allowed }
            s.pollGeneration += 1
            return s.pollGeneration
        }
        notifier.notify()  // wakes (and so terminates) an older waiting getUpdates
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(timeout))
        while true {
            let v = notifier.version
            let (superseded, batch) = state.withLock { s -> (Bool, [String]) in
                if s.pollGeneration != generation { return (true, []) }
                let allowedSet = Set(s.allowedUpdates)
                let eligible = s.updates.filter { u in
                    allowedSet.isEmpty || u.update.objectValue?.keys.contains { allowedSet.contains($0) } == true
                }
                return (false, eligible.prefix(limit).map { s.rawUpdates[$0.id] ?? $0.update.jsonString })
            }
            if superseded {
                return Self.error(409, Self.describe(409, retryAfter: nil))
            }
            let remaining = clock.now.duration(to: deadline)
            if !batch.isEmpty || remaining <= .zero || Task.isCancelled || (runner.withLock { $0?.isStopped ?? true }) {
                let body = "{\"ok\":true,\"result\":[" + batch.joined(separator: ",") + "]}"
                return Reply.make(200, body: Array(body.utf8), contentType: "application/json")
            }
            await notifier.wait(since: v, timeout: remaining)
        }
    }

    private func sendMessage(_ p: [String: JSONValue]) -> Response {
        guard let chat = p["chat_id"], !(chat.stringValue?.isEmpty ?? false) else {
            return Self.error(400, "Bad Request: chat_id is empty")
        }
        guard let text = p["text"]?.stringValue, !text.isEmpty else {
            return Self.error(400, "Bad Request: message text is empty")
        }
        let parseMode = p["parse_mode"]?.stringValue
        let plain: String
        switch TelegramText.parse(text, mode: parseMode) {
        case .failure(let e): return Self.error(400, "Bad Request: \(e.description)")
        case .success(let t): plain = t
        }
        if plain.utf16.count > 4096 { return Self.error(400, "Bad Request: message is too long") }
        if plain.allSatisfy({ $0.isWhitespace }) { return Self.error(400, "Bad Request: message text is empty") }
        let replyTo =
            p["reply_to_message_id"]?.intValue ?? p["reply_parameters"]?["message_id"]?.intValue
            ?? p["reply_parameters"]?.stringValue.flatMap { JSONValue.parse($0)?["message_id"]?.intValue }
        let chatRaw = chat.stringValue ?? chat.jsonString
        let chatId = chat.intValue ?? 0
        let message = state.withLock { s -> JSONValue in
            let mid = s.nextMessageId
            s.nextMessageId += 1
            var msg: [String: JSONValue] = [
                "message_id": .int(mid), "from": botUser(s), "date": .int(unixTime()),
                "chat": ["id": .int(chatId), "type": chatId < 0 ? "supergroup" : "private"], "text": .string(plain),
            ]
            if let replyTo {
                msg["reply_to_message"] = [
                    "message_id": .int(replyTo), "date": .int(unixTime()),
                    "chat": ["id": .int(chatId), "type": chatId < 0 ? "supergroup" : "private"],
                ]
            }
            let m = JSONValue.object(msg)
            s.lastBotMessage[chatId] = m
            s.sent.append(
                SentMessage(
                    chatId: chatId, chatIdRaw: chatRaw, text: text, parseMode: parseMode,
                    replyToMessageId: replyTo, messageId: mid, params: .object(p)))
            s.sentAt.append(ContinuousClock.now)
            return m
        }
        notifier.notify()
        return Self.ok(message)
    }
}
