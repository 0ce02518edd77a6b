import FoundationEssentials
import Logging
import PicoHTTP

/// How one gateway connection ended.
enum GatewayConnectionEnd {
    case resume(String)
    case reidentify(String)
    case fatal(ChannelError)
    case stopped
}

extension DiscordChannel {
    /// Keeps a gateway connection alive until stopped or a fatal error.
    func runLoop() async {
        var failures = 0
        var gatewayURL: String?
        var validated = false
        while !Task.isCancelled {
            var reachedReady = false
            do {
                if !validated {
                    let me = try await rest.get("/users/@me", as: DiscordUser.self)
                    validated = true
                    logger.debug("discord: token accepted for bot user \(me.id)")
                }
                if gatewayURL == nil {
                    gatewayURL = try await rest.get("/gateway/bot", as: DiscordGatewayBot.self).url
                }
                let resume = session.resume
                let base = resume?.resumeURL ?? gatewayURL!
                let ws = try await WebSocket.connect(
                    url: Self.gatewayURL(base), proxy: options.proxy,
                    connectTimeout: .seconds(15), maxMessageBytes: 8 << 20)
                let end = await runConnection(ws, resuming: resume != nil, reachedReady: &reachedReady)
                switch end {
                case .stopped:
                    return
                case .fatal(let error):
                    fail(error.description, error: error)
                    return
                case .resume(let why):
                    logger.info("discord: connection ended (\(why)); reconnecting to resume the session")
                case .reidentify(let why):
                    session.invalidate()
                    logger.info("discord: connection ended (\(why)); reconnecting with a new session")
                }
            } catch is CancellationError {
                return
            } catch let error as ChannelAPIError where error.isUnauthorized {
                fail(
                    "Discord rejected the bot token (HTTP 401). Check channels.discord.token",
                    error: .authenticationFailed(
                        "Discord rejected the bot token (HTTP 401). Check channels.discord.token"))
                return
            } catch {
                logger.warning("discord: cannot connect to the gateway: \(error)")
                if failures >= 2 {  // maybe the resume URL or cached gateway URL went bad: start over
                    gatewayURL = nil
                    session.invalidate()
                }
            }
            if Task.isCancelled || isStopped { return }
            setState(.connecting)
            failures = reachedReady ? 0 : failures + 1
            if failures > 0 {
                let delay = options.timing.reconnectDelay(attempt: failures - 1)
                logger.info("discord: reconnecting in \(options.timing.scaled(delay))")
                do { try await options.timing.sleep(delay) } catch { return }
            }
        }
    }

    private func fail(_ message: String, error: ChannelError) {
        logger.error("discord: \(message)")
        loopEndedFatally(message)
        resolveStart(.failure(error))
    }

    /// `url` with `v=10&encoding=json`.
    static func gatewayURL(_ url: String) -> String {
        var base = url
        if let q = base.firstIndex(of: "?") { base = String(base[..<q]) }
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/?v=10&encoding=json"
    }

    /// Runs one connection: HELLO, heartbeats, IDENTIFY or RESUME, then dispatches until it closes.
    private func runConnection(_ ws: WebSocket, resuming: Bool, reachedReady: inout Bool) async -> GatewayConnectionEnd
    {
        var events = ws.events.makeAsyncIterator()
        // HELLO comes first; a gateway that never sends it is dropped after 30 s.
        let helloWatchdog = Task {
            do { try await Task.sleep(for: .seconds(30)) } catch { return }
            await ws.close(code: 4000, reason: "no HELLO")
        }
        let firstEvent = await events.next()
        helloWatchdog.cancel()
        guard case .text(let first)? = firstEvent,
            let header = try? decode(GatewayHeader.self, first), header.op == 10,
            let hello = try? decode(GatewayData<GatewayHello>.self, first).d, hello.heartbeatInterval > 0
        else {
            await ws.close(code: 4000, reason: "expected HELLO")
            return Task.isCancelled ? .stopped : .resume("no HELLO from the gateway")
        }
        session.resetHeartbeat()
        let interval = Duration.milliseconds(hello.heartbeatInterval)
        let heartbeat = Task { await self.heartbeatLoop(ws, interval: interval) }
        defer { heartbeat.cancel() }

        do {
            if let resume = session.resume {
                let payload = GatewayResume(
                    d: .init(token: options.token, sessionID: resume.sessionID, seq: session.seq))
                try await ws.send(text: encode(payload))
                logger.debug("discord: resuming session")
            } else {
                let payload = GatewayIdentify(d: .init(token: options.token, intents: options.intents))
                try await ws.send(text: encode(payload))
                logger.debug("discord: identifying")
            }
        } catch {
            await ws.close(code: 4000, reason: "send failed")
            return Task.isCancelled ? .stopped : .resume("cannot send IDENTIFY/RESUME: \(error)")
        }

        while let event = await events.next() {
            switch event {
            case .text(let text):
                if let end = await handlePayload(text, ws: ws, reachedReady: &reachedReady) { return end }
            case .binary:
                continue
            case .closed(let code, let reason):
                if Task.isCancelled { return .stopped }
                let what = code.map { "close \($0)\(reason.isEmpty ? "" : ": \(reason)")" } ?? reason
                switch DiscordCloseAction.forCloseCode(code) {
                case .fatal(let message):
                    return .fatal(code == 4004 ? .authenticationFailed(message) : .fatal(message))
                case .reidentify: return .reidentify(what)
                case .resume: return .resume(what)
                }
            }
        }
        // The iterator ended without `.closed`: our task was cancelled (stop).
        await ws.close(code: 1000, reason: "shutting down")
        return .stopped
    }

