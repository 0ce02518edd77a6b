import ArgumentParser
import PicoBuildInfo
import PicoGateway

/// The `picoclaw` command line: a thin layer over the Pico* libraries.
@main
struct Picoclaw: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "picoclaw",
        abstract: "A personal AI-assistant gateway for Telegram and Discord.",
        version: BuildInfo.version,
        subcommands: [
            GatewayCommand.self,
            VersionCommand.self,
            PolicyCommand.self,
            ConfigCommand.self,
            SecurityCommand.self,
            OnboardCommand.self,
            AgentCommand.self,
            StatusCommand.self,
            PairingCommand.self,
            BackupCommand.self,
            SessionsCommand.self,
            SchedulesCommand.self,
        ]
    )

    /// Caps malloc at one arena before the Swift runtime's threads allocate (each thread that allocates before
    /// the cap gets an arena of its own, kept for life), then runs the command line.
    static func main() async {
        MemoryTrimmer.limitArenas()
        await main(nil)
    }
}
