import CPicoPolicy
import Glibc

/// Everything one run needs, as Swift values (converted to C inside the worker thread).
struct ProcessRequest: Sendable {
    var command: String
    var environment: [String]
    var workingDirectory: String
    var landlockMode: LandlockMode
    var landlockABI: Int
    var fullAccessPaths: [String]
    var readExecutePaths: [String]
    var devicePaths: [String]
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
    var exitStatus: Int32?
    var signal: Int32?
    var timedOut = false
    var cancelled = false
    var output: [UInt8] = []
    var droppedBytes = 0
    var durationNanoseconds: Int64 = 0
}

enum ProcessRunner {
    /// Runs `/bin/sh -c command` per `request`; blocks the calling thread.
    static func run(_ request: ProcessRequest) -> ProcessOutcome {
        let argv = CStringArray(["sh", "-c", request.command])
        let envp = CStringArray(request.environment)
        let full = CStringArray(request.fullAccessPaths)
        let readExec = CStringArray(request.readExecutePaths)
        let devices = CStringArray(request.devicePaths)
        let capacity = max(request.maxOutputBytes, 0)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity, 1))
        defer { buffer.deallocate() }
        var result = pico_run_result()
        let mode: Int32
        switch request.landlockMode {
        case .required: mode = Int32(PICO_LANDLOCK_REQUIRED.rawValue)
        case .preferred: mode = Int32(PICO_LANDLOCK_PREFERRED.rawValue)
        case .off: mode = Int32(PICO_LANDLOCK_OFF.rawValue)
        }
        "/bin/sh".withCString { shell in
            request.workingDirectory.withCString { cwd in
                var config = pico_spawn_config()
                config.path = shell
                config.argv = UnsafePointer(argv.pointer)
                config.envp = UnsafePointer(envp.pointer)
                config.cwd = cwd
                config.landlock_mode = mode
                config.landlock_abi = Int32(request.landlockABI)
                config.full_paths = full.constPointer
                config.full_count = full.count
                config.read_exec_paths = readExec.constPointer
                config.read_exec_count = readExec.count
                config.device_paths = devices.constPointer
                config.device_count = devices.count
                config.timeout_ms = Int32(clamping: request.timeoutMilliseconds)
                config.grace_ms = Int32(clamping: request.graceMilliseconds)
                config.cancel_fd = request.cancelFD
                config.output = buffer
                config.output_capacity = capacity
                _ = pico_run(&config, &result)
            }
        }
        var outcome = ProcessOutcome()
        outcome.failedStage = result.failed_stage
        outcome.failedErrno = result.failed_errno
        outcome.landlockApplied = Int(result.landlock_applied)
        outcome.landlockErrno = result.landlock_errno
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
