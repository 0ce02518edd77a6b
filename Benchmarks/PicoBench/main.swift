// PicoBench: the footprint/speed suite of issue 8. Run through `scripts/bench` (builds everything first).
//
//   PicoBench [--static PATH] [--dynamic PATH] [--policy-bench PATH] [--floor PATH] [--out FILE] [--quick]
//             [--idle-seconds S] [--startups N] [--messages N] [--tool-messages N] [--soak N] [--soak-chats N]
//
// The fakes (Telegram, Discord, OpenAI) run in this process on 127.0.0.1; every `picoclaw gateway` runs as a
// child with a private PICOCLAW_HOME. Results: a table on stdout and JSON in --out.
import Glibc
import PicoFakes

let usage = """
    usage: PicoBench [--static PATH] [--dynamic PATH] [--policy-bench PATH] [--floor PATH] [--out FILE] [--quick]
                     [--idle-seconds S] [--startups N] [--messages N] [--tool-messages N] [--soak N] [--soak-chats N]
    """

func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func fail(_ message: String) -> Never {
    writeStderr("PicoBench: \(message)\n")
    exit(2)
}

func log(_ message: String) {
    writeStderr("[bench] \(message)\n")
}

func progress(_ message: String) { log("  " + message) }

let args = Array(CommandLine.arguments.dropFirst())

// Internal mode: the baseline bot (see NullBot.swift), spawned by the suite itself.
if args.first == "null-bot" {
    guard args.count == 5 else { fail("null-bot TELEGRAM_BASE TOKEN OPENAI_BASE API_KEY") }
    exit(await NullBot.run(telegramBase: args[1], token: args[2], openaiBase: args[3], apiKey: args[4]))
}

if args.first == "profile" {
    exit(await ProfileMode.run(Array(args.dropFirst())))
}

var params = BenchParameters()
var binaries: [(name: String, path: String)] = []
var policyBench: String?
var floorBinary: String?
var outPath = "bench-results/latest.json"
var overrides: [String: String] = [:]
var i = 0
while i < args.count {
    let a = args[i]
    func value() -> String {
        i += 1
        guard i < args.count else { fail("\(a) needs a value\n\(usage)") }
        return args[i]
    }
    switch a {
    case "--static": binaries.append(("static", value()))
    case "--dynamic": binaries.append(("dynamic", value()))
    case "--policy-bench": policyBench = value()
    case "--floor": floorBinary = value()
    case "--out": outPath = value()
    case "--quick": params.quick = true
    case "--idle-seconds", "--startups", "--messages", "--tool-messages", "--soak", "--soak-chats":
        overrides[a] = value()
    case "-h", "--help":
        print(usage)
        exit(0)
    default: fail("unknown argument \(a)\n\(usage)")
    }
    i += 1
}
if params.quick {
    params.idleSeconds = 10
    params.startups = 5
    params.messages = 200
    params.toolMessages = 50
    params.warmup = 10
    params.soakMessages = 2000
}
for (k, v) in overrides {
    guard let n = Double(v), n >= 0 else { fail("\(k): not a number: \(v)") }
    switch k {
    case "--idle-seconds": params.idleSeconds = n
    case "--startups": params.startups = Int(n)
    case "--messages": params.messages = max(1, Int(n))
    case "--tool-messages": params.toolMessages = Int(n)
    case "--soak": params.soakMessages = Int(n)
    default: params.soakChats = max(1, Int(n))
    }
}
if binaries.isEmpty { fail("give at least one of --static/--dynamic\n\(usage)") }
for b in binaries where access(b.path, X_OK) != 0 { fail("\(b.path) is not an executable") }
signal(SIGPIPE, SIG_IGN)

// The path of this executable, for the baseline bot.
var selfPath: String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
}

let suiteStart = monoNS()
log("starting fakes")
let world: World
do {
    world = try await World.start()
} catch {
    fail("cannot start the fakes: \(error)")
}

