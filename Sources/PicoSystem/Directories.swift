#if canImport(Glibc)
import Glibc
#endif

/// Directory helpers.
public enum Directories {
    /// `mkdir -p`: creates `path` and its missing parents with `mode` (existing ones are left as they are).
    /// Returns 0 when `path` is a directory afterwards, otherwise the errno of the step that failed
    /// (`ENOTDIR` when something other than a directory stands at `path`).
    public static func create(_ path: String, mode: mode_t) -> Int32 {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST { return errno }
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return errno }
        return (st.st_mode & S_IFMT) == S_IFDIR ? 0 : ENOTDIR
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file at the root).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
