import ArgumentParser
import PicoConfig

/// `picoclaw config`: inspect and validate the configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or check the effective configuration.",
        discussion: "See Docs/configuration.md for every key, its default and its environment variable.",
        subcommands: [ConfigShowCommand.self, ConfigCheckCommand.self])
}

/// `picoclaw config show [--config PATH] [--show-origin]`.
struct ConfigShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the effective configuration as JSON, secrets redacted.",
        discussion: """
            Values are merged from defaults, the config file and PICOCLAW_* environment variables \
            (including NAME_FILE and PICOCLAW_SECRETS_FILE). With --show-origin the output is \
            {"config": ..., "origins": {"key.path": "default | file PATH | env NAME | env NAME_FILE (PATH)"}}.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Also print where each value came from.")
    var showOrigin = false

    func run() throws {
        let loaded = try options.loadOrExit(printNotices: true)
        print(loaded.effectiveJSON(showOrigin: showOrigin), terminator: "")
    }
}

/// `picoclaw config check [--config PATH]`: validate only.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration; exit 0 when it is usable.",
        discussion:
            "Exit status: 0 valid, 78 config file or secrets file holds secrets with unsafe permissions, 1 any other error."
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let loaded = try options.loadOrExit(printNotices: true)
        let suffix = loaded.fileExists ? "" : " (file not found; using defaults and environment)"
        print("config OK: \(loaded.path)\(suffix)")
    }
}
