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

    /// `PICOCLAW_*` variables of the real process environment whose value is not valid UTF-8, with the 0-based
    /// offset of the first bad byte (``current()`` cannot show them: its strings are already decoded).
    public static func invalidUTF8Variables() -> [String: Int] {
        var out: [String: Int] = [:]
        #if canImport(Glibc)
        var entry = environ
        while let pointer = entry.pointee {
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                count: strlen(pointer))
            if bytes.starts(with: "PICOCLAW_".utf8), let eq = bytes.firstIndex(of: UInt8(ascii: "=")),
                let bad = UTF8Check.firstInvalidOffset(bytes[(eq + 1)...])
            {
                out[String(decoding: bytes[..<eq], as: UTF8.self)] = bad
            }
            entry += 1
        }
        #endif
        return out
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
