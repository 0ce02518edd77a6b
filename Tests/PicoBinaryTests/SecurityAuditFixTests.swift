import Glibc
import PicoFakes
import Testing

/// `picoclaw security audit --fix`: only permission bits change, and the report says what changed.
@Suite("security audit --fix")
struct SecurityAuditFixTests {
    @Test("--fix tightens config, home, workspace, sessions and log file; leaves content and owners alone")
    func fixesPermissions() async throws {
        let h = BinaryHome()
        let log = h.dir.write("logs/gw.log", "line\n", mode: 0o666)
        let config = #"{"channels": {"telegram": {"token": "123:fix-test-token"}}, "gateway": {"log_file": "\#(log)"}}"#
        h.config(config, mode: 0o644)
        chmod(h.home, 0o755)
        h.dir.mkdir("home/workspace", mode: 0o755)
        h.dir.mkdir("home/workspace/sessions/sub", mode: 0o755)
        h.dir.write("home/workspace/sessions/a.jsonl", "{}\n", mode: 0o644)
        h.dir.write("home/workspace/sessions/sub/b.jsonl", "{}\n", mode: 0o664)
        let outside = h.dir.write("outside.txt", "x", mode: 0o644)
        #expect(symlink(outside, h.home + "/workspace/sessions/link") == 0)

        let fixed = try #require(await h.audit(["--fix"]))
        #expect(h.dir.mode("home/config.json") == 0o600)
        #expect(h.dir.mode("home") == 0o700)
        #expect(h.dir.mode("home/workspace") == 0o700)
        #expect(h.dir.mode("home/workspace/sessions") == 0o700)
        #expect(h.dir.mode("home/workspace/sessions/sub") == 0o700)
        #expect(h.dir.mode("home/workspace/sessions/a.jsonl") == 0o600)
        #expect(h.dir.mode("home/workspace/sessions/sub/b.jsonl") == 0o600)
        #expect(h.dir.mode("logs/gw.log") == 0o640)
        #expect(h.dir.mode("outside.txt") == 0o644, "symlinks below a tightened directory are not followed")
        #expect(h.dir.read("home/config.json") == config, "the config content is never edited")

        let changes = fixed.json["fixed"]?.arrayValue ?? []
        let paths = Set(changes.compactMap { $0["path"]?.stringValue })
        #expect(paths == [h.configPath, h.home, h.home + "/workspace", h.home + "/workspace/sessions", log])
        let configChange = changes.first { $0["path"]?.stringValue == h.configPath }
        #expect(configChange?["from"]?.stringValue == "0644" && configChange?["to"]?.stringValue == "0600")
        #expect(configChange?["command"]?.stringValue == "chmod 600 \(h.configPath)")
        // What is left after the fix: the secret in the file and old sessions in the workspace (not
        // auto-fixable), and root.
        #expect(
            Set(fixed.ids) == ["config.secrets.in_file", "sessions.in_workspace", "process.running_as_root"],
            "\(fixed.ids)")
        #expect(fixed.status == 1)
    }

    @Test("--fix never chmods through a path component an agent swapped for a symlink")
    func fixFollowsNoSymlinkedComponent() async throws {
        let h = BinaryHome()
        h.config("{}", mode: 0o600)
        chmod(h.home, 0o700)
        // The workspace was replaced by a symlink to a directory outside, which must keep its mode.
        let outside = h.dir.mkdir("outside", mode: 0o755)
        _ = h.dir.write("outside/file.txt", "x", mode: 0o644)
        #expect(symlink(outside, h.home + "/workspace") == 0)
        let fixed = try #require(await h.audit(["--fix"]))
        #expect(h.dir.mode("outside") == 0o755, "audit --fix changed a directory outside through a symlink")
        #expect(h.dir.mode("outside/file.txt") == 0o644)
        #expect(fixed.json["fixed"]?.arrayValue?.contains { $0["path"]?.stringValue == h.home + "/workspace" } != true)
    }

    @Test("text mode prints FIXED lines, and a second --fix has nothing left to change")
    func fixIsIdempotent() async throws {
        let h = BinaryHome()
        h.config("{}", mode: 0o644)
        let first = try #require(await h.run(["security", "audit", "--fix"]))
        #expect(
            first.stdout.contains(
                "FIXED    config.file.world_readable  \(h.configPath): mode 0644 → 0600 (chmod 600 \(h.configPath))"))
        let second = try #require(await h.audit(["--fix"]))
        #expect(second.json["fixed"]?.arrayValue?.isEmpty == true)
    }

    @Test("without --fix nothing changes")
    func reportOnly() async throws {
        let h = BinaryHome()
        h.config("{}", mode: 0o644)
        chmod(h.home, 0o755)
        _ = try #require(await h.audit())
        #expect(h.dir.mode("home/config.json") == 0o644)
        #expect(h.dir.mode("home") == 0o755)
    }
}
