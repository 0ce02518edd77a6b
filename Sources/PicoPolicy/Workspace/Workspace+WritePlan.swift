import CPicoPolicy
import Glibc

/// Where a write will land: the parent directory (open, when it exists or was created), the directories
/// still missing below it, and the final name.
struct WritePlan {
    /// O_RDONLY | O_DIRECTORY descriptor of the deepest existing parent; nil only if `missing` is not empty.
    let parentFD: Int32?
    /// Directory names that do not exist yet below the parent (empty when `create` was true).
    let missing: [String]
    /// Final component.
    let name: String
    /// Absolute path of the file the write would create or replace.
    let absolutePath: String
}

extension Workspace {
    /// Resolves the destination of a write: walks (confined when restricted) to the deepest existing parent,
    /// creating the missing parents 0700 when `create`, follows a final symlink that stays inside, and refuses
    /// directories, special files and (restricted) hard-linked files.
    func planWrite(_ path: String, create: Bool, depth: Int = 0) throws -> WritePlan {
        let t = try target(path)
        var components = PathText.components(t.path).map(String.init)
        guard let name = components.popLast(), name != ".." else {
            throw WorkspaceError.invalidPath(path, reason: "not a file path")
        }
        let isAbsolute = t.path.hasPrefix("/")
        func prefix(_ n: Int) -> String {
            let joined = components[0..<n].joined(separator: "/")
            return isAbsolute ? "/" + joined : (joined.isEmpty ? "." : joined)
        }
        var existing = components.count
        var dir: Int32 = -1
        while true {
            do {
                dir = try openTarget(
                    PathTarget(
                        base: t.base, path: prefix(existing), display: t.display,
                        confined: t.confined), flags: O_RDONLY | O_DIRECTORY)
                break
            } catch WorkspaceError.notFound(let p) {
                if existing == 0 { throw WorkspaceError.notFound(p) }
                existing -= 1
            }
        }
        var missing = Array(components[existing...])
        if create {
            dir = try createDirectories(missing, in: dir, display: t.display)
            missing = []
        }
        if missing.isEmpty,
            let throughLink = try checkExistingFile(
                name, in: dir, t, components: components, create: create, depth: depth)
        {
            return throughLink
        }
        let parentPath: String
        do { parentPath = try descriptorPath(dir, display: t.display) } catch {
            close(dir)
            throw error
        }
        let tail = (missing + [name]).joined(separator: "/")
        let absolute = parentPath == "/" ? "/" + tail : parentPath + "/" + tail
        if missing.isEmpty { return WritePlan(parentFD: dir, missing: [], name: name, absolutePath: absolute) }
        close(dir)
        return WritePlan(parentFD: nil, missing: missing, name: name, absolutePath: absolute)
    }

    /// Creates `missing` (0700) below the open directory `dir`, never following a symlink, and returns the
    /// deepest one opened. Takes over `dir`: it is closed, also when this throws.
    private func createDirectories(_ missing: [String], in dir: Int32, display: String) throws -> Int32 {
        var dir = dir
        for component in missing {
            if mkdirat(dir, component, 0o700) != 0 && errno != EEXIST {
                let code = errno
                close(dir)
                throw WorkspaceError.io(display, errno: code, operation: "create directory for")
            }
            let next = openat(dir, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(dir)
            guard next >= 0 else { throw WorkspaceError.fromErrno(code, path: display, operation: "open") }
            dir = next
        }
        return dir
    }

    /// What already exists at `name` in `dir`: nothing or a regular file (nil: write there; restricted, a
    /// hard-linked file is refused), a symlink (the plan through it), or a directory or special file (refused).
    /// `dir` is closed unless this returns nil.
    private func checkExistingFile(
        _ name: String, in dir: Int32, _ t: PathTarget, components: [String], create: Bool,
        depth: Int
    ) throws -> WritePlan? {
        var st = Glibc.stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            if restrictToWorkspace && st.st_nlink > 1 {
                close(dir)
                throw WorkspaceError.hardLinked(t.display)
            }
            return nil
        case S_IFLNK:
            close(dir)
            return try followFinalLink(t, components: components + [name], create: create, depth: depth)
        case S_IFDIR:
            close(dir)
            throw WorkspaceError.isDirectory(t.display)
        default:
            close(dir)
            throw WorkspaceError.notRegularFile(t.display)
        }
    }

    /// A write through a final symlink goes to the link's target, which must exist and stay inside.
    private func followFinalLink(_ t: PathTarget, components: [String], create: Bool, depth: Int) throws -> WritePlan {
        guard depth < 8 else {
            throw WorkspaceError.invalidPath(t.display, reason: "too many levels of symbolic links")
        }
        let joined = components.joined(separator: "/")
        let linkTarget = PathTarget(
            base: t.base, path: t.path.hasPrefix("/") ? "/" + joined : joined,
            display: t.display, confined: t.confined)
        let fd = try openTarget(linkTarget, flags: PICO_O_PATH)
        let real: String
        do {
            defer { close(fd) }
            real = try descriptorPath(fd, display: t.display)
        }
        return try planWrite(real, create: create, depth: depth + 1)
    }
}
