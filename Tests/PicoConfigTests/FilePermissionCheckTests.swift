import Glibc
import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct FilePermissionCheckTests {
    static let withSecret = #"{"providers": {"openrouter": {"api_key": "sk-or-v1-secret"}}}"#

    @Test(arguments: [0o644, 0o640, 0o660, 0o604, 0o602] as [mode_t])
    func refusesGroupOrOtherAccess(mode: mode_t) {
        let dir = TempDir()
        let path = dir.config(Self.withSecret, mode: mode)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.kind == .insecurePermissions)
        #expect(e?.exitCode == 78)
        #expect(e?.message.contains("chmod 600 \(path)") == true)
        #expect(e?.message.contains("mode 0\(String(mode, radix: 8))") == true)
        #expect(e?.message.contains("sk-or") == false)
        #expect(e?.message.contains("\n") == false)
    }

    @Test func messageFormat() {
        let dir = TempDir()
        let path = dir.config(Self.withSecret, mode: 0o644)
        let e = expectConfigError { _ = try dir.load() }
        #expect(
            e?.message
                == "refusing to start: \(path) holds secrets (providers.openrouter.api_key) and is readable by group/others (mode 0644). Fix: chmod 600 \(path)"
        )
    }

    @Test func ownerOnlyIsAccepted() throws {
        let dir = TempDir()
        dir.config(Self.withSecret, mode: 0o600)
        let loaded = try dir.load()
        #expect(loaded.secretKeysInFile == ["providers.openrouter.api_key"])
        dir.config(Self.withSecret, mode: 0o400)
        _ = try dir.load()
    }

    @Test func noSecretsMeansNoCheck() throws {
        let dir = TempDir()
        dir.config(
            #"{"gateway": {"port": 1}, "providers": {"openai": {"api_key": ""}}, "model_list": [{"api_key": ""}]}"#,
            mode: 0o644)
        #expect(try dir.load().config.gateway.port == 1)
    }

    @Test func secretsInUnusedSectionsCount() {
        let dir = TempDir()
        dir.config(
            #"{"model_list": [{"model_name": "x", "model": "openai/x", "api_key": "sk-model-list"}]}"#, mode: 0o644)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.exitCode == 78)
        #expect(e?.message.contains("model_list[0].api_key") == true)
    }

    @Test func envOverrideOfSecretStillChecksFile() {
        let dir = TempDir()
        dir.config(Self.withSecret, mode: 0o644)
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_PROVIDERS_OPENROUTER_API_KEY": "sk-env"]) }
        #expect(e?.exitCode == 78)
    }

    @Test func overrideTurnsRefusalIntoWarning() throws {
        let dir = TempDir()
        let path = dir.config(Self.withSecret, mode: 0o644)
        let loaded = try dir.load(["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS": "1"])
        #expect(loaded.insecurePermissionsAllowed)
        #expect(
            loaded.warnings.contains { $0.contains(path) && $0.contains("PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS") })
        let bad = expectConfigError { _ = try dir.load(["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS": "sure"]) }
        #expect(bad?.kind == .environment)
    }

    @Test func foreignOwnerIsRefused() throws {
        let dir = TempDir()
        let path = dir.config(Self.withSecret, mode: 0o600)
        guard getuid() == 0 else { return }  // only root can chown to another user
        #expect(chown(path, 4242, 4242) == 0)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.exitCode == 78)
        #expect(e?.message.contains("owned by uid 4242") == true)
        // The rule as a function: a file owned by root is fine for any user; another user's is not.
        #expect(throws: ConfigError.self) {
            _ = try FilePermissionCheck.check(
                path: path, what: "config", secretKeys: [], allowInsecure: false, currentUID: 1000)
        }
        #expect(chown(path, 0, 0) == 0)
        #expect(
            try FilePermissionCheck.check(
                path: path, what: "config", secretKeys: [], allowInsecure: false, currentUID: 1000) == nil)
    }

    @Test func symlinkedConfigIsAllowedAndReported() throws {
        let dir = TempDir()
        let target = dir.write("real/config.json", Self.withSecret)
        let link = dir.path + "/config.json"
        #expect(symlink(target, link) == 0)
        let loaded = try dir.load()
        #expect(loaded.configIsSymlink)
        #expect(loaded.notices.contains { $0.contains("symbolic link") })
        chmod(target, 0o644)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.exitCode == 78, "the target's mode is checked")
    }
}
