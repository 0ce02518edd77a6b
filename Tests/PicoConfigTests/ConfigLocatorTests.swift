import Glibc
import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct ConfigLocatorTests {
    let home = "/home/u"

    @Test func flagWinsOverEverything() {
        let p = ConfigLocator.resolvePath(
            explicit: "/x/c.json",
            environment: ["PICOCLAW_CONFIG": "/y.json", "PICOCLAW_HOME": "/z"], homeDirectory: home)
        #expect(p == ConfigPath(path: "/x/c.json", source: .flag))
    }

    @Test func picoclawConfigBeatsHome() {
        let p = ConfigLocator.resolvePath(
            explicit: nil, environment: ["PICOCLAW_CONFIG": "~/c.json", "PICOCLAW_HOME": "/z"], homeDirectory: home)
        #expect(p == ConfigPath(path: "/home/u/c.json", source: .environment))
    }

    @Test func picoclawHomeBeatsUserHome() {
        let p = ConfigLocator.resolvePath(explicit: nil, environment: ["PICOCLAW_HOME": "/srv/pc"], homeDirectory: home)
        #expect(p == ConfigPath(path: "/srv/pc/config.json", source: .picoclawHome))
        #expect(
            ConfigLocator.picoclawHome(environment: ["PICOCLAW_HOME": "/srv/pc/"], homeDirectory: home) == "/srv/pc")
    }

    @Test func userHomeDefault() {
        let p = ConfigLocator.resolvePath(explicit: nil, environment: [:], homeDirectory: home)
        #expect(p == ConfigPath(path: "/home/u/.picoclaw/config.json", source: .userHome))
        #expect(ConfigLocator.picoclawHome(environment: [:], homeDirectory: home) == "/home/u/.picoclaw")
    }

    @Test func noHomeUsesEtc() {
        let p = ConfigLocator.resolvePath(explicit: nil, environment: [:], homeDirectory: nil)
        #expect(p == ConfigPath(path: "/etc/picoclaw/config.json", source: .system))
        #expect(ConfigLocator.picoclawHome(environment: [:], homeDirectory: nil) == "/etc/picoclaw")
        let etc = ConfigLocator.resolvePath(
            explicit: nil, environment: ["PICOCLAW_HOME": "/etc/picoclaw"], homeDirectory: home)
        #expect(etc.path == "/etc/picoclaw/config.json")
    }

    @Test func emptyValuesAreIgnored() {
        let p = ConfigLocator.resolvePath(
            explicit: "", environment: ["PICOCLAW_CONFIG": "", "PICOCLAW_HOME": ""], homeDirectory: home)
        #expect(p.source == .userHome)
    }

    @Test func loaderUsesFlagPath() throws {
        let dir = TempDir()
        let other = dir.write("other.json", #"{"gateway": {"port": 1234}}"#)
        dir.config(#"{"gateway": {"port": 4321}}"#)
        let loaded = try dir.load(["PICOCLAW_CONFIG": dir.path + "/config.json"], explicit: other)
        #expect(loaded.path == other)
        #expect(loaded.pathSource == .flag)
        #expect(loaded.config.gateway.port == 1234)
        let viaEnv = try dir.load(["PICOCLAW_CONFIG": dir.path + "/config.json"])
        #expect(viaEnv.config.gateway.port == 4321)
    }

    @Test func missingFileGivesDefaultsPlusEnv() throws {
        let dir = TempDir()
        let loaded = try dir.load([
            "PICOCLAW_GATEWAY_PORT": "9999", "PICOCLAW_CHANNELS_TELEGRAM_TOKEN": "123:abc-token",
        ])
        #expect(!loaded.fileExists)
        #expect(loaded.config.gateway.port == 9999)
        #expect(loaded.config.gateway.host == "127.0.0.1")
        #expect(loaded.config.channels.telegram.token.reveal() == "123:abc-token")
        #expect(loaded.config.agents.defaults.workspace == dir.path + "/workspace")
        #expect(loaded.config.gateway.pidFile == dir.path + "/picoclaw.pid")
        #expect(loaded.config.channels.telegram.stateFile == dir.path + "/state/telegram-offset")
        #expect(loaded.config.tools.exec == ExecToolConfig())
        #expect(loaded.origin(of: "gateway.port") == .env(name: "PICOCLAW_GATEWAY_PORT"))
        #expect(loaded.origin(of: "gateway.host") == .default)
        #expect(loaded.warnings.isEmpty)
    }

    @Test func workspaceDefaultsUnderUserHomeWithoutPicoclawHome() throws {
        let loaded = try ConfigLoader.load(environment: [:], homeDirectory: "/nonexistent-home")
        #expect(loaded.path == "/nonexistent-home/.picoclaw/config.json")
        #expect(loaded.config.agents.defaults.workspace == "/nonexistent-home/.picoclaw/workspace")
    }

    @Test func tildeExpansionOnlyLeading() throws {
        let dir = TempDir()
        dir.config(
            #"{"agents": {"defaults": {"workspace": "~/ws"}, "list": [{"id": "a", "workspace": "/x/~/y"}, {"id": "b", "workspace": "rel/dir"}]}}"#
        )
        let c = try dir.load().config
        #expect(c.agents.defaults.workspace == dir.path + "/home/ws")
        #expect(c.agents.list[0].workspace == "/x/~/y")
        #expect(c.agents.list[1].workspace == dir.path + "/rel/dir")
    }

    // MARK: - System installs: /etc/picoclaw is found without PICOCLAW_CONFIG

    @Test func searchFallsThroughToTheSystemConfigWhenTheHomeHasNone() {
        let exists: (String) -> Bool = { $0 == "/etc/picoclaw/config.json" }
        let p = ConfigLocator.resolvePath(
            explicit: nil, environment: [:], homeDirectory: "/var/lib/picoclaw", exists: exists)
        #expect(p == ConfigPath(path: "/etc/picoclaw/config.json", source: .system))
        let withHome = ConfigLocator.resolvePath(
            explicit: nil, environment: ["PICOCLAW_HOME": "/srv/pc"],
            homeDirectory: "/var/lib/picoclaw", exists: exists)
        #expect(withHome.source == .system)
        // The first existing candidate wins; with none, the first candidate is where onboard writes.
        let both: (String) -> Bool = { $0 == "/etc/picoclaw/config.json" || $0 == "/home/u/.picoclaw/config.json" }
        #expect(
            ConfigLocator.resolvePath(explicit: nil, environment: [:], homeDirectory: home, exists: both).source
                == .userHome)
        #expect(
            ConfigLocator.resolvePath(explicit: nil, environment: [:], homeDirectory: home, exists: { _ in false })
                == ConfigPath(path: "/home/u/.picoclaw/config.json", source: .userHome))
        // An explicit choice is never second-guessed.
        #expect(
            ConfigLocator.resolvePath(
                explicit: nil, environment: ["PICOCLAW_CONFIG": "/x.json"], homeDirectory: home,
                exists: exists
            ).path == "/x.json")
        #expect(
            ConfigLocator.searchOrder(environment: ["PICOCLAW_HOME": "/srv/pc"], homeDirectory: home)
                == ["/srv/pc/config.json", "/home/u/.picoclaw/config.json", "/etc/picoclaw/config.json"])
    }

    @Test func systemInstallLoadsEtcConfigAndItsSecretsFile() throws {
        // The checklist's `useradd -r -d /var/lib/picoclaw picoclaw`: a home directory without .picoclaw.
        let dir = TempDir()
        dir.write(
            "etc/config.json",
            #"{"gateway": {"port": 4242}, "channels": {"telegram": {"enabled": true, "allow_from": [1]}}}"#)
        dir.write("etc/secrets.env", "PICOCLAW_CHANNELS_TELEGRAM_TOKEN=123:from-etc-secrets\n")
        _ = system("mkdir -p '\(dir.path)/home'")
        let loaded = try ConfigLoader.load(
            environment: [:], homeDirectory: dir.path + "/home",
            systemDirectory: dir.path + "/etc")
        #expect(loaded.path == dir.path + "/etc/config.json")
        #expect(loaded.pathSource == .system)
        #expect(loaded.config.gateway.port == 4242)
        #expect(loaded.secretsFilePath == dir.path + "/etc/secrets.env")
        #expect(loaded.config.channels.telegram.token.reveal() == "123:from-etc-secrets")
        #expect(
            loaded.origin(of: "channels.telegram.token")
                == .secretsFile(name: "PICOCLAW_CHANNELS_TELEGRAM_TOKEN", path: dir.path + "/etc/secrets.env"))
        #expect(loaded.sourceDescription.contains(dir.path + "/etc/config.json"))
        #expect(loaded.sourceDescription.contains("secrets"))
    }

    @Test func unreadableSystemSecretsFileIsANoticeNotAFailure() throws {
        // The shipped unit keeps secrets.env root-only and lets systemd read it (EnvironmentFile=), so the
        // service user may not be able to open it: that is a notice, while any other problem stays an error.
        let notice = try ConfigLoader.systemSecretsNotice(
            path: "/etc/picoclaw/secrets.env", error: POSIXFileError(code: EACCES))
        #expect(notice?.contains("/etc/picoclaw/secrets.env") == true)
        #expect(notice?.contains("EnvironmentFile") == true)
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.systemSecretsNotice(
                path: "/etc/picoclaw/secrets.env", error: POSIXFileError(code: EIO))
        }
    }
}
