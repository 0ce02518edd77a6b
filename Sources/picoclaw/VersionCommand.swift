import ArgumentParser
import PicoBuildInfo

/// `picoclaw version`: the semantic version, git commit, build date and Swift version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version, git commit, build date and Swift version.")

    func run() {
        print(BuildInfo.versionText)
    }
}
