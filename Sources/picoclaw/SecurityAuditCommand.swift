import ArgumentParser
import PicoAudit
import PicoConfig

/// `picoclaw security audit [--config PATH] [--json] [--fix] [--verbose]`.
struct SecurityAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit the configuration, file permissions, exposure and sandbox; print findings with fixes.",
        discussion: """
            Each finding has a stable id (e.g. config.file.world_readable), a severity (critical, warn, info), \
            what was found and the exact fix. The audit reads any configuration, including one the gateway \
            would refuse to start with (e.g. a config file others can read); it never needs an override.
            Exit status: 0 no warnings, 1 warnings, 2 at least one critical finding.
            --fix only removes permission bits (chmod 600/700 style) on picoclaw's own files and says what it \
            changed; it never edits the config, changes owners or touches anything else. See Docs/security.md.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Print a machine-readable JSON report.")
    var json = false

    @Flag(name: .long, help: "Apply the safe permission fixes, then report what is left.")
    var fix = false

    @Flag(name: [.short, .long], help: "Also print why each finding matters.")
    var verbose = false

    func run() async throws {
        let result = await SecurityAudit.run(
            explicitConfigPath: options.config,
            environment: ProcessEnvironment.current(), fix: fix)
        print(json ? result.report.json : result.report.text(verbose: verbose), terminator: "")
        if !json {
            print("\nExec sandbox layers (picoclaw policy self-test):")
            for line in result.sandboxLayers { print("  \(line)") }
        }
        if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
    }
}
