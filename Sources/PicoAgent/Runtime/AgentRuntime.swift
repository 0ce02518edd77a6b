import Logging
import PicoConfig
import PicoHTTP
import PicoPolicy
import PicoSystem

/// One agent: its provider, tools, sessions and system prompt, and the tool loop.
///
/// ``respond(to:session:)`` never throws: provider failures become a friendly ``AgentReply/text``. Callers must
/// not run two turns of the same session at once (the gateway's turn scheduler serialises them).
public final class AgentRuntime: Sendable {
    /// Shown when the model stops without any text.
    public static let emptyAnswerText = "I've completed processing but have no response to give."

    /// The agent's resolved settings.
    public let settings: AgentSettings
    /// The agent's tools.
    public let tools: ToolRegistry
    /// The agent's session history.
    public let sessions: any SessionBackend
    let provider: (any LLMProvider)?
    /// Why there is no provider (shown to users when ``provider`` is `nil`).
    public let notReadyReason: String?
    let prompt: SystemPromptBuilder
    let redactor: SecretRedactor
    let auditSink: ToolAuditSink?
    let logger: Logger
    /// Long-term notes (`nil`: the prompt reads the workspace's memory/MEMORY.md, no memory tool).
    public let memory: MemoryStore?
    let compactor: ConversationCompactor
    let toolTokens: Int
    let turns = RunningTurns()

    /// - Parameters:
    ///   - provider: `nil` when no provider is configured; every turn then answers with `notReadyReason`.
    ///   - auditSink: receives one ``ToolAuditEvent`` per tool call.
    public init(
        settings: AgentSettings, provider: (any LLMProvider)?, notReadyReason: String? = nil,
        tools: ToolRegistry, sessions: (any SessionBackend)? = nil, redactor: SecretRedactor,
        auditSink: ToolAuditSink? = nil, logger: Logger = Logger(label: "picoclaw.agent"),
        memory: MemoryStore? = nil
    ) {
        self.memory = memory
        self.settings = settings
        self.provider = provider
        self.notReadyReason = provider == nil ? (notReadyReason ?? "no LLM provider configured") : nil
        self.tools = tools
        self.sessions =
            sessions
            ?? SessionStore(
                workspace: settings.workspace,
                maxHistoryMessages: settings.maxHistoryMessages, redactor: redactor)
        self.prompt = SystemPromptBuilder(
            agentID: settings.id, agentName: settings.name, workspace: settings.workspace,
            restrictToWorkspace: settings.restrictToWorkspace, toolNames: tools.names,
            redactor: redactor)
        self.redactor = redactor
        self.auditSink = auditSink
        self.logger = logger
        self.compactor = ConversationCompactor(
            contextWindow: settings.contextWindow, summarizeAt: settings.summarizeAt,
            maxTokens: settings.maxTokens)
        self.toolTokens = TokenEstimator.estimate(tools.definitions)
    }

    /// `true` when a provider is configured.
    public var isReady: Bool { provider != nil }

    /// Runs one turn: loads the session, calls the model, runs requested tools until the model answers without
    /// tool calls or `maxToolIterations` is reached, persists the turn and returns the answer.
    ///
    /// Session file I/O (loading, append + `fsync`, compaction) runs off the cooperative thread pool, on a
    /// short-lived thread per operation; recent history is usually served from the store's in-memory cache.
    ///
    /// Chat commands (`/new`, `/help`, `/stop`) are answered here without the model. The turn runs in its own task
    /// so that ``stop(session:)`` can cancel it.
    /// With `persist: false` the turn is not written; the caller records ``AgentReply/transcript`` itself (the
    /// gateway commits it together with the reply in one transaction).
    ///
    /// `gate` (the gateway's budgets) is asked before every model call and told every call's usage; when it
    /// refuses, the turn ends with its message.
    public func respond(
        to message: InboundText, session: SessionKey, persist: Bool = true,
        gate: (any ModelCallGate)? = nil
    ) async -> AgentReply {
        if let command = ChatCommand.parse(message.text) { return await run(command, session: session) }
        let work = Task(executorPreference: NetworkLoop.inherited) {
            await self.runTurn(message, session: session, persist: persist, gate: gate)
        }
        let id = turns.register(session, work)
        defer { turns.remove(session, id: id) }
        return await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
    }

