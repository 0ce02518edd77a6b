import Glibc
import PicoFakes
import Testing

/// The checklist's monitoring line, verbatim, against the shipped deployment:
/// `[ -f /var/run/picoclaw.pid ] && ps -p $(cat /var/run/picoclaw.pid) > /dev/null`.
@Suite("deploy: the checklist's PID file command", .serialized)
struct DeployPidFileTests {
    static let checklistCommand = "[ -f /var/run/picoclaw.pid ] && ps -p $(cat /var/run/picoclaw.pid) > /dev/null"
    static let runtimePidFile = "/run/picoclaw/picoclaw.pid"

    @Test("the unit keeps ProtectSystem=strict and writes its PID file in its RuntimeDirectory")
    func unitPidFileInRuntimeDirectory() throws {
        let unit = try #require(BinaryDeploy.artifact("deploy/picoclaw.service"))
        let d = BinaryDeploy.serviceDirectives(unit)
        #expect(d["ProtectSystem"] == ["strict"])
        #expect(d["RuntimeDirectory"] == ["picoclaw"])
        #expect(d["RuntimeDirectoryMode"] == ["0755"], "others must be able to read the PID file (ps -p as any user)")
        #expect(d["Environment"]?.contains("PICOCLAW_GATEWAY_PID_FILE=\(Self.runtimePidFile)") == true)
        let tmpfiles = try #require(BinaryDeploy.artifact("deploy/picoclaw.tmpfiles"))
        let lines = tmpfiles.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(lines == ["L /run/picoclaw.pid - - - - \(Self.runtimePidFile)"])
    }

    @Test(
        "systemd-tmpfiles creates the /run/picoclaw.pid link",
        .enabled(if: Subprocess.which("systemd-tmpfiles") != nil, "systemd-tmpfiles is not installed"))
    func tmpfilesCreatesTheLink() async throws {
        let dir = TempDir("picoclaw-tmpfiles")
        dir.mkdir("root/run", mode: 0o755)
        let conf = try #require(BinaryDeploy.artifact("deploy/picoclaw.tmpfiles"))
        dir.write("picoclaw.conf", conf, mode: 0o644)
        let outcome = await Subprocess.run(
            [
                Subprocess.which("systemd-tmpfiles")!, "--create", "--root=\(dir.at("root"))",
                dir.at("picoclaw.conf"),
            ], environment: [:])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(dir.at("root/run/picoclaw.pid"), &buffer, buffer.count)
        #expect(
            n > 0 && String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == Self.runtimePidFile
        )
    }

    @Test(
        "the checklist command succeeds while the gateway runs and fails once it stopped",
        .enabled(if: BinaryDeploy.constraintToolsMissing == nil, "\(BinaryDeploy.constraintToolsMissing ?? "")"),
        .enabled("mount namespaces are not permitted here") { await BinaryDeploy.mountNamespacesUnavailable() == nil })
    func checklistCommandVerbatim() async throws {
        // A private /run (bind-mounted from a temp dir in a mount namespace) laid out as systemd would: the
        // RuntimeDirectory and the tmpfiles link. The gateway writes the PID file through the real path.
        let run = GatewayRun()
        let fakeRun = run.dir.mkdir("run", mode: 0o755)
        run.dir.mkdir("run/picoclaw", mode: 0o755)
        #expect(symlink(Self.runtimePidFile, fakeRun + "/picoclaw.pid") == 0)
        run.environment["PICOCLAW_GATEWAY_PID_FILE"] = fakeRun + "/picoclaw/picoclaw.pid"
        let check = { () async -> SubprocessOutcome in
            await Subprocess.run(
                [
                    Subprocess.which("unshare")!, "--mount", "--propagation", "private", "--",
                    "/bin/sh", "-c", "mount --bind '\(fakeRun)' /run && \(Self.checklistCommand)",
                ],
                environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 20)
        }
        #expect(await check().status != 0, "no gateway yet, but the command succeeded")
        #expect(run.start())
        #expect(await run.waitFor("/health", status: 200) != nil, "not up: \(run.log)")
        let running = await check()
        #expect(running.status == 0, "checklist command failed while the gateway runs: \(running.stderr)")
        // The memory one-liner of Docs/deploy.md#monitoring, verbatim: exactly one figure, the gateway's.
        let doc = try #require(BinaryDeploy.artifact("deploy.md"))
        let memory = try #require(doc.split(separator: "\n").first { $0.hasPrefix("ps -o rss=") }.map(String.init))
        #expect(!memory.contains("pgrep -f"), "pgrep -f matches the shell that runs the line")
        let figure = await Subprocess.run(
            [
                Subprocess.which("unshare")!, "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", "mount --bind '\(fakeRun)' /run && \(memory)",
            ],
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"], timeout: 20)
        let lines = figure.stdout.split(separator: "\n")
        #expect(
            figure.status == 0 && lines.count == 1 && lines.first?.hasSuffix(" MB") == true,
            "\(figure.stdout)\(figure.stderr)")
        #expect(await run.stop() == 0)
        #expect(await check().status != 0, "the command still succeeds after the gateway stopped")
    }
}
