import CPicoPolicy
import Synchronization

/// The exec sandbox's seccomp programs, built once per process for each flag combination (building forks a
/// child that runs libseccomp, so it is kept off the per-executor path).
enum SeccompCache {
    private static let programs = Mutex<[Int32: [UInt8]]>([:])

    /// The program for `flags` (enum pico_seccomp_flags), or the build error (-errno) when it cannot be built.
    static func program(flags: Int32) -> Result<[UInt8], SeccompBuildError> {
        if let cached = programs.withLock({ $0[flags] }) { return .success(cached) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var length = 0
        let rc = pico_seccomp_export(flags, &buffer, buffer.count, &length)
        guard rc == 0 else { return .failure(SeccompBuildError(errno: -rc)) }
        let program = Array(buffer[..<length])
        programs.withLock { $0[flags] = program }
        return .success(program)
    }

    /// Builds every combination the executor can ask for (run on a dedicated thread at start-up).
    static func warmUp() {
        for flags: Int32 in 0..<8 { _ = program(flags: flags) }
    }
}

/// Why the seccomp program could not be built.
struct SeccompBuildError: Error {
    let errno: Int32
}
