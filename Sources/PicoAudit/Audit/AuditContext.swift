#if canImport(Glibc)
import Glibc
#endif
import PicoConfig
import PicoGateway
import PicoSystem

/// What the kernel sandbox layer does on this machine (from PicoPolicy's live self-test).
enum AuditSandboxState: Sendable, Equatable {
    /// Landlock confines commands (the self-test saw a forbidden write fail).
    case enforcing(detail: String)
    /// The kernel has no usable Landlock.
    case unavailable(reason: String)
    /// Landlock exists but the self-test showed it does not confine commands.
    case notEnforcing(reason: String)
}

/// Everything the checks look at, gathered once.
struct AuditContext: Sendable {
    /// The config file path (it may not exist).
    let configPath: String
    /// `$PICOCLAW_HOME`.
    let picoclawHome: String
    /// The loaded configuration; `nil` when it could not be loaded (see ``loadError``).
    let loaded: LoadedConfig?
    /// Why the configuration could not be loaded.
    let loadError: ConfigError?
    /// The real process environment (not the one given to the loader).
    let environment: [String: String]
    /// The user's home directory (for "workspace is your home" checks).
    let homeDirectory: String?
    /// Effective uid of this audit.
    let auditUID: UInt32
    /// A gateway that is running now (from the PID file), if any.
    let liveGateway: LiveGateway?
    /// The sandbox layer.
    var sandbox: AuditSandboxState
    /// `true` when the loader refused a non-loopback `gateway.host` without `gateway.allow_public_bind`; the
    /// configuration in ``loaded`` was then loaded with the opt-in so that everything else can be audited.
    var publicBindRefused = false
    /// The effective policy (shared with `picoclaw status`); `nil` when the configuration could not be loaded.
    var policy: EffectivePolicy?
    /// Why the state store (pairings) could not be read.
    var storeProblem: String?

    /// The uid whose files these should be: the running gateway's, else this process's.
    var expectedOwner: UInt32 { liveGateway?.uid ?? auditUID }

    var config: PicoConfiguration? { loaded?.config }

    /// `true` when the exec tool is offered to agents (assumed on when the config cannot be loaded).
    var execEnabled: Bool { config?.tools.exec.enabled ?? true }

    /// `true` when the loaded file holds secrets.
    var secretsInConfigFile: Bool { !(loaded?.secretKeysInFile.isEmpty ?? true) }
}

/// A running `picoclaw gateway` found through its PID file.
struct LiveGateway: Sendable, Equatable {
    let pid: Int32
    let uid: UInt32

    /// Reads `pidFile`; returns the process when it is alive and a picoclaw process.
    static func find(pidFile: String?) -> LiveGateway? {
        guard let pidFile, let text = readSmallFile(pidFile),
            let pid = Int32(text.filter { !$0.isWhitespace }), pid > 0
        else { return nil }
        guard let cmdline = readSmallFile("/proc/\(pid)/cmdline"), cmdline.contains("picoclaw"),
            let status = readSmallFile("/proc/\(pid)/status")
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // Uid: real effective saved fs
            if fields.count >= 3, let euid = UInt32(fields[2]) { return LiveGateway(pid: pid, uid: euid) }
        }
        return nil
    }
}

/// Reads up to 64 KiB of a regular file as text, or `nil` (a FIFO or device never blocks the audit).
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 8192)
    while out.count < 65536 {
        let n = buf.withUnsafeMutableBytes { FileDescriptorIO.read(fd, into: $0) }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
}
