import Glibc

/// Why a workspace file operation was refused or failed. Every description names the path (as the caller
/// gave it, relative to the workspace where possible) and says what to do instead.
public enum WorkspaceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The workspace root is empty or missing.
    case workspaceNotDefined(String)
    /// The path (absolute or through `..`) lies outside the workspace.
    case outsideWorkspace(String)
    /// A symbolic link on the path points outside the workspace.
    case symlinkEscape(String)
    /// Nothing exists at the path.
    case notFound(String)
    /// The path is a directory where a file was expected.
    case isDirectory(String)
    /// A component of the path (or the path itself) is not a directory where one was expected.
    case notDirectory(String)
    /// The path is a device, FIFO or socket, which the file tools never open.
    case notRegularFile(String)
    /// The file has more than one hard link, so writing it could change a file outside the workspace.
    case hardLinked(String)
    /// The path text itself is unacceptable (NUL byte, `~`, empty, …).
    case invalidPath(String, reason: String)
    /// The file is larger than the operation allows.
    case tooLarge(String, size: Int, limit: Int)
    /// `edit`: the old text does not occur in the file.
    case editNoMatch(String)
    /// `edit`: the old text occurs more than once.
    case editMultipleMatches(String, count: Int)
    /// Any other system error.
    case io(String, errno: Int32, operation: String)

    public var description: String {
        switch self {
        case .workspaceNotDefined(let root):
            return root.isEmpty ? "workspace is not defined" : "workspace \(root) does not exist or is not a directory"
        case .outsideWorkspace(let p):
            return "access denied: \(p) is outside the workspace; use a path inside the workspace"
        case .symlinkEscape(let p):
            return "access denied: \(p) goes through a symbolic link that leaves the workspace"
        case .notFound(let p):
            return "file not found: \(p)"
        case .isDirectory(let p):
            return "\(p) is a directory; give a file path (use list for directories)"
        case .notDirectory(let p):
            return "\(p): a path component is not a directory"
        case .notRegularFile(let p):
            return "\(p) is not a regular file (device, FIFO or socket)"
        case .hardLinked(let p):
            return "access denied: \(p) has several hard links and may be shared with a file outside the workspace"
        case .invalidPath(let p, let reason):
            return p.isEmpty ? "invalid path: \(reason)" : "invalid path \(p): \(reason)"
        case .tooLarge(let p, let size, let limit):
            return "\(p) is \(size) bytes, more than the limit of \(limit); read it in parts with offset and length"
        case .editNoMatch(let p):
            return "old_text not found in \(p); make sure it matches exactly"
        case .editMultipleMatches(let p, let count):
            return "old_text appears \(count) times in \(p); provide more context to make it unique"
        case .io(let p, let code, let op):
            return "failed to \(op) \(p): \(errnoDescription(code))"
        }
    }
}

/// `strerror` text for an errno value.
func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}
