#if canImport(Glibc)
import Glibc
#endif
import PicoPolicy
import PicoSystem

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
    /// as it is (its mode is reported). Every step goes through the parent's descriptor, reached without
    /// following a symlink on any component; a symlink in the way is an error.
    mutating func directory(_ path: String, mode: UInt32) throws(OnboardError) {
        let (parent, name) = try openParent(path, create: true)
        defer { close(parent) }
        var st = stat()
        if fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else {
                throw OnboardError(
                    message:
                        "\(path) exists and is not a directory\(st.st_mode & S_IFMT == S_IFLNK ? " (a symbolic link; onboarding follows none: use the real path)" : "")"
                )
            }
            let current = UInt32(st.st_mode) & 0o7777
            let note =
                current & 0o077 != 0 && mode & 0o077 == 0
                ? "exists with mode \(octal(current)); tighten it with: chmod \(shortOctal(current & 0o700)) \(shellQuoted(path))"
                : nil
            steps.append(Step(path: path, outcome: .kept, mode: current, note: note))
            return
        }
        guard mkdirat(parent, name, mode_t(mode)) == 0 else {
            throw OnboardError(message: "cannot create \(path): \(errnoText())")
        }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, fchmod(fd, mode_t(mode)) == 0 else {
            let e = errno
            if fd >= 0 { close(fd) }
            throw OnboardError(message: "cannot set the mode of \(path): \(errnoText(e))")
        }
        close(fd)
        steps.append(Step(path: path, outcome: .created, mode: mode, note: nil))
    }

    /// Writes `text` to `path` with `mode`: created exclusively, or (with `force`) written to a temporary file
    /// and renamed over the old one. An existing file is kept without `force`. All relative to the parent's
    /// descriptor (no symlink followed on any component).
    mutating func file(_ path: String, text: String, mode: UInt32) throws(OnboardError) {
        let (parent, name) = try openParent(path, create: false)
        defer { close(parent) }
        var st = stat()
        let exists = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        if exists && !force {
            steps.append(
                Step(
                    path: path, outcome: .kept, mode: UInt32(st.st_mode) & 0o7777,
                    note: "exists; left unchanged (use --force to overwrite)"))
            return
        }
        let tempName = ".\(name).onboard-\(getpid()).tmp"
        let target = exists ? tempName : name
        let display = exists ? AuditPath.parent(path) + "/" + tempName : path
        let fd = openat(parent, target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw OnboardError(message: "cannot create \(display): \(errnoText())")
        }
        var writeError = fchmod(fd, mode_t(mode)) == 0 ? FileDescriptorIO.writeAll(fd, Array(text.utf8)) : errno
        if writeError == 0 && fsync(fd) != 0 { writeError = errno }
        close(fd)
        guard writeError == 0 else {
            unlinkat(parent, target, 0)
            throw OnboardError(message: "cannot write \(display): \(errnoText(writeError))")
        }
        if exists {
            guard renameat(parent, target, parent, name) == 0 else {
                let e = errno
                unlinkat(parent, target, 0)
                throw OnboardError(message: "cannot replace \(path): \(errnoText(e))")
            }
        }
        steps.append(Step(path: path, outcome: exists ? .replaced : .created, mode: mode, note: nil))
    }

    /// The parent directory of `path` (missing parents created 0755 with `create`) and the last component.
    private func openParent(_ path: String, create: Bool) throws(OnboardError) -> (Int32, String) {
        do {
            return try NoSymlinkPath.openParent(of: path, create: create, mode: 0o755)
        } catch {
            throw OnboardError(message: "cannot create \(path): \(error.description)")
        }
    }
}

/// `picoclaw onboard` could not finish.
public struct OnboardError: Error, CustomStringConvertible {
    /// What failed, naming the path.
    public let message: String
    public var description: String { message }
}
