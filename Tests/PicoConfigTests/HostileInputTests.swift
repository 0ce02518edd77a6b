import Glibc
import Synchronization
import PicoFakes
import Testing
@testable import PicoConfig

/// Operator slips and odd files: no error ever prints a secret or `_FILE` content, and no file type can hang
/// the loader (`config check`, `gateway` and `security audit` all load through it).
@Suite struct HostileInputTests {
    // MARK: - Never a secret in an error

    @Test func nonStringSecretInTheFileIsNotEchoed() {
        let dir = TempDir()
        dir.config(#"{"providers": {"openrouter": {"api_key": 1222333444555666}}}"#)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.message.contains("providers.openrouter.api_key") == true)
        #expect(e?.message.contains("expected a string") == true)
        #expect(e?.message.contains("1222333444555666") == false, "\(e?.message ?? "")")
    }

    @Test func keyFileUsedForANonSecretSettingIsNotEchoed() {
        let dir = TempDir()
        let key = dir.write("secrets/key", "sk-or-v1-SECRETVALUE\n")
        for variable in [
            "PICOCLAW_GATEWAY_HOST_FILE", "PICOCLAW_GATEWAY_LOG_LEVEL_FILE", "PICOCLAW_GATEWAY_PORT_FILE",
            "PICOCLAW_CHANNELS_TELEGRAM_BASE_URL_FILE", "PICOCLAW_AGENTS_DEFAULTS_TEMPERATURE_FILE",
        ] {
            let e = expectConfigError { _ = try dir.load([variable: key]) }
            #expect(e?.message.contains(variable) == true, "\(variable): \(e?.message ?? "")")
            #expect(e?.message.contains(key) == true, "\(variable): \(e?.message ?? "")")
            #expect(e?.message.contains("SECRETVALUE") == false, "\(variable): \(e?.message ?? "")")
        }
    }

    @Test func secretsFileEntryForANonSecretSettingIsNotEchoed() {
        let dir = TempDir()
        let secrets = dir.write(
            "secrets.env", "PICOCLAW_GATEWAY_LOG_LEVEL=sk-SECRETVALUE\nPICOCLAW_GATEWAY_PORT=sk-SECRETPORT\n")
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_SECRETS_FILE": secrets]) }
        #expect(e?.message.contains("PICOCLAW_GATEWAY_LOG_LEVEL") == true)
        #expect(e?.message.contains("SECRET") == false, "\(e?.message ?? "")")
    }

    // MARK: - Never a hang, regular files only

    @Test func fifoAsFileSecretIsRefusedWithoutBlocking() async {
        let dir = TempDir()
        let fifo = dir.path + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unblock(fifo) }
        let e = await loadWithin(dir, ["PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE": fifo])
        #expect(e?.message.contains("PICOCLAW_PROVIDERS_OPENAI_API_KEY_FILE") == true, "\(e?.message ?? "hang")")
        #expect(e?.message.contains("not a regular file") == true, "\(e?.message ?? "hang")")
    }

    @Test func fifoAsConfigFileIsRefusedWithoutBlocking() async {
        let dir = TempDir()
        let fifo = dir.path + "/config.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unblock(fifo) }
        let viaHome = await loadWithin(dir, [:])
        #expect(viaHome?.message.contains("\(fifo): not a regular file") == true, "\(viaHome?.message ?? "hang")")
        let viaEnv = await loadWithin(dir, ["PICOCLAW_CONFIG": fifo])
        #expect(viaEnv?.message.contains("not a regular file") == true, "\(viaEnv?.message ?? "hang")")
    }

