import Glibc
import PicoPolicy

/// Opens (creating when missing, mode 0700) an absolute directory path one component at a time from `/`, with
/// `O_NOFOLLOW` on every component: a symlink anywhere in the path is refused, never followed. The result is a
/// directory descriptor; everything the store does in the directory starts from it.
public enum StateDirectory {
    /// Opens `path` (absolute). Created components get `mode`. The last component must be owned by this user
    /// and is tightened to 0700 when it is group/other accessible.
    /// - Throws: ``StateError`` naming the component that is a symlink, not a directory, or cannot be created.
    public static func open(_ path: String, create: Bool = true, mode: mode_t = 0o700) throws(StateError) -> Int32 {
        let fd: Int32
        do {
            fd = try NoSymlinkPath.openDirectory(path, create: create, mode: mode)
        } catch {
            throw StateError(
                path: error.path, operation: "open", reason: error.reason,
                isDiskFull: error.code == ENOSPC || error.code == EDQUOT)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .errno(code, path: path, operation: "stat")
        }
        if st.st_uid != geteuid() {
            Glibc.close(fd)
            throw StateError(
                path: path, operation: "use",
                reason:
                    "it is owned by uid \(st.st_uid), not by this user (uid \(geteuid())). Run picoclaw as that user (e.g. sudo -u picoclaw picoclaw sessions list), or chown it, or choose another gateway.state_dir"
            )
        }
        if st.st_mode & 0o077 != 0 { _ = fchmod(fd, st.st_mode & 0o700) }
        return fd
    }

    /// The (dev, inode) of `name` in `dirFD` without following a symlink; `nil` when missing or a symlink.
    static func identity(_ dirFD: Int32, _ name: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard fstatat(dirFD, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }
}
