import CPicoPolicy
import Glibc

/// Runs commands the way the exec tool does: `/bin/sh -c` (never a login shell), working directory inside
/// the workspace, scrubbed environment, timeout, capped output, and a layered kernel sandbox (see
/// Docs/policy.md):
/// - **namespaces** (bubblewrap): new user, mount, PID, IPC, UTS and — unless `network` — network namespaces, a
///   minimal filesystem view, no capabilities; every process of a command dies with it (PID namespace);
/// - **Landlock** inside: the workspace (no device nodes, no device ioctls), read/execute on system paths,
///   no TCP bind/connect without `network`, signal and abstract-socket scoping;
/// - **seccomp**: no mount, ptrace, bpf, keyctl, device mknod, namespace creation...; no IP sockets without
///   `network`;
/// - **limits**: no_new_privs and rlimits (`ExecLimits`).
/// Without user namespaces the fallback drops every capability, runs the command under a subreaper that kills
/// every descendant when it ends, and applies Landlock, seccomp (also refusing AF_UNIX sockets and metadata
/// changes) and the limits.
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
    /// The requested sandbox mode.
    public let sandbox: SandboxMode
    /// Outbound network allowed.
    public let network: Bool
    /// Resource limits of each command.
    public let limits: ExecLimits
    /// The layer commands will run under on this machine.
    public let layer: SandboxLayer
    /// One line per layer: active, or why not.
    public let layerReport: [String]
    /// Loud warnings about the configuration (e.g. a layer unavailable, falling back).
    public let warnings: [String]
    let namespacePlan: NamespacePlan?
    let seccompProgram: [UInt8]

    /// The Landlock ABI version of the running kernel, nil when unavailable (probed in a child process).
    public static var landlockABI: Int? { SandboxProbe.current.landlockABI }

    /// Whether the namespaces layer (bubblewrap with user namespaces) works on this machine.
    public static var namespacesAvailable: Bool { SandboxProbe.current.namespaceProblem == nil }

    /// Why the namespaces layer is unavailable, nil when it works.
    public static var namespacesProblem: String? { SandboxProbe.current.namespaceProblem }

    /// Why Landlock is unavailable, nil when it works.
    public static var landlockProblem: String? { SandboxProbe.current.landlockProblem }

    /// Why commands get no pids cgroup (the process limit that binds root), nil when they do.
    public static var processCgroupProblem: String? {
        if case .failure(let u) = PidsCgroup.current { return u.reason }
        return nil
    }

    /// The directory holding each command's pids cgroup (`<pids cgroup of this process>/picoclaw`), when used.
    public static var processCgroupParent: String? { try? PidsCgroup.current.get().path }

    /// Runs the machine probes (child processes: Landlock, a trial namespace sandbox) and builds the seccomp
    /// programs on a dedicated thread, so creating executors later never blocks Swift's cooperative pool on
    /// them. Called by `selfTest`; call it once at start-up otherwise. Idempotent.
    public static func prepare() async {
        await DedicatedThread.run {
            _ = SandboxProbe.current
            _ = PidsCgroup.current
            SeccompCache.warmUp()
        }
    }

    /// - Parameters:
    ///   - workspace: an existing directory; commands run inside it.
    ///   - timeout: default 60 s; everything the command started is killed when it elapses.
    ///   - maxOutputBytes: default 10,000 bytes of stdout+stderr combined.
    ///   - landlock: `.preferred` (default), `.required` (refuse without Landlock) or `.off` (no kernel sandbox at
    ///     all: the agent is not restricted to its workspace).
    ///   - sandbox: `tools.exec.sandbox`.
    ///   - network: `tools.exec.network`.
    ///   - limits: `tools.exec.limits.*`.
    /// - Throws: `ExecError.invalidWorkspace`, `.landlockUnavailable`, or `.sandboxUnavailable` when the
    ///   requested sandbox cannot be set up.
    public init(
        workspace: String, timeout: Duration = .seconds(60), maxOutputBytes: Int = 10_000,
        landlock: LandlockMode = .preferred, sandbox: SandboxMode = .auto, network: Bool = false,
        limits: ExecLimits = .defaults
    ) throws {
        guard !workspace.isEmpty, let real = realpath(workspace, nil) else {
            throw ExecError.invalidWorkspace(workspace)
        }
        workspaceRoot = String(cString: real)
        free(real)
        self.timeout = timeout
        self.maxOutputBytes = max(0, maxOutputBytes)
        self.landlock = landlock
        self.sandbox = sandbox
        self.network = network
        self.limits = limits
        let probe = SandboxProbe.current
        if landlock == .off {
            layer = .structuralOnly
            layerReport = ["kernel sandbox: off (the agent is not restricted to its workspace)"]
            warnings = [
                "WARNING: the kernel sandbox (namespaces, Landlock, seccomp) is turned off: commands are confined by the command policy alone"
            ]
            namespacePlan = nil
            seccompProgram = []
            return
        }
        let useNamespaces = try Self.usesNamespaces(landlock: landlock, sandbox: sandbox, probe: probe)
        let flags = Self.seccompFlags(network: network, useNamespaces: useNamespaces)
        let exported = SeccompCache.program(flags: flags)
        seccompProgram = (try? exported.get()) ?? []
        let seccompError: Int32
        if case .failure(let e) = exported { seccompError = e.errno } else { seccompError = 0 }
        var warn: [String] = []
        var report: [String] = []
        if useNamespaces {
            namespacePlan = NamespacePlan(
                bwrap: probe.bwrapPath!, step: probe.stepPath!, workspace: workspaceRoot,
                network: network, limits: limits, landlockABI: probe.landlockABI,
                seccomp: !seccompProgram.isEmpty, mountProc: probe.mountProc)
            layer = .namespaces(landlockABI: probe.landlockABI)
        } else {
            namespacePlan = nil
            layer = .landlock(abi: probe.landlockABI!)
        }
        Self.reportNamespaces(
            useNamespaces, probe: probe, sandbox: sandbox, network: network, report: &report,
            warnings: &warn)
        Self.reportLandlock(probe: probe, network: network, report: &report, warnings: &warn)
        Self.reportSeccomp(
            built: !seccompProgram.isEmpty, error: seccompError, flags: flags, network: network,
            useNamespaces: useNamespaces, report: &report, warnings: &warn)
        Self.reportLimits(limits, network: network, report: &report)
        layerReport = report
        warnings = warn
    }

    /// Whether commands run in namespaces (bubblewrap) or under the Landlock fallback, as `tools.exec.sandbox`
    /// asks and the machine allows. Throws when the requested layers are unavailable.
    private static func usesNamespaces(landlock: LandlockMode, sandbox: SandboxMode, probe: SandboxProbe) throws -> Bool
    {
        if landlock == .required && probe.landlockABI == nil {
            throw ExecError.landlockUnavailable(probe.landlockProblem ?? "unavailable")
        }
        let useNamespaces: Bool
        switch sandbox {
        case .namespaces:
            if let problem = probe.namespaceProblem {
                throw ExecError.sandboxUnavailable("tools.exec.sandbox is \"namespaces\" but \(problem)")
            }
            useNamespaces = true
        case .landlock:
            useNamespaces = false
        case .auto:
            useNamespaces = probe.namespaceProblem == nil
        }
        if !useNamespaces && probe.landlockABI == nil {
            let why = probe.landlockProblem ?? "Landlock is unavailable"
            throw ExecError.sandboxUnavailable(
                sandbox == .auto
                    ? "neither namespaces (\(probe.namespaceProblem ?? "unavailable")) nor Landlock (\(why)) can confine commands"
                    : "tools.exec.sandbox is \"landlock\" but \(why)")
        }
        return useNamespaces
    }

    /// The seccomp filter's options (`PICO_SECCOMP_*`).
    private static func seccompFlags(network: Bool, useNamespaces: Bool) -> Int32 {
        var flags: Int32 = network ? Int32(PICO_SECCOMP_NETWORK.rawValue) : 0
        // Without namespaces, host files and sockets are reachable by path; as root, the sandbox owns the host's
        // device nodes: refuse metadata changes (and, without namespaces, pathname-socket connections).
        if !useNamespaces { flags |= Int32(PICO_SECCOMP_DENY_UNIX.rawValue) }
        if !useNamespaces || geteuid() == 0 { flags |= Int32(PICO_SECCOMP_DENY_METADATA.rawValue) }
        return flags
    }

    /// The namespaces lines of the layer report: what bubblewrap sets up, or why the Landlock fallback runs (a
    /// warning when `sandbox` is `auto`).
    private static func reportNamespaces(
        _ useNamespaces: Bool, probe: SandboxProbe, sandbox: SandboxMode,
        network: Bool, report: inout [String], warnings warn: inout [String]
    ) {
        if useNamespaces {
            report.append(
                "namespaces: active (bubblewrap: user, mount, PID, IPC, UTS\(network ? "" : ", network") "
                    + "namespaces; workspace, system directories read-only, private /tmp, minimal /dev"
                    + (probe.mountProc ? ", fresh /proc)" : "; no /proc: the kernel refused a fresh one here)"))
        } else {
            report.append(
                "namespaces: unavailable — \(probe.namespaceProblem ?? "disabled by tools.exec.sandbox: landlock")")
            report.append(
                "fallback: every capability dropped; a subreaper kills every process of a command when it ends")
            if sandbox == .auto {
                warn.append(
                    "WARNING: exec sandbox without namespaces (\(probe.namespaceProblem ?? "")): using the Landlock fallback"
                )
            }
        }
    }

    /// The limits, pids cgroup and network lines of the layer report.
    private static func reportLimits(_ limits: ExecLimits, network: Bool, report: inout [String]) {
        report.append(
            "limits: no_new_privs; \(limits.summary)"
                + (geteuid() != 0
                    ? ""
                    : Self.processCgroupProblem == nil
                        ? " (as root the process limit is the pids cgroup: RLIMIT_NPROC does not bind uid 0)"
                        : " (the kernel does not apply RLIMIT_NPROC to root)"))
        report.append(PidsCgroup.reportLine(limit: limits.processes))
        report.append("network: \(network ? "allowed (tools.exec.network: true)" : "off")")
    }

    /// The Landlock line of the layer report (and a warning when it is unavailable).
    private static func reportLandlock(
        probe: SandboxProbe, network: Bool, report: inout [String],
        warnings warn: inout [String]
    ) {
        if let abi = probe.landlockABI {
            report.append(
                "landlock: active (ABI \(abi)\(abi >= 4 && !network ? ", TCP bind/connect denied" : "")"
                    + "\(abi >= 6 ? ", signal and abstract-socket scoping" : ""))")
        } else {
            report.append("landlock: UNAVAILABLE — \(probe.landlockProblem ?? "")")
            warn.append(
                "WARNING: Landlock is unavailable (\(probe.landlockProblem ?? "")): the namespaces layer alone confines the file system"
            )
        }
    }

    /// The seccomp line of the layer report (and a warning when the filter could not be built).
    private static func reportSeccomp(
        built: Bool, error seccompError: Int32, flags: Int32, network: Bool,
        useNamespaces: Bool, report: inout [String], warnings warn: inout [String]
    ) {
        if !built {
            report.append("seccomp: UNAVAILABLE — building the filter failed (\(errnoDescription(seccompError)))")
            warn.append(
                "WARNING: the exec sandbox's seccomp filter could not be built (\(errnoDescription(seccompError)))")
        } else {
            report.append(
                "seccomp: active (\(network ? "network allowed" : "no IP sockets")"
                    + "\(flags & Int32(PICO_SECCOMP_DENY_METADATA.rawValue) != 0 ? ", no metadata changes" : "")"
                    + "\(!useNamespaces ? ", no AF_UNIX sockets" : ""))")
        }
    }

    /// Convenience: the workspace of a `Workspace`.
    public init(
        workspace: Workspace, timeout: Duration = .seconds(60), maxOutputBytes: Int = 10_000,
        landlock: LandlockMode = .preferred, sandbox: SandboxMode = .auto, network: Bool = false,
        limits: ExecLimits = .defaults
    ) throws {
        try self.init(
            workspace: workspace.root, timeout: timeout, maxOutputBytes: maxOutputBytes, landlock: landlock,
            sandbox: sandbox, network: network, limits: limits)
    }

    /// Evaluates `command` with `policy` first and throws `ExecError.denied` without running it when denied.
    public func run(command: String, workingDirectory: String? = nil, policy: CommandPolicy) async throws -> ExecResult
    {
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
        if mkdir(tmp, 0o700) != 0 && errno != EEXIST { /* TMPDIR is advisory; commands still run */  }
        var cancelPipe: [Int32] = [-1, -1]
        guard pico_pipe_cloexec(&cancelPipe) == 0 else { throw ExecError.spawnFailed(stage: "pipe", errno: errno) }
        let writeEnd = cancelPipe[1]
        defer {
            close(cancelPipe[0])
            close(cancelPipe[1])
        }
        let request = makeRequest(command: command, workingDirectory: cwd, cancelFD: cancelPipe[0])
        let outcome = await withTaskCancellationHandler {
            await DedicatedThread.run { ProcessRunner.run(request) }
        } onCancel: {
            var byte: UInt8 = 1
            _ = Glibc.write(writeEnd, &byte, 1)
        }
        return try makeResult(outcome)
    }

    /// The process request of one run, per the layer.
    func makeRequest(command: String, workingDirectory cwd: String, cancelFD: Int32) -> ProcessRequest {
        let environment = ExecEnvironment.build(parent: ExecEnvironment.current(), workspace: workspaceRoot)
        let timeoutMS = Self.milliseconds(timeout)
        if let plan = namespacePlan {
            return plan.request(
                command: command, workingDirectory: cwd, environment: environment,
                timeoutMilliseconds: timeoutMS, maxOutputBytes: maxOutputBytes, cancelFD: cancelFD,
                seccompProgram: seccompProgram)
        }
        let abi: Int
        if case .landlock(let v) = layer { abi = v } else { abi = 0 }
        let fallback = abi > 0
        return ProcessRequest(
            arguments: ["sh", "-c", command],
            environment: environment,
            workingDirectory: cwd,
            sandboxMode: fallback ? PICO_SANDBOX_SUPERVISED.rawValue : PICO_SANDBOX_DIRECT.rawValue,
            landlockMode: fallback ? .required : .off,
            landlockABI: abi,
            fullAccessPaths: [workspaceRoot],
            readExecutePaths: Self.systemReadExecutePaths,
            devicePaths: Self.devicePaths,
            denyTCP: !network,
            limits: fallback ? limits : nil,
            dropCapabilities: fallback,
            seccompProgram: fallback ? seccompProgram : [],
            timeoutMilliseconds: timeoutMS,
            graceMilliseconds: 300,
            maxOutputBytes: maxOutputBytes,
            cancelFD: cancelFD)
    }

    private func resolveWorkingDirectory(_ workingDirectory: String?) throws -> String {
        let wd = workingDirectory ?? ""
        let path = physicalPath(wd.isEmpty ? workspaceRoot : (wd.hasPrefix("/") ? wd : workspaceRoot + "/" + wd))
        let inside = path == workspaceRoot || path.hasPrefix(workspaceRoot == "/" ? "/" : workspaceRoot + "/")
        var st = stat()
        guard inside || landlock == .off, lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            throw ExecError.invalidWorkingDirectory(workingDirectory ?? workspaceRoot)
        }
        return path
    }

    private func makeResult(_ o: ProcessOutcome) throws -> ExecResult {
        if o.failedStage == Int32(PICO_STAGE_NAMESPACE.rawValue) {
            let text = String(decoding: o.output.prefix(500), as: UTF8.self)
            throw ExecError.sandboxUnavailable("bubblewrap could not start the sandbox: \(text)")
        }
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
        let ran: SandboxLayer
        switch layer {
        case .namespaces: ran = .namespaces(landlockABI: o.landlockApplied > 0 ? o.landlockApplied : nil)
        default: ran = o.landlockApplied > 0 ? .landlock(abi: o.landlockApplied) : .structuralOnly
        }
        var result = ExecResult(
            output: output, exitStatus: o.exitStatus, signal: o.signal, timedOut: o.timedOut,
            cancelled: o.cancelled, truncatedBytes: dropped,
            duration: .nanoseconds(o.durationNanoseconds), sandboxLayer: ran)
        if layer != .structuralOnly { result.limitNotes = LimitDiagnosis.notes(for: result, limits: limits) }
        return result
    }

    static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
    }
}
