import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Snapshots of the process environment, so the loader itself only ever sees a `[String: String]`.
public enum ProcessEnvironment {
    /// The current process environment.
    public static func current() -> [String: String] {
        ProcessInfo.processInfo.environment
    }

    /// The user's home directory: `HOME` from `environment` when non-empty, else the password
    /// database entry of the current user, else `nil` (no home: picoclaw then uses `/etc/picoclaw`).
    public static func homeDirectory(environment: [String: String]) -> String? {
        if let home = environment["HOME"], !home.isEmpty { return home }
        #if canImport(Glibc)
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir {
            let home = String(cString: dir)
            if !home.isEmpty { return home }
        }
        #endif
        return nil
    }
}
