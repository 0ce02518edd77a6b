import Glibc
import PicoState

/// `schedule{action, ...}`: reminders and recurring tasks in the current chat, stored in the gateway's state store.
/// `create` takes exactly one of `at` / `every` / `cron` and a `message`; `mode` `turn` (default) runs a turn with
/// the message as if the user had sent it, `text` sends the message as it is. `list` and `cancel` see only the
/// caller's own schedules.
public struct ScheduleTool: Tool {
    let schedules: ScheduleStore
    let zoneName: String
    let clock: @Sendable () -> Int64

    public init(schedules: ScheduleStore, timeZone: String, now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) })
    {
        self.schedules = schedules
        self.zoneName = timeZone
        self.clock = now
    }

    public var definition: ToolDefinition {
        let zone = TimeZoneRules.named(zoneName)?.name ?? "UTC"
        return ToolDefinition(
            name: "schedule",
            description:
                "Reminders and recurring tasks in this chat. action=create with exactly one of at ('YYYY-MM-DD HH:MM' in \(zone), or '+20m'), every ('30m', '2h', '1d'; at least 1 minute) or cron (5 fields, \(zone)), plus message; mode=turn (default) later runs that message as a request to you, mode=text sends it as it is. action=list shows this user's schedules; action=cancel with id removes one. At most \(schedules.maxPerOwner) per user.",
            parameters: ToolSchema.object(
                [
                    ("action", "string", "create, list or cancel"),
                    ("at", "string", "One-off time: 'YYYY-MM-DD HH:MM' or '+<n>m/h/d'"),
                    ("every", "string", "Repeat interval, e.g. '30m', '2h', '1d'"),
                    ("cron", "string", "5-field cron expression, e.g. '0 9 * * 1-5'"),
                    ("message", "string", "What to do or say when it fires"),
                    ("mode", "string", "turn (default) or text"),
                    ("id", "integer", "The schedule to cancel"),
                ], required: ["action"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        guard let sender = context.senderID, let origin = context.origin else {
            return .failure("schedules work in Telegram and Discord chats (this conversation has no chat to send to)")
        }
        let owner = "\(context.channel):\(sender)"
        guard let zone = TimeZoneRules.named(zoneName) else {
            return .failure("the configured time zone '\(zoneName)' is unknown (agents.defaults.timezone)")
        }
        switch try arguments.string("action").trimmedSpaces.lowercased() {
        case "create":
            let message = (try arguments.optionalString("message") ?? "").trimmedSpaces
            guard !message.isEmpty else { throw ToolArgumentError("create needs a non-empty 'message'") }
            guard message.count <= 2000 else { throw ToolArgumentError("'message' is longer than 2000 characters") }
            let mode = (try arguments.optionalString("mode") ?? "turn").trimmedSpaces.lowercased()
            guard mode == "turn" || mode == "text" else { throw ToolArgumentError("mode must be turn or text") }
            let now = clock()
            let (at, every, cron) = (
                try arguments.optionalString("at"), try arguments.optionalString("every"),
                try arguments.optionalString("cron")
            )
            let timing: ScheduleTiming
            do {
                timing = try ScheduleTiming.parse(at: at, every: every, cron: cron, zone: zone, now: now)
            } catch { throw ToolArgumentError(error.description) }
            guard let first = timing.next(after: now, from: now, in: zone) else {
                return .failure("that schedule never fires")
            }
            let entry = ScheduleEntry(
                id: 0, agent: context.agentID, owner: owner, channel: context.channel,
                chat: context.chatID, timing: timing, action: mode, text: message, zone: zoneName,
                nextRun: first, createdAt: now, origin: origin)
            do {
                let stored = try await schedules.create(entry)
                return .success(
                    "Scheduled #\(stored.id): \(timing.describe(in: zone)); first at \(CivilTime(zone.local(first)).text) (\(zone.name))."
                )
            } catch let e as ScheduleStore.LimitReached {
                return .failure(e.description)
            }
        case "list":
            let mine = try await schedules.list(owner: owner)
            guard !mine.isEmpty else { return .success("No schedules.") }
            return .success(
                mine.map { e in
                    "#\(e.id) \(e.timing.describe(in: zone)), next \(CivilTime(zone.local(e.nextRun)).text), \(e.action): \(TextLimits.truncate(e.text, to: 120))"
                }.joined(separator: "\n"))
        case "cancel":
            guard let id = try arguments.optionalInt("id") else { throw ToolArgumentError("cancel needs 'id'") }
            return try await schedules.remove(id: Int64(id), owner: owner)
                ? .success("Schedule #\(id) cancelled.") : .failure("you have no schedule #\(id)")
        case let other:
            throw ToolArgumentError(
                "action must be create, list or cancel, got '\(TextLimits.truncate(other, to: 20))'")
        }
    }
}
