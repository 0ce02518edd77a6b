import Glibc

/// Why a path could not be opened without following a symlink.
public struct NoSymlinkPathError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The path walked so far (the component that failed is its last one).
    public let path: String
    /// What went wrong.
    public let reason: String
    /// The errno behind it (0 when none).
    public let code: Int32

    /// Creates an error.
    public init(path: String, reason: String, code: Int32) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    public var description: String { "\(path): \(reason)" }
}

/// Opens absolute paths one component at a time from `/` with `O_NOFOLLOW` on every component, so a symlink
/// anywhere on the way is refused, never followed, and nothing is resolved by path string after the walk.
/// For the gateway's own files (state directory, PID file, onboarding, `security audit --fix`), where an agent
/// that swapped a component for a symlink must not redirect a write or a `chmod`.
public enum NoSymlinkPath {
    /// Opens the directory `path` (absolute); with `create`, missing components are made with `mode`.
    public static func openDirectory(
        _ path: String, create: Bool = false, mode: mode_t = 0o700
    ) throws(NoSymlinkPathError) -> Int32 {
        guard path.hasPrefix("/") else {
            throw NoSymlinkPathError(path: path, reason: "not an absolute path", code: EINVAL)
        }
        var fd = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw NoSymlinkPathError(path: "/", reason: String(cString: strerror(errno)), code: errno)
        }
        var walked = ""
        for component in path.split(separator: "/") where component != "." {
            let name = String(component)
            walked += "/" + name
            guard name != ".." else {
                close(fd)
                throw NoSymlinkPathError(path: path, reason: "the path must not contain '..'", code: EINVAL)
            }
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(fd, name, mode) != 0 && errno != EEXIST {
                    let code = errno
                    close(fd)
                    throw NoSymlinkPathError(
                        path: walked, reason: "cannot create directory: \(String(cString: strerror(code)))", code: code)
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let code = errno
                let link = isSymlink(fd, name)
                close(fd)
                throw failure(walked, code: code, link: link)
            }
            close(fd)
            fd = next
        }
        return fd
    }

    /// Opens the parent directory of `path` (see ``openDirectory(_:create:mode:)``) and returns it with the last
    /// component's name, for `openat`/`unlinkat`/`fstatat` relative to it.
    public static func openParent(
        of path: String, create: Bool = false, mode: mode_t = 0o700
    ) throws(NoSymlinkPathError) -> (fd: Int32, name: String) {
        guard path.hasPrefix("/") else {
            throw NoSymlinkPathError(path: path, reason: "not an absolute path", code: EINVAL)
        }
        let parts = path.split(separator: "/")
        guard let last = parts.last, last != "..", last != "." else {
            throw NoSymlinkPathError(path: path, reason: "names no file", code: EINVAL)
        }
        let parent = "/" + parts.dropLast().joined(separator: "/")
        return (try openDirectory(parent, create: create, mode: mode), String(last))
    }

    /// Opens `path` itself (file or directory) without following a symlink on any component.
    public static func open(
        _ path: String, flags: Int32, mode: mode_t = 0o600, createParents: Bool = false
    ) throws(NoSymlinkPathError) -> Int32 {
        let (dir, name) = try openParent(of: path, create: createParents)
        defer { close(dir) }
        let fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, code: errno, link: isSymlink(dir, name)) }
        return fd
    }

    /// `chmod` of `path` itself, every component checked: a symlink anywhere is refused. Returns the old mode.
    @discardableResult
    public static func chmod(_ path: String, _ mode: mode_t) throws(NoSymlinkPathError) -> mode_t {
        let fd = try Self.open(path, flags: O_RDONLY | O_NONBLOCK)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw NoSymlinkPathError(path: path, reason: String(cString: strerror(errno)), code: errno)
        }
        guard fchmod(fd, mode) == 0 else {
            throw NoSymlinkPathError(path: path, reason: String(cString: strerror(errno)), code: errno)
        }
        return st.st_mode & 0o7777
    }

    static func isSymlink(_ dir: Int32, _ name: String) -> Bool {
        var st = stat()
        return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    private static func failure(_ path: String, code: Int32, link: Bool) -> NoSymlinkPathError {
        if link || code == ELOOP {
            return NoSymlinkPathError(
                path: path, reason: "is a symbolic link; no symlink is followed here. Use the real path", code: ELOOP)
        }
        return NoSymlinkPathError(path: path, reason: String(cString: strerror(code)), code: code)
    }
}
