import Glibc
import PicoFakes
import PicoHTTP
import Testing

/// One `picoclaw gateway` child process in a temp `$PICOCLAW_HOME`, against loopback fakes.
/// Everything here is async and waits with `eventually`, so a waiting test never blocks the cooperative pool.
final class GatewayRun: @unchecked Sendable {
    let dir = TempDir("picoclaw-gw")
    let port = unusedLoopbackPort()
    var home: String { dir.at("home") }
    var workspace: String { dir.at("home/workspace") }
    var logPath: String { dir.at("gateway.log") }
    private(set) var pid: pid_t = -1
    private var exitStatus: Int32?
    var environment: [String: String]
    /// Run the gateway as this uid (through `setpriv`), `nil` for the test's own user.
    private(set) var user: uid_t?
    /// The executable to start instead of the built one (e.g. a copy in a directory of the test's own).
    var binary: String?
    /// Where stdout and stderr go instead of `gateway.log` (e.g. a FIFO the test does not read).
    var output: String?

    /// Secrets every run configures, so every test can check none of them leaks into any output.
    static let telegramToken = "987654:SECRET-telegram-token-e2e"
    static let discordToken = "SECRET-discord-token-e2e"
    static let apiKey = "sk-SECRET-llm-key-e2e"
    static var secrets: [String] { [telegramToken, discordToken, apiKey] }

    init(environment extra: [String: String] = [:]) {
        dir.mkdir("home", mode: 0o700)
        dir.mkdir("user", mode: 0o700)
        environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": dir.at("user"), "PICOCLAW_HOME": dir.at("home"),
            "PICOCLAW_GATEWAY_PORT": String(port),
        ]
        environment.merge(extra) { $1 }
    }

    /// Points the agents at `llm` (OpenAI-compatible) with the test API key.
    func useLLM(_ llm: FakeOpenAI) {
        environment["PICOCLAW_PROVIDERS_OPENAI_API_KEY"] = Self.apiKey
        environment["PICOCLAW_PROVIDERS_OPENAI_API_BASE"] = llm.baseURL + "/v1"
        environment["PICOCLAW_AGENTS_DEFAULTS_MODEL"] = "openai/gpt-test"
    }

    /// Enables Telegram against `telegram`, allowing `allowFrom`.
    func useTelegram(_ telegram: FakeTelegram, allowFrom: [Int]) {
        environment["PICOCLAW_CHANNELS_TELEGRAM_ENABLED"] = "true"
        environment["PICOCLAW_CHANNELS_TELEGRAM_TOKEN"] = Self.telegramToken
        environment["PICOCLAW_CHANNELS_TELEGRAM_BASE_URL"] = telegram.baseURL
        environment["PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM"] = allowFrom.map(String.init).joined(separator: ",")
    }

    /// Enables Discord against `discord`, allowing `allowFrom`.
    func useDiscord(_ discord: FakeDiscord, allowFrom: [String]) {
        environment["PICOCLAW_CHANNELS_DISCORD_ENABLED"] = "true"
        environment["PICOCLAW_CHANNELS_DISCORD_TOKEN"] = Self.discordToken
        environment["PICOCLAW_CHANNELS_DISCORD_API_BASE"] = discord.apiBase
        environment["PICOCLAW_CHANNELS_DISCORD_ALLOW_FROM"] = allowFrom.joined(separator: ",")
    }

    /// Runs the gateway as `uid` from now on: the temp tree becomes reachable and `home/` and `user/` (and
    /// `extra` paths, e.g. a canary the gateway must not touch although it could) are chowned to it.
    func runAs(_ uid: uid_t, extra: [String] = []) {
        guard uid != getuid() else { return }
        user = uid
        chmod(dir.path, 0o755)
        for path in [dir.at("home"), dir.at("user")] + extra { _ = system("chown -R \(uid):\(uid) '\(path)'") }
    }

    /// Spawns `picoclaw gateway <arguments>`; stdout and stderr go to `gateway.log`.
    /// `prefix` runs first and execs the gateway (e.g. a seccomp wrapper).
    func start(
        _ arguments: [String] = [], prefix: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        guard let binary = binary ?? PicoclawBinary.path(sourceLocation: sourceLocation) else { return false }
        var argv = prefix + [binary, "gateway"] + arguments
        if let user {
            guard let setpriv = Subprocess.which("setpriv") else {
                Issue.record("setpriv is missing", sourceLocation: sourceLocation)
                return false
            }
            argv = [setpriv, "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] + argv
        }
        guard
            let p = Subprocess.spawn(
                argv, environment: environment,
                stdout: output ?? logPath, stderr: output ?? logPath)
        else {
            Issue.record("cannot spawn \(binary)", sourceLocation: sourceLocation)
            return false
        }
        pid = p
        exitStatus = nil  // a restart of the same run
        return true
    }

    deinit {
        if pid > 0 && exitStatus == nil { Subprocess.killAndReap(pid) }
    }

    /// Everything the gateway printed so far.
    var log: String { dir.read("gateway.log") ?? "" }

    /// GET on the gateway's health listener.
    func get(_ path: String) async -> HTTPResponse? {
        try? await HTTPClient.shared.send(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(2)))
    }

    /// Polls `path` until it answers `status` (or the process exits, or `timeout` passes).
    func waitFor(_ path: String, status: Int, timeout: Duration = .seconds(10)) async -> HTTPResponse? {
        var answer: HTTPResponse?
        try? await eventually("\(path) to answer \(status)", timeout: timeout, interval: .milliseconds(20)) {
            if let r = await get(path), r.status == status { answer = r; return true }
            return await exited(within: .zero) != nil
        }
        return answer
    }

    /// Polls until the log contains `text`.
    func waitForLog(_ text: String, timeout: Duration = .seconds(10)) async -> Bool {
        (try? await eventually("the log to contain \(text)", timeout: timeout, interval: .milliseconds(20)) {
            log.contains(text)
        }) != nil
    }

    /// Waits until the gateway has finished `count` turns: each reply delivered and its preview (a placeholder
    /// message in groups and on Discord, shown when a turn outlasts the preview delay) removed. Count replies
    /// with the fakes' `keptMessages` after this, never by waiting for a number of sent messages: under load a
    /// placeholder is one of them.
    func waitForTurnsDone(_ count: Int, timeout: Duration = .seconds(15)) async throws {
        try await eventually("\(count) turns done", timeout: timeout, interval: .milliseconds(20)) {
            log.ranges(of: "turn done").count >= count
        }
    }

    /// The exit status once the process ended within `timeout` (128+N for a signal), else `nil`.
    func exited(within timeout: Duration) async -> Int32? {
        if let exitStatus { return exitStatus }
        exitStatus = await Subprocess.exitStatus(of: pid, within: timeout)
        return exitStatus
    }

    /// Sends `signal` and waits for the exit status.
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async -> Int32? {
        if exitStatus == nil { kill(pid, signal) }
        return await exited(within: timeout)
    }

    /// Records an issue for every configured secret that appears in the log or in `files`.
    func expectNoSecrets(in extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let texts = [log] + extra
        for secret in Self.secrets where texts.contains(where: { $0.contains(secret) }) {
            Issue.record(
                "a configured secret leaked into the gateway's output: \(secret.prefix(12))…",
                sourceLocation: sourceLocation)
        }
    }
}
