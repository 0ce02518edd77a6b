import ArgumentParser
import PicoGateway

/// `picoclaw backup create | verify | restore`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the config, the state store and the workspaces; verify and restore backups.",
        discussion: "See Docs/owner-controls.md#backup and Docs/deploy.md.",
        subcommands: [Create.self, Verify.self, Restore.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a backup (mode 0600, with a SHA-256 manifest). Safe while the gateway runs.")
        @OptionGroup var options: ConfigOptions
        @Option(
            name: .long,
            help: ArgumentHelp(
                "The backup file (must not exist; default picoclaw-backup-<date>-<time>.tar), or - for standard output.",
                valueName: "file"))
        var output: String?
        @Flag(name: .long, help: "Also store secrets (tokens and API keys in the config file, the secrets env file).")
        var includeSecrets = false

        func run() async throws {
            let loaded = try options.loadOrExit()
            let file = output ?? BackupCreator.defaultOutput()
            do {
                let summary = try await BackupCreator(loaded: loaded, includeSecrets: includeSecrets).create(
                    output: file)
                if file == "-" {
                    StandardError.print("wrote the backup to standard output: \(summary)")
                } else {
                    print("wrote \(file): \(summary)")
                }
            } catch {
                StandardError.print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every file of a backup against its manifest.")
        @Argument(help: "The backup file.") var file: String

        func run() async throws {
            do { print(try BackupReader.verify(file)) } catch {
                StandardError.print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a backup and extract it into a new or empty directory.")
        @Argument(help: "The backup file.") var file: String
        @Option(
            name: .long, help: ArgumentHelp("The new PICOCLAW_HOME (must not exist or be empty).", valueName: "dir"))
        var to: String

        func run() async throws {
            do { print(try BackupReader.restore(file, to: to)) } catch {
                StandardError.print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