// Baseline: the null bot, same fakes and HTTP stack.
var baseline = (plain: LatencyResult(label: "baseline plain"), tool: LatencyResult(label: "baseline tool"))
do {
    log("baseline (null bot): \(params.messages) plain + \(params.toolMessages) tool-call messages")
    let home = makeTempDir("picobench-nullbot")
    let polls = world.telegram.getUpdatesCalls.count
    guard
        let pid = spawnProcess(
            [selfPath, "null-bot", world.telegram.baseURL, world.telegram.token, world.openai.apiBase, World.apiKey],
            environment: ["PATH": "/usr/bin:/bin"], stdout: home + "/out", stderr: home + "/err")
    else {
        fail("cannot spawn the null bot")
    }
    do {
        _ = try await world.telegram.waitForGetUpdatesCalls(count: polls + 1, timeout: .seconds(10))
        world.answerPlain()
        baseline.plain = try await measureLatency(
            label: "baseline plain", world: world, pid: pid, count: params.messages, warmup: params.warmup)
        if params.toolMessages > 0 {
            world.answerWithOneToolCall()
            baseline.tool = try await measureLatency(
                label: "baseline tool", world: world, pid: pid, count: params.toolMessages, warmup: params.warmup)
        }
    } catch {
        log("baseline failed: \(error)")
    }
    world.answerPlain()
    stopProcess(pid)
    removeTree(home)
    await sleepMS(200)
}

// The C floor (Benchmarks/floor/floor.c): same fakes, same idle window.
var floor: FloorResult?
if let floorBinary {
    log("floor (C + libcurl): idle \(fmt(params.idleSeconds, 0)) s after exec, then 5 messages")
    floor = await measureFloor(binary: floorBinary, world: world, seconds: params.idleSeconds)
    if let e = floor?.error { log("floor: ERROR \(e)") }
    await sleepMS(200)
}

var results: [VariantResult] = []
for (name, path) in binaries {
    var v = VariantResult(name: name)
    log("[\(name)] binary: \(path)")
    v.binary = inspectBinary(path)

    log("[\(name)] start-up × \(params.startups)")
    v.startup = await measureStartup(binary: path, world: world, runs: params.startups)
    for f in v.startup.failures { v.errors.append("start-up: \(f)") }

    log("[\(name)] idle \(fmt(params.idleSeconds, 0)) s after exec")
    do {
        let (idle, gateway) = try await measureIdle(binary: path, world: world, seconds: params.idleSeconds)
        v.idle = idle
        do {
            log("[\(name)] \(params.messages) plain messages (one at a time)")
            world.answerPlain()
            v.plain = try await measureLatency(
                label: "plain", world: world, pid: gateway.pid, count: params.messages, warmup: params.warmup)
            if params.toolMessages > 0 {
                log("[\(name)] \(params.toolMessages) messages with one list_dir tool call each")
                world.answerWithOneToolCall()
                v.tool = try await measureLatency(
                    label: "tool", world: world, pid: gateway.pid, count: params.toolMessages, warmup: params.warmup)
            }
        } catch {
            v.errors.append("messages: \(error); log tail: \(gateway.log.suffix(1000))")
        }
        world.answerPlain()
        gateway.stop()
    } catch {
        v.errors.append("idle: \(error)")
    }
    await sleepMS(200)

    if params.soakMessages > 0 {
        log("[\(name)] soak: \(params.soakMessages) messages across \(params.soakChats) chats")
        do {
            world.answerPlain()
            v.soak = try await measureSoak(
                binary: path, world: world, total: params.soakMessages, chats: params.soakChats)
        } catch {
            v.errors.append("soak: \(error)")
        }
        await sleepMS(200)
    }
    for e in v.errors { log("[\(name)] ERROR \(e)") }
    results.append(v)
}

var policy: [PolicyLine] = []
if let policyBench {
    log("policy cost: \(policyBench)")
    policy = measurePolicy(binary: policyBench)
}
await world.stop()

// MARK: Report

let lines = budgetLines(baseline: baseline)
let (budgetText, misses) = budgetTable(results, lines)
var machine = "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores"
if let cpuinfo = readWholeFile("/proc/cpuinfo"),
    let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") })?.split(
        separator: ":", maxSplits: 1
    ).last
{
    machine += ", " + model.trimmingPrefix(" ")
}
if let kernel = readWholeFile("/proc/sys/kernel/osrelease") { machine += ", kernel " + kernel.filter { $0 != "\n" } }

