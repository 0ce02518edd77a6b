import FoundationEssentials
import Glibc
import Logging
import PicoAgent
import PicoChannels
import PicoState

/// Fires due schedules into the pipeline, exactly once per occurrence: the occurrence is recorded as an inbox
/// message whose id names the schedule and the occurrence (`schedule-<id>-<unix time>`; recording it again after a
/// crash is a no-op), and only then is the schedule moved to its next occurrence (or deleted, for one-offs).
/// Occurrences missed while the gateway was down fire once, late, and the message says so.
final class ScheduleRunner: Sendable {
    /// An occurrence older than this when fired counts as late.
    static let lateAfter: Int64 = 90
    /// Longest sleep between checks (a schedule created by this process wakes the runner at once; this bounds how
    /// late one written by another process, or a change of the system clock, is noticed).
    static let maxSleep: Int64 = 30

    let schedules: ScheduleStore
    /// Longest sleep between checks (``maxSleep`` unless a test says otherwise).
    let longestSleep: Int64
    let sink: any InboundSink
    let logger: Logger
    let now: @Sendable () -> Int64

    init(
        schedules: ScheduleStore, sink: any InboundSink, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }, longestSleep: Int64 = ScheduleRunner.maxSleep
    ) {
        self.schedules = schedules
        self.longestSleep = longestSleep
        self.sink = sink
        self.logger = logger
        self.now = now
    }

    /// Checks and fires until cancelled. The state store is read only when a schedule is due or was created, so an
    /// idle gateway without due schedules does not wake the store.
    func run() async {
        var seen = ScheduleStore.changeCount
        await fireDue()
        var earliest = (try? await schedules.earliest()) ?? nil
        while !Task.isCancelled {
            let wait = max(1, min(longestSleep, (earliest ?? Int64.max) - now()))
            await Self.sleep(seconds: wait, orUntilChangeAfter: seen)
            let changed = ScheduleStore.changeCount != seen
            guard changed || (earliest.map { now() >= $0 } ?? false) else { continue }
            seen = ScheduleStore.changeCount
            await fireDue()
            earliest = (try? await schedules.earliest()) ?? nil
        }
    }

    /// Sleeps `seconds`, or less when this process creates a schedule meanwhile (it may be due sooner).
    private static func sleep(seconds: Int64, orUntilChangeAfter seen: UInt64) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            group.addTask { await ScheduleStore.change(after: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Fires every due schedule once; returns how many fired.
    @discardableResult
    func fireDue() async -> Int {
        let t = now()
        let due: [ScheduleEntry]
        do { due = try await schedules.due(now: t) } catch {
            logger.error("schedules: cannot read the state store: \(error)")
            return 0
        }
        var fired = 0
        for entry in due {
            let zone = TimeZoneRules.named(entry.zone) ?? .utc
            guard var message = try? JSONDecoder().decode(InboundMessage.self, from: Data(entry.origin.utf8)) else {
                logger.error("schedule #\(entry.id) has an unreadable chat reference; removing it")
                _ = try? await schedules.remove(id: entry.id)
                continue
            }
            let late = t - entry.nextRun > ScheduleRunner.lateAfter
            let dueText = "\(CivilTime(zone.local(entry.nextRun)).text) (\(zone.name))"
            message.messageID = "schedule-\(entry.id)-\(entry.nextRun)"
            message.mentionsBot = true
            message.replyToMessageID = nil
            if entry.action == "text" {
                message.text = entry.text
                message.scheduled = ScheduledFire(
                    scheduleID: entry.id,
                    fixedText: entry.text
                        + (late ? "\n\n(Late: this was due at \(dueText), while I was offline.)" : ""))
            } else {
                message.text =
                    "[Scheduled task #\(entry.id), \(entry.timing.describe(in: zone))] \(entry.text)"
                    + (late
                        ? "\n(This was due at \(dueText) but I was offline; it runs now, once. Say that it is late.)"
                        : "")
                message.scheduled = ScheduledFire(scheduleID: entry.id)
            }
            do {
                try await sink.accept([message], cursor: nil)
                // A one-off is done once fired (even when its stored time was moved); repeats skip what was missed.
                var next: Int64?
                if case .at = entry.timing {
                    next = nil
                } else {
                    next = entry.timing.next(after: t, from: entry.createdAt, in: zone)
                }
                try await schedules.advance(id: entry.id, fired: entry.nextRun, next: next)
                fired += 1
                logger.info(
                    "schedule fired",
                    metadata: ["schedule": "\(entry.id)", "late": "\(late)", "channel": "\(entry.channel)"])
            } catch {
                logger.error("schedule #\(entry.id) could not fire: \(error); it is tried again")
                break
            }
        }
        return fired
    }
}
