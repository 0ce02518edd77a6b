import CPicoPolicy
import Glibc

/// Runs commands the way the exec tool does: `/bin/sh -c` (never a login shell), working directory inside
/// the workspace, own session and process group, scrubbed environment, timeout that kills the whole group,
/// capped output, and — where the kernel has it — a Landlock ruleset applied in the child between fork and
/// exec: everything under the workspace; read and execute on the system directories and the few `/etc`
/// entries programs need; read/write on `/dev/null`, `/dev/zero`, `/dev/random`, `/dev/urandom`, `/dev/tty`;
/// nothing else (no `/tmp`, no `/proc`, no home directory, no configuration file). With Landlock ABI ≥ 6 the
/// child also cannot signal processes outside its sandbox. Network access is not restricted.
///
/// The executor does not evaluate the command policy itself unless you call `run(command:workingDirectory:policy:)`.
public struct SandboxedExecutor: Sendable {
    /// Directory inside the workspace used as TMPDIR (created 0700).
    public static let tmpDirectoryName = ".tmp"
    /// Read + execute for the child.
    public static let systemReadExecutePaths = [
        "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf", "/etc/gai.conf", "/etc/services",
        "/etc/protocols", "/etc/ssl", "/etc/ca-certificates", "/etc/localtime", "/etc/timezone", "/etc/alternatives",
        "/etc/mime.types", "/etc/gitconfig", "/etc/os-release", "/etc/debian_version", "/etc/terminfo", "/etc/magic",
    ]
    /// Read + write for the child.
    public static let devicePaths = ["/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/full"]

    /// Canonical workspace root.
    public let workspaceRoot: String
    public let timeout: Duration
    public let maxOutputBytes: Int
    public let landlock: LandlockMode
    /// The layer commands will run under on this machine.
    public let layer: SandboxLayer
    /// Loud warnings about the configuration (e.g. Landlock unavailable, falling back).
    public let warnings: [String]

    /// The Landlock ABI version of the running kernel, nil when unavailable.
    public static var landlockABI: Int? {
        let abi = pico_landlock_abi()
        return abi > 0 ? Int(abi) : nil
    }

    /// - Parameters:
    ///   - workspace: an existing directory; commands run inside it.
    ///   - timeout: default 60 s; the whole process group is killed when it elapses.
    ///   - maxOutputBytes: default 10,000 bytes of stdout+stderr combined.
    ///   - landlock: `.preferred` (default), `.required` or `.off`.
    /// - Throws: `ExecError.invalidWorkspace`, or `.landlockUnavailable` when Landlock is required but missing.
    public init(workspace: String, timeout: Duration = .seconds(60), maxOutputBytes: Int = 10_000,
                landlock: LandlockMode = .preferred) throws {
        guard !workspace.isEmpty, let real = realpath(workspace, nil) else { throw ExecError.invalidWorkspace(workspace) }
        workspaceRoot = String(cString: real)
        free(real)
        self.timeout = timeout
        self.maxOutputBytes = max(0, maxOutputBytes)
        self.landlock = landlock
        let abi = pico_landlock_abi()
        switch landlock {
        case .off:
            layer = .structuralOnly
            warnings = ["WARNING: Landlock is turned off: commands are confined by the command policy alone"]
        case .preferred, .required:
            if abi > 0 {
                layer = .landlock(abi: Int(abi))
                warnings = []
            } else if landlock == .required {
                throw ExecError.landlockUnavailable(errnoDescription(-abi))
            } else {
                layer = .structuralOnly
                warnings = ["WARNING: Landlock is unavailable (\(errnoDescription(-abi))): commands are confined by "
                            + "the command policy alone"]
            }
        }
    }

    /// Convenience: the workspace of a `Workspace`.
    public init(workspace: Workspace, timeout: Duration = .seconds(60), maxOutputBytes: Int = 10_000,
                landlock: LandlockMode = .preferred) throws {
        try self.init(workspace: workspace.root, timeout: timeout, maxOutputBytes: maxOutputBytes, landlock: landlock)
    }

