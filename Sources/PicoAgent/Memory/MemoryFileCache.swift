import Glibc
import Synchronization

/// The last text read from each memory file (and each of the system prompt's bootstrap files), keyed by the
/// file's identity, so a turn whose files did not change needs one `stat` each instead of a thread and a jailed read.
///
/// An entry is used only while `stat` of the path shows the same device, inode, size, mtime and ctime as when it
/// was read (the memory tool writes a new file and renames it, so every edit changes the inode), and only when
/// the file's last change was at least `settleSeconds` (2) older than the read: an in-place edit within the same
/// timestamp tick as the read cannot hide behind an unchanged mtime. A missing file costs no read either.
final class MemoryFileCache: Sendable {
    struct Identity: Equatable, Sendable {
        let dev: UInt64, ino: UInt64, size: Int64
        let mtime: Int64, mtimeNanos: Int, ctime: Int64, ctimeNanos: Int

        /// The identity of `path` (symlinks followed), or `nil` when it cannot be stat'ed.
        static func of(_ path: String) -> Identity? {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            return Identity(
                dev: UInt64(st.st_dev), ino: UInt64(st.st_ino), size: Int64(st.st_size),
                mtime: Int64(st.st_mtim.tv_sec), mtimeNanos: Int(st.st_mtim.tv_nsec),
                ctime: Int64(st.st_ctim.tv_sec), ctimeNanos: Int(st.st_ctim.tv_nsec))
        }
    }

    /// What a look-up found.
    enum Lookup: Sendable {
        /// The file is unchanged since it was read: its text.
        case cached(String)
        /// There is no file (nothing to read).
        case missing
        /// The file must be read (then ``store(_:identity:for:)``).
        case read(Identity?)
    }

    /// A change this recent (seconds) is not trusted to show in the timestamps of a later edit.
    let settleSeconds: Int64
    /// Most files remembered (one per sender in `sender` scope); all are forgotten when it is reached.
    static let capacity = 64

    private let entries = Mutex<[String: (identity: Identity, text: String)]>([:])

    init(settleSeconds: Int64 = 2) { self.settleSeconds = settleSeconds }

    /// Looks `path` up with one `stat`.
    func lookup(_ path: String) -> Lookup {
        guard let now = Identity.of(path) else {
            let e = errno
            entries.withLock { _ = $0.removeValue(forKey: path) }
            return e == ENOENT || e == ENOTDIR ? .missing : .read(nil)
        }
        if let hit = entries.withLock({ $0[path] }), hit.identity == now { return .cached(hit.text) }
        return .read(now)
    }

    /// Remembers `text` read from `path`, if the file had `identity` both before and after the read and had
    /// settled by then.
    func store(_ text: String, identity before: Identity?, for path: String) {
        guard let before, Identity.of(path) == before,
            max(before.mtime, before.ctime) + settleSeconds <= Int64(time(nil))
        else { return }
        entries.withLock {
            if $0.count >= MemoryFileCache.capacity { $0.removeAll(keepingCapacity: true) }
            $0[path] = (before, text)
        }
    }

    /// Forgets `path` (after the memory tool changed it).
    func forget(_ path: String) {
        entries.withLock { _ = $0.removeValue(forKey: path) }
    }
}
