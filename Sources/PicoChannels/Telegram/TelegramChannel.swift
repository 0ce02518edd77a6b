import Logging
import PicoConfig
import PicoHTTP
import PicoSystem
import Synchronization

/// The Telegram channel: Bot API long polling for inbound messages, `sendMessage` for replies.
///
/// - `start()` may be called again after it threw; not after `stop()`.
/// - `start()` calls `getMe` (a rejected token throws `ChannelError.authenticationFailed`; network failures are
///   retried with backoff), loads the persisted offset and starts the poll loop.
/// - With a `sink` (the gateway's inbox), each batch's accepted messages are recorded there together with the
///   next offset before the next `getUpdates`; a failed record keeps the old offset (the batch comes again).
///   Without one, the offset advances only after an update was handed to the `inbound` consumer and is
///   persisted before the next `getUpdates` (see `TelegramOffsetStore`). Either way a restart — even after a
///   crash — neither loses nor repeats messages.
/// - Replies are Markdown converted to Telegram HTML, split to 4096 UTF-16 units; a chunk Telegram cannot parse
///   is resent as plain text. Groups get `reply_to_message_id` on the first chunk.
public final class TelegramChannel: ButtonChannel {
    public let name = "telegram"
    public let inbound: AsyncStream<InboundMessage>

    let options: TelegramOptions
    let api: TelegramAPI
    private let gate: SenderGate
    private let queue = HandoffQueue<InboundMessage>(capacity: 1)
    private let store: TelegramOffsetStore
    let globalBucket: TokenBuckets
    let chatBuckets: TokenBuckets
    let delivery: Delivery
    /// Drafts on screen now, for their stop buttons.
    let liveDrafts = TelegramLiveDrafts()
    var logger: Logger { options.logger }

    /// The connection state (set while `shared` is held where it must agree with `stopped`).
    private let stateCell = ChangeSignal<ChannelState>(.stopped)

    private struct Shared {
        var started = false
        var stopped = false
        var startTask: Task<TelegramUser, any Error>?
        var pollTask: Task<Void, Never>?
        var bot: TelegramUser?
    }
    private let shared = Mutex(Shared())

    /// Creates the channel (nothing happens until `start()`).
    public init(options: TelegramOptions) {
        self.options = options
        api = TelegramAPI(baseURL: options.baseURL, token: options.token, proxy: options.proxy)
        gate = SenderGate(
            allowlist: Allowlist(options.allowFrom, platform: "telegram"), pairing: options.dmPairing,
            onRefused: options.onRefused, logger: options.logger)
        store = TelegramOffsetStore(path: options.stateFile, logger: options.logger)
        globalBucket = TokenBuckets(options.globalRate)
        chatBuckets = TokenBuckets(options.perChatRate)
        delivery = Delivery(platform: "telegram", timing: options.timing, logger: options.logger)
        inbound = queue.makeStream()
    }

    public var state: ChannelState {
        get async { stateCell.value }
    }

    public func stateChange(after seen: ChannelState) async { await stateCell.change(after: seen) }

    /// The bot's username (after a successful `start()`).
    public var botUsername: String? { shared.withLock { $0.bot?.username } }

    public func start() async throws {
        guard !options.token.isEmpty else {
            let message = "telegram: channels.telegram.token is empty (set it or PICOCLAW_CHANNELS_TELEGRAM_TOKEN)"
            stateCell.set(.failed(message))
            throw ChannelError.invalidConfiguration(message)
        }
        let task: Task<TelegramUser, any Error>? = shared.withLock { s in
            guard !s.started, !s.stopped else { return nil }
            s.started = true
            stateCell.set(.connecting)
            let t = Task { try await self.connect() }
            s.startTask = t
            return t
        }
        guard let task else { throw ChannelError.invalidConfiguration("telegram: the channel was already started") }
        gate.logConfiguration()
        let bot: TelegramUser
        do {
            bot = try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            shared.withLock { s in
                if case .failed = stateCell.value {} else { stateCell.set(s.stopped ? .stopped : .failed("\(error)")) }
                s.started = false  // a later start() may try again
                s.startTask = nil
            }
            if error is CancellationError { throw ChannelError.stopped }
            throw error
        }
        let offset = await loadOffset()
        shared.withLock { s in
            s.bot = bot
            guard !s.stopped else { return }
            stateCell.set(.connected)
            // On the network thread: each getUpdates resumes the loop there, and the turns it starts stay there.
            s.pollTask = Task(executorPreference: NetworkLoop.executor) {
                await self.pollLoop(bot: bot, offset: offset)
            }
        }
        logger.info(
            "telegram: connected as @\(bot.username ?? "?") (id \(bot.id))\(offset.map { ", resuming at update \($0)" } ?? "")"
        )
    }

