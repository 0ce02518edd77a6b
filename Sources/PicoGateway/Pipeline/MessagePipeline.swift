import FoundationEssentials
import Glibc
import Logging
import PicoAgent
import PicoChannels
import PicoConfig
import PicoState
import PicoSystem
import Synchronization

/// From the inbox to the reply, with at-least-once delivery:
///
/// 1. A channel hands accepted messages to ``accept(_:cursor:)``: they are recorded in the inbox with the
///    channel's cursor in one durable transaction (duplicates by channel, chat and message id are ignored), and
///    only then queued in the ``TurnScheduler`` under their conversation (the session key).
/// 2. A turn runs from the inbox entry. Its session messages, its reply (outbox) and the entry's new state are
///    committed in one durable transaction *before* the reply is sent.
/// 3. The reply is sent; once the platform accepted it, it is marked delivered.
///
/// After a crash, ``recover()`` queues every unfinished entry again: turns that had not committed run again,
/// committed replies that were not marked delivered are sent. The one duplicate a user may see: the platform
/// accepted a reply and the gateway died before recording that (the acknowledgement was lost).
final class MessagePipeline: InboundSink, Sendable {
    private let system: AgentSystem
    private let store: StateStore
    private let channelsByName = Mutex([String: any Channel]())
    private let trimmer: MemoryTrimmer
    private let logger: Logger
    private let retryDelay: Duration
    /// Turns started this often without completing (each time the gateway died) are given up with a notice.
    static let maxAttempts = 5
    private let accepting = Mutex(true)
    /// Queued turns; `message` is the decoded payload of an entry accepted by this process (`nil` after a restart).
    private let jobs = Mutex([Int64: (turn: OpenTurn, message: InboundMessage?)]())
    private let scheduler: TurnScheduler
    private let sessionsByAgent: [String: StateSessionStore]
    private let workspaces: WorkspaceGuard
    private let metrics: GatewayMetrics
    private let controls: OwnerControls?
    private let media: MediaIntake

    /// `controls`: pairing, owner commands and limits applied before any agent sees a message.
    init(
        system: AgentSystem, store: StateStore, sessions: [String: StateSessionStore],
        maxConcurrentTurns: Int = 4, retryDelay: Duration = .seconds(2), metrics: GatewayMetrics = GatewayMetrics(),
        controls: OwnerControls? = nil, media: MediaIntake? = nil, logger: Logger
    ) {
        self.metrics = metrics
        self.controls = controls
        self.media = media ?? MediaIntake(store: MediaStore(maxAgeDays: 7), transcriber: nil, logger: logger)
        self.system = system
        self.store = store
        self.trimmer = MemoryTrimmer { await store.releaseMemory() }
        self.sessionsByAgent = sessions
        self.logger = logger
        self.retryDelay = retryDelay
        self.workspaces = WorkspaceGuard(logger: logger)
        let box = WeakPipeline()
        scheduler = TurnScheduler(maxConcurrent: maxConcurrentTurns) { id in await box.pipeline?.run(id) }
        box.pipeline = self
    }

    /// The channels replies go out through (set once, before ``recover()``).
    func attach(_ channels: [any Channel]) {
        channelsByName.withLock { map in for c in channels { map[c.name] = c } }
    }

    // MARK: - Intake (InboundSink)

