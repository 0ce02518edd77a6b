#if canImport(Glibc)
import Glibc
#endif

/// Creates directories and files for `picoclaw onboard`: never follows a symlink it creates through, never
/// overwrites unless told to, and sets modes explicitly (the umask cannot loosen them).
struct OnboardWriter {
    enum Outcome: Equatable {
        case created, kept, replaced
    }

    struct Step: Equatable {
        let path: String
        let outcome: Outcome
        let mode: UInt32
        let note: String?
    }

    let force: Bool
    private(set) var steps: [Step] = []

    init(force: Bool) { self.force = force }

    /// `mkdir -p path`; the last component gets `mode`, missing parents 0755. An existing directory is kept
    /// as it is (its mode is reported).
    mutating func directory(_ path: String, mode: UInt32) throws(OnboardError) {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR || (stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR) else {
                throw OnboardError(message: "\(path) exists and is not a directory")
            }
            let current = UInt32(st.st_mode) & 0o7777
            let note = current & 0o077 != 0 && mode & 0o077 == 0
                ? "exists with mode \(octal(current)); tighten it with: chmod \(shortOctal(current & 0o700)) \(shellQuoted(path))" : nil
            steps.append(Step(path: path, outcome: .kept, mode: current, note: note))
            return
        }
        let parent = AuditPath.parent(path)
        if parent != path, lstat(parent, &st) != 0 {
            try directory(parent, mode: 0o755)
            steps.removeLast()  // Only report what was asked for.
        }
        guard mkdir(path, mode_t(mode)) == 0 else {
            throw OnboardError(message: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        guard chmod(path, mode_t(mode)) == 0 else {
            throw OnboardError(message: "cannot set the mode of \(path): \(String(cString: strerror(errno)))")
        }
        steps.append(Step(path: path, outcome: .created, mode: mode, note: nil))
    }

    /// Writes `text` to `path` with `mode`: created exclusively, or (with `force`) written to a temporary file
    /// and renamed over the old one. An existing file is kept without `force`.
    mutating func file(_ path: String, text: String, mode: UInt32) throws(OnboardError) {
        var st = stat()
        let exists = lstat(path, &st) == 0
        if exists && !force {
            steps.append(Step(path: path, outcome: .kept, mode: UInt32(st.st_mode) & 0o7777,
                              note: "exists; left unchanged (use --force to overwrite)"))
            return
        }
        let target = exists ? "\(path).onboard-\(getpid()).tmp" : path
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw OnboardError(message: "cannot create \(target): \(String(cString: strerror(errno)))")
        }
        var ok = fchmod(fd, mode_t(mode)) == 0
        var bytes = Array(text.utf8)
        var offset = 0
        while ok && offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false } else { offset += n }
        }
        ok = ok && fsync(fd) == 0
        let writeError = errno
        close(fd)
        guard ok else {
            unlink(target)
            throw OnboardError(message: "cannot write \(target): \(String(cString: strerror(writeError)))")
        }
        if exists {
            guard rename(target, path) == 0 else {
                let e = errno
                unlink(target)
                throw OnboardError(message: "cannot replace \(path): \(String(cString: strerror(e)))")
            }
        }
        steps.append(Step(path: path, outcome: exists ? .replaced : .created, mode: mode, note: nil))
    }
}

/// `picoclaw onboard` could not finish.
struct OnboardError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
