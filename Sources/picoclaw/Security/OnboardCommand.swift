import ArgumentParser
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
        let environment = ProcessEnvironment.current()
        let home = ProcessEnvironment.homeDirectory(environment: environment)
        let picoclawHome = ConfigLocator.picoclawHome(environment: environment, homeDirectory: home)
        let configPath = ConfigLocator.resolvePath(explicit: options.config, environment: environment,
                                                   homeDirectory: home).path
        let workspace = picoclawHome + "/workspace"
        let secrets = picoclawHome + "/secrets"
        var writer = OnboardWriter(force: force)
        do {
            try writer.directory(picoclawHome, mode: 0o700)
            try writer.directory(AuditPath.parent(configPath), mode: 0o700)
            try writer.file(configPath, text: OnboardTemplates.config(workspace: workspace, secretsDirectory: secrets),
                            mode: 0o600)
            try writer.directory(secrets, mode: 0o700)
            try writer.directory(workspace, mode: 0o700)
            try writer.file(workspace + "/AGENTS.md", text: OnboardTemplates.agentsMarkdown, mode: 0o600)
            try writer.file(workspace + "/SOUL.md", text: OnboardTemplates.soulMarkdown, mode: 0o600)
        } catch {
            for step in writer.steps { print(Self.describe(step)) }
            StandardError.print("error: \(error.message)")
            throw ExitCode.failure
        }
        var seen = Set<String>()
        for step in writer.steps where seen.insert(step.path).inserted { print(Self.describe(step)) }
        print(Self.nextSteps(configPath: configPath, secrets: secrets, explicitConfig: options.config,
                             environment: environment, picoclawHome: picoclawHome))
    }

    static func describe(_ step: OnboardWriter.Step) -> String {
        let verb: String
        switch step.outcome {
        case .created: verb = "created "
        case .kept: verb = "kept    "
        case .replaced: verb = "replaced"
        }
        return "\(verb) \(step.path) (\(octal(step.mode)))" + (step.note.map { ": \($0)" } ?? "")
    }

    static func nextSteps(configPath: String, secrets: String, explicitConfig: String?, environment: [String: String],
                          picoclawHome: String) -> String {
        var lines = ["", "Next steps:",
                     "  1. Put each secret in its own file that only you can read, e.g.:",
                     "       install -m 600 /dev/null \(secrets)/openrouter_key && ${EDITOR:-vi} \(secrets)/openrouter_key",
                     "       install -m 600 /dev/null \(secrets)/telegram_token && ${EDITOR:-vi} \(secrets)/telegram_token",
                     "  2. Name them in the environment (shell profile, or the systemd EnvironmentFile):"]
        if environment["PICOCLAW_HOME"] == nil && explicitConfig == nil && environment["PICOCLAW_CONFIG"] == nil {
            // The default location needs nothing; keep the list short.
        } else if let explicitConfig {
            lines.append("       export PICOCLAW_CONFIG=\(shellQuoted(explicitConfig))")
        } else if let home = environment["PICOCLAW_HOME"] {
            lines.append("       export PICOCLAW_HOME=\(shellQuoted(home))")
        }
        lines += [
            "       export PICOCLAW_PROVIDERS_OPENROUTER_API_KEY_FILE=\(secrets)/openrouter_key",
            "       export PICOCLAW_AGENTS_DEFAULTS_MODEL=openrouter/anthropic/claude-sonnet-4",
            "       export PICOCLAW_CHANNELS_TELEGRAM_ENABLED=true",
            "       export PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE=\(secrets)/telegram_token",
            "       export PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM=123456789   # your numeric Telegram user id",
            "  3. Check:  picoclaw config check",
            "  4. Audit:  picoclaw security audit",
            "  5. Run:    picoclaw gateway",
            "(\(configPath) explains each setting in its \"_comment\" keys.)",
        ]
        return lines.joined(separator: "\n")
    }
}
