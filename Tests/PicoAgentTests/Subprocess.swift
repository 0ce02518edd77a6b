import Glibc
import PicoFakes

/// The outcome of a child process.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

struct SubprocessError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `path args…` with exactly `environment`, feeding `stdin`, capturing stdout/stderr through temp files.
/// Polls for exit (no blocking wait on a cooperative thread) and kills the child after `timeout`.
func runProcess(_ path: String, _ args: [String], environment: [String: String], stdin: String = "",
                workDir: TempDir, timeout: Duration = .seconds(60)) async throws -> ProcessResult {
    let inPath = workDir.sub("stdin.txt"), outPath = workDir.sub("stdout.txt"), errPath = workDir.sub("stderr.txt")
    workDir.write("stdin.txt", stdin)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    closeInheritedDescriptors(&actions)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard rc == 0 else { throw SubprocessError(description: "posix_spawn \(path) failed: \(String(cString: strerror(rc)))") }
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var status: Int32 = 0
    while true {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { break }
        if r < 0 && errno != EINTR { throw SubprocessError(description: "waitpid failed") }
        if clock.now > deadline {
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            throw SubprocessError(description: "\(path) did not exit within \(timeout); stderr: \(readFile(errPath) ?? "")")
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ProcessResult(status: exit, stdout: readFile(outPath) ?? "", stderr: readFile(errPath) ?? "")
}

/// The built `picoclaw` executable: `$PICOCLAW_BINARY`, else next to the running test bundle (SwiftPM puts
/// executables and `<package>PackageTests.xctest` in the same products directory for every scratch path).
func picoclawBinary() -> String? {
    if let explicit = getenv("PICOCLAW_BINARY").map({ String(cString: $0) }), access(explicit, X_OK) == 0 { return explicit }
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    var candidates: [String] = []
    if n > 0 {
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        candidates.append(String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]))
    }
    let arg0 = CommandLine.arguments.first ?? ""
    if let slash = arg0.lastIndex(of: "/") { candidates.append(String(arg0[..<slash])) }
    for dir in candidates {
        var d = dir
        // Inside an .xctest bundle directory (macOS layout) walk up to the products directory.
        while d.contains(".xctest") { d = String(d[..<(d.lastIndex(of: "/") ?? d.startIndex)]) }
        let path = d + "/picoclaw"
        if access(path, X_OK) == 0 { return path }
    }
    return nil
}