    func accept(_ messages: [InboundMessage], cursor: ChannelCursor?) async throws {
        guard accepting.withLock({ $0 }) else { throw ChannelError.stopped }
        // /stop must not wait behind the turn it cancels: it is answered here, not queued.
        let stops = messages.filter { ChatCommand.parse($0.text) == .stop }
        for m in stops { stopTurn(for: m) }
        let turns = messages.filter { ChatCommand.parse($0.text) != .stop }
        let drafts = turns.map { m in
            InboxDraft(
                channel: m.channel, chat: m.chatID, messageID: m.messageID,
                conversation: conversation(of: m),
                payload: m.jsonRecord,
                countsSender: controls != nil && OwnerControls.countsAtIntake(m) ? m.senderID : nil)
        }
        // Committed (crash-safe) first, so the turns start at once; on disk before the channel moves past the
        // batch (Telegram confirms an offset only with its next getUpdates, after this returns). Each entry's first
        // start is counted in the same commit (the turns below skip `markStarted`), and so is the message in its
        // sender's usage when the owner controls would count it whatever the store holds (`countsAtIntake`).
        let added = try await store.accept(
            drafts, cursor: cursor.map { CursorValue(name: $0.name, value: $0.value) },
            durable: false, countingStart: true)
        for entry in added { metrics.add("picoclaw_messages_received_total", [("channel", entry.channel)]) }
        for entry in added {
            // The message as received: its turn need not decode the payload again.
            let message = turns.first { $0.chatID == entry.chat && $0.messageID == entry.messageID }
            await enqueue(OpenTurn(entry: entry, reply: nil), message: message)
        }
        try await store.syncToDisk()
    }

    /// Cancels the running turn of `m`'s session (a forum topic's own, in a topic) and says whether there was one.
    private func stopTurn(for m: InboundMessage) {
        let (agent, session) = resolve(m)
        let text = agent.stop(session: session) ? "Stopped." : "Nothing is running right now."
        guard let channel = channelsByName.withLock({ $0[m.channel] }) else { return }
        Task { try? await channel.send(text, to: m.replyTarget) }
    }

    func cursor(_ name: String) async -> String? {
        do { return try await store.cursor(name) } catch {
            logger.error("\(error)")
            return nil
        }
    }

    func cursors(prefix: String, maxAge: Duration) async -> [ChannelCursor] {
        do {
            let since = Int64(time(nil)) - maxAge.components.seconds
            return try await store.cursors(prefix: prefix, updatedSince: since).map {
                ChannelCursor(name: $0.name, value: $0.value)
            }
        } catch {
            logger.error("\(error)")
            return []
        }
    }

    /// Queues every unfinished inbox entry (after a restart); returns how many.
    func recover() async throws -> (turns: Int, replies: Int) {
        let open = try await store.openTurns()
        for turn in open { await enqueue(turn) }
        return (open.filter { $0.reply == nil }.count, open.filter { $0.reply != nil }.count)
    }

    private func enqueue(_ turn: OpenTurn, message: InboundMessage? = nil) async {
        jobs.withLock { $0[turn.entry.id] = (turn, message) }
        await scheduler.submit(conversation: turn.entry.conversation, id: turn.entry.id)
        metrics.set("picoclaw_queue_depth", to: Double(await scheduler.pending))
    }

    /// The ordering key: the session the message belongs to.
    private func conversation(of m: InboundMessage) -> String {
        resolve(m).session.rawValue
    }

    /// The message's agent and session; a Telegram forum topic is a conversation of its own.
    private func resolve(_ m: InboundMessage) -> (agent: AgentRuntime, session: SessionKey) {
        let (agent, session) = system.resolve(routeInput(for: m), chatID: m.chatID)
        guard let thread = m.threadID else { return (agent, session) }
        return (agent, SessionKey(session.rawValue + ":topic:" + thread))
    }

    // MARK: - Shutdown

    /// Stops accepting messages and starting turns; queued turns stay pending in the inbox.
    func stopIntake() async {
        accepting.withLock { $0 = false }
        await scheduler.stop()
    }

    /// Waits up to `timeout` for running turns. Returns whether they all finished.
    func waitForRunningTurns(timeout: Duration) async -> Bool {
        await scheduler.waitUntilIdle(timeout: timeout)
    }

    /// Turns running now.
    var running: Int { get async { await scheduler.runningCount } }

    /// Unfinished inbox entries (`nil` when the store cannot tell).
    func openCount() async -> Int? { try? await store.openCount() }

    // MARK: - Running one entry

