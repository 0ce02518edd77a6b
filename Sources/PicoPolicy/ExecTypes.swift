/// Whether the executor confines the child with Landlock.
public enum LandlockMode: String, Sendable, Equatable {
    /// Refuse to run when Landlock cannot be applied.
    case required
    /// Apply Landlock where the kernel has it; otherwise run with the structural policy alone (with a warning).
    case preferred
    /// Never apply Landlock.
    case off
}

/// Which kernel sandbox `tools.exec.sandbox` asks for.
public enum SandboxMode: String, Sendable, Equatable, CaseIterable {
    /// The strongest available: namespaces when bubblewrap and user namespaces work, else the Landlock fallback;
    /// exec is refused when not even Landlock is there.
    case auto
    /// bubblewrap namespaces are required; exec is refused without them.
    case namespaces
    /// The fallback without namespaces: capabilities dropped, subreaper cleanup, Landlock, seccomp, limits.
    case landlock
}

/// Resource limits of one command (`tools.exec.limits.*`). Core dumps are always off.
public struct ExecLimits: Sendable, Equatable {
    /// RLIMIT_NPROC: processes of the user; as root (exempt from it) `pids.max` of a per-command pids cgroup,
    /// where a writable pids controller exists.
    public var processes: Int
    /// RLIMIT_AS in MiB.
    public var memoryMB: Int
    /// RLIMIT_FSIZE in MiB.
    public var fileSizeMB: Int
    /// RLIMIT_NOFILE.
    public var openFiles: Int
    /// RLIMIT_CPU in seconds.
    public var cpuSeconds: Int
    /// Size of the private /tmp (namespaces mode) in MiB.
    public var tmpSizeMB: Int

    public init(processes: Int = 128, memoryMB: Int = 1024, fileSizeMB: Int = 256, openFiles: Int = 1024,
                cpuSeconds: Int = 60, tmpSizeMB: Int = 64) {
        self.processes = processes
        self.memoryMB = memoryMB
        self.fileSizeMB = fileSizeMB
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
        self.tmpSizeMB = tmpSizeMB
    }

    /// The defaults: stop a fork, memory, disk or descriptor flood while leaving room for builds and scripts.
    public static let defaults = ExecLimits()

    /// One line for logs and reports.
    public var summary: String {
        "processes \(processes), memory \(memoryMB) MiB, file size \(fileSizeMB) MiB, open files \(openFiles), "
            + "cpu \(cpuSeconds) s, /tmp \(tmpSizeMB) MiB, core dumps off"
    }
}

/// The protection layer a command actually ran under.
public enum SandboxLayer: Sendable, Equatable, CustomStringConvertible {
    /// bubblewrap namespaces (user, mount, PID, IPC, UTS, network unless allowed) with Landlock inside (nil when
    /// Landlock is unavailable), seccomp and limits.
    case namespaces(landlockABI: Int?)
    /// Landlock enforced in the child with this ABI version. With `SandboxMode.landlock`/the fallback also
    /// seccomp, limits, no capabilities and subreaper cleanup.
    case landlock(abi: Int)
    /// No kernel layer: only the command policy stood in the way.
    case structuralOnly

    public var description: String {
        switch self {
        case .namespaces(let abi?): return "namespaces+landlock(abi \(abi))"
        case .namespaces(nil): return "namespaces (no landlock)"
        case .landlock(let abi): return "landlock(abi \(abi))"
        case .structuralOnly: return "structural-only"
        }
    }
}

/// What a command did: the one result of a command run, from the sandboxed executor to PicoAgent's exec tool.
public struct ExecResult: Sendable, Equatable {
    /// Combined stdout and stderr, cut on a UTF-8 boundary at the cap, followed by a truncation marker when
    /// bytes were dropped.
    public let output: String
    /// Exit status when the shell exited normally.
    public let exitStatus: Int32?
    /// Terminating signal when it was killed.
    public let signal: Int32?
    /// Killed because the timeout elapsed.
    public let timedOut: Bool
    /// Killed because the calling task was cancelled.
    public let cancelled: Bool
    /// Output bytes read but not kept (the command is never blocked by the cap: output past it is discarded).
    public let truncatedBytes: Int
    /// Wall time from fork to exit.
    public let duration: Duration
    /// The layer the command ran under.
    public let sandboxLayer: SandboxLayer
    /// Limits the command probably ran into (e.g. "the process limit (tools.exec.limits.processes = 128) was
    /// reached"), for the tool result.
    public var limitNotes: [String] = []

    /// Creates a result (the executor's; runners other than the sandbox, e.g. test doubles, describe theirs).
    public init(output: String, exitStatus: Int32?, signal: Int32? = nil, timedOut: Bool = false,
                cancelled: Bool = false, truncatedBytes: Int = 0, duration: Duration = .zero,
                sandboxLayer: SandboxLayer = .structuralOnly, limitNotes: [String] = []) {
        self.output = output
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.truncatedBytes = truncatedBytes
        self.duration = duration
        self.sandboxLayer = sandboxLayer
        self.limitNotes = limitNotes
    }

    /// Exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut && !cancelled }
}

/// Why the executor did not run a command.
public enum ExecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command policy denied the command.
    case denied(CommandVerdict)
    /// The working directory is missing or resolves outside the workspace.
    case invalidWorkingDirectory(String)
    /// Landlock was required but is unavailable or could not be applied; nothing was run.
    case landlockUnavailable(String)
    /// fork/exec failed.
    case spawnFailed(stage: String, errno: Int32)
    /// The workspace root is missing.
    case invalidWorkspace(String)
    /// The configured sandbox cannot be set up on this machine; nothing was run.
    case sandboxUnavailable(String)

    public var description: String {
        switch self {
        case .denied(let v): return "Command blocked by policy (\(v.rule)): \(v.reason)"
        case .invalidWorkingDirectory(let d): return "working directory \(d) is missing or outside the workspace"
        case .landlockUnavailable(let why): return "Landlock is required but unavailable: \(why)"
        case .spawnFailed(let stage, let code): return "failed to start the command (\(stage)): \(errnoDescription(code))"
        case .invalidWorkspace(let w): return "workspace \(w) does not exist or is not a directory"
        case .sandboxUnavailable(let why): return "the exec sandbox is unavailable: \(why)"
        }
    }
}

/// The outcome of `SandboxedExecutor.selfTest()`.
public struct SandboxSelfTest: Sendable, Equatable {
    /// The layer in effect on this machine.
    public let layer: SandboxLayer
    /// True when a child was proven unable to read or write outside its workspace and able to write inside.
    public let enforced: Bool
    /// One line per check.
    public let details: [String]
    /// One line per sandbox layer: what is active and why a layer is not.
    public var layers: [String] = []
}
