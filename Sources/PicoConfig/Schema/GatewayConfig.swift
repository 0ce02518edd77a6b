#if canImport(Glibc)
import Glibc
import PicoSystem
#endif

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
    public init(
        host: String = "127.0.0.1", port: Int = 18790, pidFile: String? = nil, allowPublicBind: Bool = false,
        logFile: String? = nil, logLevel: LogLevel = .info, stateDir: String = "/var/lib/picoclaw/state",
        shutdownGraceSeconds: Int = 20
    ) {
        self.host = host
        self.port = port
        self.pidFile = pidFile
        self.allowPublicBind = allowPublicBind
        self.logFile = logFile
        self.logLevel = logLevel
        self.stateDir = stateDir
        self.shutdownGraceSeconds = shutdownGraceSeconds
    }

    /// `true` for `localhost`, `127.0.0.0/8` and `::1` (also written `[::1]`).
    public static func isLoopback(_ host: String) -> Bool {
        switch listenAddress(host) {
        case .ipv4(let literal)?: return literal.hasPrefix("127.")
        case .ipv6(let literal)?:
            var addr = in6_addr()
            _ = inet_pton(AF_INET6, literal, &addr)
            return withUnsafeBytes(of: &addr) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
        case nil: return false
        }
    }

    /// The one parser of `gateway.host`, used by both `config check` and the gateway's listener: an IPv4 literal,
    /// an IPv6 literal with or without brackets, or `localhost` (= 127.0.0.1). `nil` for anything else.
    public static func listenAddress(_ host: String) -> ListenAddress? {
        var h = host.trimmedSpaces
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.lowercased() == "localhost" { return .ipv4("127.0.0.1") }
        var v4 = in_addr()
        if inet_pton(AF_INET, h, &v4) == 1 { return .ipv4(h) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, h, &v6) == 1 { return .ipv6(h) }
        return nil
    }
}

/// A listen address parsed from `gateway.host`: the numeric literal without brackets.
public enum ListenAddress: Sendable, Equatable {
    case ipv4(String)
    case ipv6(String)
}
