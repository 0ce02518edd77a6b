#if canImport(Glibc)
import Glibc
#endif

/// Walks a directory tree without following symlinks.
enum AuditTree {
    struct Entry: Sendable, Equatable {
        let path: String
        let mode: UInt32
        let isDirectory: Bool
    }

    /// `root` and every directory/regular file below it whose mode grants anything to group or others
    /// (`mode & 0o077 != 0`), at most `limit` entries visited.
    static func exposedEntries(_ root: String, limit: Int = 20_000) -> [Entry] {
        var out: [Entry] = []
        walk(root, limit: limit) { entry in
            if entry.mode & 0o077 != 0 { out.append(entry) }
        }
        return out
    }

    /// Calls `body` for `root` and every directory and regular file below it (symlinks are skipped).
    static func walk(_ root: String, limit: Int = 20_000, _ body: (Entry) -> Void) {
        var stack = [root]
        var visited = 0
        while let path = stack.popLast(), visited < limit {
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            guard type == S_IFDIR || type == S_IFREG else { continue }
            visited += 1
            body(Entry(path: path, mode: UInt32(st.st_mode) & 0o7777, isDirectory: type == S_IFDIR))
            guard type == S_IFDIR, let dir = opendir(path) else { continue }
            while let ent = readdir(dir) {
                let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                stack.append(path == "/" ? "/" + name : path + "/" + name)
            }
            closedir(dir)
        }
    }
}
