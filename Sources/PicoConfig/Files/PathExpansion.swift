#if canImport(Glibc)
import Glibc
#endif

/// Lexical path helpers: `~` expansion, joining and normalisation.
enum PathExpansion {
    /// The process's current directory (`/` when it cannot be determined).
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { buf in
            guard let p = getcwd(buf.baseAddress, buf.count) else { return "/" }
            return String(cString: p)
        }
    }

    /// A path given by the user on the command line or in the environment: `~` expanded, relative paths
    /// resolved against the current directory.
    static func userPath(_ path: String, home: String?) -> String {
        absolute(path, home: home, base: currentDirectory())
    }

    /// Expands a leading `~` or `~/` against `home` (nothing else; `~user` is left alone).
    static func expandTilde(_ path: String, home: String?) -> String {
        guard let home, !home.isEmpty else { return path }
        if path == "~" { return home }
        if path.hasPrefix("~/") { return join(home, String(path.dropFirst(2))) }
        return path
    }

    /// Expands `~`, makes relative paths absolute against `base` (default `/`), and normalises
    /// `.`/`..`/duplicate slashes lexically.
    static func absolute(_ path: String, home: String?, base: String = "/") -> String {
        let expanded = expandTilde(path, home: home)
        return normalize(expanded.hasPrefix("/") ? expanded : join(base, expanded))
    }

    /// Joins two path components with exactly one slash.
    static func join(_ a: String, _ b: String) -> String {
        if b.isEmpty { return a }
        if a.hasSuffix("/") { return a + b }
        return a + "/" + b
    }

    /// Removes `.` and empty components and resolves `..` lexically (`/a/./b/../c//` → `/a/c`).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for comp in path.split(separator: "/", omittingEmptySubsequences: true) {
            if comp == "." { continue }
            if comp == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(comp) }
                continue
            }
            parts.append(comp)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