    /// Handles one payload; returns how the connection ends if it should end now.
    private func handlePayload(_ text: String, ws: WebSocket, reachedReady: inout Bool) async -> GatewayConnectionEnd? {
        guard let header = try? decode(GatewayHeader.self, text) else {
            logger.debug("discord: ignoring an undecodable gateway payload")
            return nil
        }
        switch header.op {
        case 0:
            session.observe(seq: header.s)
            await handleDispatch(header.t ?? "", text, reachedReady: &reachedReady)
        case 1:
            try? await ws.send(text: encode(GatewayHeartbeat(seq: session.seq)))
        case 7:
            await ws.close(code: 4000, reason: "reconnect requested")
            return .resume("Discord asked to reconnect (op 7)")
        case 9:
            let resumable = (try? decode(GatewayData<Bool>.self, text).d) ?? false
            if resumable {
                await ws.close(code: 4000, reason: "invalid session, resuming")
                return .resume("invalid session (resumable)")
            }
            session.invalidate()
            await ws.close(code: 4000, reason: "invalid session")
            // Discord asks clients to wait 1–5 s before identifying again.
            do { try await options.timing.sleep(.milliseconds(Int.random(in: 1000...5000))) } catch { return .stopped }
            return .reidentify("invalid session (not resumable)")
        case 11:
            session.heartbeatAcked()
        default:
            break
        }
        return nil
    }

    private func handleDispatch(_ type: String, _ text: String, reachedReady: inout Bool) async {
        switch type {
        case "READY":
            guard let ready = try? decode(GatewayData<GatewayReady>.self, text).d else {
                logger.warning("discord: unreadable READY payload")
                return
            }
            session.ready(sessionID: ready.sessionID, resumeURL: ready.resumeGatewayURL, botID: ready.user.id)
            reachedReady = true
            setState(.connected)
            logger.info("discord: connected as \(ready.user.username ?? "?") (id \(ready.user.id))")
            resolveStart(.success(()))
            // A new session: what was sent while no session was open is not replayed by Discord.
            await catchUp(botID: ready.user.id)
        case "RESUMED":
            reachedReady = true
            setState(.connected)
            logger.info("discord: session resumed")
            resolveStart(.success(()))
        case "MESSAGE_CREATE":
            guard let botID = session.botID else { return }
            guard let message = try? decode(GatewayData<DiscordMessage>.self, text).d else {
                logger.debug("discord: ignoring an unreadable MESSAGE_CREATE")
                return
            }
            let converter = DiscordInbound(botID: botID, mentionOnly: options.mentionOnly)
            switch converter.convert(message) {
            case .skip(let reason):
                logger.debug("discord: ignoring message \(message.id): \(reason)")
            case .accept(let inbound):
                guard let admitted = gate.admitting(inbound) else { return }
                logger.debug(
                    "discord: message \(inbound.messageID) from user \(inbound.senderID) in channel \(inbound.chatID) (\(inbound.kind.rawValue))"
                )
                await deliverInbound([admitted])
            }
        case "INTERACTION_CREATE":
            if let interaction = try? decode(GatewayData<DiscordInteraction>.self, text).d { report(interaction) }
        default:
            break
        }
    }

    /// Sends op 1 every `interval` (the first after interval × jitter); closes with 4000 when the previous
    /// heartbeat was not acknowledged, so the loop reconnects and resumes.
    private func heartbeatLoop(_ ws: WebSocket, interval: Duration) async {
        do {
            try await Task.sleep(for: interval * Double.random(in: 0...1))
            while !Task.isCancelled {
                guard let seq = session.takeHeartbeat() else {
                    logger.warning("discord: no heartbeat ACK within \(interval); reconnecting")
                    await ws.close(code: 4000, reason: "heartbeat ACK missing")
                    return
                }
                try await ws.send(text: encode(GatewayHeartbeat(seq: seq)))
                try await Task.sleep(for: interval)
            }
        } catch {
            return
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
