import Glibc
@testable import PicoAudit
import PicoFakes
import Testing

/// `--fix` only removes permission bits, once per path (the strictest mask wins), and never follows a symlink
/// below a directory it tightens.
@Suite("audit fixer")
struct AuditFixerTests {
    static func finding(_ id: String, _ fix: AuditFix) -> AuditFinding {
        AuditFinding(id: id, severity: .warn, title: "t", detail: "d", fix: fix.command, autoFix: fix)
    }

    @Test func oneChangePerPathWithTheStrictestMask() throws {
        let dir = TempDir("pico-audit-fix")
        let config = dir.write("config.json", "{}", mode: 0o664)
        let (changes, failures) = AuditFixer.apply([
            Self.finding("config.file.group_writable", AuditFix(path: config, keep: 0o755, currentMode: 0o664)),
            Self.finding("config.file.world_readable", AuditFix(path: config, keep: 0o700, currentMode: 0o664)),
        ])
        #expect(failures.isEmpty)
        #expect(
            changes == [
                AuditFixer.Change(
                    ids: ["config.file.group_writable", "config.file.world_readable"],
                    path: config, from: 0o664, to: 0o600, command: "chmod 600 \(config)")
            ])
        #expect(dir.mode("config.json") == 0o600)
    }

    @Test func neverAddsBitsAndReportsNothingWhenAlreadyTight() {
        let dir = TempDir("pico-audit-fix")
        let file = dir.write("state.db", "x", mode: 0o400)
        let (changes, failures) = AuditFixer.apply([
            Self.finding("s", AuditFix(path: file, keep: 0o700, currentMode: 0o400))
        ])
        #expect(changes.isEmpty && failures.isEmpty)
        #expect(dir.mode("state.db") == 0o400)
    }

    @Test func recursiveFixTightensTheTreeButNotASymlinkedTargetOutsideIt() {
        let dir = TempDir("pico-audit-fix")
        dir.mkdir("home", mode: 0o755)
        dir.write("home/sessions/a.jsonl", "{}", mode: 0o644)
        let outside = dir.write("outside/canary", "canary", mode: 0o644)
        dir.link(outside, at: "home/link")
        let (changes, failures) = AuditFixer.apply([
            Self.finding(
                "home.exposed", AuditFix(path: dir.at("home"), keep: 0o700, currentMode: 0o755, recursive: true))
        ])
        #expect(failures.isEmpty)
        #expect(changes.count == 1 && changes.first?.path == dir.at("home"))
        #expect(dir.mode("home") == 0o700)
        #expect(dir.mode("home/sessions") == 0o700)
        #expect(dir.mode("home/sessions/a.jsonl") == 0o600)
        #expect(dir.mode("outside/canary") == 0o644, "the fix followed a symlink out of the tree")
    }

    @Test func aMissingPathIsAFailureNamingTheCommand() {
        let dir = TempDir("pico-audit-fix")
        let missing = dir.at("gone.json")
        let (changes, failures) = AuditFixer.apply([
            Self.finding("x", AuditFix(path: missing, keep: 0o700, currentMode: 0o644))
        ])
        #expect(changes.isEmpty)
        #expect(failures.count == 1 && failures.first?.command == "chmod 600 \(missing)")
    }
}
