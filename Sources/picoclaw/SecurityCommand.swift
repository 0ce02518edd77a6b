import ArgumentParser

/// `picoclaw security`: checks of the deployment against the security checklist.
struct SecurityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security",
        abstract: "Check this deployment against the security checklist.",
        subcommands: [SecurityAuditCommand.self])
}
