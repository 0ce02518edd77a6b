import ArgumentParser
import PicoBuildInfo

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
}