    /// Cancels the oldest unfinished turn of `session` (the one running; later ones wait behind it).
    /// - Returns: `false` when no turn of the session was running.
    @discardableResult
    public func stop(session: SessionKey) -> Bool { turns.cancelOldest(session) }

    private func run(_ command: ChatCommand, session: SessionKey) async -> AgentReply {
        let text: String
        switch command {
        case .help:
            text = ChatCommand.helpText
        case .stop:
            text = stop(session: session) ? "Stopped." : "Nothing is running right now."
        case .new:
            do {
                try await sessions.clear(session)
                text = "Started a new conversation. Notes saved with memory are kept."
            } catch {
                logger.error("could not clear the session", metadata: meta(session, ["error": "\(error)"]))
                text = "Sorry — I could not start a new conversation (the session store failed)."
            }
        }
        return AgentReply(text: text, agentID: settings.id, sessionKey: session)
    }

    private func runTurn(
        _ message: InboundText, session: SessionKey, persist shouldPersist: Bool,
        gate: (any ModelCallGate)?
    ) async -> AgentReply {
        let clock = ContinuousClock()
        let started = clock.now
        guard let provider else {
            let error = ProviderError(provider: "none", kind: .notConfigured, detail: notReadyReason ?? "")
            return AgentReply(text: error.userMessage, agentID: settings.id, sessionKey: session, failure: error)
        }
        let (system, history, identity, firstMessage) = await prepareContext(
            message, session: session, provider: provider)
        var turn = [firstMessage]
        let context = ToolContext(
            agentID: settings.id, sessionKey: session, channel: message.channel,
            chatID: message.chatID, senderID: message.senderID, origin: message.origin)

        var iterations = 0
        var toolCallCount = 0
        var usage: LLMUsage?
        var finalText: String?
        while iterations < settings.maxToolIterations {
            iterations += 1
            let request = LLMRequest(
                model: settings.model, messages: [system] + history + identity + turn,
                toolSet: tools.encodedDefinitions, maxTokens: settings.maxTokens,
                temperature: settings.temperature)
            logRequest(request, provider: provider, session: session, iteration: iterations)
            if let gate, let refusal = await gate.admitModelCall(model: settings.model) {
                finalText = refusal
                turn.append(.assistant(refusal))
                break
            }
            let response: LLMResponse
            do {
                response = try await provider.complete(request)
                if let gate, let u = response.usage {
                    if response.toolCalls.isEmpty {
                        await gate.recordFinalModelCall(model: settings.model, usage: u)
                    } else {
                        await gate.recordModelCall(model: settings.model, usage: u)
                    }
                }
            } catch {
                return await providerFailed(
                    error, provider: provider, session: session, turn: turn,
                    persist: shouldPersist, iterations: iterations, toolCalls: toolCallCount,
                    usage: usage, started: started)
            }
            if let u = response.usage {
                usage = LLMUsage(
                    promptTokens: (usage?.promptTokens ?? 0) + u.promptTokens,
                    completionTokens: (usage?.completionTokens ?? 0) + u.completionTokens)
            }
            logResponse(response, session: session, iteration: iterations)
            let content = redactor.redact(response.content)
            guard !response.toolCalls.isEmpty else {
                finalText = content.trimmedSpaces.isEmpty ? AgentRuntime.emptyAnswerText : content
                turn.append(.assistant(finalText!))
                break
            }
            let calls = response.toolCalls.map {
                ToolCall(id: $0.id, name: $0.name, arguments: redactor.redact($0.arguments))
            }
            turn.append(.assistant(content, toolCalls: calls))
            toolCallCount += await runTools(calls, context: context, appendingTo: &turn)
            if Task.isCancelled { break }
        }
        return await finishTurn(
            finalText: finalText, turn: turn, session: session, persist: shouldPersist,
            iterations: iterations, toolCalls: toolCallCount, usage: usage, started: started)
    }

