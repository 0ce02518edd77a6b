import Glibc
import PicoConfig
import PicoFakes
import PicoHTTP
import Testing

/// The real binary against operator slips: odd files never hang `config check`, `gateway` or `security audit`;
/// `[::1]` means the same to config check and the listener; start-up says which config it uses and warns as root.
@Suite("hostile configuration, real binary", .serialized)
struct GatewayHostileConfigTests {
    @Test(arguments: ["PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE", "PICOCLAW_SECRETS_FILE", "PICOCLAW_CONFIG"])
    func fifoNeverHangsAnyCommand(variable: String) async throws {
        let home = BinaryHome()
        let fifo = home.dir.at("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        home.extraEnvironment[variable] = fifo
        for command in [["config", "check"], ["gateway"], ["security", "audit"]] {
            let started = Subprocess.monotonicSeconds()
            guard let outcome = await home.run(command) else { return }
            let elapsed = Subprocess.monotonicSeconds() - started
            // A hang would last until the subprocess timeout kills it (status 137, below); 10 s is a quiet machine's
            // bound, stretched for a loaded one.
            #expect(elapsed < 10 * Double(Patience.factor), "\(command) took \(elapsed) s")
            #expect(outcome.status != 0 && outcome.status < 128, "\(command) exited \(outcome.status)")
            let output = outcome.stdout + outcome.stderr
            #expect(output.contains(fifo), "\(command): \(output)")
            #expect(output.contains("not a regular file"), "\(command): \(output)")
        }
        // Whatever a command did, the FIFO never had a reader left hanging on it.
        let writer = open(fifo, O_WRONLY | O_NONBLOCK)
        #expect(writer < 0 && errno == ENXIO, "a process still has the FIFO open for reading")
        if writer >= 0 { close(writer) }
    }

    @Test func bracketedIPv6LoopbackWorksForConfigCheckAndGateway() async throws {
        let run = GatewayRun(environment: ["PICOCLAW_GATEWAY_HOST": "[::1]"])
        guard let check = await BinaryHome.runCommand(["config", "check"], environment: run.environment) else { return }
        #expect(check.status == 0, "config check: \(check.stderr)")
        #expect(run.start())
        var answered = false
        try? await eventually("/health on [::1]", timeout: .seconds(10), interval: .milliseconds(25)) {
            let r = try? await HTTPClient.shared.send(
                HTTPRequest(url: "http://[::1]:\(run.port)/health", timeout: .seconds(2)))
            answered = r?.status == 200
            if answered { return true }
            return await run.exited(within: .zero) != nil
        }
        #expect(answered, "gateway did not serve on [::1]: \(run.log)")
        #expect(await run.stop() == 0)
    }

    @Test func startUpLogsTheConfigSourceAndWarnsOnceAsRoot() async throws {
        let run = GatewayRun()
        #expect(run.start())
        #expect(await run.waitFor("/health", status: 200) != nil, "not up: \(run.log)")
        #expect(await run.stop() == 0)
        #expect(run.log.contains("no config file (first existing of \(run.home)/config.json"), "\(run.log)")
        let warnings = run.log.ranges(of: "runs as root (uid 0)").count
        #expect(warnings == (geteuid() == 0 ? 1 : 0), "\(run.log)")
    }

    @Test func invalidUTF8InAnEnvironmentValueIsRejectedWithTheByte() async throws {
        guard let binary = PicoclawBinary.path() else { return }
        let home = BinaryHome()
        for command in ["config check", "gateway"] {
            let outcome = await Subprocess.run(
                ["/bin/sh", "-c", "PICOCLAW_GATEWAY_HOST=\"$(printf '127.0.0.\\377')\" exec '\(binary)' \(command)"],
                environment: home.environment, timeout: 30)
            #expect(outcome.status == 1, "\(command): \(outcome.status) \(outcome.stderr)")
            #expect(
                outcome.stderr.contains("PICOCLAW_GATEWAY_HOST: invalid UTF-8 at byte 9"),
                "\(command): \(outcome.stderr)")
        }
    }
}

extension BinaryHome {
    /// Runs `picoclaw <arguments>` with exactly `environment`.
    static func runCommand(
        _ arguments: [String], environment: [String: String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> SubprocessOutcome? {
        guard let binary = PicoclawBinary.path(sourceLocation: sourceLocation) else { return nil }
        return await Subprocess.run([binary] + arguments, environment: environment, timeout: 30)
    }
}
