import ArgumentParser
import Glibc
import PicoConfig

/// `--config PATH`, shared by every command that loads the configuration (`config show`, `config check`,
/// `gateway`, ...). Use `try options.loadOrExit()` to get a ``LoadedConfig`` or exit with the right status.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Config file (default: $PICOCLAW_CONFIG, else the first existing of $PICOCLAW_HOME/config.json, ~/.picoclaw/config.json, /etc/picoclaw/config.json).",
            valueName: "path"))
    var config: String?

    /// Loads the configuration from the process environment. Prints warnings and notices to stderr; on error
    /// prints the message to stderr and throws `ExitCode(error.exitCode)` (78 for insecure permissions, else 1).
    /// `environmentOverrides` win over the process environment (e.g. a command-line flag that sets a key).
    func loadOrExit(printNotices: Bool = false, environmentOverrides: [String: String] = [:]) throws -> LoadedConfig {
        do {
            let environment = ProcessEnvironment.current().merging(environmentOverrides) { $1 }
            let loaded = try ConfigLoader.load(explicitPath: config, environment: environment)
            for warning in loaded.warnings { StandardError.print("warning: \(warning)") }
            if printNotices { for notice in loaded.notices { StandardError.print("note: \(notice)") } }
            return loaded
        } catch {
            StandardError.print("error: \(error.message.split(separator: "\n").joined(separator: "\nerror: "))")
            throw ExitCode(error.exitCode)
        }
    }
}

/// Unbuffered writes to file descriptor 2.
enum StandardError {
    /// Writes `text` and a newline to stderr.
    static func print(_ text: String) {
        var line = text
        line += "\n"
        line.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(2, buf.baseAddress! + offset, buf.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
