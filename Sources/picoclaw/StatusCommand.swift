import ArgumentParser
import PicoBuildInfo
import PicoConfig
import PicoGateway

/// `picoclaw status [--json]`: the effective policy, the running gateway and today's usage.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show who is admitted, what agents may do, the running gateway and today's usage.",
        discussion: """
            The policy shown is the one `picoclaw security audit` checks (resolved once, shared). \
            Exit status: 0 healthy, 1 degraded (no running or ready gateway, sandbox not enforcing, a channel \
            nobody can use), 78/1 when the configuration cannot be loaded. See Docs/owner-controls.md.
            """)

    @OptionGroup var options: ConfigOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let loaded = try options.loadOrExit()
        let status = await GatewayStatus.gather(loaded.config, version: BuildInfo.version)
        print(json ? StatusOutput.json(status) : StatusOutput.text(status), terminator: "")
        if status.degraded { throw ExitCode(1) }
    }
}
