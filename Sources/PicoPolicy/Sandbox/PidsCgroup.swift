import Glibc

/// A process-count limit that binds root too: each sandboxed command runs in a fresh pids cgroup whose
/// `pids.max` is `tools.exec.limits.processes` (RLIMIT_NPROC does not apply to uid 0). Best effort: used only
/// as root with a writable pids controller (cgroup v1 `pids` hierarchy, or cgroup v2 with `pids` delegable
/// below this process's cgroup); otherwise nothing changes and the layer report says why.
enum PidsCgroup {
    /// Where per-command groups are made (`<own pids cgroup>/picoclaw`) and the cgroup version.
    struct Parent: Sendable {
        let path: String
        let version: Int
    }

    /// One command's group; `procsFD` is `cgroup.procs`, opened for the child to write itself into.
    struct Group {
        let path: String
        let procsFD: Int32
    }

    /// The parent directory, or why the pids controller is unavailable (probed once per process).
    static let current: Result<Parent, Unavailable> = detect()

    struct Unavailable: Error, Sendable {
        let reason: String
    }

    /// The layer report line.
    static func reportLine(limit: Int) -> String {
        switch current {
        case .success: return "pids cgroup: active (pids.max=\(limit))"
        case .failure(let u) where geteuid() != 0: return "pids cgroup: not used — \(u.reason)"
        case .failure(let u): return "pids cgroup: unavailable — \(u.reason); as root the process limit is not enforced"
        }
    }

