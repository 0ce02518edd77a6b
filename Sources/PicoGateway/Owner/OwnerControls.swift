import Glibc
import Logging
import PicoChannels
import PicoConfig
import PicoState

/// What the gateway does with a message before any agent sees it: pairing of strangers (`dm_policy: pairing`),
/// owner commands (`/pair`), `/usage`, and the per-sender limits (`limits.*`).
struct OwnerControls: Sendable {
    let store: StateStore
    let config: PicoConfiguration
    let metrics: GatewayMetrics
    let notifier: OwnerNotifier
    let logger: Logger

    /// The outcome of ``screen(_:)``.
    enum Decision: Sendable {
        /// Answer with this text (or nothing) instead of running an agent.
        case answer(String?)
        /// Run the agent with this budget.
        case run(SenderBudget)
    }

    /// Whether ``screen(_:counted:)`` would count `message` whatever the store holds (no pairing check first, not
    /// an owner command, not a schedule's fixed text): such a message is counted in its inbox commit instead.
    static func countsAtIntake(_ message: InboundMessage) -> Bool {
        guard message.pairingCandidate != true, message.scheduled?.fixedText == nil else { return false }
        let command = command(of: message.text)
        return command != "/pair" && command != "/usage"
    }

    /// The message's first word in lower case, without a `@botname` suffix.
    private static func command(of text: String) -> String? {
        // The first word only (the rest of a long message is not split up).
        let isSeparator: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
        let word = text.drop(while: isSeparator).prefix(while: { !isSeparator($0) })
        guard !word.isEmpty else { return nil }
        return (word.split(separator: "@").first ?? word).lowercased()
    }

    /// Decides what happens to `message`. `counted`: its count in the sender's current minute when its inbox
    /// commit already counted it (``countsAtIntake(_:)``); `nil` counts it here.
    func screen(_ message: InboundMessage, counted: Int? = nil) async -> Decision {
        if message.pairingCandidate == true {
            do {
                if !(try await store.isPaired(channel: message.channel, sender: message.senderID)) {
                    return .answer(await pair(message))
                }
            } catch {
                logger.error("pairing: cannot read the state store: \(error)")
                return .answer(nil)
            }
        }
        let command = Self.command(of: message.text)
        if command == "/pair" {
            let words = message.text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
            return .answer(await pairCommand(message, Array(words.dropFirst())))
        }
        if command == "/usage" { return .answer(await usageText(message)) }
        return await limit(message, counted: counted)
    }

    // MARK: - Pairing

    /// A stranger's direct message: a new code, or nothing.
    private func pair(_ m: InboundMessage) async -> String? {
        let outcome: PairingOutcome
        do {
            outcome = try await store.requestPairing(
                channel: m.channel, sender: m.senderID, username: m.username, chat: m.chatID)
        } catch {
            logger.error("pairing: cannot record a request: \(error)")
            return nil
        }
        let who = m.username.map { "user \(m.senderID) (@\($0))" } ?? "user \(m.senderID)"
        switch outcome {
        case .issued(let code, _):
            metrics.add("picoclaw_pairing_requests_total", [("channel", m.channel)])
            await notifier.notify(
                m.channel,
                "Pairing request from \(m.channel) \(who): code \(code). Approve with /pair approve \(code) here, or `picoclaw pairing approve \(code)`. It expires in 1 hour."
            )
            return
                "Hi! This bot is private. Your pairing code is \(code) — send it to the bot's owner. It expires in 1 hour."
        case .alreadyIssued:
            logger.info("pairing: \(m.channel) \(who) already has a code; not answering")
            return nil
        case .tooManyPending:
            logger.warning(
                "pairing: \(m.channel) has 3 pending codes; not answering \(who). Approve or let them expire (picoclaw pairing list)"
            )
            return nil
        case .paired:
            return nil
        }
    }

