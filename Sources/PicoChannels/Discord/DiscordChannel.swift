import FoundationEssentials
import Logging
import PicoHTTP
import PicoSystem
import Synchronization

/// The Discord channel: the gateway WebSocket (libcurl ws) for inbound messages, REST for replies and typing.
///
/// - `start()` may be called again after it threw (or after a fatal error); not after `stop()`.
/// - `start()` checks the token with `GET /users/@me`, fetches the gateway URL (`GET /gateway/bot`), connects,
///   IDENTIFYs and returns after READY. A rejected token (HTTP 401 or close 4004) and close codes 4010–4014 are
///   fatal: `start()` throws, or later `state` becomes `.failed`.
/// - The connection loop heartbeats (first beat after interval × jitter), treats a missing ACK as a zombie
///   connection (close 4000, reconnect, RESUME), follows RECONNECT and INVALID_SESSION, and retries transient
///   failures with capped backoff forever.
/// - Replies are plain text (Discord renders Markdown), split at 2000 characters, with per-route rate limits.
public final class DiscordChannel: Channel {
    public let name = "discord"
    public let inbound: AsyncStream<InboundMessage>

    let options: DiscordOptions
    let rest: DiscordREST
    let gate: SenderGate
    let queue: HandoffQueue<InboundMessage>
    let session = GatewaySession()
    let channelBuckets: TokenBuckets
    let delivery: Delivery
    var logger: Logger { options.logger }

    /// The connection state (set while `shared` is held where it must agree with `stopped`).
    private let stateCell = ChangeSignal<ChannelState>(.stopped)

    private struct Shared {
        var started = false
        var stopped = false
        var loop: Task<Void, Never>?
        var signal = StartSignal()
    }
    private let shared = Mutex(Shared())

    /// Creates the channel (nothing happens until `start()`).
    public init(options: DiscordOptions) {
        self.options = options
        rest = DiscordREST(apiBase: options.apiBase, token: options.token, proxy: options.proxy, timing: options.timing)
        gate = SenderGate(
            allowlist: Allowlist(options.allowFrom, platform: "discord"), pairing: options.dmPairing,
            onRefused: options.onRefused, logger: options.logger)
        queue = HandoffQueue(capacity: options.inboundBuffer)
        channelBuckets = TokenBuckets(options.perChannelRate)
        delivery = Delivery(platform: "discord", timing: options.timing, logger: options.logger)
        inbound = queue.makeStream()
    }

    public var state: ChannelState {
        get async { stateCell.value }
    }

    public func stateChange(after seen: ChannelState) async { await stateCell.change(after: seen) }

    /// The bot's user id (after READY).
    public var botUserID: String? { session.botID }

    public func start() async throws {
        guard !options.token.isEmpty else {
            let message = "discord: channels.discord.token is empty (set it or PICOCLAW_CHANNELS_DISCORD_TOKEN)"
            setState(.failed(message))
            throw ChannelError.invalidConfiguration(message)
        }
        guard HTTPClient.supportsWebSockets else {
            let message =
                "discord: this libcurl (\(HTTPClient.libcurlVersion)) has no WebSocket support; install libcurl >= 8 with ws/wss"
            setState(.failed(message))
            throw ChannelError.invalidConfiguration(message)
        }
        let signal = shared.withLock { s -> StartSignal? in
            guard !s.started, !s.stopped else { return nil }
            s.started = true
            stateCell.set(.connecting)
            s.signal = StartSignal()
            s.loop = Task(executorPreference: NetworkLoop.executor) { await self.runLoop() }
            return s.signal
        }
        guard let signal else { throw ChannelError.invalidConfiguration("discord: the channel was already started") }
        gate.logConfiguration()
        try await withTaskCancellationHandler {
            try await signal.wait()
        } onCancel: {
            signal.resolve(.failure(.stopped))
        }
    }

    /// Reports the outcome of the first connection to a waiting `start()`.
    func resolveStart(_ result: Result<Void, ChannelError>) {
        shared.withLock { $0.signal }.resolve(result)
    }

    /// After a fatal error the loop has ended: a later `start()` may try again (for example after the
    /// gateway's supervisor backs off).
    func loopEndedFatally(_ message: String) {
        shared.withLock { s in
            guard !s.stopped else { return }
            stateCell.set(.failed(message))
            s.started = false
            s.loop = nil
        }
    }

    public func stop() async {
        let loop = shared.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            stateCell.set(.stopped)
            defer { s.loop = nil }
            return s.loop
        }
        resolveStart(.failure(.stopped))
        loop?.cancel()
        await loop?.value
        queue.finish()
    }

    func setState(_ new: ChannelState) {
        shared.withLock { s in if !s.stopped { stateCell.set(new) } }
    }

    var isStopped: Bool { shared.withLock { $0.stopped } }

    // MARK: - Sending

    public func send(_ text: String, to target: ReplyTarget) async throws {
        let chunks = MessageSplitter.split(text, limit: MessageSplitter.discordLimit, unit: .unicodeScalars)
        for (index, chunk) in chunks.enumerated() {
            var body = DiscordCreateMessage(content: chunk)
            if index == 0, let replyTo = target.replyToMessageID {
                body.messageReference = .init(messageID: replyTo)
            }
            let bytes = Array(try JSONEncoder().encode(body))
            try await delivery.run(chatID: target.chatID) {
                try await channelBuckets.acquire(target.chatID)
                return try await post("/channels/\(target.chatID)/messages", bytes)
            }
        }
        logger.debug("discord: sent reply to channel \(target.chatID) in \(chunks.count) message(s)")
    }

    func post(_ path: String, _ body: [UInt8]?, contentType: String = "application/json") async throws -> AttemptOutcome
    {
        do {
            try await rest.request("POST", path, body: body, contentType: contentType)
            return .delivered
        } catch let error as ChannelAPIError {
            return error.deliveryOutcome
        }
    }

    // MARK: - Typing

    public func startTyping(_ target: ReplyTarget) -> TypingHandle? {
        guard !isStopped else { return nil }
        return TypingHandle.run(after: options.typingDelay, interval: options.typingInterval, timing: options.timing) {
            [self] in
            guard !isStopped else { return false }
            do {
                try await rest.request("POST", "/channels/\(target.chatID)/typing")
            } catch is CancellationError {
                return false
            } catch {
                logger.debug("discord: typing indicator for channel \(target.chatID) failed: \(error)")
            }
            return true
        }
    }
}
