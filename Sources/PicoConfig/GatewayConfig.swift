/// Log levels accepted by `gateway.log_level` (the same names as swift-log's `Logger.Level`).
public enum LogLevel: String, Sendable, Equatable, CaseIterable, Comparable {
    case trace, debug, info, notice, warning, error, critical

    /// Orders by severity (`trace` < `critical`).
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// `gateway`.
public struct GatewayConfig: Sendable, Equatable {
    /// `host` (default `127.0.0.1`). A non-loopback host requires ``allowPublicBind``.
    public let host: String
    /// `port` (default 18790, 1–65535).
    public let port: Int
    /// `pid_file`: `$PICOCLAW_HOME/picoclaw.pid` unless configured; `nil` when configured as `""` (disabled).
    public let pidFile: String?
    /// `allow_public_bind` (default false).
    public let allowPublicBind: Bool
    /// `log_file` (`nil` = stderr).
    public let logFile: String?
    /// `log_level` (default `info`).
    public let logLevel: LogLevel
    /// `state_dir` (default `$PICOCLAW_HOME/state`): the gateway's state store; never inside a workspace.
    public let stateDir: String
    /// `shutdown_grace_seconds` (default 20): how long running turns may finish after SIGTERM.
    public let shutdownGraceSeconds: Int

    /// Creates the section.
    public init(host: String = "127.0.0.1", port: Int = 18790, pidFile: String? = nil, allowPublicBind: Bool = false,
                logFile: String? = nil, logLevel: LogLevel = .info, stateDir: String = "/var/lib/picoclaw/state",
                shutdownGraceSeconds: Int = 20) {
        self.host = host
        self.port = port
        self.pidFile = pidFile
        self.allowPublicBind = allowPublicBind
        self.logFile = logFile
        self.logLevel = logLevel
        self.stateDir = stateDir
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }

    /// `true` for `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
