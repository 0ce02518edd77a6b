import Glibc
import Logging
import PicoAgent
import PicoChannels
import PicoConfig

/// Takes each allowed inbound message to its agent (by bindings) and sends the reply back to the same chat.
/// Turns of one conversation run in order; different conversations run concurrently (bounded by the dispatcher).
final class MessagePipeline: Sendable {
    private let agents: [String: AgentRuntime]
    private let router: AgentRouter
    private let dispatcher: AgentDispatcher
    private let lanes = SessionLanes()
    private let trimmer = MemoryTrimmer()
    private let logger: Logger

    init(agents: [String: AgentRuntime], router: AgentRouter, dispatcher: AgentDispatcher, logger: Logger) {
        self.agents = agents
        self.router = router
        self.dispatcher = dispatcher
        self.logger = logger
    }

    /// Queues `message` behind earlier messages of the same conversation; returns at once.
    func accept(_ message: InboundMessage, from channel: any Channel) async {
        let route = router.route(routeInput(for: message), chatID: message.chatID)
        guard let agent = agents[route.agentID] ?? agents[router.defaultAgentID] else {
            logger.error("no agent available for \(message.channel) chat \(message.chatID)")
            return
        }
        logger.debug("routed message", metadata: [
            "channel": "\(message.channel)", "chat": "\(message.chatID)", "agent": "\(agent.settings.id)",
            "matched_by": "\(route.matchedBy.rawValue)",
        ])
        // /stop must not wait behind the turn it cancels.
        if ChatCommand.parse(message.text) == .stop {
            let text = agent.stop(session: route.sessionKey) ? "Stopped." : "Nothing is running right now."
            try? await channel.send(text, to: message.replyTarget)
            return
        }
        let dispatcher = self.dispatcher
        let logger = self.logger
        let lanes = self.lanes
        let trimmer = self.trimmer
        await lanes.enqueue(route.sessionKey.rawValue) {
            let started = monotonicNanoseconds()
            let typing = channel.startTyping(message.replyTarget)
            let input = InboundText(text: message.text, channel: message.channel, chatID: message.chatID,
                                    senderID: message.senderID, senderName: message.displayName ?? message.username)
            let reply = await dispatcher.respond(agent: agent, to: input, session: route.sessionKey)
            typing?.stop()
            var delivered = true
            do {
                try await channel.send(reply.text, to: message.replyTarget)
            } catch {
                delivered = false  // the channel logged the failure with the chat id
            }
            let ms = (monotonicNanoseconds() - started) / 1_000_000
            var metadata: Logger.Metadata = [
                "channel": "\(message.channel)", "chat": "\(message.chatID)", "agent": "\(reply.agentID)",
                "iterations": "\(reply.iterations)", "tool_calls": "\(reply.toolCalls)", "ms": "\(ms)",
                "delivered": "\(delivered)",
            ]
            if let failure = reply.failure { metadata["provider_error"] = "\(failure.status.map(String.init) ?? "transport")" }
            if reply.hitIterationLimit { metadata["iteration_limit"] = "true" }
            logger.info("turn done", metadata: metadata)
            await trimmer.schedule { await lanes.pending <= 1 }  // this turn's own entry is still queued
        }
    }

    /// Waits (up to `timeout`) for queued and running turns. Past the grace period, cancels what is left: a
    /// cancelled turn persists what was said to its session, and gets 2 s more to do so.
    /// Returns whether everything finished in time.
    func drain(timeout: Duration) async -> Bool {
        let finished = await waitUntilIdle(timeout: timeout)
        if !finished {
            await lanes.cancelAll()
            _ = await waitUntilIdle(timeout: .seconds(2))
        }
        _ = await dispatcher.drain(timeout: .milliseconds(1))
        return finished
    }

    private func waitUntilIdle(timeout: Duration) async -> Bool {
        let lanes = self.lanes
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await lanes.waitUntilIdle()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Returns start-up garbage to the kernel once the gateway has settled (a few seconds after start).
    func trimWhenSettled() async {
        let lanes = self.lanes
        await trimmer.schedule { await lanes.pending == 0 }
    }

    /// Turns queued or running.
    var pending: Int { get async { await lanes.pending } }

    private func routeInput(for message: InboundMessage) -> RouteInput {
        // PicoClaw's peers: a DM is the sender; a group or guild channel is the chat.
        let peerID = message.kind == .direct ? message.senderID : message.chatID
        return RouteInput(channel: message.channel,
                          peer: BindingPeer.Kind(rawValue: message.kind.rawValue).map { BindingPeer(kind: $0, id: peerID) },
                          guildID: message.guildID)
    }
}

func monotonicNanoseconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}
