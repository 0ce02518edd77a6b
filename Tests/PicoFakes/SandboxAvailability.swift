#if canImport(Glibc)
import Glibc
#endif
import PicoPolicy

/// Which exec sandbox layers this machine offers, for `.enabled(if:)` traits of tests that need them. The
/// probes start child processes, so they run once, on a dedicated thread (`SandboxedExecutor.prepare()`).
public enum SandboxAvailability {
    /// Bubblewrap and user namespaces work.
    public static func namespaces() async -> Bool {
        await SandboxedExecutor.prepare()
        return SandboxedExecutor.namespacesAvailable
    }

    /// The kernel offers Landlock.
    public static func landlock() async -> Bool {
        await SandboxedExecutor.prepare()
        return SandboxedExecutor.landlockABI != nil
    }

    /// Root with a writable pids controller, and `layer` usable.
    public static func pidsCgroup(_ layer: () async -> Bool) async -> Bool {
        await SandboxedExecutor.prepare()
        return await layer() && geteuid() == 0 && SandboxedExecutor.processCgroupProblem == nil
    }
}
