import CPicoPolicy
import Glibc

/// A directory that file operations are confined to.
///
/// With `restrictToWorkspace` (the default) every path is resolved beneath the root in one fd-relative walk:
/// `openat2(RESOLVE_BENEATH)` where the kernel has it, otherwise a per-component `O_NOFOLLOW` walk. Absolute
/// paths outside the root, `..` that leaves it, symlinks that point outside, NUL bytes and `~` are refused;
/// writes also refuse hard-linked files. Without restriction, relative paths still resolve against the root
/// (never the process working directory) and absolute paths may go anywhere.
///
/// A `Workspace` holds one open descriptor of its root and is safe to share between tasks.
public final class Workspace: Sendable {
    /// Default cap for `read` when no length is given: 256 KiB.
    public static let defaultMaxReadBytes = 256 * 1024
    /// Largest file `edit` will rewrite: 8 MiB.
    public static let maxEditBytes = 8 * 1024 * 1024

    /// The canonical absolute root (symlinks resolved).
    public let root: String
    /// Whether paths must stay beneath `root`.
    public let restrictToWorkspace: Bool
    /// Cap applied to every `read`.
    public let maxReadBytes: Int

    /// The root as given (absolute, lexically normalised); absolute paths under either form are accepted.
    let givenRoot: String
    /// PICO_O_PATH descriptor of the root, the anchor of every walk.
    let rootFD: Int32

    /// Opens the workspace rooted at `root`, which must be an existing directory.
    /// - Parameters:
    ///   - root: the workspace directory; relative paths are taken relative to the process working directory.
    ///   - restrictToWorkspace: confine every path beneath `root` (default true).
    ///   - maxReadBytes: cap for `read` (default 256 KiB).
    /// - Throws: `WorkspaceError.workspaceNotDefined` when `root` is empty or not a directory.
    public init(
        root: String, restrictToWorkspace: Bool = true, maxReadBytes: Int = Workspace.defaultMaxReadBytes
    ) throws {
        guard !root.isEmpty, !root.utf8.contains(0) else { throw WorkspaceError.workspaceNotDefined("") }
        guard let real = realpath(root, nil) else { throw WorkspaceError.workspaceNotDefined(root) }
        let canonical = String(cString: real)
        free(real)
        let fd = open(canonical, PICO_O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WorkspaceError.workspaceNotDefined(root) }
        self.root = canonical
        self.rootFD = fd
        self.restrictToWorkspace = restrictToWorkspace
        self.maxReadBytes = max(1, maxReadBytes)
        self.givenRoot = PathText.absolute(root, base: currentDirectory())
    }

    deinit { close(rootFD) }

    /// The absolute path `path` would open: for reading the existing file (symlinks resolved); for writing
    /// the file that would be created or replaced (missing parents included, nothing is created).
    /// - Throws: `WorkspaceError` explaining the refusal.
    public func resolve(_ path: String, forWriting: Bool = false) throws -> String {
        if forWriting {
            let plan = try planWrite(path, create: false)
            defer { if let fd = plan.parentFD { close(fd) } }
            return plan.absolutePath
        }
        let t = try target(path, allowEmpty: true)
        let fd = try openTarget(t, flags: PICO_O_PATH)
        defer { close(fd) }
        return try descriptorPath(fd, display: t.display)
    }
}

/// A path prepared for opening: the descriptor it is relative to, and how to report it.
struct PathTarget {
    /// `rootFD`, or `AT_FDCWD` for unrestricted absolute paths.
    let base: Int32
    /// Normalised path relative to `base` ("." for the base itself), or absolute.
    let path: String
    /// The caller's text, for error messages.
    let display: String
    /// Whether the walk must stay beneath the root.
    let confined: Bool
}

extension Workspace {
    /// Validates the text of `path` and turns it into a `PathTarget`.
    func target(_ path: String, allowEmpty: Bool = false) throws -> PathTarget {
        if path.utf8.contains(0) { throw WorkspaceError.invalidPath("", reason: "the path contains a NUL byte") }
        if path.isEmpty && !allowEmpty { throw WorkspaceError.invalidPath("", reason: "path is required") }
        if path.hasPrefix("~") {
            throw WorkspaceError.invalidPath(path, reason: "~ is never expanded; use a path relative to the workspace")
        }
        let text = path.isEmpty ? "." : path
        if !restrictToWorkspace {
            return text.hasPrefix("/")
                ? PathTarget(base: AT_FDCWD, path: text, display: path, confined: false)
                : PathTarget(base: rootFD, path: text, display: path, confined: false)
        }
        var relative = text
        if text.hasPrefix("/") {
            let abs = PathText.absolute(text, base: "/")
            guard let rel = PathText.relative(abs, to: root) ?? PathText.relative(abs, to: givenRoot) else {
                throw WorkspaceError.outsideWorkspace(path)
            }
            relative = rel
        }
        guard let comps = PathText.normalized(PathText.components(relative)) else {
            throw WorkspaceError.outsideWorkspace(path)
        }
        return PathTarget(
            base: rootFD, path: comps.isEmpty ? "." : comps.joined(separator: "/"), display: path,
            confined: true)
    }

    /// Opens `t` with `flags` (O_CLOEXEC added), confined when `t.confined`.
    func openTarget(_ t: PathTarget, flags: Int32, mode: mode_t = 0) throws -> Int32 {
        let fd: Int32
        if t.confined {
            fd = try BeneathOpener.open(
                root: root, rootFD: rootFD, path: t.path, flags: flags | O_CLOEXEC, mode: mode,
                display: t.display)
        } else {
            fd = openat(t.base, t.path, flags | O_CLOEXEC, mode)
            if fd < 0 { throw WorkspaceError.fromErrno(errno, path: t.display, operation: "open") }
        }
        return fd
    }

    /// The absolute path of an open descriptor.
    func descriptorPath(_ fd: Int32, display: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard n > 0 else { throw WorkspaceError.io(display, errno: errno, operation: "resolve") }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension WorkspaceError {
    /// Maps an errno from opening `path` to the clearest case.
    static func fromErrno(_ code: Int32, path: String, operation: String) -> WorkspaceError {
        switch code {
        case ENOENT: return .notFound(path)
        case EISDIR: return .isDirectory(path)
        case ENOTDIR: return .notDirectory(path)
        case EXDEV: return .symlinkEscape(path)
        case ELOOP: return .invalidPath(path, reason: "too many levels of symbolic links")
        default: return .io(path, errno: code, operation: operation)
        }
    }
}

/// The process working directory (used only to absolutise the root as given).
func currentDirectory() -> String {
    guard let cwd = getcwd(nil, 0) else { return "/" }
    defer { free(cwd) }
    return String(cString: cwd)
}
