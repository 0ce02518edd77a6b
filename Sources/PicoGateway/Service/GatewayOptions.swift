/// Command-line choices for one gateway run (config file values come from `LoadedConfig`).
public struct GatewayOptions: Sendable {
    /// `--debug`: debug log level, including the audit trail of every tool call.
    public var debug: Bool
    /// `--pid-file`, overriding `gateway.pid_file`.
    public var pidFile: String?
    /// `--allow-public-bind`, the same opt-in as `gateway.allow_public_bind`.
    public var allowPublicBind: Bool
    /// How long SIGTERM/SIGINT waits for running turns; `nil` uses `gateway.shutdown_grace_seconds`.
    public var shutdownGrace: Duration?

    public init(
        debug: Bool = false, pidFile: String? = nil, allowPublicBind: Bool = false,
        shutdownGrace: Duration? = nil
    ) {
        self.debug = debug
        self.pidFile = pidFile
        self.allowPublicBind = allowPublicBind
        self.shutdownGrace = shutdownGrace
    }
}
