import Glibc
import PicoFakes
import PicoPolicy
import Testing

/// systemd 252's `SystemCallFilter=@system-service` has no landlock_* calls and kills on violation. Emulated with
/// a helper that installs exactly that (libseccomp, kill-process on the three calls) and execs the real picoclaw:
/// the probes take the hit in child processes; picoclaw survives, names the seccomp filter and the fix, and
/// still confines commands with the layers that remain.
@Suite struct SystemServiceFilterTests {
    func wrapper() throws -> String {
        let picoclaw = try #require(Subprocess.picoclawBinary(), "the picoclaw binary is not built")
        let dir = String(picoclaw[..<picoclaw.lastIndex(of: "/")!])
        let path = dir + "/pico-seccomp-kill-landlock"
        try #require(access(path, X_OK) == 0, "\(path) is not built")
        return path
    }

    @Test func selfTestSurvivesAndNamesTheFilter() async throws {
        let picoclaw = try #require(Subprocess.picoclawBinary())
        let r = try await Subprocess.run(
            [wrapper(), picoclaw, "policy", "self-test"],
            environment: ["PATH": "/usr/bin:/bin"])
        let text = r.stdout + r.stderr
        await SandboxedExecutor.prepare()
        #expect(r.status != 128 + SIGSYS, "picoclaw itself was killed by the filter: \(text)")
        #expect(text.contains("landlock: UNAVAILABLE") && text.contains("seccomp filter"), "\(text)")
        #expect(text.contains("SystemCallFilter=@sandbox"), "\(text)")
        if SandboxedExecutor.namespacesAvailable {
            // The namespaces layer remains: the canary checks still pass.
            #expect(r.status == 0 && text.contains("namespaces (no landlock)"), "\(text)")
        }
    }

    @Test(
        .enabled("needs bubblewrap and user namespaces") {
            await SandboxedExecutor.prepare(); return SandboxedExecutor.namespacesAvailable
        })
    func commandsStillConfinedByTheRemainingLayers() async throws {
        let picoclaw = try #require(Subprocess.picoclawBinary())
        let scene = TempDir("pico-sysfilter-ws")
        defer { scene.remove() }
        mkdir(scene.at("ws"), 0o700)
        scene.write("outside/secret.txt", "SECRET-CANARY", mode: 0o644)
        scene.write("ws/a.sh", "cat \(scene.at("outside/secret.txt"))\n", mode: 0o644)
        let r = try await Subprocess.run(
            [
                wrapper(), picoclaw, "policy", "run", "--workspace", scene.at("ws"), "--",
                "sh", "a.sh",
            ],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(
            !r.stdout.contains("SECRET-CANARY") && r.stderr.contains("namespaces (no landlock)"),
            "\(r.stdout)\(r.stderr)")
    }
}

extension SystemServiceFilterTests {
    /// `tools.exec.sandbox: landlock` with Landlock blocked: nothing runs, and the reason names the filter.
    @Test func landlockModeRefusesWithTheReason() async throws {
        let picoclaw = try #require(Subprocess.picoclawBinary())
        let scene = TempDir("pico-sysfilter-refuse")
        defer { scene.remove() }
        mkdir(scene.at("ws"), 0o700)
        let r = try await Subprocess.run(
            [
                wrapper(), picoclaw, "policy", "run", "--workspace", scene.at("ws"),
                "--sandbox", "landlock", "--", "touch", "ran.txt",
            ],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(r.status != 0 && access(scene.at("ws/ran.txt"), F_OK) != 0, "\(r.stdout)\(r.stderr)")
        #expect(
            r.stderr.contains("tools.exec.sandbox is \"landlock\"") && r.stderr.contains("seccomp filter"),
            "\(r.stderr)")
    }
}
