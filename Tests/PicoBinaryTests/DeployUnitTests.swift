import Glibc
import PicoFakes
import Testing

/// `Docs/deploy/picoclaw.service`: the checklist's sandbox directives, `systemd-analyze verify`, and the gateway
/// running under those constraints as far as they can be reproduced without systemd as PID 1.
@Suite("deploy: systemd unit")
struct DeployUnitTests {
    static let unit = BinaryDeploy.artifact("deploy/picoclaw.service")

    @Test("the unit carries every sandbox directive of the security checklist")
    func checklistDirectives() throws {
        let unit = try #require(Self.unit, "Docs/deploy/picoclaw.service is missing")
        let d = BinaryDeploy.serviceDirectives(unit)
        let required: [(String, String)] = [
            ("NoNewPrivileges", "true"), ("ProtectSystem", "strict"), ("ProtectHome", "true"), ("PrivateTmp", "true"),
            ("PrivateDevices", "true"), ("ProtectKernelTunables", "true"), ("ProtectKernelModules", "true"),
            ("ProtectKernelLogs", "true"), ("ProtectControlGroups", "true"), ("ProtectHostname", "true"),
            ("ProtectClock", "true"), ("SystemCallFilter", "@system-service"), ("SystemCallArchitectures", "native"),
            ("MemoryDenyWriteExecute", "true"), ("ReadWritePaths", "/var/lib/picoclaw /var/log/picoclaw"),
            ("ReadOnlyPaths", "/etc/picoclaw"), ("User", "picoclaw"), ("EnvironmentFile", "/etc/picoclaw/secrets.env"),
            ("CapabilityBoundingSet", ""), ("UMask", "0077"),
        ]
        for (key, value) in required {
            #expect(d[key]?.contains(value) == true, "\(key)=\(value) missing (found \(d[key] ?? []))")
        }
        #expect(
            d["SystemCallFilter"]?.contains { $0.contains("landlock_restrict_self") } == true,
            "Landlock's system calls must be allowed or the exec sandbox loses its kernel layer")
        #expect(d["Environment"]?.contains("PICOCLAW_HOME=/var/lib/picoclaw") == true)
        #expect(d["ExecReload"]?.first?.contains("-HUP") == true, "reload = SIGHUP = reopen the log file")
        #expect(d["ExecStart"]?.first?.hasSuffix("picoclaw gateway") == true)
        #expect(
            d["Environment"]?.allSatisfy { !$0.contains("API_KEY") && !$0.contains("TOKEN") } == true,
            "secrets come from the EnvironmentFile, never from Environment= lines")
    }

    @Test(
        "systemd-analyze verify accepts the unit without a single warning",
        .enabled(
            if: Subprocess.which("systemd-analyze") != nil, "systemd-analyze is not installed: unit syntax not verified"
        ))
    func systemdAnalyzeVerify() async throws {
        let unit = try #require(Self.unit)
        guard let binary = PicoclawBinary.path() else { return }
        let dir = TempDir("picoclaw-unit")
        // verify checks that ExecStart exists: point it at the binary just built.
        let text = unit.replacing("ExecStart=/usr/local/bin/picoclaw gateway", with: "ExecStart=\(binary) gateway")
        dir.write("picoclaw.service", text, mode: 0o644)
        let outcome = await Subprocess.run(
            [Subprocess.which("systemd-analyze")!, "verify", dir.at("picoclaw.service")],
            environment: ["SYSTEMD_LOG_LEVEL": "notice"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stderr.isEmpty && outcome.stdout.isEmpty,
            "systemd-analyze printed: \(outcome.stdout)\(outcome.stderr)")
    }

    /// systemd unit: User=picoclaw (here uid 65534); container: USER 10001 with cap_drop ALL (same reproduction).
    @Test(
        "the gateway serves /health under read-only root, private /tmp, no privileges; only the state dir is writable",
        .enabled(
            if: BinaryDeploy.constraintToolsMissing == nil,
            "cannot reproduce the deployment sandbox here: \(BinaryDeploy.constraintToolsMissing ?? "")"),
        .enabled(
            "cannot reproduce the deployment sandbox here: mount namespaces are not permitted (unshare --mount + tmpfs probe failed)"
        ) {
            await BinaryDeploy.mountNamespacesUnavailable() == nil
        },
        arguments: [uid_t(65534), uid_t(10001)])
    func gatewayUnderConstraints(uid: uid_t) async throws {
        let gw = try #require(await BinaryConstrainedGateway(uid: uid) { port in #"{"gateway": {"port": \#(port)}}"# })
        let help = await Subprocess.run([gw.binary, "gateway", "--help"], environment: gw.environment)
        try #require(
            help.status == 0,
            "the binary has no `gateway` subcommand yet (GatewayCommand not registered in Picoclaw.swift)")
        #expect(gw.start())
        let health = await BinaryHTTP.waitFor(port: gw.port, path: "/health", timeout: 30)
        try #require(health != nil, "no /health answer; gateway log:\n\(gw.log)")
        #expect(health?.status == 200)
        let body = try #require(JSONValue.parse(health?.body ?? ""))
        #expect(body["status"]?.stringValue == "ok")
        #expect(body["uptime_seconds"]?.intValue != nil)

        // The process really runs unprivileged with no_new_privs and no capabilities.
        #expect(gw.status("NoNewPrivs") == "1")
        #expect(
            gw.status("Uid")?.split(whereSeparator: { $0 == "\t" || $0 == " " }).allSatisfy { $0 == "\(uid)" } == true)
        #expect(gw.status("CapEff") == "0000000000000000")
        #expect(gw.status("CapBnd") == "0000000000000000")

        // Inside its namespace: / is read-only even for root, the state directory and /tmp are writable.
        let outside = await gw.inNamespace(["/bin/sh", "-c", "echo x > '\(gw.root)/outside'"])
        #expect(outside.status != 0 && outside.stderr.contains("Read-only file system"), "\(outside.stderr)")
        #expect(await gw.inNamespace(["/bin/sh", "-c", "echo x > /etc/picoclaw-test"]).status != 0)
        #expect(
            await gw.inNamespace(
                gw.dropPrivileges + ["/bin/sh", "-c", "echo x > '\(gw.state)/inside' && echo x > /tmp/t"]
            ).status == 0)
        #expect(
            TempDir.readFile(gw.state + "/picoclaw.pid")?.contains("\(gw.pid)") == true,
            "PID file in the writable state dir")
        // The sandbox self-test runs after /health is up (its probes start trial sandboxes): wait for its verdict.
        let selfTestRan =
            (try? await eventually(
                "the sandbox self-test in the log", timeout: .seconds(30), interval: .milliseconds(100)
            ) {
                gw.log.contains("self-test passed") || gw.log.contains("not enforcing")
            }) != nil
        #expect(selfTestRan, "the sandbox self-test ran: \(gw.log)")

        // The audit, run the same way next to the running gateway, finds nothing to complain about.
        let audit = await gw.inNamespace(gw.dropPrivileges + [gw.binary, "security", "audit"])
        #expect(
            audit.status == 0 || (audit.status == 1 && audit.stdout.contains("sandbox.landlock")),
            "\(audit.stdout)\(audit.stderr)")
        #expect(!audit.stdout.contains("running_as_root"))

        #expect(await gw.stop() == 0, "clean exit on SIGTERM; log:\n\(gw.log)")
        #expect(TempDir.readFile(gw.state + "/picoclaw.pid") == nil, "PID file removed on exit")
    }
}
