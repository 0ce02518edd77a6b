import Glibc
import PicoFakes
import PicoState
import Testing

/// A full disk under the state directory (a real 1 MiB tmpfs, so root only): a clear error naming the path,
/// nothing accepted lost, nothing corrupted, and everything answered once space returns.
@Suite(
    "state directory on a full disk", .serialized,
    .enabled(if: getuid() == 0, "mounting a tmpfs needs root (CI runs as root)"))
struct DiskFullTests {
    @Test func fullDiskLosesNothingAndRecovers() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setResponder { request in .text("re: \(request.lastUserText ?? "")") }
        let run = GatewayRun()
        let state = run.dir.mkdir("home/state")
        let mounted =
            Subprocess.which("mount").map { _ in system("mount -t tmpfs -o size=1m,mode=0700 tmpfs '\(state)'") == 0 }
            ?? false
        try #require(mounted, "cannot mount a tmpfs on \(state)")
        defer { _ = system("umount -l '\(state)'") }
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        telegram.enqueueTextMessage(from: 4242, text: "before")
        _ = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))

        // Fill the file system to the last byte.
        let filler = state + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        let block = [UInt8](repeating: 0x5a, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        var small = [UInt8](repeating: 0x5a, count: 1)
        while write(fd, &small, 1) == 1 {}
        close(fd)

        for i in 1...5 { telegram.enqueueTextMessage(from: 4242, text: "during \(i)") }
        #expect(await run.waitForLog("No space left on device", timeout: .seconds(20)), "\(run.log)")
        let line = run.log.split(separator: "\n").first { $0.contains("No space left on device") } ?? ""
        #expect(line.contains(state + "/state.db"), "the error does not name the file: \(line)")
        #expect(telegram.sentMessageCount == 1, "a message was answered without being recorded")
        #expect(await run.get("/health")?.status == 200, "the gateway must keep running")

        // Space returns: everything accepted is answered once, in order.
        unlink(filler)
        try await telegram.waitForSentMessageCount(6, timeout: .seconds(60))
        // A graceful stop waits for what is in flight: a stray duplicate would have arrived before counting.
        #expect(await run.stop() == 0)
        let texts = telegram.sentMessages(from: 0).map(\.message.text)
        #expect(texts == ["re: before"] + (1...5).map { "re: during \($0)" })

        let store = try await StateStore.open(directory: state)
        let check = try await store.read { db throws(StateError) in try db.query("PRAGMA integrity_check") }
        #expect(check.first?.text(0) == "ok")
        #expect(try await store.sessionMessages("agent:main:telegram:direct:4242").count == 12)
        #expect(try await store.openCount() == 0)
        await store.close()
        run.expectNoSecrets()
    }
}
