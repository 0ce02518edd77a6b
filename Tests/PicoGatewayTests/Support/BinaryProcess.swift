import Glibc
import PicoFakes
import Testing

/// The result of running a command to completion.
struct BinaryOutcome: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs programs with an explicit environment (nothing inherited), stdin from /dev/null and output captured in
/// files (no pipe deadlocks). For the CLI black-box tests.
///
/// Waiting is async: ``run(_:environment:timeout:)`` and ``wait(_:timeout:)`` poll `waitpid(WNOHANG)` and
/// `Task.sleep` in between, so a test waiting for a child never blocks a thread of the (small) cooperative pool
/// that every other suite's async tests run on.
enum BinaryProcess {
    /// Runs `argv` to completion (killed after `timeout` seconds) and returns its status and output.
    static func run(_ argv: [String], environment: [String: String], timeout: Double = 60) async -> BinaryOutcome {
        let dir = BinaryTempDir(prefix: "picoclaw-run")
        guard let pid = spawn(argv, environment: environment, stdout: dir.path + "/out", stderr: dir.path + "/err") else {
            return BinaryOutcome(status: -1, stdout: "", stderr: "spawn \(argv.first ?? "") failed: \(String(cString: strerror(errno)))")
        }
        let status = await wait(pid, timeout: timeout)
        return BinaryOutcome(status: status, stdout: dir.read("out") ?? "", stderr: dir.read("err") ?? "")
    }

    /// Starts `argv` in the background; output goes to `stdout`/`stderr` files.
    static func spawn(_ argv: [String], environment: [String: String], stdout: String, stderr: String) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
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
    static func wait(_ pid: pid_t, timeout: Double) async -> Int32 {
        let deadline = monotonicSeconds() + timeout
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return -1 }
            if monotonicSeconds() > deadline {
                return killAndReap(pid)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return decode(status)
    }

    /// Sends SIGKILL to `pid` and reaps it. Blocking, but only for as long as the kernel takes to tear down a
    /// killed process: meant for cleanup (`defer`, `deinit`) where `await` is not available.
    @discardableResult
    static func killAndReap(_ pid: pid_t) -> Int32 {
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

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The full path of `name` on the standard PATH, or `nil`.
    static func which(_ name: String) -> String? {
        for dir in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
            if access(dir + "/" + name, X_OK) == 0 { return dir + "/" + name }
        }
        return nil
    }
}
