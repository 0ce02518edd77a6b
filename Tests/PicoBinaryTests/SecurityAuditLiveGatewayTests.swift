import Glibc
import PicoFakes
import Testing

/// The audit next to a running gateway: it finds it through the PID file and judges the gateway's user, not
/// its own.
@Suite("security audit: running gateway")
struct SecurityAuditLiveGatewayTests {
    /// Starts `picoclaw gateway` in `h` (optionally as uid 65534) and waits for /health.
    static func startGateway(_ h: BinaryHome, asNobody: Bool) async throws -> pid_t? {
        guard let binary = PicoclawBinary.path() else { return nil }
        let port = unusedLoopbackPort()
        h.config(#"{"gateway": {"port": \#(port)}}"#)
        h.dir.mkdir("home/workspace")
        if asNobody { h.giveToNobody() }
        var argv = [binary, "gateway"]
        if asNobody {
            argv =
                [try #require(Subprocess.which("setpriv")), "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
                + argv
        }
        let pid = try #require(
            Subprocess.spawn(argv, environment: h.environment, stdout: h.dir.at("out"), stderr: h.dir.at("err")))
        guard await BinaryHTTP.waitFor(port: port, path: "/health", timeout: 30)?.status == 200 else {
            kill(pid, SIGKILL); await Subprocess.wait(pid, timeout: 5)
            Issue.record("gateway did not start: \(h.dir.read("err") ?? "")")
            return nil
        }
        return pid
    }

    /// Runs `body` next to a gateway started by ``startGateway(_:asNobody:)``, then stops it (SIGTERM, waiting
    /// without blocking a thread) whether `body` returned or threw.
    static func withGateway(_ h: BinaryHome, asNobody: Bool, _ body: (pid_t) async throws -> Void) async throws {
        guard let pid = try await startGateway(h, asNobody: asNobody) else { return }
        do {
            try await body(pid)
        } catch {
            kill(pid, SIGTERM); await Subprocess.wait(pid, timeout: 20)
            throw error
        }
        kill(pid, SIGTERM); await Subprocess.wait(pid, timeout: 20)
    }

    @Test("a gateway running as root is reported by its PID")
    func gatewayAsRoot() async throws {
        let h = BinaryHome()
        try await Self.withGateway(h, asNobody: false) { pid in
            let result = try #require(await h.audit())
            let finding = try #require(result.finding("process.running_as_root"))
            #expect(finding["title"]?.stringValue == "the running gateway (PID \(pid)) runs as root")
        }
    }

    @Test("with an unprivileged gateway running, a root audit judges the gateway's uid: clean")
    func gatewayAsNobodyAuditedByRoot() async throws {
        let h = BinaryHome()
        try await Self.withGateway(h, asNobody: true) { _ in
            let result = try #require(await h.audit())
            #expect(result.ids.isEmpty, "\(result.json.jsonString)")
            #expect(result.status == 0)

            // A config owned by a third uid is reported, and the fix names the gateway's uid.
            #expect(chown(h.configPath, 4242, 4242) == 0)
            let foreign = try #require(await h.audit())
            #expect(foreign.finding("config.file.owner")?["fix"]?.stringValue == "chown 65534 \(h.configPath)")
        }
    }
}
