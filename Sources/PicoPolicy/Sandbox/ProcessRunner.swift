import CPicoPolicy
import Glibc

/// Everything one run needs, as Swift values (converted to C inside the worker thread).
struct ProcessRequest: Sendable {
    /// The program exec'd by the child: /bin/sh, or bubblewrap in namespaces mode.
    var path: String = "/bin/sh"
    var arguments: [String]
    var environment: [String]
    var workingDirectory: String
    /// enum pico_sandbox_mode.
    var sandboxMode: UInt32 = PICO_SANDBOX_DIRECT.rawValue
    var landlockMode: LandlockMode
    var landlockABI: Int
    var fullAccessPaths: [String]
    var readExecutePaths: [String]
    var devicePaths: [String]
    var denyTCP = false
    var limits: ExecLimits?
    var dropCapabilities = false
    /// Classic BPF; loaded by the child (direct/supervised) or handed to bubblewrap (namespaces).
    var seccompProgram: [UInt8] = []
    /// Namespaces mode: files opened for this run and passed to bubblewrap as fds 5, 6, ...
    var passFiles: [String] = []
    var timeoutMilliseconds: Int
    var graceMilliseconds: Int
    var maxOutputBytes: Int
    var cancelFD: Int32
}

/// What `pico_run` reported, as Swift values.
struct ProcessOutcome: Sendable {
    var failedStage: Int32 = 0
    var failedErrno: Int32 = 0
    var landlockApplied: Int = 0
    var landlockErrno: Int32 = 0
    var stepReported = false
    var exitStatus: Int32?
    var signal: Int32?
    var timedOut = false
    var cancelled = false
    var output: [UInt8] = []
    var droppedBytes = 0
    var durationNanoseconds: Int64 = 0
}

enum ProcessRunner {
    /// Runs `request.path` with `request.arguments`; blocks the calling thread.
    static func run(_ request: ProcessRequest) -> ProcessOutcome {
        let argv = CStringArray(request.arguments)
        let envp = CStringArray(request.environment)
        let full = CStringArray(request.fullAccessPaths)
        let readExec = CStringArray(request.readExecutePaths)
        let devices = CStringArray(request.devicePaths)
        let capacity = max(request.maxOutputBytes, 0)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        defer { buffer.deallocate() }
        var result = pico_run_result()
        let mode = landlockModeValue(request.landlockMode)
        var seccompFD: Int32 = -1
        if request.sandboxMode == PICO_SANDBOX_NAMESPACES.rawValue && !request.seccompProgram.isEmpty {
            seccompFD = request.seccompProgram.withUnsafeBufferPointer { pico_memfd_with($0.baseAddress, $0.count) }
            if seccompFD < 0 {
                var failed = ProcessOutcome()
                failed.failedStage = Int32(PICO_STAGE_SECCOMP.rawValue)
                failed.failedErrno = -seccompFD
                return failed
            }
        }
        defer { if seccompFD >= 0 { close(seccompFD) } }
        let passFDs = openPassFiles(request.passFiles)
        defer { for fd in passFDs where fd >= 0 { close(fd) } }
        // As root RLIMIT_NPROC does not bind: the command runs in its own pids cgroup, removed when it is over.
        let group = request.limits.flatMap { geteuid() == 0 ? PidsCgroup.create(limit: $0.processes) : nil }
        defer { if let group { PidsCgroup.remove(group) } }
        let inChild = request.sandboxMode != PICO_SANDBOX_NAMESPACES.rawValue && !request.seccompProgram.isEmpty
        let program = request.seccompProgram
        request.path.withCString { shell in
            request.workingDirectory.withCString { cwd in
                program.withUnsafeBufferPointer { bpf in
                    passFDs.withUnsafeBufferPointer { fds in
                        var config = pico_spawn_config()
                        config.path = shell
                        config.sandbox_mode = Int32(request.sandboxMode)
                        config.deny_tcp = request.denyTCP ? 1 : 0
                        if let l = request.limits { setLimits(l, in: &config) }
                        config.join_cgroup = group == nil ? 0 : 1
                        config.cgroup_procs_fd = group?.procsFD ?? -1
                        config.drop_capabilities = request.dropCapabilities ? 1 : 0
                        config.seccomp_program = inChild ? bpf.baseAddress : nil
                        config.seccomp_length = inChild ? bpf.count : 0
                        config.seccomp_fd = seccompFD
                        config.pass_fds = fds.baseAddress
                        config.pass_fd_count = fds.count
                        config.argv = UnsafePointer(argv.pointer)
                        config.envp = UnsafePointer(envp.pointer)
                        config.cwd = cwd
                        config.landlock_mode = mode
                        config.landlock_abi = Int32(request.landlockABI)
                        setLandlockPaths(full: full, readExecute: readExec, devices: devices, in: &config)
                        config.timeout_ms = Int32(clamping: request.timeoutMilliseconds)
                        config.grace_ms = Int32(clamping: request.graceMilliseconds)
                        config.cancel_fd = request.cancelFD
                        config.output = buffer
                        config.output_capacity = capacity
                        // The C arrays must outlive the call (ARC may otherwise release them after their last use above).
                        withExtendedLifetime((argv, envp, full, readExec, devices)) { _ = pico_run(&config, &result) }
                    }
                }
            }
        }
        return outcome(of: result, output: buffer)
    }

