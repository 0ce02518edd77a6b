import FoundationEssentials
@testable import PicoAgent
import PicoChannels
import PicoState
import Synchronization
import PicoFakes
import Testing
@testable import PicoGateway

/// Records fired messages in a real state-store inbox, which ignores an id it already holds (as the gateway's does).
final class InboxSink: InboundSink {
    let store: StateStore
    private let added = Mutex<[InboundMessage]>([])
    init(store: StateStore) { self.store = store }
    var recorded: [InboundMessage] { added.withLock { $0 } }

    func accept(_ messages: [InboundMessage], cursor: ChannelCursor?) async throws {
        let drafts = try messages.map {
            InboxDraft(
                channel: $0.channel, chat: $0.chatID, messageID: $0.messageID, conversation: $0.chatID,
                payload: String(decoding: try JSONEncoder().encode($0), as: UTF8.self))
        }
        let new = try await store.accept(drafts)
        let ids = Set(new.map(\.messageID))
        added.withLock { $0 += messages.filter { ids.contains($0.messageID) } }
    }
    func cursor(_ name: String) async -> String? { nil }
    func cursors(prefix: String, maxAge: Duration) async -> [ChannelCursor] { [] }
}

/// A state store in a new temporary directory, and its schedules.
private func openSchedules(_ name: String) async throws -> (TempDir, StateStore, ScheduleStore) {
    let dir = TempDir(name)
    let state = try await StateStore.open(directory: dir.at("state"))
    return (dir, state, ScheduleStore(store: state))
}

/// A schedule of Telegram user 5001 in their private chat, made from their message `asked`.
private func scheduleEntry(
    _ timing: ScheduleTiming, action: String, text: String, nextRun: Int64, createdAt: Int64, asked: String,
    messageID: String
) throws -> ScheduleEntry {
    let origin = InboundMessage(
        channel: "telegram", senderID: "5001", chatID: "5001", kind: .direct, text: asked, messageID: messageID)
    return ScheduleEntry(
        id: 0, agent: "main", owner: "telegram:5001", channel: "telegram", chat: "5001", timing: timing,
        action: action, text: text, zone: "UTC", nextRun: nextRun, createdAt: createdAt,
        origin: String(decoding: try JSONEncoder().encode(origin), as: UTF8.self))
}

@Suite("schedule runner")
struct ScheduleRunnerTests {
    @Test func anOccurrenceIsRecordedOnceEvenWhenTheAdvanceWasLostAndRepeatsSkipMissedRuns() async throws {
        let (dir, state, schedules) = try await openSchedules("pico-sched")
        defer { _ = dir }
        let clock = Mutex<Int64>(1_800_000_000)
        let created = try await schedules.create(
            scheduleEntry(
                .every(seconds: 3600), action: "turn", text: "check the oven", nextRun: 1_800_003_600,
                createdAt: 1_800_000_000, asked: "every hour", messageID: "42"))
        let sink = InboxSink(store: state)
        let runner = ScheduleRunner(
            schedules: schedules, sink: sink, logger: .init(label: "test"), now: { clock.withLock { $0 } })

        #expect(await runner.fireDue() == 0)
        clock.withLock { $0 = 1_800_003_600 + 5 }
        #expect(await runner.fireDue() == 1)
        #expect(await runner.fireDue() == 0)
        // A crash after recording but before the schedule moved: the same occurrence is due again.
        try await state.write { db throws(StateError) in
            try db.execute("UPDATE schedules SET next_run = 1800003600 WHERE id = ?", [.integer(created.id)])
        }
        _ = await runner.fireDue()
        #expect(sink.recorded.count == 1, "the occurrence was recorded twice")
        let first = try #require(sink.recorded.first)
        #expect(first.messageID == "schedule-\(created.id)-1800003600")
        #expect(first.text.hasPrefix("[Scheduled task #\(created.id), every 1h] check the oven"))
        #expect(!first.text.contains("offline"))
        #expect(first.replyTarget.replyToMessageID == nil)
        #expect(try await schedules.list().first?.nextRun == 1_800_007_200)

        // Down for five hours: one late firing, then back on the hourly grid.
        clock.withLock { $0 = 1_800_007_200 + 5 * 3600 + 100 }
        #expect(await runner.fireDue() == 1)
        #expect(sink.recorded.count == 2)
        #expect(sink.recorded.last?.text.contains("I was offline; it runs now, once") == true)
        #expect(try await schedules.list().first?.nextRun == 1_800_007_200 + 6 * 3600)
        await state.close()
    }
}

@Suite("schedule runner wakes for a new schedule")
struct ScheduleRunnerWakeTests {
    /// A reminder created while the runner sleeps (here for up to an hour) fires at once when due, not after the
    /// runner's next look.
    @Test func aScheduleCreatedWhileTheRunnerSleepsFiresWithoutWaitingForTheSleep() async throws {
        let (dir, state, schedules) = try await openSchedules("pico-sched-wake")
        defer { _ = dir }
        let sink = InboxSink(store: state)
        let clock: Int64 = 1_800_000_000
        let runner = ScheduleRunner(
            schedules: schedules, sink: sink, logger: .init(label: "test"), now: { clock }, longestSleep: 3600)
        let before = ScheduleStore.changes.waiterCount
        let running = Task { await runner.run() }
        // Asleep, nothing scheduled (a runner that does not listen for new schedules never gets here).
        try? await eventually("the runner waiting for new schedules", timeout: .seconds(10)) {
            ScheduleStore.changes.waiterCount > before
        }

        _ = try await schedules.create(
            scheduleEntry(
                .at(clock), action: "text", text: "tea is ready", nextRun: clock, createdAt: clock, asked: "remind me",
                messageID: "7"))
        let fired: Bool
        do {
            try await eventually("the reminder recorded", timeout: .seconds(20)) { !sink.recorded.isEmpty }
            fired = true
        } catch { fired = false }
        running.cancel()
        await running.value
        #expect(fired, "the runner slept through a due schedule")
        #expect(sink.recorded.first?.text.contains("tea is ready") == true)
        await state.close()
    }
}
