import PicoFakes
import Testing

/// A plain message visits the state store's thread 3 times (issue 18): the inbox commit (with Telegram's offset
/// and the sender's message count), the reply commit (with the session and the model call's usage) and the
/// delivery mark. The history and summary come from the store's memory of the session (the previous turn's
/// commit); only the first turn after a start reads them. Counted by the gateway's own counter on `/metrics`, through the real
/// binary and the fakes; the usage figures still count every message and model call. The one exception is timed:
/// after 2 s idle the gateway trims memory and drops that memory, so a loaded machine slow enough to leave such a
/// gap between two messages sees one more read then; the trims are counted (`--debug` logs each one).
@Suite("store visits per message", .serialized)
struct StoreVisitsTests {
    @Test func aPlainMessageMakesThreeStoreVisitsAndItsUsageIsStillCounted() async throws {
        let scene = try await EchoTelegramScene.start(arguments: ["--debug"])
        defer { Task { await scene.stopFakes() } }
        let (telegram, run) = (scene.telegram, scene.run)

        /// Sends `text` and waits until its turn is done (reply sent and its delivery recorded).
        func exchange(_ text: String, _ n: Int) async throws {
            _ = telegram.enqueueTextMessage(from: 4242, text: text)
            _ = try await telegram.waitForSentMessages(count: n, timeout: .seconds(10))
            try await eventually("turn \(n) to be done", timeout: .seconds(10), interval: .milliseconds(10)) {
                run.log.ranges(of: "turn done").count >= n
            }
        }
        func operations() async throws -> Int { try await run.metric("picoclaw_state_operations_total") }
        func statements() async throws -> Int { try await run.metric("picoclaw_state_statements_total") }
        func trims() -> Int { run.log.ranges(of: "KiB of executable pages released").count }

        try await exchange("warm-up", 1)  // the first turn also creates the summary table and reads the history
        let trimsBefore = trims()
        let before = try await operations()
        let statementsBefore = try await statements()
        for n in 2...4 { try await exchange("message \(n)", n) }
        let after = try await operations()
        let statementsAfter = try await statements()
        // Every message and model call is in the day's figures.
        _ = telegram.enqueueTextMessage(from: 4242, text: "/usage")
        let usage = try await telegram.waitForSentMessages(count: 5, timeout: .seconds(10))
        let figures = usage.last?.text ?? ""
        #expect(figures.contains("4 message(s), 4 model call(s)"), "\(figures)")
        #expect(usage.prefix(4).map(\.text) == ["re: warm-up", "re: message 2", "re: message 3", "re: message 4"])
        #expect(await run.stop() == 0)
        // An idle trim in the window (only on a slow machine) makes the next turn read the history: one visit and
        // three statements more. Counted from every trim logged since `before`, once the gateway has stopped (a
        // trim's line follows its effect).
        let trimmed = trims() - trimsBefore
        #expect(
            (3 * 3...3 * 3 + trimmed).contains(after - before),
            "\(after - before) store visits for 3 plain messages (\(trimmed) idle trims between)")
        // 22 SQL statements each (inbox 7, reply 10 with the synchronous=FULL switch, delivery 5 with the switch
        // back), plus one when the messages cross into a new minute (the per-minute counts are pruned then).
        let perMessage = 22
        #expect(
            (3 * perMessage...3 * perMessage + 1 + 3 * trimmed).contains(statementsAfter - statementsBefore),
            "\(statementsAfter - statementsBefore) SQL statements for 3 plain messages (\(trimmed) idle trims between)")
        run.expectNoSecrets()
    }
}