    /// The C value of a Landlock mode (`enum pico_landlock_mode`).
    private static func landlockModeValue(_ mode: LandlockMode) -> Int32 {
        switch mode {
        case .required: return Int32(PICO_LANDLOCK_REQUIRED.rawValue)
        case .preferred: return Int32(PICO_LANDLOCK_PREFERRED.rawValue)
        case .off: return Int32(PICO_LANDLOCK_OFF.rawValue)
        }
    }

    /// Opens the files handed to bubblewrap. A file that vanished since the plan was made is passed as /dev/null
    /// (the argument count is fixed).
    private static func openPassFiles(_ paths: [String]) -> [Int32] {
        paths.map { path in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            return fd >= 0 ? fd : open("/dev/null", O_RDONLY | O_CLOEXEC)
        }
    }

    /// The rlimits of `ExecLimits` in the child's spawn configuration (negative values count as 0).
    private static func setLimits(_ l: ExecLimits, in config: inout pico_spawn_config) {
        config.limits.processes = UInt64(max(l.processes, 0))
        config.limits.address_space_bytes = UInt64(max(l.memoryMB, 0)) << 20
        config.limits.file_size_bytes = UInt64(max(l.fileSizeMB, 0)) << 20
        config.limits.open_files = UInt64(max(l.openFiles, 0))
        config.limits.cpu_seconds = UInt64(max(l.cpuSeconds, 0))
    }

    /// The paths Landlock opens to the child (the arrays must outlive the `pico_run` call).
    private static func setLandlockPaths(
        full: CStringArray, readExecute readExec: CStringArray,
        devices: CStringArray, in config: inout pico_spawn_config
    ) {
        config.full_paths = full.constPointer
        config.full_count = full.count
        config.read_exec_paths = readExec.constPointer
        config.read_exec_count = readExec.count
        config.device_paths = devices.constPointer
        config.device_count = devices.count
    }

    /// What `pico_run` reported, with the output captured in `buffer`.
    private static func outcome(
        of result: pico_run_result, output buffer: UnsafeMutablePointer<UInt8>
    ) -> ProcessOutcome {
        var outcome = ProcessOutcome()
        outcome.failedStage = result.failed_stage
        outcome.failedErrno = result.failed_errno
        outcome.landlockApplied = Int(result.landlock_applied)
        outcome.landlockErrno = result.landlock_errno
        outcome.stepReported = result.step_reported != 0
        if result.exited != 0 { outcome.exitStatus = result.exit_code }
        if result.signaled != 0 { outcome.signal = result.term_signal }
        outcome.timedOut = result.timed_out != 0
        outcome.cancelled = result.cancelled != 0
        outcome.output = Array(UnsafeBufferPointer(start: buffer, count: result.output_length))
        outcome.droppedBytes = Int(clamping: result.dropped_bytes)
        outcome.durationNanoseconds = result.duration_ns
        return outcome
    }

    /// Human name of a `pico_spawn_stage`.
    static func stageName(_ stage: Int32) -> String {
        switch UInt32(stage) {
        case PICO_STAGE_FORK.rawValue: return "fork"
        case PICO_STAGE_SETUP.rawValue: return "child setup"
        case PICO_STAGE_CHDIR.rawValue: return "chdir"
        case PICO_STAGE_LANDLOCK.rawValue: return "landlock"
        case PICO_STAGE_EXEC.rawValue: return "exec"
        case PICO_STAGE_PIPE.rawValue: return "pipe"
        case PICO_STAGE_LIMITS.rawValue: return "resource limits"
        case PICO_STAGE_CAPABILITIES.rawValue: return "dropping capabilities"
        case PICO_STAGE_SECCOMP.rawValue: return "seccomp"
        case PICO_STAGE_NAMESPACE.rawValue: return "namespaces (bubblewrap)"
        case PICO_STAGE_CGROUP.rawValue: return "joining the pids cgroup"
        default: return "unknown"
        }
    }
}

/// A NULL-terminated array of C strings owned for the duration of a call.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { pointer[i] = strdup(s) }
        pointer[strings.count] = nil
    }

    var constPointer: UnsafePointer<UnsafePointer<CChar>?> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: UnsafePointer<CChar>?.self)
    }

    deinit {
        for i in 0..<count { free(pointer[i]) }
        pointer.deallocate()
    }
}

/// Cuts `bytes` after the last complete UTF-8 sequence; returns the kept bytes and how many were cut.
func cutOnUTF8Boundary(_ bytes: [UInt8]) -> ([UInt8], Int) {
    guard !bytes.isEmpty else { return (bytes, 0) }
    var k = bytes.count - 1
    var back = 0
    while k > 0 && bytes[k] & 0xC0 == 0x80 && back < 3 { k -= 1; back += 1 }
    let lead = bytes[k]
    let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    if k + length > bytes.count { return (Array(bytes[..<k]), bytes.count - k) }
    return (bytes, 0)
}