    /// `/pair approve CODE | list | revoke ID` from an owner.
    private func pairCommand(_ m: InboundMessage, _ args: [String]) async -> String {
        guard notifier.isOwner(m.senderID, on: m.channel) else {
            logger.warning("\(m.channel) user \(m.senderID) tried /pair but is not an owner of the channel")
            return "Only an owner of this bot can use /pair."
        }
        let approver = "\(m.channel):\(m.senderID)"
        do {
            switch (args.first?.lowercased(), args.count) {
            case ("approve", 2):
                guard let paired = try await store.approvePairing(code: args[1], approver: approver) else {
                    return "No pending pairing has the code \(args[1].uppercased()) (codes expire after 1 hour)."
                }
                metrics.add("picoclaw_pairings_approved_total", [("channel", paired.channel)])
                logger.notice("pairing: \(paired.channel) user \(paired.sender) approved by \(approver)")
                if let channel = notifier.channel(paired.channel) {
                    try? await channel.send(
                        "You are paired: the bot now answers you.", to: ReplyTarget(chatID: paired.chat))
                }
                return "Approved: \(paired.channel) user \(paired.sender)\(paired.username.map { " (@\($0))" } ?? "")."
            case ("revoke", 2):
                let removed = try await store.revokePairing(args[1])
                for p in removed { logger.notice("pairing: \(p.channel) user \(p.sender) revoked by \(approver)") }
                return removed.isEmpty
                    ? "No paired user \(args[1])."
                    : "Revoked: \(removed.map { "\($0.channel) user \($0.sender)" }.joined(separator: ", "))."
            case ("list", 1):
                let pending = try await store.pendingPairings()
                let paired = try await store.pairedSenders()
                return
                    "Pending: \(pending.isEmpty ? "none" : pending.map { "\($0.code) (\($0.channel) user \($0.sender))" }.joined(separator: ", ")). Paired: \(paired.isEmpty ? "none" : paired.map { "\($0.channel):\($0.sender)" }.joined(separator: ", "))."
            default:
                return "Usage: /pair approve CODE, /pair list, /pair revoke ID"
            }
        } catch {
            logger.error("pairing: \(error)")
            return "The state store is unavailable; try again later."
        }
    }

    // MARK: - Usage and limits

    private func usageText(_ m: InboundMessage) async -> String {
        guard let today = try? await store.usage(channel: m.channel, sender: m.senderID) else {
            return "Usage figures are unavailable right now."
        }
        let l = config.limits
        func of(_ limit: String) -> String { " of \(limit)" }
        return "Today (\(today.day), UTC): \(today.messages) message(s), \(today.modelCalls) model call(s), "
            + "\(today.tokens)\(l.tokensPerDay > 0 ? of(String(l.tokensPerDay)) : "") tokens, "
            + "$\(SenderBudget.money(today.costUSD))\(l.costPerDayUSD > 0 ? of("$" + SenderBudget.money(l.costPerDayUSD)) : "") spent."
            + (l.messagesPerMinute > 0 ? " Limit: \(l.messagesPerMinute) message(s) per minute." : "")
    }

    /// Counts the message (unless `counted`); refuses it (one clear message, owner told) when a limit is reached.
    private func limit(_ m: InboundMessage, counted: Int?) async -> Decision {
        let budget = SenderBudget(
            channel: m.channel, sender: m.senderID, limits: config.limits, store: store,
            metrics: metrics, notifier: notifier, logger: logger)
        let inMinute: Int
        do {
            if let counted {
                inMinute = counted
            } else {
                inMinute = try await store.countMessage(channel: m.channel, sender: m.senderID)
            }
        } catch {
            logger.error("cannot count the message of \(m.channel) user \(m.senderID): \(error)")
            return config.limits.isEnabled ? .answer(nil) : .run(budget)
        }
        let perMinute = config.limits.messagesPerMinute
        if perMinute > 0 && inMinute > perMinute {
            metrics.add("picoclaw_messages_limited_total", [("channel", m.channel), ("limit", "messages_per_minute")])
            let minute = Int64(time(nil)) / 60
            if (try? await store.firstLimitNotice(channel: m.channel, sender: m.senderID, kind: "messages_per_minute"))
                == true
            {
                await notifier.notify(
                    m.channel,
                    "\(m.channel) user \(m.senderID) sends more than limits.messages_per_minute (\(perMinute)); extra messages are refused."
                )
            }
            let first =
                (try? await store.firstLimitNotice(
                    channel: m.channel, sender: m.senderID, kind: "messages_per_minute@\(minute)")) == true
            return .answer(
                first
                    ? "You are sending messages too fast (limit: \(perMinute) per minute). Please wait a minute." : nil)
        }
        if let hit = await budget.exhausted() {
            metrics.add("picoclaw_messages_limited_total", [("channel", m.channel), ("limit", hit.kind)])
            guard (try? await store.firstLimitNotice(channel: m.channel, sender: m.senderID, kind: hit.kind)) == true
            else {
                return .answer(nil)
            }
            await notifier.notify(
                m.channel,
                "\(m.channel) user \(m.senderID) reached limits.\(hit.kind) for today; their messages are refused until 00:00 UTC."
            )
            return .answer(hit.text)
        }
        return .run(budget)
    }
}
