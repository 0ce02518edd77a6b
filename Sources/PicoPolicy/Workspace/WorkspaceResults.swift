import Glibc

/// The result of `Workspace.read`.
public struct ReadResult: Sendable, Equatable {
    /// The bytes read.
    public let data: [UInt8]
    /// Offset the read started at (clamped to the file size).
    public let offset: Int
    /// Size of the whole file.
    public let fileSize: Int
    /// True when bytes after `offset + data.count` were not returned (length or size cap).
    public let truncated: Bool

    /// The bytes as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// What kind of filesystem object a path names.
public enum FileKind: String, Sendable, Equatable {
    case file, directory, symlink, other

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        default: self = .other
        }
    }
}

/// One entry of `Workspace.list` (symlinks are reported as symlinks, not followed).
public struct DirectoryEntry: Sendable, Equatable {
    public let name: String
    public let kind: FileKind
    /// Size in bytes (of the link itself for symlinks).
    public let size: Int
}

/// The result of `Workspace.stat` (symlinks inside the workspace are followed).
public struct FileStatus: Sendable, Equatable {
    /// Absolute, symlink-free path.
    public let path: String
    public let kind: FileKind
    public let size: Int
    /// Permission bits, e.g. 0o600.
    public let permissions: UInt32
    public let linkCount: Int
    /// Modification time, seconds since 1970.
    public let modificationTime: Int
}