    /// Evaluates `command` with `policy` first and throws `ExecError.denied` without running it when denied.
    public func run(command: String, workingDirectory: String? = nil, policy: CommandPolicy) async throws -> ExecResult {
        let verdict = policy.evaluate(command: command, workingDirectory: workingDirectory)
        guard verdict.isAllowed else { throw ExecError.denied(verdict) }
        return try await run(command: command, workingDirectory: workingDirectory)
    }

    /// Runs `command` with `/bin/sh -c` in `workingDirectory` (default: the workspace root; relative to it when
    /// relative). Unless Landlock is `.off` the directory must resolve inside the workspace.
    /// Cancelling the calling task kills the process group.
    public func run(command: String, workingDirectory: String? = nil) async throws -> ExecResult {
        let cwd = try resolveWorkingDirectory(workingDirectory)
        let tmp = workspaceRoot + "/" + Self.tmpDirectoryName
        if mkdir(tmp, 0o700) != 0 && errno != EEXIST { /* TMPDIR is advisory; commands still run */ }
        var cancelPipe: [Int32] = [-1, -1]
        guard pico_pipe_cloexec(&cancelPipe) == 0 else { throw ExecError.spawnFailed(stage: "pipe", errno: errno) }
        let writeEnd = cancelPipe[1]
        defer {
            close(cancelPipe[0])
            close(cancelPipe[1])
        }
        let abi: Int
        if case .landlock(let v) = layer { abi = v } else { abi = 0 }
        let request = ProcessRequest(
            command: command,
            environment: ExecEnvironment.build(parent: ExecEnvironment.current(), workspace: workspaceRoot),
            workingDirectory: cwd,
            landlockMode: abi > 0 ? landlock : .off,
            landlockABI: abi,
            fullAccessPaths: [workspaceRoot],
            readExecutePaths: Self.systemReadExecutePaths,
            devicePaths: Self.devicePaths,
            timeoutMilliseconds: Self.milliseconds(timeout),
            graceMilliseconds: 300,
            maxOutputBytes: maxOutputBytes,
            cancelFD: cancelPipe[0])
        let outcome = await withTaskCancellationHandler {
            await DedicatedThread.run { ProcessRunner.run(request) }
        } onCancel: {
            var byte: UInt8 = 1
            _ = Glibc.write(writeEnd, &byte, 1)
        }
        return try makeResult(outcome)
    }

    private func resolveWorkingDirectory(_ workingDirectory: String?) throws -> String {
        let wd = workingDirectory ?? ""
        let path = physicalPath(wd.isEmpty ? workspaceRoot : (wd.hasPrefix("/") ? wd : workspaceRoot + "/" + wd))
        let inside = path == workspaceRoot || path.hasPrefix(workspaceRoot == "/" ? "/" : workspaceRoot + "/")
        var st = stat()
        guard (inside || landlock == .off), lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw ExecError.invalidWorkingDirectory(workingDirectory ?? workspaceRoot)
        }
        return path
    }

    private func makeResult(_ o: ProcessOutcome) throws -> ExecResult {
        if o.failedStage == Int32(PICO_STAGE_LANDLOCK.rawValue) {
            throw ExecError.landlockUnavailable("applying the ruleset failed: \(errnoDescription(o.failedErrno))")
        }
        if o.failedStage != 0 {
            throw ExecError.spawnFailed(stage: ProcessRunner.stageName(o.failedStage), errno: o.failedErrno)
        }
        var bytes = o.output
        var dropped = o.droppedBytes
        if dropped > 0 {
            let (kept, cut) = cutOnUTF8Boundary(bytes)
            bytes = kept
            dropped += cut
        }
        var output = String(decoding: bytes, as: UTF8.self)
        if dropped > 0 { output += "\n... (output truncated: \(dropped) more bytes dropped)" }
        return ExecResult(output: output, exitStatus: o.exitStatus, signal: o.signal, timedOut: o.timedOut,
                          cancelled: o.cancelled, truncatedBytes: dropped,
                          duration: .nanoseconds(o.durationNanoseconds),
                          sandboxLayer: o.landlockApplied > 0 ? .landlock(abi: o.landlockApplied) : .structuralOnly)
    }

    static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
    }
}
