import Glibc

/// The result of running a command to completion.
public struct SubprocessOutcome: Sendable {
    /// The exit status, or 128+signal (-1 when it could not be started).
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs programs with an explicit environment (nothing inherited), stdin from /dev/null (or given text) and output
/// captured in files (no pipe deadlocks). The one subprocess helper of the test targets.
///
/// Waiting is async: ``run(_:environment:timeout:)`` and ``wait(_:timeout:)`` poll `waitpid(WNOHANG)` and
/// `Task.sleep` in between, so a test waiting for a child never blocks a thread of the (small) cooperative pool
/// that every other suite's async tests run on.
public enum Subprocess {
    /// Runs `argv` to completion (killed after `timeout` seconds) and returns its status and output. `stdin`
    /// is fed to the child when given (else /dev/null).
    public static func run(
        _ argv: [String], environment: [String: String], stdin: String? = nil,
        timeout: Double = 60
    ) async -> SubprocessOutcome {
        let dir = TempDir("picoclaw-run")
        var input = "/dev/null"
        if let stdin { input = dir.write("in", stdin) }
        guard
            let pid = spawn(argv, environment: environment, stdin: input, stdout: dir.at("out"), stderr: dir.at("err"))
        else {
            return SubprocessOutcome(
                status: -1, stdout: "", stderr: "spawn \(argv.first ?? "") failed: \(String(cString: strerror(errno)))")
        }
        let status = await wait(pid, timeout: timeout)
        return SubprocessOutcome(status: status, stdout: dir.read("out") ?? "", stderr: dir.read("err") ?? "")
    }

    /// Starts `argv` in the background; input comes from the file `stdin`, output goes to `stdout`/`stderr` files.
    /// `PATH` defaults to the standard one when `environment` has none.
    public static func spawn(
        _ argv: [String], environment: [String: String], stdin: String = "/dev/null",
        stdout: String, stderr: String
    ) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        closeInheritedDescriptors(&actions)
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else { errno = rc; return nil }
        return pid
    }

    /// Waits for `pid` without blocking a thread (polls every 10 ms); after `timeout` seconds sends SIGKILL.
    /// Returns the exit status, or 128+signal (-1 when `pid` is not a child of this process).
    @discardableResult
    public static func wait(_ pid: pid_t, timeout: Double) async -> Int32 {
        await exitStatus(of: pid, within: .milliseconds(Int(timeout * 1000))) ?? killAndReap(pid)
    }

    /// The exit status (or 128+signal; -1 when `pid` is not a child of this process) once `pid` ended within
    /// `timeout`, else `nil` with the process left running. Polls `waitpid(WNOHANG)` every 10 ms (no thread blocks).
    public static func exitStatus(of pid: pid_t, within timeout: Duration) async -> Int32? {
        guard pid > 0 else { return -1 }  // never waitpid(-1 or 0): that would reap another test's child
        var result: Int32?
        try? await eventually("process \(pid) to exit", timeout: timeout) {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { result = decode(status) } else if r < 0 && errno != EINTR { result = -1 }
            return result != nil
        }
        return result
    }

    /// Sends SIGKILL to `pid` and reaps it. Blocking, but only for as long as the kernel takes to tear down a
    /// killed process: meant for cleanup (`defer`, `deinit`) where `await` is not available.
    @discardableResult
    public static func killAndReap(_ pid: pid_t) -> Int32 {
        guard pid > 0 else { return -1 }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, 0)
            if r == pid { return decode(status) }
            if r < 0 && errno != EINTR { return -1 }
        }
    }

    /// The exit status of a `waitpid` status word, or 128+signal.
    private static func decode(_ status: Int32) -> Int32 {
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Seconds on CLOCK_MONOTONIC (for deadlines and elapsed times).
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The full path of `name` on the standard PATH, or `nil`.
    public static func which(_ name: String) -> String? {
        for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            if access(dir + "/" + name, X_OK) == 0 { return dir + "/" + name }
        }
        return nil
    }

    /// The pids of live processes (in this pid namespace or one below it) whose argument vector is exactly `argv`.
    /// A zombie has an empty command line and is not counted: it has exited.
    public static func pids(withArguments argv: [String]) -> [pid_t] {
        guard let proc = opendir("/proc") else { return [] }
        defer { closedir(proc) }
        let wanted = argv.map { $0 + "\u{0}" }.joined()
        var found: [pid_t] = []
        while let ent = readdir(proc) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = pid_t(name), TempDir.readFile("/proc/\(pid)/cmdline") == wanted else { continue }
            found.append(pid)
        }
        return found
    }

    /// The built `picoclaw` executable: `$PICOCLAW_TEST_BINARY` when set, else the one next to the running test
    /// bundle (`<scratch>/debug/picoclaw`; SwiftPM puts executables and the test bundle in the same products
    /// directory). `nil` when neither is an executable file.
    public static func picoclawBinary() -> String? {
        if let explicit = getenv("PICOCLAW_TEST_BINARY").map({ String(cString: $0) }), !explicit.isEmpty {
            return access(explicit, X_OK) == 0 ? explicit : nil
        }
        for dir in productDirectories() {
            let candidate = dir + "/picoclaw"
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Directories that may hold the built executables: those of `/proc/self/exe` and `argv[0]` and a few
    /// levels up (out of an `.xctest` bundle).
    public static func productDirectories() -> [String] {
        var starts: [String] = []
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        if n > 0 { starts.append(String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        if let arg0 = CommandLine.arguments.first, arg0.hasPrefix("/") { starts.append(arg0) }
        var dirs: [String] = []
        for start in starts {
            var dir = parent(start)
            // .../debug/picoclawPackageTests.xctest (a file on Linux, a bundle directory elsewhere).
            for _ in 0..<4 {
                if !dirs.contains(dir) { dirs.append(dir) }
                if dir == "/" { break }
                dir = parent(dir)
            }
        }
        return dirs
    }

    private static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
