import Glibc

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC).
func monoNS() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Sleeps without blocking a cooperative-pool thread for long (the bench's own pool has 2 threads).
func sleepMS(_ ms: Int) async {
    try? await Task.sleep(for: .milliseconds(ms))
}

/// Reads a whole (small, /proc or regular) file; `nil` if it cannot be opened.
func readWholeFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Writes `text` to `path` (created 0644, truncated).
@discardableResult
func writeWholeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var bytes = Array(text.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        off += n
    }
    return true
}

/// Names in a directory (without `.` and `..`).
func listDirectory(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// `mkdtemp` under /tmp.
func makeTempDir(_ prefix: String) -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

/// `rm -rf` of a directory this program created.
func removeTree(_ path: String) {
    guard path.hasPrefix("/tmp/") else { return }
    _ = runCommand(["/bin/rm", "-rf", path])
}

// MARK: Processes

/// Starts `argv[0]` (an absolute path) with exactly `environment`; stdin is /dev/null, output goes to files.
func spawnProcess(_ argv: [String], environment: [String: String], stdout: String, stderr: String) -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        cArgs.forEach { free($0) }
        cEnv.forEach { free($0) }
    }
    var pid = pid_t()
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    return rc == 0 ? pid : nil
}

/// Waits for `pid` (polling, so it never blocks forever); SIGKILL after `timeoutMS`.
/// Returns the exit status (or 128 + signal) and the child's resource usage.
@discardableResult
func waitProcess(_ pid: pid_t, timeoutMS: Int) -> (status: Int32, usage: rusage) {
    let deadline = monoNS() + UInt64(timeoutMS) * 1_000_000
    var status: Int32 = 0
    var usage = rusage()
    while true {
        let r = wait4(pid, &status, WNOHANG, &usage)
        if r == pid { break }
        if r < 0 && errno != EINTR { return (-1, usage) }
        if monoNS() > deadline {
            kill(pid, SIGKILL)
            _ = wait4(pid, &status, 0, &usage)
            break
        }
        usleep(2_000)
    }
    let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (code, usage)
}

/// SIGTERM, then wait (SIGKILL after `timeoutMS`).
@discardableResult
func stopProcess(_ pid: pid_t, timeoutMS: Int = 10_000) -> Int32 {
    kill(pid, SIGTERM)
    return waitProcess(pid, timeoutMS: timeoutMS).status
}

/// Runs a command to completion (60 s cap) and returns its status and stdout.
func runCommand(
    _ argv: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]
) -> (status: Int32, stdout: String) {
    let dir = makeTempDirRaw()
    defer {
        unlink(dir + "/out")
        unlink(dir + "/err")
        rmdir(dir)
    }
    guard let pid = spawnProcess(argv, environment: environment, stdout: dir + "/out", stderr: dir + "/err") else {
        return (-1, "")
    }
    let st = waitProcess(pid, timeoutMS: 60_000).status
    return (st, readWholeFile(dir + "/out") ?? "")
}

private func makeTempDirRaw() -> String {
    var template = Array("/tmp/picobench-cmd-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

// MARK: /proc

let clockTicksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

/// Fields of `/proc/PID/status` in kB (VmRSS, RssAnon, …) or counts (Threads).
func procStatus(_ pid: pid_t) -> [String: Int] {
    guard let text = readWholeFile("/proc/\(pid)/status") else { return [:] }
    var out: [String: Int] = [:]
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let key = String(line[..<colon])
        if let v = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first,
            let n = Int(v)
        {
            out[key] = n
        }
    }
    return out
}

/// `/proc/PID/smaps_rollup` fields in kB (Pss, Pss_Anon, Private_Dirty, …).
func procSmapsRollup(_ pid: pid_t) -> [String: Int] {
    guard let text = readWholeFile("/proc/\(pid)/smaps_rollup") else { return [:] }
    var out: [String: Int] = [:]
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("0") else { continue }
        let key = String(line[..<colon])
        if let v = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" }).first,
            let n = Int(v)
        {
            out[key] = n
        }
    }
    return out
}

/// utime + stime of a whole process (all threads, dead ones included), in seconds. Resolution: one clock tick.
func procCPUSeconds(_ pid: pid_t) -> Double {
    guard let text = readWholeFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // after ")": state(3) ppid(4) … utime(14) stime(15) → indices 11 and 12 here
    guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
    return (u + s) / clockTicksPerSecond
}