print("")
print("picoclaw benchmark (\(params.quick ? "QUICK run — not for the record" : "full run")) on \(machine)")
print(
    "idle \(fmt(params.idleSeconds, 0)) s, \(params.startups) start-ups, \(params.messages) plain + \(params.toolMessages) tool messages (+\(params.warmup) warm-up each), soak \(params.soakMessages) messages / \(params.soakChats) chats"
)
print("")
print("Budget (issues 8 and 18)")
print(budgetText)
print("Details")
print(detailTable(results, baseline: baseline))
if !policy.isEmpty {
    print("5. Policy cost (PicoPolicyBench, µs per call)")
    print(renderTable([["call", "µs"]] + policy.map { [$0.label, fmt($0.microseconds, 3)] }))
}
for v in results {
    print(
        "6. \(v.name): linked shared libraries (\(v.binary.sharedLibraries.count)): \(v.binary.sharedLibraries.joined(separator: " "))"
    )
}
if let floor {
    print("")
    print(floorTable(floor, results))
}
if results.count > 1 {
    let better = results.min { a, b in (a.idle.end.psskB, a.idle.end.vmRSSkB) < (b.idle.end.psskB, b.idle.end.vmRSSkB)
    }!
    print("")
    print("Lower idle PSS: \(better.name)")
}
print("")
if misses.isEmpty {
    print("All budget lines PASS.")
} else {
    print("MISSES (\(misses.count)):")
    for m in misses { print("  - \(m)") }
}
let errors = results.flatMap { v in v.errors.map { "\(v.name): \($0)" } }
if !errors.isEmpty {
    print("ERRORS:")
    for e in errors { print("  - \(e.prefix(600))") }
}

var date = time(nil)
var tmBuf = tm()
gmtime_r(&date, &tmBuf)
var stamp = [CChar](repeating: 0, count: 32)
strftime(&stamp, 32, "%Y-%m-%dT%H:%M:%SZ", &tmBuf)
let report: JSONValue = [
    "date": .string(String(decoding: stamp.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)),
    "machine": .string(machine),
    "quick": .bool(params.quick),
    "parameters": [
        "idle_seconds": num(params.idleSeconds), "startups": .int(params.startups), "messages": .int(params.messages),
        "tool_messages": .int(params.toolMessages), "warmup": .int(params.warmup),
        "soak_messages": .int(params.soakMessages), "soak_chats": .int(params.soakChats),
    ],
    "baseline": ["plain": json(baseline.plain), "tool": json(baseline.tool)],
    "floor": floor.map { f in
        ["idle": json(f.idle), "e2e_ms": json(Summary(f.samplesMS)), "error": f.error.map { .string($0) } ?? .null]
    } ?? .null,
    "variants": .object(Dictionary(uniqueKeysWithValues: results.map { ($0.name, json($0, baseline: baseline)) })),
    "budget": .array(
        lines.map { line in
            .object([
                "line": .string(line.name), "limit": num(line.limit), "unit": .string(line.unit),
                "strict": .bool(line.strict),
                "values": .object(
                    Dictionary(
                        uniqueKeysWithValues: results.map { v -> (String, JSONValue) in
                            guard let x = line.value(v) else { return (v.name, .null) }
                            return (v.name, ["value": num(x), "pass": .bool(line.passes(x))])
                        })),
            ])
        }),
    "misses": .array(misses.map { .string($0) }),
    "errors": .array(errors.map { .string($0) }),
    "policy_us_per_call": .object(
        Dictionary(policy.map { ($0.label, num($0.microseconds)) }, uniquingKeysWith: { a, _ in a })),
    "suite_seconds": num(Double(monoNS() - suiteStart) / 1e9, 1),
]
if let slash = outPath.lastIndex(of: "/") { mkdir(String(outPath[..<slash]), 0o755) }
if writeWholeFile(outPath, prettyJSON(report) + "\n") {
    print("JSON: \(outPath)")
} else {
    log("cannot write \(outPath)")
}
exit(errors.isEmpty ? 0 : 1)
