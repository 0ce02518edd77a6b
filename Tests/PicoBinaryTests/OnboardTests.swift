import Glibc
import PicoFakes
import Testing

/// `picoclaw onboard`, run as a real subprocess in a temporary `$PICOCLAW_HOME` that does not exist yet.
@Suite("onboard")
struct OnboardTests {
    /// A `BinaryHome` whose `home/` has been removed, so onboard creates it.
    static func freshHome() -> BinaryHome {
        let h = BinaryHome()
        rmdir(h.home)
        return h
    }

    @Test("creates $PICOCLAW_HOME 0700, config 0600, workspace 0700 with AGENTS.md and SOUL.md, even with umask 000")
    func createsSafeLayout() async throws {
        let h = Self.freshHome()
        guard let binary = PicoclawBinary.path() else { return }
        let outcome = await Subprocess.run(
            ["/bin/sh", "-c", "umask 000 && exec \"$0\" onboard", binary], environment: h.environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(h.dir.mode("home") == 0o700)
        #expect(h.dir.mode("home/config.json") == 0o600)
        #expect(h.dir.mode("home/secrets") == 0o700)
        #expect(h.dir.mode("home/workspace") == 0o700)
        #expect(h.dir.mode("home/workspace/AGENTS.md") == 0o600)
        #expect(h.dir.mode("home/workspace/SOUL.md") == 0o600)
        #expect(h.dir.read("home/workspace/AGENTS.md")?.contains("Never print, store or send secrets") == true)
    }

    @Test("the starter config is safe and loads without a single warning or notice")
    func starterConfigIsSafeAndClean() async throws {
        let h = Self.freshHome()
        let onboard = try #require(await h.run(["onboard"]))
        #expect(onboard.status == 0)
        let config = try #require(h.dir.read("home/config.json"))
        let json = try #require(JSONValue.parse(config), "the starter config is plain JSON")
        #expect(json["agents"]?["defaults"]?["restrict_to_workspace"]?.boolValue == true)
        #expect(json["agents"]?["defaults"]?["workspace"]?.stringValue == h.home + "/workspace")
        #expect(json["tools"]?["exec"]?["enable_deny_patterns"]?.boolValue == true)
        #expect(json["gateway"]?["host"]?.stringValue == "127.0.0.1")
        #expect(json["gateway"]?["allow_public_bind"]?.boolValue == false)
        #expect(json["channels"]?["telegram"]?["allow_from"]?.arrayValue?.isEmpty == true)
        #expect(json["channels"]?["discord"]?["allow_from"]?.arrayValue?.isEmpty == true)
        #expect(
            json["_comment"]?.arrayValue?.contains {
                $0.stringValue?.contains("PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE=") == true
            } == true)
        #expect(!config.contains("\"token\"") && !config.contains("api_key\""), "no secret keys, not even empty ones")

        let check = try #require(await h.run(["config", "check"]))
        #expect(check.status == 0)
        #expect(check.stderr.isEmpty, "no warnings or notices for a fresh config: \(check.stderr)")
        let show = try #require(await h.run(["config", "show"]))
        #expect(JSONValue.parse(show.stdout)?["agents"]?["defaults"]?["restrict_to_workspace"]?.boolValue == true)
    }

    @Test("a fresh onboard passes the audit with no findings as an unprivileged user")
    func freshOnboardAuditIsClean() async throws {
        let h = Self.freshHome()
        h.giveToNobody()
        let onboard = try #require(await h.run(["onboard"], asNobody: true))
        #expect(onboard.status == 0, "\(onboard.stderr)")
        let audit = try #require(await h.audit(asNobody: true))
        #expect(audit.ids.isEmpty, "\(audit.json.jsonString)")
        #expect(audit.status == 0)
    }

    @Test("never overwrites without --force; --force replaces with mode 0600")
    func overwriteRules() async throws {
        let h = Self.freshHome()
        _ = try #require(await h.run(["onboard"]))
        h.dir.write("home/config.json", #"{"gateway": {"port": 19999}}"#, mode: 0o640)
        h.dir.write("home/workspace/SOUL.md", "mine", mode: 0o600)

        let again = try #require(await h.run(["onboard"]))
        #expect(again.status == 0)
        #expect(h.dir.read("home/config.json") == #"{"gateway": {"port": 19999}}"#)
        #expect(h.dir.read("home/workspace/SOUL.md") == "mine")
        #expect(
            again.stdout.contains("kept     \(h.configPath) (0640): exists; left unchanged (use --force to overwrite)"))

        let forced = try #require(await h.run(["onboard", "--force"]))
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("replaced \(h.configPath) (0600)"))
        #expect(h.dir.read("home/config.json")?.contains("\"restrict_to_workspace\": true") == true)
        #expect(h.dir.mode("home/config.json") == 0o600)
        #expect(h.dir.read("home/workspace/SOUL.md") != "mine")
    }

    @Test("prints the next steps: _FILE variables, config check, security audit")
    func nextSteps() async throws {
        let h = Self.freshHome()
        let outcome = try #require(await h.run(["onboard"]))
        for expected in [
            "PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE=\(h.home)/secrets/openrouter_key",
            "PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE=", "PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM=",
            "picoclaw config check", "picoclaw security audit", "export PICOCLAW_HOME=\(h.home)",
        ] {
            #expect(outcome.stdout.contains(expected), "missing \(expected)")
        }
    }

    @Test("--config writes the config where asked (its directory 0700)")
    func explicitConfigPath() async throws {
        let h = Self.freshHome()
        let path = h.dir.at("etc/picoclaw/config.json")
        let outcome = try #require(await h.run(["onboard", "--config", path]))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(h.dir.mode("etc/picoclaw/config.json") == 0o600)
        #expect(h.dir.mode("etc/picoclaw") == 0o700)
        #expect(h.dir.mode("home/workspace") == 0o700)
    }
}