    public func stop() async {
        let (poll, starting) = shared.withLock { s -> (Task<Void, Never>?, Task<TelegramUser, any Error>?) in
            s.stopped = true
            stateCell.set(.stopped)
            defer { s.pollTask = nil; s.startTask = nil }
            return (s.pollTask, s.startTask)
        }
        starting?.cancel()
        poll?.cancel()
        queue.finish()
        await poll?.value
        await store.close()  // the poll loop has ended: flush the offset file to disk
    }

    // MARK: - Connecting

    /// `getMe`, retried with backoff on transient failures; a rejected token is fatal.
    private func connect() async throws -> TelegramUser {
        var attempt = 0
        while true {
            do {
                return try await api.call("getMe", TelegramNoParameters(), as: TelegramUser.self, timeout: .seconds(30))
            } catch let error as ChannelAPIError where error.isRejectedBotToken {
                let message =
                    "Telegram rejected the bot token (HTTP \(error.status ?? 401) from getMe). Check channels.telegram.token"
                logger.error("telegram: \(message)")
                stateCell.set(.failed(message))
                throw ChannelError.authenticationFailed(message)
            } catch let error as ChannelAPIError {
                let delay = options.timing.reconnectDelay(attempt: attempt)
                logger.warning(
                    "telegram: cannot reach the Bot API (\(error)); retrying in \(options.timing.scaled(delay))")
                attempt += 1
                try await options.timing.sleep(delay)
            }
        }
    }

    // MARK: - Receiving

    private func pollLoop(bot: TelegramUser, offset start: Int64?) async {
        let converter = TelegramInbound(
            botID: bot.id, botUsername: bot.username ?? "", mentionOnly: options.mentionOnly)
        var offset = start
        var failures = 0
        var authFailures = 0
        var unreadable = UnreadableUpdateLog(logger: logger)
        let pollSeconds = max(0, Int(options.pollTimeout.seconds.rounded()))
        while !Task.isCancelled {
            do {
                let params = TelegramGetUpdates(
                    offset: offset, timeout: pollSeconds, limit: options.pollLimit,
                    allowedUpdates: allowedUpdates)
                let batch = try await api.getUpdates(params, timeout: options.pollTimeout + .seconds(15))
                if failures > 0 {
                    logger.info("telegram: receiving again after \(failures) failed poll(s)")
                    setState(.connected)
                }
                failures = 0
                authFailures = 0
                let before = offset
                let fresh = batch.updates.sorted(by: { $0.updateID < $1.updateID })
                    .filter { offset == nil || $0.updateID >= offset! }  // earlier ones are already handled
                for update in fresh { if let press = update.callbackQuery { report(press) } }
                // Skip what cannot be read: past it when it has an id, else at least never in a tight loop.
                unreadable.note(batch.unreadable)
                let unreadableNext = batch.unreadable.compactMap(\.updateID).max().map { $0 + 1 }
                if let sink = options.sink {
                    let next = [fresh.last.map { $0.updateID + 1 }, unreadableNext].compactMap { $0 }.max()
                    if let next, next > (offset ?? .min) {
                        // Recorded in the inbox together with the next offset before Telegram is asked for more.
                        let accepted = fresh.compactMap { admit($0, converter) }
                        do {
                            try await sink.accept(
                                accepted, cursor: ChannelCursor(name: Self.offsetCursor, value: String(next)))
                        } catch is CancellationError {
                            return
                        } catch {
                            failures += 1
                            let delay = options.timing.reconnectDelay(attempt: failures - 1)
                            logger.error(
                                "telegram: cannot record \(accepted.count) message(s): \(error); asking Telegram for them again in \(options.timing.scaled(delay))"
                            )
                            do { try await options.timing.sleep(delay) } catch { return }
                            continue
                        }
                        offset = next
                    }
                } else {
                    guard await handleInOrder(fresh, skippingTo: unreadableNext, converter, offset: &offset) else {
                        return
                    }
                }
                if offset == before, batch.updates.isEmpty, !batch.unreadable.isEmpty {
                    unreadable.stalls += 1
                    try await options.timing.sleep(options.timing.reconnectDelay(attempt: unreadable.stalls - 1))
                } else {
                    unreadable.stalls = 0
                }
            } catch is CancellationError {
                return
            } catch let error as ChannelAPIError {
                guard await backOff(after: error, failures: &failures, authFailures: &authFailures) else { return }
            } catch {
                return
            }
        }
    }

