import Glibc
import PicoFakes
import Testing

/// `picoclaw security audit` on file permissions, owners, symlinks and secrets, run as a real subprocess
/// against real files in a temporary `$PICOCLAW_HOME`.
@Suite("security audit: files and secrets")
struct SecurityAuditPermissionTests {
    static let tokenValue = "123456:AUDIT-TEST-SECRET-TOKEN-VALUE"
    static let secretConfig =
        #"{"channels": {"telegram": {"enabled": true, "token": "\#(tokenValue)", "allow_from": ["123456789"]}}}"#

    @Test("a config the gateway refuses (secrets, mode 0644) is audited without any override: critical, exit 2")
    func insecureConfigIsAuditedNotRefused() async throws {
        let h = BinaryHome()
        h.config(Self.secretConfig, mode: 0o644)
        let check = try #require(await h.run(["config", "check"]))
        #expect(check.status == 78, "the gateway's loader refuses this file: \(check.stderr)")

        let text = try #require(await h.run(["security", "audit"]))
        #expect(text.status == 2)
        #expect(
            text.stdout.contains(
                "CRITICAL config.file.world_readable  \(h.configPath) is readable by others (mode 0644)"))
        #expect(text.stdout.contains("→ fix: chmod 600 \(h.configPath)"))
        #expect(text.stdout.contains("WARN     config.secrets.in_file"))
        #expect(text.stdout.contains("PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE"))
        #expect(
            !text.stdout.contains(Self.tokenValue) && !text.stderr.contains(Self.tokenValue), "never print a secret")

        let json = try #require(await h.audit())
        #expect(json.status == 2)
        #expect(json.severity("config.file.world_readable") == "critical")
        #expect(json.finding("config.file.world_readable")?["fixable"]?.boolValue == true)
        #expect(json.severity("config.secrets.in_file") == "warn")
        #expect(!json.json.jsonString.contains(Self.tokenValue))
    }

    @Test("a readable config without secrets is a warning; writable by others is critical")
    func modesWithoutSecrets() async throws {
        let h = BinaryHome()
        h.config(#"{"gateway": {"port": 18790}}"#, mode: 0o640)
        let readable = try #require(await h.audit())
        #expect(readable.severity("config.file.group_readable") == "warn")
        #expect(readable.severity("config.file.world_readable") == nil)

        h.config(#"{"gateway": {"port": 18790}}"#, mode: 0o622)
        let writable = try #require(await h.audit())
        #expect(writable.severity("config.file.writable_by_others") == "critical")
        #expect(writable.status == 2)
    }

    @Test("a config owned by another user is reported with a chown fix (not auto-fixed)")
    func foreignOwner() async throws {
        let h = BinaryHome()
        let path = h.config(Self.secretConfig, mode: 0o600)
        #expect(chown(path, BinaryHome.nobody, BinaryHome.nobody) == 0)
        let result = try #require(await h.audit())
        let finding = try #require(result.finding("config.file.owner"))
        #expect(finding["severity"]?.stringValue == "critical")
        #expect(finding["fix"]?.stringValue == "chown 0 \(path)")
        #expect(finding["fixable"]?.boolValue == false)
    }

    @Test("a symlinked config is reported, and the target's mode is what is checked")
    func symlinkedConfig() async throws {
        let h = BinaryHome()
        let target = h.dir.write("elsewhere/real.json", Self.secretConfig, mode: 0o644)
        #expect(symlink(target, h.configPath) == 0)
        let result = try #require(await h.audit())
        #expect(result.severity("config.file.symlink") == "info")
        #expect(result.finding("config.file.symlink")?["title"]?.stringValue?.contains(target) == true)
        #expect(result.severity("config.file.world_readable") == "critical")
    }

    @Test("a config in a directory others can write is critical")
    func configDirectoryWritable() async throws {
        let h = BinaryHome()
        let shared = h.dir.mkdir("shared", mode: 0o777)
        h.dir.write("shared/config.json", "{}", mode: 0o600)
        let result = try #require(await h.audit(["--config", shared + "/config.json"]))
        #expect(result.severity("config.dir.writable_by_others") == "critical")
    }

    @Test("a malformed config is critical (config.invalid) and the file checks still run")
    func malformedConfig() async throws {
        let h = BinaryHome()
        h.config(#"{"gateway": {"#, mode: 0o666)
        let result = try #require(await h.audit())
        #expect(result.status == 2)
        #expect(result.severity("config.invalid") == "critical")
        #expect(result.finding("config.invalid")?["detail"]?.stringValue?.contains("invalid JSON") == true)
        #expect(result.severity("config.file.writable_by_others") == "critical")
    }

    @Test("$PICOCLAW_HOME, workspace and sessions readable by others are warnings, writable workspace critical")
    func stateDirectories() async throws {
        let h = BinaryHome()
        h.config(#"{"agents": {"defaults": {"workspace": "\#(h.home)/ws"}}}"#)
        chmod(h.home, 0o755)
        h.dir.mkdir("home/ws", mode: 0o777)
        h.dir.mkdir("home/ws/sessions", mode: 0o755)
        h.dir.write("home/ws/sessions/telegram-1.jsonl", "{}\n", mode: 0o644)
        let result = try #require(await h.audit())
        #expect(result.severity("home.accessible_by_others") == "warn")
        #expect(result.severity("workspace.writable_by_others") == "critical")
        #expect(result.severity("sessions.readable_by_others") == "warn")
        #expect(
            result.finding("sessions.readable_by_others")?["fix"]?.stringValue
                == "chmod -R go-rwx \(h.home)/ws/sessions")
    }

    @Test("secrets files: PICOCLAW_SECRETS_FILE accessible by others is critical, a world-readable _FILE a warning")
    func secretFiles() async throws {
        let h = BinaryHome()
        h.config("{}")
        let envFile = h.dir.write("secrets.env", "PICOCLAW_CHANNELS_DISCORD_TOKEN=abc.def\n", mode: 0o640)
        let tokenFile = h.dir.write("telegram_token", "123:xyz\n", mode: 0o644)
        h.extraEnvironment = ["PICOCLAW_SECRETS_FILE": envFile, "PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE": tokenFile]
        let result = try #require(await h.audit())
        #expect(result.severity("secrets.env_file.accessible_by_others") == "critical")
        #expect(result.severity("secrets.file.world_readable") == "warn")
        #expect(
            result.finding("secrets.file.world_readable")?["title"]?.stringValue?.contains(
                "PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE") == true)
    }

    @Test("PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS in the environment is itself a warning")
    func overrideIsReported() async throws {
        let h = BinaryHome()
        h.config("{}")
        h.extraEnvironment = ["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS": "1"]
        let result = try #require(await h.audit())
        #expect(result.severity("config.insecure_permissions_override") == "warn")
    }

    @Test("log file readable by others and PID file in a world-writable directory are warnings")
    func logAndPidFile() async throws {
        let h = BinaryHome()
        let shared = h.dir.mkdir("run", mode: 0o1777)
        let log = h.dir.write("logs/picoclaw.log", "", mode: 0o644)
        h.config(#"{"gateway": {"log_file": "\#(log)", "pid_file": "\#(shared)/picoclaw.pid"}}"#)
        let result = try #require(await h.audit())
        #expect(result.severity("log.file.accessible_by_others") == "warn")
        #expect(result.finding("log.file.accessible_by_others")?["fix"]?.stringValue == "chmod 640 \(log)")
        #expect(result.severity("gateway.pid_file.dir_writable_by_others") == "warn")
    }
}
