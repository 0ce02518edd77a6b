import Glibc
import PicoFakes

/// The C floor of issue 18 (`Benchmarks/floor/floor.c`, built by `scripts/bench` with `cc` and Debian's libcurl):
/// the same Telegram long poll, chat/completions and sendMessage against the same fakes, nothing else.
/// Its idle footprint is what any libcurl bot on this machine costs; the gateway is reported as a ratio of it.
struct FloorResult: Sendable {
    var idle = Footprint()
    var seconds = 0.0
    /// End-to-end ms of the messages sent after the idle window (proof that it does the same job).
    var samplesMS: [Double] = []
    var error: String?
}

/// Starts the floor program, samples it `seconds` after exec (as the gateway is sampled), then checks it
/// answers `messages` messages.
func measureFloor(binary: String, world: World, seconds: Double, messages: Int = 5) async -> FloorResult {
    var r = FloorResult(seconds: seconds)
    let home = makeTempDir("picobench-floor")
    defer { removeTree(home) }
    let polls = world.telegram.getUpdatesCalls.count
    let start = monoNS()
    guard
        let pid = spawnProcess(
            [binary, world.telegram.baseURL, world.telegram.token, world.openai.apiBase, World.apiKey],
            environment: ["PATH": "/usr/bin:/bin"], stdout: home + "/out", stderr: home + "/err")
    else {
        r.error = "cannot spawn \(binary)"
        return r
    }
    defer { stopProcess(pid) }
    do {
        _ = try await world.telegram.waitForGetUpdatesCalls(count: polls + 1, timeout: .seconds(10))
    } catch {
        r.error = "the floor program never polled: \(readWholeFile(home + "/err") ?? "")"
        return r
    }
    let endNS = start + UInt64(seconds * 1e9)
    while monoNS() < endNS { await sleepMS(Int(min(500, Double(endNS - min(endNS, monoNS())) / 1e6 + 1))) }
    r.idle = Footprint.of(pid)
    world.answerPlain()
    do {
        r.samplesMS = try await measureLatency(label: "floor", world: world, pid: pid, count: messages, warmup: 0)
            .samplesMS
    } catch {
        r.error = "the floor program did not answer: \(error)"
    }
    return r
}

/// `gateway / floor` for one footprint figure, e.g. "2.31×".
func ratio(_ gateway: Int, _ floor: Int) -> String {
    floor > 0 ? fmt(Double(gateway) / Double(floor)) + "×" : "n/a"
}

/// The floor's idle footprint next to each build's, with the ratios (printed with every run).
func floorTable(_ floor: FloorResult, _ variants: [VariantResult]) -> String {
    func row(_ name: String, _ f: Footprint) -> [String] {
        [name, fmt(mb(f.vmRSSkB)), fmt(mb(f.psskB)), fmt(mb(f.rssAnonkB)), "\(f.threads)"]
    }
    var rows = [
        ["idle, \(fmt(floor.seconds, 0)) s after exec", "VmRSS MB", "PSS MB", "RssAnon MB", "threads"],
        row("floor (Benchmarks/floor/floor.c)", floor.idle),
    ]
    for v in variants {
        rows.append(row("gateway \(v.name)", v.idle.end))
        rows.append([
            "gateway \(v.name) / floor", ratio(v.idle.end.vmRSSkB, floor.idle.vmRSSkB),
            ratio(v.idle.end.psskB, floor.idle.psskB), ratio(v.idle.end.rssAnonkB, floor.idle.rssAnonkB),
            ratio(v.idle.end.threads, floor.idle.threads),
        ])
    }
    let e2e = floor.samplesMS.isEmpty ? "n/a" : fmt(Summary(floor.samplesMS).p50)
    return "Floor: the C program with Debian's libcurl (e2e p50 \(e2e) ms over \(floor.samplesMS.count) messages"
        + (floor.error.map { "; ERROR \($0)" } ?? "") + ")\n" + renderTable(rows)
}
