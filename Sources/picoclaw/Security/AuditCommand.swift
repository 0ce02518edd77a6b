import ArgumentParser
import PicoConfig
import PicoPolicy

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
        let environment = ProcessEnvironment.current()
        var ctx = AuditContext.gather(explicitConfigPath: options.config, environment: environment,
                                      sandbox: .unavailable(reason: "not probed yet"))
        // The sandbox as the configuration sets it up (mode, network, limits), once the configuration is known.
        let selfTest = await SandboxedExecutor.selfTest(config: ctx.config?.tools.exec ?? ExecToolConfig())
        ctx.sandbox = AuditSandboxProbe.state(of: selfTest)
        await ctx.resolvePolicy(selfTest)
        var findings = AuditRunner.findings(ctx)
        var changes: [AuditFixer.Change] = []
        var failures: [AuditFixer.Failure] = []
        if fix {
            (changes, failures) = AuditFixer.apply(findings)
            ctx = AuditContext.gather(explicitConfigPath: options.config, environment: environment, sandbox: ctx.sandbox)
            await ctx.resolvePolicy(selfTest)
            findings = AuditRunner.findings(ctx)
        }
        let report = AuditReport(configPath: ctx.configPath, picoclawHome: ctx.picoclawHome, findings: findings,
                                 changes: changes, failures: failures)
        print(json ? report.json : report.text(verbose: verbose), terminator: "")
        if !json {
            print("\nExec sandbox layers (picoclaw policy self-test):")
            for line in selfTest.layers { print("  \(line)") }
        }
        let status = AuditRunner.exitStatus(findings)
        if status != 0 { throw ExitCode(status) }
    }
}
