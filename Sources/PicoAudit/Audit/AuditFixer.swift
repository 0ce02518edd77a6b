#if canImport(Glibc)
import Glibc
#endif
import PicoPolicy
import PicoSystem

/// Applies the safe fixes of `--fix`: only ever removes permission bits, never follows symlinks below a
/// directory it tightens, never changes owners or file contents.
public enum AuditFixer {
    /// A permission change `--fix` made (`from` → `to` on `path`, for the findings `ids`).
    public struct Change: Sendable, Equatable {
        public let ids: [String]
        public let path: String
        public let from: UInt32
        public let to: UInt32
        public let command: String
    }

    /// A fix that could not be applied, and why.
    public struct Failure: Sendable, Equatable {
        public let ids: [String]
        public let path: String
        public let command: String
        public let error: String
    }

    static func apply(_ findings: [AuditFinding]) -> (changes: [Change], failures: [Failure]) {
        // One fix per path (the strictest mask wins), in first-seen order.
        var order: [String] = []
        var byPath: [String: (fix: AuditFix, ids: [String])] = [:]
        for finding in findings {
            guard let fix = finding.autoFix else { continue }
            if let existing = byPath[fix.path] {
                let merged = AuditFix(
                    path: fix.path, keep: existing.fix.keep & fix.keep, currentMode: fix.currentMode,
                    recursive: existing.fix.recursive || fix.recursive)
                byPath[fix.path] = (merged, existing.ids + [finding.id])
            } else {
                order.append(fix.path)
                byPath[fix.path] = (fix, [finding.id])
            }
        }
        var changes: [Change] = []
        var failures: [Failure] = []
        for path in order {
            let (fix, ids) = byPath[path]!
            var tightened: [(String, UInt32, UInt32)] = []
            var failed: String?
            if fix.recursive {
                AuditTree.walk(path) { entry in
                    guard failed == nil else { return }
                    let target = entry.mode & fix.keep
                    guard target != entry.mode else { return }
                    if let error = chmodNoFollow(entry.path, target) {
                        failed = "\(entry.path): \(error)"
                    } else {
                        tightened.append((entry.path, entry.mode, target))
                    }
                }
            } else {
                switch tighten(path, keep: fix.keep) {
                case .failure(let error):
                    failures.append(Failure(ids: ids, path: path, command: fix.command, error: error.reason))
                    continue
                case .success(let change):
                    if let change { tightened.append((path, change.from, change.to)) }
                }
            }
            if let failed {
                failures.append(Failure(ids: ids, path: path, command: fix.command, error: failed))
            }
            if fix.recursive, let first = tightened.first(where: { $0.0 == path }) ?? tightened.first {
                changes.append(
                    Change(
                        ids: ids, path: path, from: first.1, to: first.2,
                        command: "\(fix.command) (\(tightened.count) entr\(tightened.count == 1 ? "y" : "ies"))"))
            } else if let only = tightened.first {
                changes.append(
                    Change(
                        ids: ids, path: path, from: only.1, to: only.2,
                        command: "chmod \(shortOctal(only.2)) \(shellQuoted(path))"))
            }
        }
        return (changes, failures)
    }

    /// chmod on `path` itself through a descriptor reached without following a symlink on any component, so a
    /// directory or symlink swapped in since the walk cannot redirect it.
    private static func chmodNoFollow(_ path: String, _ mode: UInt32) -> String? {
        do {
            try NoSymlinkPath.chmod(path, mode_t(mode))
            return nil
        } catch {
            return error.reason
        }
    }

    /// Removes the bits outside `keep` from `path` (mode read and changed through the same descriptor, no
    /// symlink followed on any component). `nil` when nothing needed to change.
    private static func tighten(_ path: String, keep: UInt32) -> Result<(from: UInt32, to: UInt32)?, NoSymlinkPathError>
    {
        do {
            let fd = try NoSymlinkPath.open(path, flags: O_RDONLY | O_NONBLOCK)
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                return .failure(NoSymlinkPathError(path: path, reason: errnoText(), code: errno))
            }
            let current = UInt32(st.st_mode) & 0o7777
            let target = current & keep
            guard target != current else { return .success(nil) }
            guard fchmod(fd, mode_t(target)) == 0 else {
                return .failure(NoSymlinkPathError(path: path, reason: errnoText(), code: errno))
            }
            return .success((current, target))
        } catch {
            return .failure(error)
        }
    }
}