    /// Ends the tool loop: the model's answer, or (no answer: cancelled or out of rounds) a message saying why;
    /// persists the turn and logs it.
    private func finishTurn(
        finalText: String?, turn: [ChatMessage], session: SessionKey, persist shouldPersist: Bool,
        iterations: Int, toolCalls toolCallCount: Int, usage: LLMUsage?,
        started: ContinuousClock.Instant
    ) async -> AgentReply {
        var turn = turn
        let hitLimit = finalText == nil
        let text =
            finalText
            ?? (Task.isCancelled
                ? "Sorry — the request was cancelled."
                : "I stopped after \(settings.maxToolIterations) tool-call rounds without reaching a final answer. "
                    + "Ask me to continue, or increase `max_tool_iterations` in the config.")
        if hitLimit { turn.append(.assistant(text)) }
        let transcript = Self.complete(turn)
        if shouldPersist { await persist(session, transcript) }
        logTurn(
            session, iterations: iterations, toolCalls: toolCallCount, started: started,
            outcome: hitLimit ? "iteration_limit" : "ok")
        return AgentReply(
            text: text, agentID: settings.id, sessionKey: session, iterations: iterations,
            toolCalls: toolCallCount, hitIterationLimit: hitLimit, usage: usage, transcript: transcript)
    }

    /// Loads what the model sees besides the new message: the session history (compacted into the summary when
    /// it would not fit the context window), the system prompt with memory and summary, and the sender identity.
    /// Also returns the user message that opens the turn (redacted, with its pictures).
    private func prepareContext(
        _ message: InboundText, session: SessionKey, provider: any LLMProvider
    ) async
        -> (system: ChatMessage, history: [ChatMessage], identity: [ChatMessage], firstMessage: ChatMessage)
    {
        var history: [ChatMessage] = []
        var summary = ""
        let (loadedHistory, loadedSummary) = await sessions.loadContext(session)
        switch loadedHistory {
        case .success(let messages): history = messages
        case .failure(let error):
            logger.error("session history unreadable; starting fresh", metadata: meta(session, ["error": "\(error)"]))
        }
        switch loadedSummary {
        case .success(let text): summary = text
        case .failure(let error):
            logger.error("session summary unreadable", metadata: meta(session, ["error": "\(error)"]))
        }
        let identity = SenderContext.message(for: message).map { [$0] } ?? []  // data, never in the system prompt
        let notes = await memory?.load(channel: message.channel, chatID: message.chatID, senderID: message.senderID)
        let basePrompt = await prompt.prepare(channel: message.channel, chatID: message.chatID, memory: notes)
        var turn: [ChatMessage] = [.user(redactor.redact(message.text))]
        if !message.images.isEmpty { turn[0].images = message.images }
        let fixedTokens =
            TokenEstimator.estimate(basePrompt + ConversationCompactor.promptSection(summary))
            + toolTokens + TokenEstimator.estimate(identity + turn) + TokenEstimator.perMessageOverhead
        if let cut = compactor.cutIndex(history: history, fixedTokens: fixedTokens) {
            if let newSummary = await summarize(
                Array(history[..<cut]), keepNewest: history.count - cut, onto: summary,
                provider: provider, session: session)
            {
                summary = newSummary
                history = Array(history[cut...])
            }
        }
        let system = ChatMessage.system(
            summary.isEmpty ? basePrompt : basePrompt + ConversationCompactor.promptSection(summary))
        return (system, history, identity, turn[0])
    }

    private func logRequest(_ request: LLMRequest, provider: any LLMProvider, session: SessionKey, iteration: Int) {
        logger.debug(
            "LLM request",
            metadata: meta(
                session,
                [
                    "provider": "\(provider.name)", "model": "\(settings.model)", "iteration": "\(iteration)",
                    "messages": "\(request.messages.count)", "tools": "\(request.tools.count)",
                    "max_tokens": "\(settings.maxTokens)",
                ]))
    }

    private func logResponse(_ response: LLMResponse, session: SessionKey, iteration: Int) {
        logger.debug(
            "LLM response",
            metadata: meta(
                session,
                [
                    "iteration": "\(iteration)", "content_chars": "\(response.content.count)",
                    "tool_calls": "\(response.toolCalls.map(\.name).joined(separator: ","))",
                ]))
    }

    /// Ends the turn after a failed model call: what was said so far stays in the history, so the next turn (or
    /// a restart) has it, and the user gets the provider error's friendly message.
    private func providerFailed(
        _ error: any Error, provider: any LLMProvider, session: SessionKey,
        turn: [ChatMessage], persist shouldPersist: Bool, iterations: Int, toolCalls: Int,
        usage: LLMUsage?, started: ContinuousClock.Instant
    ) async -> AgentReply {
        let failure =
            (error as? ProviderError)
            ?? ProviderError(
                provider: provider.name, kind: Task.isCancelled ? .cancelled : .unreachable,
                detail: redactor.redact("\(error)"))
        logger.error(
            "LLM call failed",
            metadata: meta(
                session,
                [
                    "provider": "\(provider.name)", "error": "\(failure.description)", "iteration": "\(iterations)",
                ]))
        let transcript = Self.complete(turn)
        if shouldPersist { await persist(session, transcript) }
        logTurn(session, iterations: iterations, toolCalls: toolCalls, started: started, outcome: "provider_error")
        return AgentReply(
            text: failure.userMessage, agentID: settings.id, sessionKey: session,
            iterations: iterations, toolCalls: toolCalls, failure: failure, usage: usage,
            transcript: transcript)
    }

