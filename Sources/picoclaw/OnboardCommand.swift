import ArgumentParser
import PicoAudit
import PicoConfig

/// `picoclaw onboard [--config PATH] [--force]`: a safe starting point.
struct OnboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onboard",
        abstract: "Create $PICOCLAW_HOME (0700), a starter config (0600) and a workspace with AGENTS.md and SOUL.md.",
        discussion: """
            The starter config keeps restrict_to_workspace and the exec deny patterns on, binds the gateway to \
            127.0.0.1 and leaves every allowlist empty; it holds no secrets and explains in "_comment" keys how \
            to give them through *_FILE variables. Existing files are never overwritten unless --force is given.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Overwrite existing config.json, AGENTS.md and SOUL.md.")
    var force = false

    func run() throws {
        let result = Onboarding.run(
            explicitConfigPath: options.config, environment: ProcessEnvironment.current(),
            force: force)
        for line in result.stepLines { print(line) }
        if let error = result.error {
            StandardError.print("error: \(error.message)")
            throw ExitCode.failure
        }
        print(result.nextSteps)
    }
}