/// CPU time of each live thread of `pid` in nanoseconds (`/proc/PID/task/TID/schedstat`, first field): the
/// resolution `procCPUSeconds`' clock ticks (10 ms) lack for an idle window of a few seconds.
func threadCPUNanoseconds(_ pid: pid_t) -> [Int32: UInt64] {
    var byThread: [Int32: UInt64] = [:]
    for name in listDirectory("/proc/\(pid)/task") {
        guard let tid = Int32(name), let text = readWholeFile("/proc/\(pid)/task/\(tid)/schedstat"),
            let first = text.split(separator: " ").first, let ns = UInt64(first)
        else { continue }
        byThread[tid] = ns
    }
    return byThread
}

/// CPU used by a process's threads over a window, from snapshots taken along it: each thread counts from its
/// first snapshot (0 for a thread born in the window) to its last. A thread that ends loses only what it ran
/// after its last snapshot, so snapshots should be close together (the idle loop takes one every ≤ 500 ms).
struct ThreadCPUTracker: Sendable {
    private var first: [Int32: UInt64]
    private var last: [Int32: UInt64] = [:]

    init(_ start: [Int32: UInt64]) { first = start }

    mutating func observe(_ snapshot: [Int32: UInt64]) {
        for (tid, ns) in snapshot {
            if first[tid] == nil { first[tid] = 0 }
            last[tid] = ns
        }
    }

    var seconds: Double {
        Double(last.reduce(UInt64(0)) { $0 + ($1.value - min($1.value, first[$1.key] ?? 0)) }) / 1e9
    }
}

/// Minor page faults of a whole process (`minflt`, /proc/PID/stat field 10).
func procMinorFaults(_ pid: pid_t) -> Int {
    guard let text = readWholeFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 7 ? Int(fields[7]) ?? 0 : 0
}

/// Parent pid from /proc/PID/stat.
func procParent(_ pid: pid_t) -> pid_t? {
    guard let text = readWholeFile("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 1, let p = Int32(fields[1]) else { return nil }
    return p
}

/// `pid` and all its descendants.
func processTree(_ root: pid_t) -> [pid_t] {
    var parent: [pid_t: pid_t] = [:]
    for name in listDirectory("/proc") {
        guard let p = Int32(name), let pp = procParent(p) else { continue }
        parent[p] = pp
    }
    var tree: [pid_t] = [root]
    var changed = true
    while changed {
        changed = false
        for (p, pp) in parent where tree.contains(pp) && !tree.contains(p) {
            tree.append(p)
            changed = true
        }
    }
    return tree
}

/// Open file descriptors of a process.
func procFDCount(_ pid: pid_t) -> Int { listDirectory("/proc/\(pid)/fd").count }

/// Context switches (voluntary + involuntary) of each live thread: a proxy for wake-ups.
func procContextSwitches(_ pid: pid_t) -> [Int32: Int] {
    var byThread: [Int32: Int] = [:]
    for name in listDirectory("/proc/\(pid)/task") {
        guard let tid = Int32(name) else { continue }
        let s = procStatus(tid)
        byThread[tid] = (s["voluntary_ctxt_switches"] ?? 0) + (s["nonvoluntary_ctxt_switches"] ?? 0)
    }
    return byThread
}

/// Memory and resource snapshot of a process tree (the gateway plus all its children).
struct Footprint: Sendable {
    var processes = 0
    var vmRSSkB = 0
    var rssAnonkB = 0
    var rssFilekB = 0
    var psskB = 0
    var pssAnonkB = 0
    var privatekB = 0
    var threads = 0
    var fds = 0
    var cpuSeconds = 0.0
    /// Per live thread (threads end while idle, so totals of two snapshots must be compared thread by thread).
    var switchesByThread: [Int32: Int] = [:]
    var contextSwitches: Int { switchesByThread.values.reduce(0, +) }

    /// Context switches since `earlier` of the threads alive now (a thread that ended in between is not counted).
    func contextSwitches(since earlier: Footprint) -> Int {
        switchesByThread.reduce(0) { $0 + $1.value - (earlier.switchesByThread[$1.key] ?? 0) }
    }

    static func of(_ root: pid_t) -> Footprint {
        var f = Footprint()
        for pid in processTree(root) {
            let st = procStatus(pid)
            let sm = procSmapsRollup(pid)
            guard !st.isEmpty else { continue }
            f.processes += 1
            f.vmRSSkB += st["VmRSS"] ?? 0
            f.rssAnonkB += st["RssAnon"] ?? 0
            f.rssFilekB += st["RssFile"] ?? 0
            f.threads += st["Threads"] ?? 0
            f.psskB += sm["Pss"] ?? 0
            f.pssAnonkB += sm["Pss_Anon"] ?? 0
            f.privatekB += (sm["Private_Clean"] ?? 0) + (sm["Private_Dirty"] ?? 0)
            f.fds += procFDCount(pid)
            f.cpuSeconds += procCPUSeconds(pid)
            f.switchesByThread.merge(procContextSwitches(pid)) { a, _ in a }
        }
        return f
    }
}
