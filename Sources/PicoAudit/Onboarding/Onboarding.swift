import PicoConfig

/// `picoclaw onboard`: creates `$PICOCLAW_HOME` (0700), a starter config (0600), a secrets directory and a
/// workspace with AGENTS.md and SOUL.md; existing files are kept unless `force`.
public enum Onboarding {
    /// What onboarding did and what the user does next.
    public struct Result: Sendable {
        /// One line per path: `created /p (0600)`, `kept ...`, `replaced ...` (each path once).
        public let stepLines: [String]
        /// Why onboarding stopped, when it did (the steps before it still happened).
        public let error: OnboardError?
        /// The numbered next steps (secrets, environment, check, audit, run); empty after an error.
        public let nextSteps: String
    }

    /// Runs onboarding for the configuration at `explicitConfigPath` (else the usual location) under `environment`.
    public static func run(explicitConfigPath: String?, environment: [String: String], force: Bool) -> Result {
        let home = ProcessEnvironment.homeDirectory(environment: environment)
        let picoclawHome = ConfigLocator.picoclawHome(environment: environment, homeDirectory: home)
        let configPath = ConfigLocator.resolvePath(
            explicit: explicitConfigPath, environment: environment,
            homeDirectory: home
        ).path
        let workspace = picoclawHome + "/workspace"
        let secrets = picoclawHome + "/secrets"
        var writer = OnboardWriter(force: force)
        do {
            try writer.directory(picoclawHome, mode: 0o700)
            try writer.directory(AuditPath.parent(configPath), mode: 0o700)
            try writer.file(
                configPath, text: OnboardTemplates.config(workspace: workspace, secretsDirectory: secrets),
                mode: 0o600)
            try writer.directory(secrets, mode: 0o700)
            try writer.directory(workspace, mode: 0o700)
            try writer.file(workspace + "/AGENTS.md", text: OnboardTemplates.agentsMarkdown, mode: 0o600)
            try writer.file(workspace + "/SOUL.md", text: OnboardTemplates.soulMarkdown, mode: 0o600)
        } catch {
            return Result(stepLines: writer.steps.map(describe), error: error, nextSteps: "")
        }
        var seen = Set<String>()
        let lines = writer.steps.filter { seen.insert($0.path).inserted }.map(describe)
        return Result(
            stepLines: lines, error: nil,
            nextSteps: nextSteps(
                configPath: configPath, secrets: secrets, explicitConfig: explicitConfigPath,
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

    static func nextSteps(
        configPath: String, secrets: String, explicitConfig: String?, environment: [String: String],
        picoclawHome: String
    ) -> String {
        var lines = [
            "", "Next steps:",
            "  1. Put each secret in its own file that only you can read, e.g.:",
            "       install -m 600 /dev/null \(secrets)/openrouter_key && ${EDITOR:-vi} \(secrets)/openrouter_key",
            "       install -m 600 /dev/null \(secrets)/telegram_token && ${EDITOR:-vi} \(secrets)/telegram_token",
            "  2. Name them in the environment (shell profile, or the systemd EnvironmentFile):",
        ]
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
