import Glibc
import PicoFakes
import PicoSystem
import Testing

/// A log reader that stops reading must not stop the gateway: lines are written by whichever thread logs (often the
/// network loop), so a blocking write there would stop every channel. The real binary, its stderr a FIFO the test
/// does not read (or its log file on a frozen disk): every message is answered once, in order, `/health` answers;
/// once the reader resumes, the lines (or how many were dropped) follow.
@Suite("a stalled log reader, real binary", .serialized)
struct LogStallBinaryTests {
    @Test func stderrIntoAFullPipeNobodyReadsStopsNoReplyAndTheLinesFollowOnceDrained() async throws {
        let (llm, telegram, run, fifo) = try await Self.gatewayWithUnreadStderr()

        let count = 30
        for n in 1...count { _ = telegram.enqueueTextMessage(from: 4242, text: "message \(n)") }
        let sent = try await telegram.waitForSentMessages(count: count, timeout: .seconds(120))
        #expect(sent.map(\.text) == (1...count).map { "re: message \($0)" })
        #expect(await run.get("/health")?.status == 200)
        let dropped = try await run.metric("picoclaw_log_lines_dropped_total")

        // The reader resumes: every queued line arrives, whole and in order (or, had the queue overflowed, one line
        // with the dropped count follows what was kept).
        let drained =
            dropped == 0
            ? await fifo.read(until: { $0.components(separatedBy: "turn done").count - 1 == count })
            : await fifo.read(until: { $0.contains("log line(s) dropped") })
        #expect(drained.contains("gateway started"))
        #expect(drained.utf8.count > 8192, "the gateway never logged more than the 4 KiB pipe holds")
        if dropped > 0 {
            #expect(drained.contains("warning log: \(dropped) log line(s) dropped: stderr was not accepting output"))
        } else {
            #expect(!drained.contains("dropped"))
        }
        let whole = drained.split(separator: "\n").dropLast(drained.hasSuffix("\n") ? 0 : 1)
        #expect(whole.allSatisfy { $0.hasPrefix("20") }, "a line was cut or interleaved")
        // SIGTERM while the reader reads again: the last lines are flushed before the exit.
        async let rest = fifo.read(until: { $0.contains("gateway stopped") })
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages.count == count)
        let tail = await rest
        #expect(!(drained + tail).contains(GatewayRun.telegramToken) && !(drained + tail).contains(GatewayRun.apiKey))
        await llm.stop()
        await telegram.stop()
    }

    @Test func sigtermWhileNobodyReadsStderrStillEndsTheGatewayPromptly() async throws {
        let (llm, telegram, run, fifo) = try await Self.gatewayWithUnreadStderr()
        for n in 1...20 { _ = telegram.enqueueTextMessage(from: 4242, text: "message \(n)") }
        let sent = try await telegram.waitForSentMessages(count: 20, timeout: .seconds(60))
        #expect(sent.map(\.text) == (1...20).map { "re: message \($0)" })
        // Queued lines get two seconds to go out; a reader that never comes back does not hold the exit.
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await run.stop(timeout: .seconds(20)) == 0)
        #expect(clock.now - start < .seconds(10))
        #expect(telegram.sentMessages.count == 20)
        _ = fifo  // its read end stayed open, unread, until here
        await llm.stop()
        await telegram.stop()
    }

    @Test(.enabled(if: FreezableDisk.available, "\(FreezableDisk.unavailableReason ?? "")"))
    func aLogFileOnAFrozenDiskStopsNoReplyAndGetsEveryLineOnceItThaws() async throws {
        let (llm, telegram) = try await Self.fakes()
        let disk = try await FreezableDisk.make()
        let logFile = disk.mountPoint + "/picoclaw.log"
        let run = GatewayRun()
        run.environment["PICOCLAW_GATEWAY_LOG_FILE"] = logFile
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200, timeout: .seconds(30)) != nil)
        #expect(await run.waitForLog("gateway started"))
        do {
            try await eventually("the log file to have the start-up lines") {
                TempDir.readFile(logFile)?.contains("gateway started") == true
            }
            try await disk.freeze()
            let count = 20
            for n in 1...count { _ = telegram.enqueueTextMessage(from: 4242, text: "message \(n)") }
            let sent = try await telegram.waitForSentMessages(count: count, timeout: .seconds(60))
            #expect(sent.map(\.text) == (1...count).map { "re: message \($0)" })
            #expect(await run.get("/health")?.status == 200)
            // stderr (a regular file here) kept going; the frozen file holds none of the turns yet.
            #expect(await run.waitForLog("turn done"))
            #expect(TempDir.readFile(logFile)?.contains("turn done") == false)
            try await disk.thaw()
            try await eventually("the log file to get every turn", timeout: .seconds(20)) {
                (TempDir.readFile(logFile) ?? "").components(separatedBy: "turn done").count - 1 == count
            }
        } catch {
            await disk.remove()
            throw error
        }
        #expect(await run.stop() == 0)
        #expect(TempDir.readFile(logFile)?.contains("gateway stopped") == true)
        await disk.remove()
        await llm.stop()
        await telegram.stop()
    }

    /// The gateway at `--debug` (every model request logged: the 4 KiB FIFO is full at once), its stdout and stderr
    /// a FIFO the test does not read yet, started and ready.
    private static func gatewayWithUnreadStderr() async throws -> (FakeOpenAI, FakeTelegram, GatewayRun, StderrFifo) {
        let (llm, telegram) = try await fakes()
        let run = GatewayRun()
        let fifo = try StderrFifo(at: run.dir.at("stderr.fifo"))
        run.output = fifo.path
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start(["--debug"]))
        #expect(await run.waitFor("/ready", status: 200, timeout: .seconds(30)) != nil)
        return (llm, telegram, run, fifo)
    }

    private static func fakes() async throws -> (FakeOpenAI, FakeTelegram) {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        llm.setResponder { request in .text("re: \(request.lastUserText ?? "")") }
        return (llm, telegram)
    }
}

/// A FIFO for the gateway's stdout and stderr whose read end the test holds open but reads only when it chooses;
/// its capacity is cut to one page, so it fills after a few lines.
private final class StderrFifo: @unchecked Sendable {
    let path: String
    private let readEnd: Int32

    init(at path: String) throws {
        self.path = path
        guard mkfifo(path, 0o600) == 0 else { throw SystemError(errno) }
        readEnd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard readEnd >= 0 else { throw SystemError(errno) }
        _ = fcntl(readEnd, F_SETPIPE_SZ, Int32(4096))
    }

    deinit { close(readEnd) }

    /// Reads (from where the last call stopped) until what was read satisfies `enough` (within 30 s); returns it.
    func read(until enough: (String) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async -> String {
        var got = ""
        let satisfied =
            (try? await eventually("the expected lines on the FIFO", timeout: .seconds(30)) {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { FileDescriptorIO.read(readEnd, into: $0) }
                    if n <= 0 { break }
                    got += String(decoding: buffer[0..<n], as: UTF8.self)
                }
                return enough(got)
            }) != nil
        #expect(satisfied, "the expected lines did not arrive: \(got)", sourceLocation: sourceLocation)
        return got
    }
}

/// `F_SETPIPE_SZ` (Linux; glibc hides it behind `_GNU_SOURCE`).
private let F_SETPIPE_SZ: Int32 = 1031
