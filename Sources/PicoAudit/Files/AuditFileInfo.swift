#if canImport(Glibc)
import Glibc
#endif
import PicoSystem

/// What the audit needs to know about one path, from `lstat` (and `stat` for a symlink's target).
struct AuditFileInfo: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case file, directory, symlink, other }

    let path: String
    let kind: Kind
    /// Permission bits (`& 0o7777`) of the path itself, or of the symlink's target for a symlink.
    let mode: UInt32
    /// Owner uid (of the target for a symlink).
    let owner: UInt32
    /// For a symlink: where it points (as written) and whether the target exists.
    let linkTarget: String?
    let targetKind: Kind?

    /// `nil` when `path` does not exist (or cannot be inspected).
    static func inspect(_ path: String) -> AuditFileInfo? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let kind = Self.kind(st.st_mode)
        guard kind == .symlink else {
            return AuditFileInfo(
                path: path, kind: kind, mode: UInt32(st.st_mode) & 0o7777, owner: UInt32(st.st_uid),
                linkTarget: nil, targetKind: nil)
        }
        let target = readLink(path)
        var tst = stat()
        if stat(path, &tst) == 0 {
            return AuditFileInfo(
                path: path, kind: .symlink, mode: UInt32(tst.st_mode) & 0o7777, owner: UInt32(tst.st_uid),
                linkTarget: target, targetKind: Self.kind(tst.st_mode))
        }
        return AuditFileInfo(
            path: path, kind: .symlink, mode: 0, owner: UInt32(st.st_uid), linkTarget: target, targetKind: nil)
    }

    /// The kind that matters for permissions: the target's kind for a symlink.
    var effectiveKind: Kind? { kind == .symlink ? targetKind : kind }

    var isWorldWritable: Bool { mode & 0o002 != 0 }
    var isGroupWritable: Bool { mode & 0o020 != 0 }
    var isWorldReadable: Bool { mode & 0o004 != 0 }
    var isGroupReadable: Bool { mode & 0o040 != 0 }
    var isSticky: Bool { mode & 0o1000 != 0 }

    private static func kind(_ mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: .file
        case S_IFDIR: .directory
        case S_IFLNK: .symlink
        default: .other
        }
    }

    private static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buf, buf.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Path helpers for the audit (lexical, plus `realpath`).
enum AuditPath {
    /// The parent directory (`/a/b` → `/a`, `/a` → `/`).
    static func parent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return Directories.parent(of: String(p))
    }

    /// The canonical path (`realpath`), or `nil` when it cannot be resolved.
    static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// `path` and each of its ancestors, deepest first (`/a/b` → `/a/b`, `/a`, `/`).
    static func selfAndAncestors(_ path: String) -> [String] {
        var out = [path]
        var current = path
        while current != "/" && current != "." {
            current = parent(current)
            out.append(current)
        }
        return out
    }
}
