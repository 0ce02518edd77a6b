import PicoAgent
import PicoState
import PicoFakes
import Testing

@Suite("Schedule timing")
struct ScheduleTimingTests {
    let berlin = TimeZoneRules.named("Europe/Berlin")!
    let utc = TimeZoneRules.utc

    /// Seconds since the epoch of a UTC wall-clock time.
    func utcTime(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Int64 {
        Int64(CivilTime.days(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3600 + mi * 60)
    }

    @Test func zoneFilesGiveOffsetsAcrossDaylightSaving() {
        #expect(berlin.offset(at: utcTime(2026, 1, 15, 12, 0)) == 3600)
        #expect(berlin.offset(at: utcTime(2026, 7, 15, 12, 0)) == 7200)
        // 2026-03-29 02:30 local does not exist in Berlin: the time after the gap (03:30 CEST = 01:30 UTC).
        let gap = berlin.instant(ofLocal: utcTime(2026, 3, 29, 2, 30))
        #expect(gap == utcTime(2026, 3, 29, 1, 30))
        #expect(berlin.instant(ofLocal: utcTime(2026, 12, 2, 9, 0)) == utcTime(2026, 12, 2, 8, 0))
        #expect(TimeZoneRules.named("../../etc/passwd") == nil)
        #expect(TimeZoneRules.named("Nowhere/Atlantis") == nil)
        #expect(CivilTime(utcTime(2026, 12, 1, 13, 5)).weekday == 2)  // a Tuesday
    }

    @Test func cronFindsTheNextOccurrenceInTheZone() throws {
        let weekdays9 = try CronExpression("0 9 * * mon-fri")
        // Friday 2026-12-04 10:00 UTC → Monday 2026-12-07 09:00 Berlin = 08:00 UTC.
        #expect(weekdays9.next(after: utcTime(2026, 12, 4, 10, 0), in: berlin) == utcTime(2026, 12, 7, 8, 0))
        let quarter = try CronExpression("*/15 * * * *")
        #expect(quarter.next(after: utcTime(2026, 12, 1, 13, 7), in: utc) == utcTime(2026, 12, 1, 13, 15))
        let firstOrMonday = try CronExpression("30 8 1 * 1")  // day 1 OR Monday
        #expect(firstOrMonday.next(after: utcTime(2026, 12, 1, 9, 0), in: utc) == utcTime(2026, 12, 7, 8, 30))
        #expect(
            try CronExpression("0 0 29 2 *").next(after: utcTime(2026, 3, 1, 0, 0), in: utc)
                == utcTime(2028, 2, 29, 0, 0))
        #expect(try CronExpression("0 0 31 2 *").next(after: 0, in: utc) == nil)
        for bad in ["* * * *", "60 * * * *", "* 24 * * *", "5-1 * * * *", "*/0 * * * *", "* * * foo *"] {
            #expect(throws: CronExpression.Invalid.self) { try CronExpression(bad) }
        }
    }

    @Test func timingsParseAndRepeat() throws {
        let now = utcTime(2026, 12, 1, 13, 0)
        #expect(
            try ScheduleTiming.parse(at: "2026-12-02 09:00", every: nil, cron: nil, zone: berlin, now: now)
                == .at(utcTime(2026, 12, 2, 8, 0)))
        #expect(try ScheduleTiming.parse(at: "+20m", every: nil, cron: nil, zone: berlin, now: now) == .at(now + 1200))
        let every = try ScheduleTiming.parse(at: nil, every: "2h", cron: nil, zone: utc, now: now)
        #expect(every == .every(seconds: 7200))
        // Missed occurrences are skipped: the next one after "now", on the original grid.
        #expect(every.next(after: now + 5 * 3600 + 1, from: now, in: utc) == now + 6 * 3600)
        #expect(throws: ScheduleTiming.Invalid.self) {
            try ScheduleTiming.parse(at: "2026-11-30 09:00", every: nil, cron: nil, zone: utc, now: now)
        }
        #expect(throws: ScheduleTiming.Invalid.self) {
            try ScheduleTiming.parse(at: nil, every: "30s", cron: nil, zone: utc, now: now)
        }
        #expect(throws: ScheduleTiming.Invalid.self) {
            try ScheduleTiming.parse(at: "+1h", every: "1h", cron: nil, zone: utc, now: now)
        }
        #expect(throws: ScheduleTiming.Invalid.self) {
            try ScheduleTiming.parse(at: "2026-02-30 09:00", every: nil, cron: nil, zone: utc, now: now)
        }
    }

    @Test func theToolStoresPerSenderWithALimitAndListsOnlyOwnSchedules() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let state = try await StateStore.open(directory: dir.at("state"))
        let tool = ScheduleTool(
            schedules: ScheduleStore(store: state, maxPerOwner: 2), timeZone: "UTC",
            now: { 1_800_000_000 })
        let registry = ToolRegistry(tools: [tool], redactor: .init(secrets: []))
        func call(
            _ args: String, sender: String? = "111", origin: String? = #"{"channel":"telegram"}"#
        ) async -> ToolResult {
            await registry.run(
                ToolCall(id: "s", name: "schedule", arguments: args),
                context: ToolContext(
                    agentID: "main", sessionKey: testSession, channel: "telegram",
                    chatID: "111", senderID: sender, origin: origin)
            ).0
        }
        #expect(
            await call(#"{"action":"create","every":"1d","message":"water the plants"}"#).content.contains(
                "Scheduled #1"))
        #expect(
            await call(#"{"action":"create","cron":"0 9 * * *","message":"standup","mode":"text"}"#).content.contains(
                "Scheduled #2"))
        let third = await call(#"{"action":"create","at":"+1h","message":"one too many"}"#)
        #expect(third.isError && third.content.contains("cancel one first"))
        #expect(await call(#"{"action":"list"}"#, sender: "222").content == "No schedules.")
        #expect(await call(#"{"action":"cancel","id":1}"#, sender: "222").isError)
        #expect(await call(#"{"action":"list"}"#).content.contains("#2 cron 0 9 * * * (UTC)"))
        #expect(await call(#"{"action":"cancel","id":1}"#).content.contains("cancelled"))
        let cli = await call(#"{"action":"create","at":"+1h","message":"x"}"#, sender: nil, origin: nil)
        #expect(cli.isError && cli.content.contains("Telegram and Discord"))
        #expect(try await ScheduleStore(store: state).list().map(\.id) == [2])
        await state.close()
    }
}