    private func run(_ id: Int64) async {
        guard let (job, received) = jobs.withLock({ $0.removeValue(forKey: id) }) else { return }
        let entry = job.entry
        guard let message = received ?? (try? JSONDecoder().decode(InboundMessage.self, from: Data(entry.payload.utf8)))
        else {
            logger.error("inbox entry \(entry.id) (\(entry.channel) chat \(entry.chat)) is unreadable; skipping it")
            _ = try? await store.completeTurn(inboxID: entry.id, session: nil, reply: nil)
            return
        }
        guard let channel = channelsByName.withLock({ $0[entry.channel] }) else {
            logger.warning(
                "\(entry.channel) is not enabled: message \(entry.messageID) from chat \(entry.chat) stays pending until it is"
            )
            return
        }
        let started = MonotonicClock.nanoseconds()
        var reply = job.reply
        var metadata: Logger.Metadata = ["channel": "\(entry.channel)", "chat": "\(entry.chat)"]
        // A live preview while the model writes; the reply itself is the outbox entry sent below.
        let preview =
            reply == nil
            ? (channel as? any PreviewingChannel)?.openPreview(message.replyTarget, kind: message.kind) : nil
        if reply == nil {
            guard let (stored, turnMetadata) = await runTurn(entry, message, channel, preview, counted: received != nil)
            else {
                await preview?.finish()
                return
            }
            reply = stored
            metadata.merge(turnMetadata) { $1 }
        } else {
            metadata["resent"] = "true"
        }
        guard let reply else { return }
        let delivered = await deliver(reply, via: channel, thread: message.threadID)
        await preview?.finish()
        metadata["ms"] = "\((MonotonicClock.nanoseconds() - started) / 1_000_000)"
        metrics.observeTurn(seconds: Double(MonotonicClock.nanoseconds() - started) / 1e9)
        metrics.set("picoclaw_queue_depth", to: Double(max(0, await scheduler.pending - 1)))
        metadata["delivered"] = "\(delivered)"
        logger.info("turn done", metadata: metadata)
        let scheduler = self.scheduler
        trimmer.schedule { await scheduler.pending <= 1 }  // this job still counts as running
    }

    /// Runs the agent and commits session + reply; `nil` when intake stopped before the commit succeeded.
    /// `counted`: this start was already counted (at ``accept(_:cursor:)``).
    private func runTurn(
        _ entry: InboxEntry, _ message: InboundMessage, _ channel: any Channel, _ preview: ReplyPreview?,
        counted: Bool
    ) async -> (OutboxEntry, Logger.Metadata)? {
        if entry.attempts >= Self.maxAttempts { return await giveUp(entry, message) }
        if !counted {
            do { try await store.markStarted(inboxID: entry.id) } catch { logger.warning("\(error)") }
        }
        let (agent, session) = resolve(message)
        workspaces.ensure(agent.settings.workspace, agentID: agent.settings.id)
        let backend = sessionsByAgent[agent.settings.id]
        let reply: AgentReply
        var budget: SenderBudget?
        if let fixed = message.scheduled?.fixedText {
            // A schedule's fixed text: sent as it is, no turn.
            reply = AgentReply(text: fixed, agentID: agent.settings.id, sessionKey: session)
        } else {
            let typing = channel.startTyping(message.replyTarget)
            let input = InboundText(
                text: message.text, channel: message.channel, chatID: message.chatID,
                senderID: message.senderID, senderName: message.displayName ?? message.username,
                origin: message.scheduled == nil ? entry.payload : nil)
            if let controls {
                // Counted in its sender's usage by the inbox commit when this process accepted it.
                switch await controls.screen(message, counted: counted ? entry.messagesInMinute : nil) {
                case .answer(let text):
                    typing?.stop()
                    return await commitScreened(entry, message, text)
                case .run(let gate): budget = gate
                }
            }
            reply = await respond(
                to: message, input: input, agent: agent, session: session, via: channel,
                preview: preview, persist: backend == nil, gate: budget)
            typing?.stop()
        }
        await preview?.close()
        let write = backend?.write(session, messages: reply.transcript)
        let draft = OutboxDraft(
            channel: entry.channel, chat: entry.chat, replyTo: message.replyTarget.replyToMessageID,
            text: reply.text)
        let charge = budget?.takeCharge()  // the final model call's usage: recorded with the reply
        guard
            let committed = await commitTurn(
                entry, session: write, reply: draft, charge: charge, metadata: Self.metadata(of: reply))
        else {
            if let charge { try? await store.record(charge) }  // the call was made (and paid) all the same
            return nil
        }
        return committed
    }

