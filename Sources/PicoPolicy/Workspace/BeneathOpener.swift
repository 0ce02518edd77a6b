import CPicoPolicy
import Glibc

/// Opens a path beneath a root descriptor without any check-then-open window.
///
/// First choice is `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`: the kernel follows symlinks that stay
/// beneath the root and refuses the rest with EXDEV. When the kernel lacks openat2 (ENOSYS), or refuses with
/// EXDEV (an absolute symlink may still point inside the root), a per-component walk with `O_NOFOLLOW` decides:
/// it reads each symlink itself and continues the walk from the descriptors it already holds.
enum BeneathOpener {
    /// Whether the running kernel implements openat2 (probed once).
    static let kernelHasOpenat2: Bool = {
        let fd = pico_openat2_beneath(AT_FDCWD, "/", PICO_O_PATH | O_CLOEXEC, 0, 0)
        if fd >= 0 { close(fd) }
        return fd != -ENOSYS
    }()

    /// Most symlinks followed in one walk (the kernel's limit).
    static let maxSymlinks = 40

    /// Opens `path` (normalised, relative, no leading `..`) beneath `rootFD`.
    static func open(
        root: String, rootFD: Int32, path: String, flags: Int32, mode: mode_t,
        display: String
    ) throws -> Int32 {
        if kernelHasOpenat2 {
            let fd = pico_openat2_beneath(rootFD, path, flags, UInt32(mode), 0)
            if fd >= 0 { return fd }
            let code = -fd
            if code != EXDEV && code != ELOOP && code != ENOSYS {
                throw WorkspaceError.fromErrno(code, path: display, operation: "open")
            }
        }
        return try walk(root: root, rootFD: rootFD, path: path, flags: flags, mode: mode, display: display)
    }

    /// The portable per-component walk. `root` is the canonical root path, used to accept absolute symlink
    /// targets that point back inside.
    static func walk(
        root: String, rootFD: Int32, path: String, flags: Int32, mode: mode_t,
        display: String
    ) throws -> Int32 {
        var stack: [Int32] = []
        defer { for fd in stack { close(fd) } }
        var pending: [Substring] = PathText.components(path).reversed()
        var links = 0
        while let component = pending.popLast() {
            let dir = stack.last ?? rootFD
            if component == ".." {
                guard let last = stack.popLast() else { throw WorkspaceError.symlinkEscape(display) }
                close(last)
                continue
            }
            let name = String(component)
            let isFinal = pending.isEmpty
            let fd = openat(dir, name, PICO_O_PATH | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                let code = errno
                if code == ENOENT && isFinal && flags & O_CREAT != 0 {
                    let created = openat(dir, name, flags | O_NOFOLLOW, mode)
                    if created >= 0 { return created }
                    throw WorkspaceError.fromErrno(errno, path: display, operation: "create")
                }
                throw WorkspaceError.fromErrno(code, path: display, operation: "open")
            }
            let kind = fileType(fd)
            if kind == S_IFLNK {
                defer { close(fd) }
                links += 1
                if links > maxSymlinks {
                    throw WorkspaceError.invalidPath(display, reason: "too many levels of symbolic links")
                }
                try expandLink(fd, root: root, display: display, stack: &stack, pending: &pending)
                continue
            }
            if isFinal {
                if flags & PICO_O_PATH != 0 && (flags & O_DIRECTORY == 0 || kind == S_IFDIR) { return fd }
                defer { close(fd) }
                let opened = openat(dir, name, flags | O_NOFOLLOW, mode)
                if opened < 0 { throw WorkspaceError.fromErrno(errno, path: display, operation: "open") }
                return opened
            }
            guard kind == S_IFDIR else {
                close(fd)
                throw WorkspaceError.notDirectory(display)
            }
            stack.append(fd)
        }
        let opened = openat(stack.last ?? rootFD, ".", flags & ~O_CREAT, 0)
        if opened < 0 { throw WorkspaceError.fromErrno(errno, path: display, operation: "open") }
        return opened
    }

    /// Puts the target of the symlink `fd` in front of the components still to walk. An absolute target must
    /// point back inside `root`; the walk then restarts at the root (the directories held so far are closed).
    private static func expandLink(
        _ fd: Int32, root: String, display: String, stack: inout [Int32],
        pending: inout [Substring]
    ) throws {
        let target = try readLink(fd, display: display)
        if target.hasPrefix("/") {
            let absolute = PathText.absolute(target, base: "/")
            guard let rel = PathText.relative(absolute, to: root) else {
                throw WorkspaceError.symlinkEscape(display)
            }
            for held in stack { close(held) }
            stack.removeAll()
            pending.append(contentsOf: PathText.components(rel).reversed())
        } else {
            pending.append(contentsOf: PathText.components(target).reversed())
        }
    }

    /// `S_IFMT` bits of an open descriptor (0 when fstat fails).
    static func fileType(_ fd: Int32) -> mode_t {
        var st = stat()
        return fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    /// Target text of the symlink open as `fd` (PICO_O_PATH | O_NOFOLLOW).
    static func readLink(_ fd: Int32, display: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(fd, "", &buffer, buffer.count - 1)
        guard n >= 0 else { throw WorkspaceError.io(display, errno: errno, operation: "read link") }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
