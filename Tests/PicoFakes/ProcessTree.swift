import Glibc

/// Processes as `/proc` shows them, for tests that check nothing outlives its parent: a process is named by its
/// pid and its start time, so a pid the kernel reused later is never mistaken for it.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    public let pid: pid_t
    /// Clock ticks after boot (field 22 of `/proc/PID/stat`).
    public let startTime: UInt64

    /// Whether this process still runs (a zombie has exited: it only waits to be reaped).
    public var isLive: Bool {
        guard let now = ProcessTree.stat(pid), now.startTime == startTime else { return false }
        return now.state != "Z" && now.state != "X"
    }

    public var description: String {
        "\(pid) (\(ProcessTree.commandLine(pid) ?? "gone"), parent \(ProcessTree.stat(pid)?.parent ?? 0))"
    }
}

public enum ProcessTree {
    /// The fields of `/proc/PID/stat` a test needs, `nil` when the process is gone.
    public static func stat(_ pid: pid_t) -> (state: Character, parent: pid_t, startTime: UInt64)? {
        guard let text = TempDir.readFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
        // After the command name (which may hold spaces and parentheses): state, ppid, ... starttime is field 22.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let parent = pid_t(fields[1]),
            let start = UInt64(fields[19])
        else { return nil }
        return (state, parent, start)
    }

    /// Every process visible in `/proc`.
    public static func all() -> [ProcessIdentity] {
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        var found: [ProcessIdentity] = []
        while let entry = readdir(proc) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = pid_t(name), let s = stat(pid) else { continue }
            found.append(ProcessIdentity(pid: pid, startTime: s.startTime))
        }
        return found
    }

    /// The live descendants of `root` (children, their children, ...), found through the parent links.
    public static func descendants(of root: pid_t) -> [ProcessIdentity] {
        var children: [pid_t: [ProcessIdentity]] = [:]
        for p in all() where p.isLive {
            if let parent = stat(p.pid)?.parent { children[parent, default: []].append(p) }
        }
        var found: [ProcessIdentity] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where !found.contains(child) {
                found.append(child)
                queue.append(child.pid)
            }
        }
        return found
    }

    /// The live processes whose executable lies under `directory` or whose arguments mention it.
    public static func referencing(_ directory: String) -> [ProcessIdentity] {
        all().filter { p in
            guard p.isLive else { return false }
            return executable(p.pid)?.hasPrefix(directory + "/") == true
                || commandLine(p.pid)?.contains(directory) == true
        }
    }

    /// The process's executable (`/proc/PID/exe`), `nil` when unreadable.
    public static func executable(_ pid: pid_t) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What the process's descriptors point to (`/proc/PID/fd/*`: paths, `socket:[inode]`, `pipe:[inode]`).
    public static func openFiles(_ pid: pid_t) -> [String] {
        guard let dir = opendir("/proc/\(pid)/fd") else { return [] }
        defer { closedir(dir) }
        var targets: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard Int(name) != nil else { continue }
            let n = readlink("/proc/\(pid)/fd/\(name)", &buffer, buffer.count - 1)
            if n > 0 { targets.append(String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        }
        return targets
    }

    /// The process's arguments joined by spaces, `nil` when gone.
    public static func commandLine(_ pid: pid_t) -> String? {
        TempDir.readFile("/proc/\(pid)/cmdline").map { $0.split(separator: "\u{0}").joined(separator: " ") }
    }

    /// SIGKILLs every process of `processes` that is still the one listed (cleanup after a failed check).
    public static func kill(_ processes: [ProcessIdentity]) {
        for p in processes where p.isLive { Glibc.kill(p.pid, SIGKILL) }
    }
}