    /// Creates a group with `pids.max = limit`; nil when that fails (the command then runs without it).
    static func create(limit: Int) -> Group? {
        guard case .success(let parent) = current, limit > 0 else { return nil }
        let path = parent.path + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard mkdir(path, 0o755) == 0 else { return nil }
        let fd = writeFile(path + "/pids.max", "\(limit)") ? open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC) : -1
        guard fd >= 0 else {
            rmdir(path)
            return nil
        }
        return Group(path: path, procsFD: fd)
    }

    /// Kills whatever is still in the group and removes it (retrying while exiting processes leave it).
    static func remove(_ group: Group) {
        close(group.procsFD)
        // Killed processes leave the group within microseconds to milliseconds: short pauses first.
        var pause = timespec(tv_sec: 0, tv_nsec: 50_000)
        for _ in 0..<250 {
            if rmdir(group.path) == 0 || errno == ENOENT { return }
            guard errno == EBUSY else { return }
            for pid in members(group.path) { kill(pid, SIGKILL) }
            nanosleep(&pause, nil)
            pause.tv_nsec = min(pause.tv_nsec * 2, 20_000_000)
        }
    }

    // MARK: - Detection

    static func detect() -> Result<Parent, Unavailable> {
        guard geteuid() == 0 else {
            return .failure(Unavailable(reason: "not running as root (RLIMIT_NPROC limits processes)"))
        }
        guard let mountinfo = readFile("/proc/self/mountinfo"), let membership = readFile("/proc/self/cgroup") else {
            return .failure(Unavailable(reason: "/proc/self/mountinfo or /proc/self/cgroup is unreadable"))
        }
        let mounts = mountinfo.split(separator: "\n").compactMap(CgroupMount.init)
        let lines = membership.split(separator: "\n").map {
            $0.split(
                separator: ":", maxSplits: 2,
                omittingEmptySubsequences: false)
        }
        if let v1 = mounts.first(where: { $0.type == "cgroup" && $0.options.contains("pids") }) {
            guard let own = lines.first(where: { $0.count == 3 && $0[1].split(separator: ",").contains("pids") }) else {
                return .failure(Unavailable(reason: "no pids line in /proc/self/cgroup"))
            }
            return prepare(v1.directory(for: String(own[2])), version: 1)
        }
        guard let v2 = mounts.first(where: { $0.type == "cgroup2" }),
            let own = lines.first(where: { $0.count == 3 && $0[0] == "0" && $0[1].isEmpty })
        else {
            return .failure(Unavailable(reason: "no pids cgroup controller is mounted"))
        }
        let dir = v2.directory(for: String(own[2]))
        guard let controllers = readFile(dir + "/cgroup.controllers"),
            controllers.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("pids")
        else {
            return .failure(Unavailable(reason: "the pids controller is not available in cgroup v2 \(dir)"))
        }
        return prepare(dir, version: 2)
    }

    /// Makes `<dir>/picoclaw` (v2: with pids enabled down to it), proves a trial group works, sweeps stale groups.
    static func prepare(_ dir: String, version: Int) -> Result<Parent, Unavailable> {
        if version == 2 && !enable(in: dir) {
            return .failure(
                Unavailable(
                    reason: "cannot enable pids in \(dir)/cgroup.subtree_control "
                        + "(\(errnoDescription(errno)); a cgroup with processes cannot delegate it)"))
        }
        let parent = dir + "/picoclaw"
        if mkdir(parent, 0o755) != 0 && errno != EEXIST {
            return .failure(Unavailable(reason: "cannot create \(parent): \(errnoDescription(errno))"))
        }
        if version == 2 && !enable(in: parent) {
            return .failure(Unavailable(reason: "cannot enable pids in \(parent): \(errnoDescription(errno))"))
        }
        sweepStale(parent)
        let trial = parent + "/probe-\(getpid())"
        guard mkdir(trial, 0o755) == 0 || errno == EEXIST else {
            return .failure(Unavailable(reason: "cannot create a cgroup in \(parent): \(errnoDescription(errno))"))
        }
        let writable = writeFile(trial + "/pids.max", "1")
        let err = errno
        rmdir(trial)
        guard writable else {
            return .failure(Unavailable(reason: "cannot write pids.max under \(parent): \(errnoDescription(err))"))
        }
        return .success(Parent(path: parent, version: version))
    }

    /// Adds `+pids` to `dir/cgroup.subtree_control` unless it is there.
    static func enable(in dir: String) -> Bool {
        let current = readFile(dir + "/cgroup.subtree_control") ?? ""
        if current.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("pids") { return true }
        return writeFile(dir + "/cgroup.subtree_control", "+pids")
    }

    /// Removes groups left by picoclaw processes that no longer exist (names are `<pid>-<random>`).
    static func sweepStale(_ parent: String) {
        guard let d = opendir(parent) else { return }
        var stale: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            let owner = name.split(separator: "-").first.flatMap { Int32($0) }
            if let owner, owner != getpid(), kill(owner, 0) != 0 && errno == ESRCH { stale.append(name) }
        }
        closedir(d)
        for name in stale { rmdir(parent + "/" + name) }
    }

    /// The pids listed in `<group>/cgroup.procs`.
    static func members(_ group: String) -> [pid_t] {
        (readFile(group + "/cgroup.procs") ?? "").split(separator: "\n").compactMap { pid_t($0) }
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func writeFile(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        let n = text.withCString { write(fd, $0, strlen($0)) }
        let err = errno
        close(fd)
        errno = err
        return n == text.utf8.count
    }
}

/// A cgroup mount from /proc/self/mountinfo.
struct CgroupMount {
    let root: String
    let mountPoint: String
    let type: String
    let options: [Substring]

    init?(_ line: Substring) {
        let halves = line.split(separator: " - ", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        let front = halves[0].split(separator: " "), back = halves[1].split(separator: " ")
        guard front.count >= 5, back.count >= 3, back[0] == "cgroup" || back[0] == "cgroup2" else { return nil }
        root = Self.unescape(front[3])
        mountPoint = Self.unescape(front[4])
        type = String(back[0])
        options = back[2].split(separator: ",")
    }

    /// The directory of cgroup `path` (as /proc/self/cgroup names it) under this mount.
    func directory(for path: String) -> String {
        var relative = path
        if root != "/" && (relative == root || relative.hasPrefix(root + "/")) { relative.removeFirst(root.count) }
        if relative == "/" { relative = "" }
        return mountPoint + relative
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    static func unescape(_ s: Substring) -> String {
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count {
                let digits = b[(i + 1)...(i + 3)]
                if digits.allSatisfy({ $0 >= 48 && $0 <= 55 }) {
                    out.append(UInt8(truncatingIfNeeded: digits.reduce(0) { $0 * 8 + Int($1 - 48) }))
                    i += 4
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
