import Glibc
import PicoFakes
import Testing

/// The real gateway drops the clean pages of its executable and start-up libraries whenever it goes idle (start-up
/// settled, 2 s after the last turn); the next message must run as usual on pages mapped back from the page cache.
@Suite("idle page release", .serialized)
struct IdlePageReleaseTests {
    private static let releasedLine = "KiB of executable pages released"

    private static func releases(in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(releasedLine) }.count
    }

    @Test func messagesAfterEachIdleReleaseAreAnswered() async throws {
        try await runTwoIdleRounds(as: nil)
    }

    /// The usual install: a root-owned binary run by an unprivileged user (the kernel ignores MADV_PAGEOUT there;
    /// MADV_DONTNEED and the user's own pagemap still work).
    @Test(.enabled(if: getuid() == 0, "needs root to run the gateway as another user"))
    func messagesAfterEachIdleReleaseAreAnsweredAsAnUnprivilegedUser() async throws {
        try await runTwoIdleRounds(as: 65534)
    }

    private func runTwoIdleRounds(as user: uid_t?) async throws {
        let scene = try await EchoTelegramScene.start(replyPrefix: "echo: ", arguments: ["--debug"], as: user)
        defer { Task { await scene.stopFakes() } }
        let (telegram, run) = (scene.telegram, scene.run)

        for round in 1...2 {
            // Idle: the trim after start-up (round 1) or after the previous turn (round 2) released pages.
            #expect(await run.waitForLog(Self.releasedLine, timeout: .seconds(15)))
            let deadline = ContinuousClock.now + .seconds(15)
            while Self.releases(in: run.log) < round, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let line = run.log.split(separator: "\n").last { $0.contains(Self.releasedLine) } ?? ""
            #expect(Self.releases(in: run.log) >= round, "no release before message \(round): \(run.log)")
            // Both parts released something: " 0 KiB of executable pages" / ", 0 KiB of library pages".
            #expect(!line.contains(" 0 KiB"), "nothing was released: \(line)")
            _ = telegram.enqueueTextMessage(from: 4242, username: "owner", text: "after idle \(round)")
            let sent = try await telegram.waitForSentMessages(count: round, timeout: .seconds(10))
            #expect(sent[round - 1].text == "echo: after idle \(round)")
        }
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}