    /// Runs the model's tool calls in order (stopping early when the turn is cancelled), reports each to the
    /// audit sink and appends each result to `turn`. Returns how many ran.
    private func runTools(_ calls: [ToolCall], context: ToolContext, appendingTo turn: inout [ChatMessage]) async -> Int
    {
        var count = 0
        for call in calls {
            if Task.isCancelled { break }
            // Off the network thread: a tool may compute for long (curl is serviced only between its jobs).
            let (result, event) = await NetworkLoop.offLoop { await tools.run(call, context: context) }
            count += 1
            auditSink?(event)
            turn.append(.tool(callID: call.id, name: call.name, content: result.content))
        }
        return count
    }

    /// Summarises `older` onto `summary` with the model, stores the summary and drops `older` from the session
    /// file. Returns the new summary, or `nil` (history left as it is) when the model failed.
    private func summarize(
        _ older: [ChatMessage], keepNewest: Int, onto summary: String, provider: any LLMProvider,
        session: SessionKey
    ) async -> String? {
        let request = compactor.request(model: settings.model, summary: summary, older: older)
        let text: String
        do {
            text = try await provider.complete(request).content.trimmedSpaces
        } catch {
            logger.warning(
                "could not summarise older turns; keeping them", metadata: meta(session, ["error": "\(error)"]))
            return nil
        }
        guard !text.isEmpty else { return nil }
        let newSummary = redactor.redact(text)
        do {
            try await sessions.compact(session, summary: newSummary, keepNewest: keepNewest)
        } catch {
            logger.error("could not store the session summary", metadata: meta(session, ["error": "\(error)"]))
            return nil
        }
        logger.debug(
            "summarised older turns",
            metadata: meta(
                session,
                [
                    "messages": "\(older.count)", "summary_chars": "\(newSummary.count)",
                ]))
        return newSummary
    }

    /// The turn without a trailing assistant tool-call message whose results are incomplete (a cancelled turn),
    /// so the history stays valid for every provider.
    static func complete(_ turn: [ChatMessage]) -> [ChatMessage] {
        var messages = turn.map { m in
            var stored = m
            stored.images = nil  // pictures are kept as files, not in the history
            return stored
        }
        if let lastCall = messages.lastIndex(where: { !($0.toolCalls ?? []).isEmpty }) {
            let expected = Set((messages[lastCall].toolCalls ?? []).map(\.id))
            let answered = Set(messages[(lastCall + 1)...].compactMap(\.toolCallId))
            if !expected.isSubset(of: answered) { messages.removeSubrange(lastCall...) }
        }
        return messages
    }

    /// Appends the turn to the session history (the backend's disk work runs off the cooperative pool).
    private func persist(_ session: SessionKey, _ messages: [ChatMessage]) async {
        do {
            try await sessions.appendTurn(session, messages: messages)
        } catch {
            logger.error("could not save the session", metadata: meta(session, ["error": "\(error)"]))
        }
    }

    private func logTurn(
        _ session: SessionKey, iterations: Int, toolCalls: Int, started: ContinuousClock.Instant,
        outcome: String
    ) {
        let ms = started.duration(to: ContinuousClock().now).milliseconds
        // Debug: the gateway logs its own one line per turn at info (with delivery); the CLI shows this with --debug.
        logger.debug(
            "agent turn",
            metadata: meta(
                session,
                [
                    "iterations": "\(iterations)", "tool_calls": "\(toolCalls)", "duration_ms": "\(ms)",
                    "outcome": "\(outcome)",
                ]))
    }

    private func meta(_ session: SessionKey, _ extra: Logger.Metadata) -> Logger.Metadata {
        var m: Logger.Metadata = ["agent": "\(settings.id)", "session": "\(session.rawValue)"]
        m.merge(extra) { _, new in new }
        return m
    }
}
