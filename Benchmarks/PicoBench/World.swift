import Glibc
import PicoFakes
import Synchronization

/// The loopback peers every scenario talks to: fake Telegram, fake Discord, fake OpenAI (instant answers).
final class World: Sendable {
    let telegram: FakeTelegram
    let discord: FakeDiscord
    let openai: FakeOpenAI
    static let apiKey = "bench-key"
    static let telegramUser = 42
    /// Private chats the latency runs rotate over (so Telegram's per-chat send limit never binds).
    static let latencyUsers = [telegramUser] + Array(6000..<6039)
    /// Private chats of the soak (one user each).
    static let soakUsers = Array(5000..<5100)
    static let allowedUsers = latencyUsers + soakUsers
    static let discordUser = "100000000000000001"
    private let toolCallCounter = Atomic<Int>(0)

    private init(telegram: FakeTelegram, discord: FakeDiscord, openai: FakeOpenAI) {
        self.telegram = telegram
        self.discord = discord
        self.openai = openai
    }

    static func start() async throws -> World {
        let telegram = try await FakeTelegram.start()
        // Discord's real heartbeat interval, so the idle window sees production wake-ups.
        let discord = try await FakeDiscord.start(heartbeatIntervalMS: 41_250)
        let openai = try await FakeOpenAI.start(apiKey: apiKey)
        let world = World(telegram: telegram, discord: discord, openai: openai)
        world.answerPlain()
        return world
    }

    func stop() async {
        await telegram.stop()
        await discord.stop()
        await openai.stop()
    }

    /// Every chat request gets an instant one-word text answer.
    func answerPlain() {
        openai.setResponder { _ in .text("pong") }
    }

    /// A user turn gets one `list_dir` tool call; the follow-up request (last message a tool result) gets text.
    func answerWithOneToolCall() {
        openai.setResponder { [self] request in
            if request.lastRole == "tool" { return .text("done") }
            let n = toolCallCounter.wrappingAdd(1, ordering: .relaxed).newValue
            return .toolCalls([(id: "call_\(n)", name: "list_dir", argumentsJSON: #"{"path":"."}"#)])
        }
    }
}

/// One `picoclaw gateway` child process with its private `PICOCLAW_HOME`.
struct GatewayProcess: Sendable {
    let pid: pid_t
    let home: String
    let port: Int
    /// Monotonic ns just before `posix_spawn`.
    let spawnedNS: UInt64

    /// Environment for a gateway wired to `world` (Telegram + Discord + OpenAI fakes), nothing inherited.
    static func environment(world: World, home: String, port: Int, telegramAllow: [Int]) -> [String: String] {
        [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home,
            "PICOCLAW_HOME": home,
            "PICOCLAW_PROVIDERS_OPENAI_API_KEY": World.apiKey,
            "PICOCLAW_PROVIDERS_OPENAI_API_BASE": world.openai.apiBase,
            "PICOCLAW_AGENTS_DEFAULTS_MODEL": "openai/gpt-test",
            "PICOCLAW_CHANNELS_TELEGRAM_ENABLED": "true",
            "PICOCLAW_CHANNELS_TELEGRAM_TOKEN": world.telegram.token,
            "PICOCLAW_CHANNELS_TELEGRAM_BASE_URL": world.telegram.baseURL,
            "PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM": telegramAllow.map(String.init).joined(separator: ","),
            "PICOCLAW_CHANNELS_DISCORD_ENABLED": "true",
            "PICOCLAW_CHANNELS_DISCORD_TOKEN": world.discord.token,
            "PICOCLAW_CHANNELS_DISCORD_API_BASE": world.discord.apiBase,
            "PICOCLAW_CHANNELS_DISCORD_ALLOW_FROM": World.discordUser,
            "PICOCLAW_GATEWAY_PORT": String(port),
        ]
    }

    static func launch(binary: String, world: World, telegramAllow: [Int] = World.allowedUsers) -> GatewayProcess? {
        let home = makeTempDir("picobench-home")
        let port = unusedLoopbackPort()
        let env = environment(world: world, home: home, port: port, telegramAllow: telegramAllow)
        let start = monoNS()
        guard
            let pid = spawnProcess(
                [binary, "gateway"], environment: env,
                stdout: home + "/gateway.out", stderr: home + "/gateway.err")
        else {
            removeTree(home)
            return nil
        }
        return GatewayProcess(pid: pid, home: home, port: port, spawnedNS: start)
    }

    /// Blocks (on a dedicated thread) until `/ready` answers 200; returns ms since exec, or `nil`.
    func waitReady(timeoutMS: Int = 15_000) async -> Double? {
        let pid = self.pid, port = self.port, start = spawnedNS
        return await onThread {
            pollUntil(port: port, path: "/ready", intervalUS: 1000, timeoutMS: timeoutMS) { processAlive(pid) }
                .map { Double($0 - start) / 1e6 }
        }
    }

    var log: String {
        (readWholeFile(home + "/gateway.out") ?? "") + (readWholeFile(home + "/gateway.err") ?? "")
    }

    /// SIGTERM, wait, remove the home directory. Returns the exit status.
    @discardableResult
    func stop(keepHome: Bool = false) -> Int32 {
        let status = stopProcess(pid, timeoutMS: 15_000)
        if !keepHome { removeTree(home) }
        return status
    }
}

/// Runs blocking `work` on its own thread, so the bench's 2-thread cooperative pool (which also runs the fakes)
/// is never blocked by polling loops.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
        let box = Box { cont.resume(returning: work()) }
        var thread = pthread_t()
        let arg = Unmanaged.passRetained(box).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let b = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                b.run()
                return nil
            }, arg)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().run()
        }
    }
}

/// The work item handed to the thread of `onThread`.
private final class Box: @unchecked Sendable {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
