@testable import PicoAudit
import PicoConfig
import PicoFakes
import Testing

/// A whole onboarding run: the layout it creates, a starter config the loader accepts, and a second run that
/// keeps everything.
@Suite("onboarding")
struct OnboardingTests {
    @Test func createsTheLayoutAndAStarterConfigTheLoaderAcceptsWithoutWarnings() throws {
        let dir = TempDir("pico-onboarding")
        let home = dir.at("pico")
        let environment = ["PICOCLAW_HOME": home, "HOME": dir.at("user")]
        let first = Onboarding.run(explicitConfigPath: nil, environment: environment, force: false)
        #expect(first.error == nil)
        #expect(dir.mode("pico") == 0o700 && dir.mode("pico/secrets") == 0o700 && dir.mode("pico/workspace") == 0o700)
        #expect(dir.mode("pico/config.json") == 0o600)
        #expect(dir.read("pico/workspace/AGENTS.md")?.isEmpty == false)
        #expect(first.stepLines.contains("created  \(home)/config.json (0600)"))
        #expect(first.nextSteps.contains("export PICOCLAW_HOME=\(home)"))
        let loaded = try ConfigLoader.load(environment: environment, homeDirectory: dir.at("user"))
        #expect(loaded.path == home + "/config.json")
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.secretKeysInFile.isEmpty)

        let second = Onboarding.run(explicitConfigPath: nil, environment: environment, force: false)
        #expect(second.error == nil)
        #expect(second.stepLines.allSatisfy { $0.hasPrefix("kept") }, "\(second.stepLines)")
    }

    @Test func stopsWithAnErrorNamingThePathWhenAFileIsInTheWay() {
        let dir = TempDir("pico-onboarding")
        dir.write("pico", "not a directory")
        let result = Onboarding.run(
            explicitConfigPath: nil, environment: ["PICOCLAW_HOME": dir.at("pico")], force: false)
        #expect(result.error?.message.contains(dir.at("pico")) == true)
        #expect(result.nextSteps.isEmpty)
    }
}