    @Test func fifoAsSecretsFileIsRefusedWithoutBlocking() async {
        let dir = TempDir()
        let fifo = dir.path + "/secrets.env"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unblock(fifo) }
        let e = await loadWithin(dir, ["PICOCLAW_SECRETS_FILE": fifo])
        #expect(e?.message.contains("PICOCLAW_SECRETS_FILE") == true, "\(e?.message ?? "hang")")
        #expect(e?.message.contains("not a regular file") == true, "\(e?.message ?? "hang")")
    }

    @Test func deviceAndDirectoryAreRefused() async {
        let dir = TempDir()
        for target in ["/dev/zero", "/dev/null", dir.path] {
            let e = await loadWithin(dir, ["PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE": target])
            #expect(
                e?.message.contains("PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE") == true,
                "\(target): \(e?.message ?? "hang")")
            #expect(e?.message.contains("not a regular file") == true, "\(target): \(e?.message ?? "hang")")
        }
        let secrets = await loadWithin(dir, ["PICOCLAW_SECRETS_FILE": "/dev/zero"])
        #expect(secrets?.message.contains("not a regular file") == true, "\(secrets?.message ?? "hang")")
    }

    @Test func oversizedFileSecretIsRefused() {
        let dir = TempDir()
        let big = dir.write("big", String(repeating: "x", count: 70_000))
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE": big]) }
        #expect(e?.message.contains("too large") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("xxxx") == false)
    }

    // MARK: - Invalid UTF-8 is rejected with its position

    @Test func invalidUTF8InTheConfigFileNamesLineAndColumn() {
        let dir = TempDir()
        let path = dir.path + "/config.json"
        writeBytes(
            path,
            Array("{\n  \"agents\": {\"defaults\": {\"workspace\": \"/srv/w".utf8) + [0xFF, 0xFE] + Array("\"}}}".utf8))
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.kind == .malformedJSON)
        #expect(e?.message.hasPrefix("\(path):2:47:") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("invalid UTF-8") == true, "\(e?.message ?? "")")
    }

    @Test func invalidUTF8InAFileSecretNamesTheByte() {
        let dir = TempDir()
        let path = dir.path + "/token"
        writeBytes(path, Array("123:abc".utf8) + [0xC3, 0x28] + Array("def".utf8))
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE": path]) }
        #expect(e?.message.contains("PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("invalid UTF-8 at byte 8") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("abc") == false)
    }

    @Test func invalidUTF8InTheSecretsFileNamesLine() {
        let dir = TempDir()
        let path = dir.path + "/secrets.env"
        writeBytes(path, Array("# secrets\nPICOCLAW_CHANNELS_TELEGRAM_TOKEN=12".utf8) + [0xED, 0xA0, 0x80] + [0x0A])
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_SECRETS_FILE": path]) }
        #expect(e?.message.contains("\(path):2:") == true, "\(e?.message ?? "")")
        #expect(e?.message.contains("invalid UTF-8") == true, "\(e?.message ?? "")")
    }

    @Test func invalidUTF8InTheEnvironmentNamesTheVariableAndByte() {
        let dir = TempDir()
        let e = expectConfigError {
            _ = try ConfigLoader.load(
                environment: ["PICOCLAW_HOME": dir.path], homeDirectory: dir.path,
                invalidUTF8: ["PICOCLAW_GATEWAY_HOST": 8])
        }
        #expect(e?.message == "PICOCLAW_GATEWAY_HOST: invalid UTF-8 at byte 9 of its value")
    }

    @Test func invalidUTF8Finder() {
        #expect(UTF8Check.firstInvalidOffset(Array("héllo ✓ 🙂".utf8)) == nil)
        #expect(UTF8Check.firstInvalidOffset([0x61, 0xC0, 0xAF]) == 1)  // overlong
        #expect(UTF8Check.firstInvalidOffset([0x61, 0x62, 0xE2, 0x82]) == 2)  // truncated
        #expect(UTF8Check.firstInvalidOffset([0xED, 0xA0, 0x80]) == 0)  // surrogate
    }

    // MARK: - One host parser

    @Test func hostIsParsedOnceForConfigCheckAndListener() throws {
        let dir = TempDir()
        for host in ["[::1]", "::1", "127.0.0.1", "localhost", " 127.0.0.2 "] {
            let loaded = try dir.load(["PICOCLAW_GATEWAY_HOST": host])
            #expect(GatewayConfig.isLoopback(loaded.config.gateway.host), "\(host)")
            #expect(GatewayConfig.listenAddress(loaded.config.gateway.host) != nil, "\(host)")
        }
        #expect(GatewayConfig.listenAddress("[::1]") == .ipv6("::1"))
        #expect(GatewayConfig.listenAddress("localhost") == .ipv4("127.0.0.1"))
        // What the listener cannot bind, config check refuses too (even with the public-bind opt-in).
        for host in ["example.com", "[127.0.0.1", "127.1", "::1]"] {
            let e = expectConfigError {
                _ = try dir.load(["PICOCLAW_GATEWAY_HOST": host, "PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND": "1"])
            }
            #expect(e?.keyPath == "gateway.host", "\(host)")
            #expect(e?.message.contains("must be an IP address") == true, "\(host): \(e?.message ?? "")")
        }
    }

    // MARK: - Helpers

    /// Loads on a separate thread and gives up after 5 s, so a blocking open fails the test instead of hanging it
    /// (the stuck thread is released later by ``unblock(_:)``).
    private func loadWithin(_ dir: TempDir, _ env: [String: String]) async -> ConfigError? {
        let home = dir.path
        let once = OnceResult()
        let result: ConfigError?? = await withCheckedContinuation { (cont: CheckedContinuation<ConfigError??, Never>) in
            once.set(cont)
            spawnThread {
                var environment = ["PICOCLAW_HOME": home]
                environment.merge(env) { $1 }
                do throws(ConfigError) {
                    _ = try ConfigLoader.load(environment: environment, homeDirectory: home + "/home")
                    once.resume(.some(nil))
                } catch {
                    once.resume(.some(error))
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(5))
                once.resume(nil)
            }
        }
        guard let result else {
            Issue.record("the loader blocked for 5 s")
            return nil
        }
        if result == nil { Issue.record("expected a ConfigError") }
        return result
    }

    /// Opens the FIFO's write end without blocking, which releases a reader stuck in open(2).
    private func unblock(_ fifo: String) {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }

    private func writeBytes(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// Resumes a continuation once, from whichever side comes first.
private final class OnceResult: @unchecked Sendable {
    private let lock = Mutex<CheckedContinuation<ConfigError??, Never>?>(nil)
    func set(_ c: CheckedContinuation<ConfigError??, Never>) { lock.withLock { $0 = c } }
    func resume(_ value: ConfigError??) {
        lock.withLock { c in
            c?.resume(returning: value)
            c = nil
        }
    }
}

/// Runs `body` on a new detached pthread.
private func spawnThread(_ body: @escaping @Sendable () -> Void) {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(
        &thread, nil,
        { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
    pthread_detach(thread)
}
