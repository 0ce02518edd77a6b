// PicoPolicyBench: per-call cost of workspace path resolution and command analysis.
// Run: swift run -c release PicoPolicyBench
import Glibc
import PicoPolicy
import PicoSystem

func nowNanoseconds() -> UInt64 { UInt64(MonotonicClock.nanoseconds()) }

/// Runs `body` `iterations` times after a warm-up and prints the mean per call in microseconds.
func measure(_ label: String, iterations: Int = 20_000, _ body: () -> Void) {
    for _ in 0..<min(1000, iterations) { body() }
    let start = nowNanoseconds()
    for _ in 0..<iterations { body() }
    let perCall = Double(nowNanoseconds() - start) / Double(iterations) / 1000
    let padded = label.count >= 64 ? label : label + String(repeating: " ", count: 64 - label.count)
    print("\(padded) \(format3(perCall)) µs/call")
}

func format3(_ v: Double) -> String {
    let scaled = Int((v * 1000).rounded())
    let frac = String(scaled % 1000)
    return "\(scaled / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
}

var template = Array("/tmp/picoclaw-bench-XXXXXX".utf8CString)
let base = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
let root = base + "/ws"
mkdir(root, 0o700)
mkdir(root + "/skills", 0o700)
mkdir(root + "/skills/a", 0o700)
let file = open(root + "/skills/a/b.py", O_WRONLY | O_CREAT, 0o600)
_ = "print('hi')\n".withCString { write(file, $0, strlen($0)) }
close(file)
symlink("skills/a", root + "/inner-link")
symlink("/etc", root + "/leak")

let workspace = try Workspace(root: root)
let policy = try CommandPolicy(workspace: root)
print("PicoPolicyBench — workspace \(root)")
/// `--exec-only`: just the sandboxed-exec figures (e.g. under `chrt -f 10` on a machine busy with other work).
let execOnly = CommandLine.arguments.contains("--exec-only")
if !execOnly {
    measure("resolve skills/a/b.py (read)") { _ = try? workspace.resolve("skills/a/b.py") }
    measure("resolve inner-link/b.py (in-root symlink)") { _ = try? workspace.resolve("inner-link/b.py") }
    measure("resolve leak/passwd (refused escape)") { _ = try? workspace.resolve("leak/passwd") }
    measure("resolve new/dir/file.txt (write, missing parents)") {
        _ = try? workspace.resolve("new/dir/file.txt", forWriting: true)
    }
    measure("read skills/a/b.py (12 bytes)") { _ = try? workspace.read("skills/a/b.py") }
    let commands = [
        "ls -la",
        "cat skills/a/b.py",
        "git status && git diff --stat | head -20",
        "find . -name '*.py' -exec grep -n TODO {} + 2>/dev/null",
        "env FOO=1 timeout 5 sh -c 'cat skills/a/b.py | wc -l'",
        "rm -rf /",
        "cat leak/passwd",
    ]
    for command in commands {
        measure("evaluate \(command)", iterations: 5_000) { _ = policy.evaluate(command: command) }
    }
}

/// User + system CPU of this process and its reaped descendants (the sandbox's processes roll up through
/// bubblewrap), in ms: the cost on an idle machine, where wall time equals it plus scheduling.
func cpuMilliseconds() -> Double {
    var me = rusage(), kids = rusage()
    getrusage(RUSAGE_SELF.rawValue, &me)
    getrusage(RUSAGE_CHILDREN.rawValue, &kids)
    func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
    return ms(me.ru_utime) + ms(me.ru_stime) + ms(kids.ru_utime) + ms(kids.ru_stime)
}

/// Spawn-to-exit of `true` through the real executor, per sandbox mode: p50/p90/p99 over `runs`.
func measureExec(_ label: String, sandbox: SandboxMode, network: Bool = false, runs: Int = 200) async {
    guard
        let executor = try? SandboxedExecutor(
            workspace: root, timeout: .seconds(10), sandbox: sandbox,
            network: network)
    else {
        print("\(label): unavailable on this machine")
        return
    }
    for _ in 0..<10 { _ = try? await executor.run(command: "true") }
    var samples: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<runs {
        let cpuStart = cpuMilliseconds()
        let start = nowNanoseconds()
        let r = try? await executor.run(command: "true")
        precondition(r?.exitStatus == 0, "sandboxed true failed: \(String(describing: r))")
        samples.append(Double(nowNanoseconds() - start) / 1_000_000)
        cpu.append(cpuMilliseconds() - cpuStart)
    }
    samples.sort()
    cpu.sort()
    func pct(_ list: [Double], _ p: Double) -> String {
        format3(list[min(list.count - 1, Int(Double(list.count) * p))])
    }
    let padded = label.count >= 64 ? label : label + String(repeating: " ", count: 64 - label.count)
    print(
        "\(padded) p50 \(pct(samples, 0.5)) ms, p90 \(pct(samples, 0.9)) ms, p99 \(pct(samples, 0.99)) ms; "
            + "CPU p50 \(pct(cpu, 0.5)) ms (\(executor.layer))")
}
await measureExec("exec true, every layer (namespaces)", sandbox: .namespaces)
await measureExec("exec true, namespaces with tools.exec.network: true", sandbox: .namespaces, network: true)
await measureExec("exec true, fallback (landlock, seccomp, limits)", sandbox: .landlock)

let cleanup = "rm -r '\(base)'"
_ = cleanup.withCString { system($0) }
