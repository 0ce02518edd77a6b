import Glibc
import PicoPolicy
import PicoSystem

/// Files that came with messages, kept under the agent's workspace in `media/` (directory 0700, files 0600,
/// created without following symlinks) and removed once older than `maxAgeDays`.
struct MediaStore: Sendable {
    let maxAgeDays: Int

    /// Writes `data` as `media/<name>` in `workspace` (a new file; an existing name gets a numbered variant) and
    /// removes expired files. Returns the path relative to the workspace. Blocking: call off the cooperative pool.
    func store(_ data: [UInt8], name: String, workspace: String) throws(MediaStoreError) -> String {
        let dir = try openMediaDirectory(workspace)
        defer { close(dir) }
        removeExpired(dir)
        let stem = Self.safeName(name)
        for attempt in 0..<100 {
            let candidate = attempt == 0 ? stem : "\(attempt)-\(stem)"
            let fd = openat(dir, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 {
                if errno == EEXIST { continue }
                throw MediaStoreError("cannot create media/\(candidate): \(errnoText())")
            }
            defer { close(fd) }
            let code = FileDescriptorIO.writeAll(fd, data)
            if code != 0 {
                unlinkat(dir, candidate, 0)
                throw MediaStoreError("cannot write media/\(candidate): \(errnoText(code))")
            }
            _ = fchmod(fd, 0o600)
            return "media/" + candidate
        }
        throw MediaStoreError("too many files named \(stem) in media/")
    }

    /// Removes expired files now (also done on every store).
    func sweep(workspace: String) {
        guard let dir = try? openMediaDirectory(workspace) else { return }
        defer { close(dir) }
        removeExpired(dir)
    }

    private func openMediaDirectory(_ workspace: String) throws(MediaStoreError) -> Int32 {
        let root = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw MediaStoreError("cannot open the workspace \(workspace)") }
        defer { close(root) }
        if mkdirat(root, "media", 0o700) != 0, errno != EEXIST {
            throw MediaStoreError("cannot create media/ in the workspace: \(errnoText())")
        }
        let dir = openat(root, "media", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dir >= 0 else { throw MediaStoreError("media/ in the workspace is not a directory (or is a symlink)") }
        return dir
    }

    private func removeExpired(_ dir: Int32) {
        let copy = dup(dir)
        guard copy >= 0, let stream = fdopendir(copy) else { return }
        defer { closedir(stream) }
        let cutoff = time(nil) - time_t(maxAgeDays) * 86_400
        var expired: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            if st.st_mtim.tv_sec < cutoff { expired.append(name) }
        }
        for name in expired { unlinkat(dir, name, 0) }
    }

    /// Letters, digits, `.`, `-` and `_` only; no leading dot; at most 80 characters.
    static func safeName(_ name: String) -> String {
        var out = String(
            name.unicodeScalars.map { s -> Character in
                switch s {
                case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": Character(s)
                default: "_"
                }
            })
        while out.hasPrefix(".") { out.removeFirst() }
        if out.count > 80 { out = String(out.suffix(80)) }
        return out.isEmpty ? "file" : out
    }
}

/// Why a media file could not be stored.
struct MediaStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