    /// Without an inbox: hands each update to `inbound` in order, saving the offset past each, then skips past
    /// unreadable updates (`skipTo`). Returns `false` when the consumer is gone (stop).
    private func handleInOrder(
        _ fresh: [TelegramUpdate], skippingTo skipTo: Int64?, _ converter: TelegramInbound,
        offset: inout Int64?
    ) async -> Bool {
        for update in fresh {
            guard await handle(update, converter) else { return false }
            offset = update.updateID + 1
            await store.save(update.updateID + 1)
        }
        if let next = skipTo, next > (offset ?? .min) {
            offset = next
            await store.save(next)
        }
        return true
    }

    /// Logs a failed `getUpdates`, sets the state and sleeps before the next poll: slowly while the token is
    /// rejected (a fixed token, or a transient 401, recovers without a restart), as Retry-After says on 429, else
    /// with the reconnect backoff. Returns `false` when cancelled while waiting.
    private func backOff(after error: ChannelAPIError, failures: inout Int, authFailures: inout Int) async -> Bool {
        if error.isRejectedBotToken {
            let message =
                "Telegram rejected the bot token (HTTP \(error.status ?? 401) from getUpdates). Check channels.telegram.token"
            let delay = options.timing.authRetryDelay(attempt: authFailures)
            if authFailures == 0 {
                logger.error("telegram: \(message); checking again with a slow backoff")
            } else {
                logger.debug(
                    "telegram: the bot token is still rejected; checking again in \(options.timing.scaled(delay))")
            }
            failures += 1
            authFailures += 1
            setState(.failed(message))
            do { try await options.timing.sleep(delay) } catch { return false }
            return true
        }
        failures += 1
        var delay = options.timing.reconnectDelay(attempt: failures - 1)
        if case .http(_, 429, _, let retryAfter?) = error { delay = retryAfter }
        if error.status == 409 {
            logger.warning(
                "telegram: getUpdates conflict (another instance polls this bot, or a webhook is set): \(error)")
        } else {
            logger.warning("telegram: polling failed (\(error)); retrying in \(options.timing.scaled(delay))")
        }
        setState(.connecting)
        do { try await options.timing.sleep(delay) } catch { return false }
        return true
    }

    /// The update types asked for: messages, button presses when prompts are on, draft stop buttons when
    /// previews are on (Telegram sends a type left out of an explicit list never).
    private var allowedUpdates: [String] {
        ["message"] + (options.onButton == nil ? [] : ["callback_query"])
            + (options.preview.enabled ? ["stopped_message_generation"] : [])
    }

    /// The cursor holding the next `getUpdates` offset in the gateway's inbox.
    static let offsetCursor = "telegram.offset"

    /// Where polling resumes: the inbox's cursor, else the offset file (of this or an earlier version).
    private func loadOffset() async -> Int64? {
        if let sink = options.sink, let stored = await sink.cursor(Self.offsetCursor), let value = Int64(stored) {
            return value
        }
        return await store.load()
    }

    /// The message of an update if it is one the bot answers (text, rules, allowlist).
    private func admit(_ update: TelegramUpdate, _ converter: TelegramInbound) -> InboundMessage? {
        if let stopped = update.stoppedGeneration { return stopRequest(stopped, updateID: update.updateID) }
        guard let message = update.message else {
            logger.debug(
                "telegram: ignoring update \(update.updateID) (\(update.hadMessage ? "unreadable message" : "not a message"))"
            )
            return nil
        }
        switch converter.convert(message) {
        case .skip(let reason):
            logger.debug("telegram: ignoring update \(update.updateID): \(reason)")
            return nil
        case .accept(let inbound):
            guard let admitted = gate.admitting(inbound) else { return nil }
            logger.debug(
                "telegram: message \(inbound.messageID) from user \(inbound.senderID) in chat \(inbound.chatID) (\(inbound.kind.rawValue))"
            )
            return admitted
        }
    }

    /// Hands one update to `inbound`; returns `false` when the consumer is gone (stop).
    private func handle(_ update: TelegramUpdate, _ converter: TelegramInbound) async -> Bool {
        guard let inbound = admit(update, converter) else { return true }
        return await queue.put(inbound, waitUntilTaken: true)
    }

    /// Hands a button press to `onButton` (presses are not recorded: an unanswered prompt simply expires).
    private func report(_ query: TelegramCallbackQuery) {
        guard let onButton = options.onButton, let data = query.data else { return }
        onButton(
            ButtonPress(
                channel: name, userID: String(query.from.id), chatID: query.message.map { String($0.chat.id) },
                data: data, pressID: query.id))
    }

