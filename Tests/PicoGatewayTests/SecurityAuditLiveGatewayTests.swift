import Glibc
import PicoFakes
import Testing

/// The audit next to a running gateway: it finds it through the PID file and judges the gateway's user, not
/// its own.
@Suite("security audit: running gateway")
struct SecurityAuditLiveGatewayTests {
    /// Starts `picoclaw gateway` in `h` (optionally as uid 65534) and waits for /health.
    static func startGateway(_ h: BinaryHome, asNobody: Bool) throws -> pid_t? {
        guard let binary = PicoclawBinary.path() else { return nil }
        let port = BinaryHTTP.freePort()
        h.config(#"{"gateway": {"port": \#(port)}}"#)
        h.dir.mkdir("home/workspace")
        if asNobody { h.giveToNobody() }
        var argv = [binary, "gateway"]
        if asNobody {
            argv = [try #require(BinaryProcess.which("setpriv")), "--reuid=65534", "--regid=65534", "--clear-groups", "--"] + argv
        }
        let pid = try #require(BinaryProcess.spawn(argv, environment: h.environment, stdout: h.dir.at("out"), stderr: h.dir.at("err")))
        guard BinaryHTTP.waitFor(port: port, path: "/health", timeout: 30)?.status == 200 else {
            kill(pid, SIGKILL); BinaryProcess.wait(pid, timeout: 5)
            Issue.record("gateway did not start: \(h.dir.read("err") ?? "")")
            return nil
        }
        return pid
    }

    @Test("a gateway running as root is reported by its PID")
    func gatewayAsRoot() throws {
        let h = BinaryHome()
        guard let pid = try Self.startGateway(h, asNobody: false) else { return }
        defer { kill(pid, SIGTERM); BinaryProcess.wait(pid, timeout: 20) }
        let result = try #require(h.audit())
        let finding = try #require(result.finding("process.running_as_root"))
        #expect(finding["title"]?.stringValue == "the running gateway (PID \(pid)) runs as root")
    }

    @Test("with an unprivileged gateway running, a root audit judges the gateway's uid: clean")
    func gatewayAsNobodyAuditedByRoot() throws {
        let h = BinaryHome()
        guard let pid = try Self.startGateway(h, asNobody: true) else { return }
        defer { kill(pid, SIGTERM); BinaryProcess.wait(pid, timeout: 20) }
        let result = try #require(h.audit())
        #expect(result.ids.isEmpty, "\(result.json.jsonString)")
        #expect(result.status == 0)

        // A config owned by a third uid is reported, and the fix names the gateway's uid.
        #expect(chown(h.configPath, 4242, 4242) == 0)
        let foreign = try #require(h.audit())
        #expect(foreign.finding("config.file.owner")?["fix"]?.stringValue == "chown 65534 \(h.configPath)")
    }
}
