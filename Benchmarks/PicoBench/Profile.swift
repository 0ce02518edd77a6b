import Glibc
import PicoFakes

/// `PicoBench profile`: one gateway against the fakes, a paced message run, nothing measured but what an external
/// profiler records. Used by `scripts/bench-profile` to find where the per-message CPU goes.
///
///   PicoBench profile --binary PATH [--messages N] [--tool] [--idle-seconds S]
///                     [--wrapper "valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out"]
///                     [--pid-file FILE]   (writes the gateway's pid once it is ready, then waits --idle-seconds
///                                          before the messages: time for `perf record -p` to attach)
enum ProfileMode {
    static func run(_ args: [String]) async -> Int32 {
        var binary: String?
        var messages = 300
        var tool = false
        var wrapper: [String] = []
        var pidFile: String?
        var idleSeconds = 0.0
        var i = 0
        while i < args.count {
            let a = args[i]
            func value() -> String {
                i += 1
                guard i < args.count else { fail("\(a) needs a value") }
                return args[i]
            }
            switch a {
            case "--binary": binary = value()
            case "--messages": messages = Int(value()) ?? messages
            case "--tool": tool = true
            case "--wrapper": wrapper = value().split(separator: " ").map(String.init)
            case "--pid-file": pidFile = value()
            case "--idle-seconds": idleSeconds = Double(value()) ?? 0
            default: fail("profile: unknown argument \(a)")
            }
            i += 1
        }
        guard let binary else { fail("profile: --binary PATH is required") }
        let world: World
        do { world = try await World.start() } catch { fail("cannot start the fakes: \(error)") }
        defer { Task { await world.stop() } }
        let home = makeTempDir("picobench-profile")
        let port = unusedLoopbackPort()
        let env = GatewayProcess.environment(world: world, home: home, port: port, telegramAllow: World.allowedUsers)
        let start = monoNS()
        guard
            let pid = spawnProcess(
                wrapper + [binary, "gateway"], environment: env,
                stdout: home + "/gateway.out", stderr: home + "/gateway.err")
        else {
            fail("spawn failed")
        }
        let g = GatewayProcess(pid: pid, home: home, port: port, spawnedNS: start)
        guard let ready = await g.waitReady(timeoutMS: 120_000) else {
            log("not ready; log: \(g.log.suffix(2000))")
            g.stop(keepHome: true)
            return 1
        }
        log("profile: gateway pid \(pid) ready after \(fmt(ready)) ms; home \(home)")
        if let pidFile { writeWholeFile(pidFile, "\(pid)\n") }
        if idleSeconds > 0 { await sleepMS(Int(idleSeconds * 1000)) }
        if tool { world.answerWithOneToolCall() } else { world.answerPlain() }
        do {
            let r = try await measureLatency(label: "profile", world: world, pid: pid, count: messages, warmup: 5)
            log(
                "profile: \(messages) messages, e2e p50 \(fmt(r.summary.p50)) ms p99 \(fmt(r.summary.p99)) ms, CPU \(fmt(r.cpuMSPerMessage, 3)) ms/message"
            )
        } catch {
            log("profile: \(error)")
        }
        let status = stopProcess(pid, timeoutMS: 120_000)
        log("profile: gateway exited with \(status); log in \(home)/gateway.err")
        return 0
    }
}