    /// Runs the agent on the message with its media (pictures the model sees, files saved to the workspace);
    /// refused media are explained in the reply.
    private func respond(
        to message: InboundMessage, input: InboundText, agent: AgentRuntime, session: SessionKey,
        via channel: any Channel, preview: ReplyPreview?, persist: Bool,
        gate budget: SenderBudget?
    ) async -> AgentReply {
        var input = input
        var reply: AgentReply
        let media = await self.media.prepare(
            message, via: channel, workspace: agent.settings.workspace,
            seesImages: agent.settings.seesImages)
        if media.apply(to: &input) {
            reply = await ReplyStream.$observer.withValue(preview?.progressObserver) {
                await FileDelivery.$sender.withValue(fileSender(channel, target: message.replyTarget)) {
                    await agent.respond(to: input, session: session, persist: persist, gate: budget)
                }
            }
            count(reply)
        } else {
            reply = AgentReply(text: "", agentID: agent.settings.id, sessionKey: session)  // only refused media
        }
        reply.text = media.answer(reply.text)
        return reply
    }

    /// The agent, iteration and tool-call counts (and what went wrong) for the turn's log line.
    private static func metadata(of reply: AgentReply) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "agent": "\(reply.agentID)", "iterations": "\(reply.iterations)", "tool_calls": "\(reply.toolCalls)",
        ]
        if let failure = reply.failure { metadata["provider_error"] = "\(failure.kind)" }
        if reply.hitIterationLimit { metadata["iteration_limit"] = "true" }
        return metadata
    }

    /// Its turn was started `maxAttempts` times and the gateway died each time: answers with a notice instead of
    /// crashing again (and blocking the conversation behind it).
    private func giveUp(_ entry: InboxEntry, _ message: InboundMessage) async -> (OutboxEntry, Logger.Metadata)? {
        logger.error(
            "message \(entry.messageID) from \(entry.channel) chat \(entry.chat): its turn was interrupted \(entry.attempts) times (the gateway stopped each time); giving up on it"
        )
        let draft = OutboxDraft(
            channel: entry.channel, chat: entry.chat, replyTo: message.replyTarget.replyToMessageID,
            text:
                "Sorry — I could not process that message (it was interrupted \(entry.attempts) times). Please send it again, perhaps in a simpler form."
        )
        guard let stored = try? await store.completeTurn(inboxID: entry.id, session: nil, reply: draft) else {
            return nil
        }
        return (stored, ["given_up": "true"])
    }

    /// Commits the session write and the reply in one transaction, retrying while the store fails; `nil` when
    /// intake stopped before it succeeded (the message stays pending and runs again after the restart).
    private func commitTurn(
        _ entry: InboxEntry, session write: SessionWrite?, reply draft: OutboxDraft, charge: ModelCharge?,
        metadata: Logger.Metadata
    ) async -> (OutboxEntry, Logger.Metadata)? {
        var reported = false
        while true {
            do {
                guard
                    let stored = try await store.completeTurn(
                        inboxID: entry.id, session: write, reply: draft, charge: charge)
                else {
                    return nil
                }
                if reported {
                    logger.notice("state store writable again; reply to \(entry.channel) chat \(entry.chat) recorded")
                }
                return (stored, metadata)
            } catch {
                if !reported { logger.error("\(error)") }
                reported = true
                guard accepting.withLock({ $0 }) else {
                    logger.warning(
                        "message \(entry.messageID) from \(entry.channel) chat \(entry.chat) left pending: its reply could not be recorded before shutdown; it runs again after the restart"
                    )
                    return nil
                }
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    /// Records a message answered by the owner controls (no agent, no session): the reply, or none.
    private func commitScreened(
        _ entry: InboxEntry, _ message: InboundMessage, _ text: String?
    )
        async -> (OutboxEntry, Logger.Metadata)?
    {
        metrics.add("picoclaw_turns_total", [("outcome", "screened")])
        let draft = text.map {
            OutboxDraft(
                channel: entry.channel, chat: entry.chat, replyTo: message.replyTarget.replyToMessageID, text: $0)
        }
        do {
            guard let stored = try await store.completeTurn(inboxID: entry.id, session: nil, reply: draft) else {
                return nil
            }
            return (stored, ["screened": "true"])
        } catch {
            logger.error("\(error)")
            return nil
        }
    }

    /// Turn, model and token counters from one agent reply.
    private func count(_ reply: AgentReply) {
        let outcome = reply.failure != nil ? "provider_error" : reply.hitIterationLimit ? "iteration_limit" : "ok"
        metrics.add("picoclaw_turns_total", [("outcome", outcome)])
        metrics.add("picoclaw_model_calls_total", by: Double(reply.iterations))
        if let failure = reply.failure { metrics.add("picoclaw_model_errors_total", [("kind", "\(failure.kind)")]) }
        if let usage = reply.usage {
            metrics.add("picoclaw_model_tokens_total", [("direction", "prompt")], by: Double(usage.promptTokens))
            metrics.add(
                "picoclaw_model_tokens_total", [("direction", "completion")], by: Double(usage.completionTokens))
        }
    }

    /// Sends a stored reply and records the outcome. Returns whether the platform accepted it.
    private func deliver(_ reply: OutboxEntry, via channel: any Channel, thread: String?) async -> Bool {
        var failure: String?
        do {
            try await channel.send(
                reply.text,
                to: ReplyTarget(
                    chatID: reply.chat, replyToMessageID: reply.replyTo,
                    threadID: thread))
            metrics.add("picoclaw_messages_sent_total", [("channel", reply.channel)])
        } catch {
            failure = "\(error)"  // the channel logged it with the chat id
            metrics.add("picoclaw_delivery_failures_total", [("channel", reply.channel)])
        }
        var reported = false
        while true {
            do {
                try await store.finishDelivery(outboxID: reply.id, failure: failure)
                return failure == nil
            } catch {
                if !reported { logger.error("\(error)") }
                reported = true
                // Unrecorded: the reply is sent again after a restart (the documented duplicate).
                guard accepting.withLock({ $0 }) else { return failure == nil }
                try? await Task.sleep(for: retryDelay)
            }
        }
    }

    /// Forgets finished messages after `retention` (kept that long to recognise platform re-deliveries: Telegram
    /// keeps updates 24 h, Discord catch-up looks back 24 h), now and then every hour, until cancelled.
    func pruneFinishedPeriodically(retention: Duration = .seconds(7 * 24 * 3600)) async {
        while !Task.isCancelled {
            do {
                let removed = try await store.pruneFinished(olderThan: retention.components.seconds)
                if removed > 0 { logger.debug("state store: forgot \(removed) finished message(s)") }
            } catch {
                logger.warning("\(error)")
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    /// Returns start-up garbage to the kernel once the gateway has settled (a few seconds after start).
    func trimWhenSettled() async {
        let scheduler = self.scheduler
        trimmer.schedule { await scheduler.pending == 0 }
    }

    private func routeInput(for message: InboundMessage) -> RouteInput {
        // PicoClaw's peers: a DM is the sender; a group or guild channel is the chat.
        let peerID = message.kind == .direct ? message.senderID : message.chatID
        return RouteInput(
            channel: message.channel,
            peer: BindingPeer.Kind(rawValue: message.kind.rawValue).map { BindingPeer(kind: $0, id: peerID) },
            guildID: message.guildID)
    }
}

/// Breaks the reference cycle pipeline → scheduler → work closure → pipeline.
private final class WeakPipeline: @unchecked Sendable {
    weak var pipeline: MessagePipeline?
}
