import Logging
import PicoAgent
import PicoConfig
import PicoState
import Synchronization

/// `limits.*` for one sender during one turn: the ``ModelCallGate`` ``AgentRuntime`` asks before every model
/// call, and the recorder of each call's tokens and cost (provider-reported cost, else `limits.prices`).
/// A call followed by tool calls is recorded at once; the turn's final call is kept (``takeCharge()``) for the
/// commit of the turn's reply, saving the store a visit.
struct SenderBudget: ModelCallGate {
    let channel: String
    let sender: String
    let limits: LimitsConfig
    let store: StateStore
    let metrics: GatewayMetrics
    let notifier: OwnerNotifier
    let logger: Logger
    /// The final call's figures until the reply commit takes them.
    let kept = KeptCharge()

    /// Which daily limit the sender has reached, if any.
    func exhausted() async -> (kind: String, text: String)? {
        guard limits.tokensPerDay > 0 || limits.costPerDayUSD > 0 else { return nil }
        guard let stored = try? await store.usage(channel: channel, sender: sender) else {
            return ("unavailable", "Sorry — I cannot check your usage right now. Please try again later.")
        }
        let today = stored.adding(kept.current)
        if limits.tokensPerDay > 0 && today.tokens >= limits.tokensPerDay {
            return (
                "tokens_per_day",
                "You have used today's allowance of \(limits.tokensPerDay) tokens. It resets at 00:00 UTC; the owner has been told."
            )
        }
        if limits.costPerDayUSD > 0 && today.costUSD >= limits.costPerDayUSD {
            return (
                "cost_per_day_usd",
                "You have used today's budget of $\(Self.money(limits.costPerDayUSD)). It resets at 00:00 UTC; the owner has been told."
            )
        }
        return nil
    }

    /// Before every model call: the refusal text when a daily limit is reached (the owner is told once a day).
    func admitModelCall(model: String) async -> String? {
        guard let hit = await exhausted() else { return nil }
        metrics.add("picoclaw_messages_limited_total", [("channel", channel), ("limit", hit.kind)])
        if (try? await store.firstLimitNotice(channel: channel, sender: sender, kind: hit.kind)) == true {
            await notifier.notify(
                channel,
                "\(channel) user \(sender) reached limits.\(hit.kind) for today; their messages are refused until 00:00 UTC."
            )
        }
        return hit.text
    }

    /// After a model call that asked for tools: adds its tokens and cost to the sender's day.
    func recordModelCall(model: String, usage: LLMUsage) async {
        do {
            try await store.record(charge(model: model, usage: usage))
        } catch {
            logger.error("cannot record usage of \(channel) user \(sender): \(error)")
        }
    }

    /// After the turn's final model call: kept for the turn's commit (``takeCharge()``).
    func recordFinalModelCall(model: String, usage: LLMUsage) async {
        kept.add(charge(model: model, usage: usage))
    }

    /// The final model call's charge not yet recorded (once: the caller records it, with the turn's reply).
    func takeCharge() -> ModelCharge? { kept.take() }

    /// One call's tokens and cost.
    private func charge(model: String, usage: LLMUsage) -> ModelCharge {
        let price =
            limits.price(of: model)
            ?? limits.prices.first { $0.model.split(separator: "/", maxSplits: 1).last.map(String.init) == model }
        let cost =
            usage.costUSD ?? price?.cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
            ?? 0
        return ModelCharge(
            channel: channel, sender: sender, promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens, costMicroUSD: Int64((cost * 1_000_000).rounded()))
    }

    static func money(_ v: Double) -> String {
        let cents = Int((v * 100).rounded())
        return "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
    }
}

/// Model calls of one turn not recorded yet.
final class KeptCharge: Sendable {
    private let charge = Mutex<ModelCharge?>(nil)

    var current: ModelCharge? { charge.withLock { $0 } }

    func add(_ c: ModelCharge) {
        charge.withLock { kept in
            guard var sum = kept else {
                kept = c
                return
            }
            sum.modelCalls += c.modelCalls
            sum.promptTokens += c.promptTokens
            sum.completionTokens += c.completionTokens
            sum.costMicroUSD += c.costMicroUSD
            kept = sum
        }
    }

    func take() -> ModelCharge? {
        charge.withLock { kept in
            defer { kept = nil }; return kept
        }
    }
}

extension UsageTotals {
    /// These figures with `charge` (not yet recorded) added.
    func adding(_ charge: ModelCharge?) -> UsageTotals {
        guard let charge else { return self }
        return UsageTotals(
            day: day, channel: channel, sender: sender, messages: messages, modelCalls: modelCalls + charge.modelCalls,
            promptTokens: promptTokens + charge.promptTokens,
            completionTokens: completionTokens + charge.completionTokens,
            costMicroUSD: costMicroUSD + charge.costMicroUSD)
    }
}
