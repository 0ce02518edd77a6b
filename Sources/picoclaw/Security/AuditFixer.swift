#if canImport(Glibc)
import Glibc
#endif

/// Applies the safe fixes of `--fix`: only ever removes permission bits, never follows symlinks below a
/// directory it tightens, never changes owners or file contents.
enum AuditFixer {
    struct Change: Sendable, Equatable {
        let ids: [String]
        let path: String
        let from: UInt32
        let to: UInt32
        let command: String
    }

    struct Failure: Sendable, Equatable {
        let ids: [String]
        let path: String
        let command: String
        let error: String
    }

    static func apply(_ findings: [AuditFinding]) -> (changes: [Change], failures: [Failure]) {
        // One fix per path (the strictest mask wins), in first-seen order.
        var order: [String] = []
        var byPath: [String: (fix: AuditFix, ids: [String])] = [:]
        for finding in findings {
            guard let fix = finding.autoFix else { continue }
            if let existing = byPath[fix.path] {
                let merged = AuditFix(path: fix.path, keep: existing.fix.keep & fix.keep, currentMode: fix.currentMode,
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
                    if let error = chmodNoFollow(entry.path, target) { failed = "\(entry.path): \(error)" } else {
                        tightened.append((entry.path, entry.mode, target))
                    }
                }
            } else {
                var st = stat()
                guard stat(path, &st) == 0 else {
                    failures.append(Failure(ids: ids, path: path, command: fix.command, error: String(cString: strerror(errno))))
                    continue
                }
                let current = UInt32(st.st_mode) & 0o7777
                let target = current & fix.keep
                if target != current {
                    if chmod(path, mode_t(target)) != 0 { failed = String(cString: strerror(errno)) } else {
                        tightened.append((path, current, target))
                    }
                }
            }
            if let failed {
                failures.append(Failure(ids: ids, path: path, command: fix.command, error: failed))
            }
            if fix.recursive, let first = tightened.first(where: { $0.0 == path }) ?? tightened.first {
                changes.append(Change(ids: ids, path: path, from: first.1, to: first.2,
                                      command: "\(fix.command) (\(tightened.count) entr\(tightened.count == 1 ? "y" : "ies"))"))
            } else if let only = tightened.first {
                changes.append(Change(ids: ids, path: path, from: only.1, to: only.2,
                                      command: "chmod \(shortOctal(only.2)) \(shellQuoted(path))"))
            }
        }
        return (changes, failures)
    }

    /// chmod on `path` itself, refusing to follow a symlink swapped in since the walk (O_NOFOLLOW + fchmod).
    private static func chmodNoFollow(_ path: String, _ mode: UInt32) -> String? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        return fchmod(fd, mode_t(mode)) == 0 ? nil : String(cString: strerror(errno))
    }
}
