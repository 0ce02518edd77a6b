import ArgumentParser
import Logging
import PicoConfig
import PicoGateway

/// `picoclaw gateway`: runs the service until SIGTERM/SIGINT.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the gateway: channels ↔ agents, /health and /ready, until SIGTERM or SIGINT.")

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .long, help: "Debug logging, including every LLM request summary and every tool call.")
    var debug = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PID file (default: gateway.pid_file, else $PICOCLAW_HOME/picoclaw.pid).",
            valueName: "path"))
    var pidFile: String?

    @Flag(name: .long, help: "Allow binding gateway.host to a non-loopback address (prefer a reverse proxy).")
    var allowPublicBind = false

    func run() async throws {
        MemoryTrimmer.prepareAtStartup()
        // --allow-public-bind is the same opt-in as gateway.allow_public_bind, which the loader checks.
        let loaded = try configOptions.loadOrExit(
            environmentOverrides: allowPublicBind ? ["PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND": "true"] : [:])
        let gateway = loaded.config.gateway
        let output: LogOutput
        do {
            output = try LogOutput(filePath: gateway.logFile, redactor: loaded.redactor)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
        let level: Logger.Level = debug ? .debug : Logger.Level(gateway.logLevel)
        LoggingSystem.bootstrap { PicoLogHandler(label: $0, output: output, level: level) }
        let logger = Logger(label: "gateway")
        if debug { logger.debug("debug logging on: LLM requests and every tool call are logged (secrets redacted)") }
        let code = await Gateway(
            loaded: loaded,
            options: GatewayOptions(debug: debug, pidFile: pidFile, allowPublicBind: allowPublicBind),
            output: output, logger: logger
        ).run()
        if code != 0 { throw ExitCode(code) }
    }
}

extension Logger.Level {
    /// The swift-log level for a config `log_level`.
    init(_ level: PicoConfig.LogLevel) {
        self = Logger.Level(rawValue: level.rawValue) ?? .info
    }
}
