import Glibc
import PicoFakes

/// Order statistics of a sample (nearest-rank percentiles).
struct Summary: Sendable {
    var count = 0
    var min = 0.0
    var p50 = 0.0
    var p90 = 0.0
    var p99 = 0.0
    var max = 0.0
    var mean = 0.0

    init(_ values: [Double]) {
        guard !values.isEmpty else { return }
        let s = values.sorted()
        func rank(_ p: Double) -> Double {
            s[Swift.min(s.count - 1, Swift.max(0, Int((p * Double(s.count)).rounded(.up)) - 1))]
        }
        count = s.count
        min = s[0]
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        max = s[s.count - 1]
        mean = s.reduce(0, +) / Double(s.count)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

// MARK: 2. Start-up

struct StartupResult: Sendable {
    var healthMS: [Double] = []
    var readyMS: [Double] = []
    var failures: [String] = []
}

/// exec → first 200 on /health, exec → 200 on /ready; a fresh PICOCLAW_HOME and port per run.
func measureStartup(binary: String, world: World, runs: Int) async -> StartupResult {
    var result = StartupResult()
    for run in 0..<runs {
        guard let g = GatewayProcess.launch(binary: binary, world: world) else {
            result.failures.append("run \(run): spawn failed")
            continue
        }
        let (health, ready) = await onThread { () -> (UInt64?, UInt64?) in
            let alive = { processAlive(g.pid) }
            let h = pollUntil(port: g.port, path: "/health", intervalUS: 200, timeoutMS: 10_000, alive: alive)
            let r =
                h == nil
                ? nil : pollUntil(port: g.port, path: "/ready", intervalUS: 200, timeoutMS: 10_000, alive: alive)
            return (h, r)
        }
        if let health { result.healthMS.append(Double(health - g.spawnedNS) / 1e6) }
        if let ready { result.readyMS.append(Double(ready - g.spawnedNS) / 1e6) }
        if health == nil || ready == nil {
            result.failures.append(
                "run \(run): health=\(health != nil) ready=\(ready != nil); log: \(g.log.suffix(400))")
        }
        g.stop()
        await sleepMS(100)  // let the fakes notice the closed connections
    }
    return result
}

// MARK: 1. Idle

struct IdleResult: Sendable {
    var readyMS = 0.0
    var seconds = 0.0
    var atReady = Footprint()
    var end = Footprint()
    var cpuSeconds: Double { end.cpuSeconds - atReady.cpuSeconds }
    /// The same from the threads' nanosecond counters (`ThreadCPUTracker`).
    var threadCPUSeconds = 0.0
    var window = 0.0
    var contextSwitches: Int { end.contextSwitches(since: atReady) }
    var telegramPolls = 0
    var discordHeartbeats = 0
}

/// Starts a gateway and samples it `seconds` after exec. Returns the still-running gateway for the next scenarios.
func measureIdle(binary: String, world: World, seconds: Double) async throws -> (IdleResult, GatewayProcess) {
    guard let g = GatewayProcess.launch(binary: binary, world: world) else {
        throw BenchError("spawn \(binary) failed")
    }
    guard let ready = await g.waitReady() else {
        let log = g.log
        g.stop()
        throw BenchError("gateway never became ready; log:\n\(log.suffix(2000))")
    }
    var r = IdleResult(readyMS: ready, seconds: seconds)
    let polls0 = world.telegram.getUpdatesCalls.count
    let beats0 = world.discord.heartbeatsReceived
    r.atReady = Footprint.of(g.pid)
    let t0 = monoNS()
    var cpu = ThreadCPUTracker(threadCPUNanoseconds(g.pid))
    let endNS = g.spawnedNS + UInt64(seconds * 1e9)
    while monoNS() < endNS {
        await sleepMS(Int(min(500, Double(endNS - min(endNS, monoNS())) / 1e6 + 1)))
        cpu.observe(threadCPUNanoseconds(g.pid))
    }
    r.threadCPUSeconds = cpu.seconds
    r.end = Footprint.of(g.pid)
    r.window = Double(monoNS() - t0) / 1e9
    r.telegramPolls = world.telegram.getUpdatesCalls.count - polls0
    r.discordHeartbeats = world.discord.heartbeatsReceived - beats0
    return (r, g)
}

// MARK: 3. Per-message latency

struct LatencyResult: Sendable {
    var label = ""
    var samplesMS: [Double] = []
    var firstMessageMS = 0.0
    /// Minor page faults while the first message (the one after the idle window) was handled.
    var firstMessageMinorFaults = 0
    var cpuMSPerMessage = 0.0
    var llmRequestsPerMessage = 0.0
    var wallSeconds = 0.0
    var summary: Summary { Summary(samplesMS) }
}

/// Sends `count` messages one at a time (after `warmup` unmeasured ones) and times each from just before
/// `enqueue` in the fake Telegram to the moment the fake accepted the matching `sendMessage`.
///
/// The gateway's Telegram sender is rate-limited on purpose (20 messages/s with bursts of 10, 1/s per chat with
/// bursts of 3: Telegram's own limits). To time the gateway rather than that limiter, messages rotate over
/// `World.latencyUsers` (40 private chats) and start at least `spacingMS` apart (≤ 18/s).
/// CPU per message comes from the utime+stime delta of `pid` (the gateway or the baseline bot).
func measureLatency(
    label: String, world: World, pid: pid_t, count: Int, warmup: Int, spacingMS: Int = 55
) async throws -> LatencyResult {
    var r = LatencyResult(label: label)
    let telegram = world.telegram
    let users = World.latencyUsers
    var cpu0 = 0.0
    var llm0 = 0
    var t0 = monoNS()
    var lastStart = ContinuousClock.now - .seconds(1)
    for i in 0..<(warmup + count) {
        if i == warmup {
            cpu0 = procCPUSeconds(pid)
            llm0 = world.openai.requests.count
            t0 = monoNS()
        }
        let next = lastStart + .milliseconds(spacingMS)
        if next > ContinuousClock.now { try? await Task.sleep(until: next, clock: .continuous) }
        let user = users[i % users.count]
        let base = telegram.sentMessageCount
        let start = ContinuousClock.now
        lastStart = start
        let faults0 = i == 0 ? procMinorFaults(pid) : 0
        telegram.enqueueTextMessage(from: user, username: "u\(user)", firstName: "Bench", text: "ping \(i)")
        do {
            try await telegram.waitForSentMessageCount(base + 1, timeout: .seconds(30))
        } catch {
            throw BenchError("\(label): no reply to message \(i) within 30 s")
        }
        guard let sent = telegram.sentMessages(from: base).first else { throw BenchError("\(label): reply vanished") }
        let ms = milliseconds(start.duration(to: sent.at))
        if i == 0 {
            r.firstMessageMS = ms
            r.firstMessageMinorFaults = procMinorFaults(pid) - faults0
        }
        if i >= warmup { r.samplesMS.append(ms) }
    }
    r.wallSeconds = Double(monoNS() - t0) / 1e9
    r.cpuMSPerMessage = (procCPUSeconds(pid) - cpu0) * 1000 / Double(count)
    r.llmRequestsPerMessage = Double(world.openai.requests.count - llm0) / Double(count)
    return r
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

// MARK: 4. Soak

struct SoakSample: Sendable {
    var messages: Int
    var footprint: Footprint
}

struct SoakResult: Sendable {
    var messages = 0
    var chats = 0
    var seconds = 0.0
    var before = Footprint()
    var samples: [SoakSample] = []
    /// 2 s after the last reply (fds and threads of finished requests are gone).
    var settled = Footprint()
    var latencyMS: [Double] = []
    var cpuSeconds = 0.0
    var filesInHome = 0
    var after: Footprint { samples.last?.footprint ?? before }
    var growthkB: Int { after.vmRSSkB - before.vmRSSkB }
    var anonGrowthkB: Int { after.rssAnonkB - before.rssAnonkB }
    var pssGrowthkB: Int { after.psskB - before.psskB }
    /// VmRSS growth per 1,000 messages after the first 1,000 (steady state).
    var steadyGrowthPer1000kB: Double {
        guard let first = samples.first, let last = samples.last, last.messages > first.messages else { return 0 }
        return Double(last.footprint.vmRSSkB - first.footprint.vmRSSkB) * 1000 / Double(last.messages - first.messages)
    }
}

/// `total` messages over `chats` private chats (one allowed user each), one message in flight per chat:
/// each reply triggers that chat's next message. Samples the gateway's footprint every 1,000 replies.
/// Throughput is capped by the gateway's Telegram send limiter (20/s), so 10,000 messages take about 500 s;
/// the end-to-end times of the soak therefore include queueing behind that limiter.
func measureSoak(binary: String, world: World, total: Int, chats: Int) async throws -> SoakResult {
    let users = Array(World.soakUsers.prefix(chats))
    guard let g = GatewayProcess.launch(binary: binary, world: world) else {
        throw BenchError("spawn failed")
    }
    defer { g.stop() }
    guard await g.waitReady() != nil else {
        throw BenchError("soak gateway never became ready; log:\n\(g.log.suffix(2000))")
    }
    await sleepMS(500)
    var r = SoakResult(messages: total, chats: chats)
    r.before = Footprint.of(g.pid)
    let telegram = world.telegram
    var seen = telegram.sentMessageCount
    var sentPerChat: [Int: Int] = [:]
    var enqueuedAt: [Int: ContinuousClock.Instant] = [:]
    var enqueued = 0
    func send(_ user: Int) {
        enqueuedAt[user] = ContinuousClock.now
        telegram.enqueueTextMessage(
            from: user, username: "u\(user)", firstName: "User",
            text: "message \(sentPerChat[user, default: 0]) from \(user)")
        sentPerChat[user, default: 0] += 1
        enqueued += 1
    }
    let t0 = monoNS()
    for u in users where enqueued < total { send(u) }
    var replies = 0
    var nextSample = 1000
    while replies < total {
        do {
            try await telegram.waitForSentMessageCount(seen + 1, timeout: .seconds(30))
        } catch {
            throw BenchError("soak stalled at \(replies) replies; log:\n\(g.log.suffix(1500))")
        }
        let batch = telegram.sentMessages(from: seen)
        seen += batch.count
        for (message, at) in batch {
            replies += 1
            if let start = enqueuedAt[message.chatId] { r.latencyMS.append(milliseconds(start.duration(to: at))) }
            if enqueued < total { send(message.chatId) }
        }
        if replies >= nextSample || replies >= total {
            r.samples.append(SoakSample(messages: replies, footprint: Footprint.of(g.pid)))
            progress("soak: \(replies)/\(total) replies, \(fmt(Double(monoNS() - t0) / 1e9, 0)) s")
            nextSample += 1000
        }
    }
    r.seconds = Double(monoNS() - t0) / 1e9
    r.cpuSeconds = Footprint.of(g.pid).cpuSeconds - r.before.cpuSeconds
    await sleepMS(2000)  // in-flight connections and helper threads settle
    r.settled = Footprint.of(g.pid)
    r.filesInHome = Int(runCommand(["/usr/bin/find", g.home, "-type", "f"]).stdout.split(separator: "\n").count)
    return r
}

// MARK: 5. Policy cost

struct PolicyLine: Sendable {
    var label: String
    var microseconds: Double
}

/// Runs PicoPolicyBench and parses its `label  X µs/call` lines and the p50 of its sandboxed-exec lines
/// (`label  p50 X ms, …`, reported in µs like the rest).
func measurePolicy(binary: String) -> [PolicyLine] {
    let out = runCommand([binary]).stdout
    var lines: [PolicyLine] = []
    for line in out.split(separator: "\n") where line.contains(" p50 ") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let i = parts.firstIndex(of: "p50"), i + 1 < parts.count, let ms = Double(parts[i + 1]) else { continue }
        lines.append(
            PolicyLine(
                label: parts[..<i].joined(separator: " ") + " (p50, spawn to exit)",
                microseconds: ms * 1000))
    }
    for line in out.split(separator: "\n") where line.hasSuffix("µs/call") {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 3, let v = Double(parts[parts.count - 2]) else { continue }
        let label = parts.dropLast(2).joined(separator: " ")
        lines.append(PolicyLine(label: label, microseconds: v))
    }
    return lines
}

// MARK: 6. Binary

struct BinaryInfo: Sendable {
    var path = ""
    var bytes = 0
    var strippedBytes = 0
    var sharedLibraries: [String] = []
    var hasICU = false
    var hasFoundationNetworking = false
    var hasFullFoundation = false
}

func inspectBinary(_ path: String) -> BinaryInfo {
    var info = BinaryInfo(path: path)
    var st = stat()
    if stat(path, &st) == 0 { info.bytes = Int(st.st_size) }
    let tmp = makeTempDir("picobench-strip")
    defer { removeTree(tmp) }
    if runCommand(["/usr/bin/strip", "-o", tmp + "/stripped", path]).status == 0, stat(tmp + "/stripped", &st) == 0 {
        info.strippedBytes = Int(st.st_size)
    }
    let ldd = runCommand(["/usr/bin/ldd", path]).stdout
    info.sharedLibraries = ldd.split(separator: "\n").compactMap { line in
        let name = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
        return name.isEmpty || name.hasPrefix("linux-vdso") ? nil : name
    }
    // Linked dynamically (ldd) or statically (Swift module symbols in the unstripped binary).
    let libs = info.sharedLibraries.joined(separator: " ")
    let fn = runCommand(["/bin/sh", "-c", "nm '\(path)' 2>/dev/null | grep -c '20FoundationNetworking' || true"]).stdout
    let icu = runCommand([
        "/bin/sh", "-c", "nm '\(path)' 2>/dev/null | grep -c -E '14_FoundationICU|ucol_open|ubrk_open' || true",
    ]).stdout
    let full = runCommand(["/bin/sh", "-c", "nm '\(path)' 2>/dev/null | grep -c -E '\\$s10Foundation[0-9]' || true"])
        .stdout
    info.hasFoundationNetworking =
        libs.contains("FoundationNetworking") || (Int(fn.split(separator: "\n").first ?? "0") ?? 0) > 0
    info.hasICU = libs.lowercased().contains("icu") || (Int(icu.split(separator: "\n").first ?? "0") ?? 0) > 0
    info.hasFullFoundation =
        libs.contains("libFoundation.so") || (Int(full.split(separator: "\n").first ?? "0") ?? 0) > 0
    return info
}
