import Glibc
import PicoFakes
import Testing

/// The checklist's "source installations" commands (`make update-deps`, `make build`) and the other targets
/// call the repository's scripts; `make install` lays out the deployment files.
@Suite("Makefile", .enabled(if: Subprocess.which("make") != nil, "make is not installed"))
struct MakefileTests {
    static func dryRun(_ target: String) async -> SubprocessOutcome {
        await Subprocess.run(
            [
                Subprocess.which("make")!, "-n", "-C", BinaryDeploy.repositoryRoot, target,
                "BINARY=/nonexistent",
            ], environment: ["PATH": "/usr/bin:/bin"], timeout: 30)
    }

    @Test(arguments: [
        ("build", "scripts/release-build"), ("test", "scripts/test"), ("bench", "scripts/bench"),
        ("update-deps", "scripts/setup"), ("update-deps", "swift package update"),
    ])
    func targetCallsTheScript(target: String, command: String) async {
        let outcome = await Self.dryRun(target)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.split(separator: "\n").contains { $0.hasPrefix(command) }, "\(target): \(outcome.stdout)")
    }

    @Test func installLaysOutBinaryUnitTmpfilesAndLogrotate() async throws {
        guard let binary = PicoclawBinary.path() else { return }
        let dir = TempDir("picoclaw-make-install")
        let outcome = await Subprocess.run(
            [
                Subprocess.which("make")!, "-C", BinaryDeploy.repositoryRoot, "install",
                "DESTDIR=\(dir.path)", "BINARY=\(binary)",
            ],
            environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let expected: [(String, mode_t, String?)] = [
            ("usr/local/bin/picoclaw", 0o755, nil),
            ("etc/systemd/system/picoclaw.service", 0o644, "deploy/picoclaw.service"),
            ("etc/tmpfiles.d/picoclaw.conf", 0o644, "deploy/picoclaw.tmpfiles"),
            ("etc/logrotate.d/picoclaw", 0o644, "deploy/logrotate"),
        ]
        for (path, mode, source) in expected {
            #expect(dir.mode(path) == mode, "\(path): mode \(String(dir.mode(path) ?? 0, radix: 8))")
            if let source {
                #expect(dir.read(path) == BinaryDeploy.artifact(source), "\(path) differs from Docs/\(source)")
            }
        }
        let missing = await Subprocess.run(
            [
                Subprocess.which("make")!, "-C", BinaryDeploy.repositoryRoot, "install",
                "DESTDIR=\(dir.path)", "BINARY=/nonexistent/picoclaw",
            ],
            environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        #expect(missing.status != 0 && missing.stderr.contains("run make build first"))
    }
}