    private func setState(_ new: ChannelState) {
        shared.withLock { s in if !s.stopped { stateCell.set(new) } }
    }

    private var isStopped: Bool { shared.withLock { $0.stopped } }

    // MARK: - Sending

    public func send(_ text: String, to target: ReplyTarget) async throws {
        let chunks = TelegramFormatter.chunks(text)
        for (index, chunk) in chunks.enumerated() {
            let replyTo = index == 0 ? target.replyToMessageID.flatMap { Int64($0) } : nil
            try await sendChunk(
                chunk, chatID: target.chatID, replyTo: replyTo, thread: target.threadID.flatMap { Int64($0) })
        }
        logger.debug("telegram: sent reply to chat \(target.chatID) in \(chunks.count) message(s)")
    }

    private func sendChunk(
        _ chunk: TelegramFormatter.Chunk, chatID: String, replyTo: Int64?, thread: Int64?
    ) async throws {
        var plain = false
        try await delivery.run(chatID: chatID) {
            try await globalBucket.acquire()
            try await chatBuckets.acquire(chatID)
            if !plain {
                let outcome = try await sendMessage(
                    chatID: chatID, text: chunk.html, parseMode: "HTML", replyTo: replyTo, thread: thread)
                guard case .permanent(let reason) = outcome, reason.lowercased().contains("entit") else {
                    return outcome
                }
                logger.warning(
                    "telegram: Telegram could not parse the formatting of a reply to chat \(chatID); resending it as plain text"
                )
                plain = true
            }
            return try await sendMessage(
                chatID: chatID, text: chunk.plain, parseMode: nil, replyTo: replyTo, thread: thread)
        }
    }

    private func sendMessage(
        chatID: String, text: String, parseMode: String?, replyTo: Int64?, thread: Int64?
    ) async throws -> AttemptOutcome {
        let params = TelegramSendMessage(
            chatID: TelegramChatID(chatID), text: text, parseMode: parseMode,
            replyToMessageID: replyTo, allowSendingWithoutReply: replyTo == nil ? nil : true,
            messageThreadID: thread)
        do {
            _ = try await api.call("sendMessage", params, as: TelegramSentMessage.self, timeout: .seconds(30))
            return .delivered
        } catch let error as ChannelAPIError {
            return error.deliveryOutcome
        }
    }

    // MARK: - Buttons

    public func sendButtons(_ text: String, to target: ReplyTarget, buttons: [PromptButton]) async throws {
        let markup = TelegramInlineKeyboard(inlineKeyboard: [
            buttons.map { .init(text: $0.label, callbackData: $0.data) }
        ])
        try await delivery.run(chatID: target.chatID) {
            try await globalBucket.acquire()
            try await chatBuckets.acquire(target.chatID)
            let params = TelegramSendMessage(
                chatID: TelegramChatID(target.chatID), text: text, parseMode: nil,
                replyToMessageID: nil, allowSendingWithoutReply: nil, replyMarkup: markup)
            do {
                _ = try await api.call("sendMessage", params, as: TelegramSentMessage.self, timeout: .seconds(30))
                return .delivered
            } catch let error as ChannelAPIError {
                return classify(status: error.status ?? 0, retryAfter: nil, reason: error.description)
            }
        }
    }

    public func privateChat(with userID: String) async throws -> String { userID }

    public func acknowledge(_ press: ButtonPress, text: String) async {
        do {
            _ = try await api.call(
                "answerCallbackQuery", TelegramAnswerCallback(callbackQueryID: press.pressID, text: text),
                as: Bool.self, timeout: .seconds(10))
        } catch {
            logger.debug("telegram: answerCallbackQuery failed: \(error)")
        }
    }

    // MARK: - Typing

    public func startTyping(_ target: ReplyTarget) -> TypingHandle? {
        guard !isStopped else { return nil }
        let params = TelegramChatAction(
            chatID: TelegramChatID(target.chatID), action: "typing",
            messageThreadID: target.threadID.flatMap { Int64($0) })
        return TypingHandle.run(after: options.typingDelay, interval: options.typingInterval, timing: options.timing) {
            [self] in
            guard !isStopped else { return false }
            do {
                _ = try await api.call("sendChatAction", params, as: Bool.self, timeout: .seconds(10))
            } catch is CancellationError {
                return false
            } catch {
                logger.debug("telegram: typing indicator for chat \(target.chatID) failed: \(error)")
            }
            return true
        }
    }
}

/// The part of a sent message we look at.
struct TelegramSentMessage: JSONReadable, TelegramResult {
    var messageID: Int64
    init(json: JSONObjectReader) throws(JSONReadError) { messageID = try json.int64("message_id") }
}
