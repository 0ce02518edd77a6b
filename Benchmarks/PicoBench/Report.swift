import Glibc
import PicoFakes

/// Everything measured for one build of `picoclaw` (static or dynamic Swift stdlib).
struct VariantResult: Sendable {
    var name: String
    var binary = BinaryInfo()
    var startup = StartupResult()
    var idle = IdleResult()
    var plain = LatencyResult()
    var tool = LatencyResult()
    var soak = SoakResult()
    var errors: [String] = []
}

struct BenchParameters: Sendable {
    var quick = false
    var idleSeconds = 60.0
    var startups = 20
    var messages = 1000
    var toolMessages = 300
    var warmup = 20
    var soakMessages = 10_000
    var soakChats = 100
}

/// One budget line: a value per build, checked against a limit.
struct BudgetLine {
    let name: String
    let unit: String
    let limit: Double
    /// `true`: the value must be strictly below the limit (`<`); otherwise `≤`.
    let strict: Bool
    let value: (VariantResult) -> Double?

    func passes(_ v: Double) -> Bool { strict ? v < limit : v <= limit }
    var limitText: String { (strict ? "< " : "≤ ") + fmt(limit) + (unit.isEmpty ? "" : " " + unit) }
}

func mb(_ kB: Int) -> Double { Double(kB) / 1024 }

func fmt(_ v: Double, _ digits: Int = 2) -> String {
    if v.isNaN { return "n/a" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(v) * scale).rounded()
    let whole = Int(r / scale)
    var frac = String(Int(r.truncatingRemainder(dividingBy: scale)))
    while frac.count < digits { frac = "0" + frac }
    let sign = v < 0 && r != 0 ? "-" : ""
    return digits == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(frac)"
}

func budgetLines(baseline: (plain: LatencyResult, tool: LatencyResult)) -> [BudgetLine] {
    [
        BudgetLine(name: "idle PSS (gateway + children)", unit: "MB", limit: 10, strict: false) {
            mb($0.idle.end.psskB)
        },
        BudgetLine(name: "idle RssAnon", unit: "MB", limit: 3, strict: false) { mb($0.idle.end.rssAnonkB) },
        BudgetLine(name: "idle VmRSS", unit: "MB", limit: 16, strict: false) { mb($0.idle.end.vmRSSkB) },
        BudgetLine(name: "idle threads", unit: "", limit: 6, strict: false) { Double($0.idle.end.threads) },
        BudgetLine(name: "idle CPU (threads' schedstat / window)", unit: "%", limit: 0.1, strict: false) { v in
            v.idle.window > 0 ? v.idle.threadCPUSeconds / v.idle.window * 100 : nil
        },
        BudgetLine(name: "exec → /health 200, median", unit: "ms", limit: 50, strict: false) { v in
            v.startup.healthMS.isEmpty ? nil : Summary(v.startup.healthMS).p50
        },
        BudgetLine(name: "exec → /health 200, max", unit: "ms", limit: 50, strict: false) { v in
            v.startup.healthMS.isEmpty ? nil : Summary(v.startup.healthMS).max
        },
        BudgetLine(name: "exec → /ready 200, median", unit: "ms", limit: 200, strict: false) { v in
            v.startup.readyMS.isEmpty ? nil : Summary(v.startup.readyMS).p50
        },
        BudgetLine(name: "exec → /ready 200, max", unit: "ms", limit: 200, strict: false) { v in
            v.startup.readyMS.isEmpty ? nil : Summary(v.startup.readyMS).max
        },
        BudgetLine(name: "gateway overhead/message p50 (e2e − baseline)", unit: "ms", limit: 1, strict: false) { v in
            v.plain.samplesMS.isEmpty ? nil : v.plain.summary.p50 - baseline.plain.summary.p50
        },
        // Conservative: the whole tail above the baseline's median counts as gateway overhead
        // (a difference of two p99s is too noisy on a shared 2-core machine).
        BudgetLine(name: "gateway overhead/message p99 (e2e p99 − baseline p50)", unit: "ms", limit: 5, strict: false) {
            v in
            v.plain.samplesMS.isEmpty ? nil : v.plain.summary.p99 - baseline.plain.summary.p50
        },
        BudgetLine(name: "CPU per plain message", unit: "ms", limit: 1.5, strict: false) { v in
            v.plain.samplesMS.isEmpty ? nil : v.plain.cpuMSPerMessage
        },
        BudgetLine(name: "soak VmRSS growth after the first 1,000 msgs", unit: "MB", limit: 1, strict: true) { v in
            v.soak.samples.count < 2
                ? nil : mb(v.soak.samples.last!.footprint.vmRSSkB - v.soak.samples.first!.footprint.vmRSSkB)
        },
        BudgetLine(name: "soak VmRSS growth per 1,000 msgs after the 1st 1,000", unit: "MB", limit: 0.1, strict: false)
        { v in
            v.soak.samples.count < 2 ? nil : v.soak.steadyGrowthPer1000kB / 1024
        },
        // From the run's first sample, not from before the run: the connection libcurl opens for the first
        // messages and keeps cached (one fd) is not growth; a leak shows as a rise over the run.
        BudgetLine(
            name: "soak open fds growth (first sample in the run → 2 s after the last reply)", unit: "", limit: 0,
            strict: false
        ) { v in
            guard let first = v.soak.samples.first else { return nil }
            return Double(v.soak.settled.fds - first.footprint.fds)
        },
        BudgetLine(name: "stripped binary", unit: "MB", limit: 16, strict: false) { v in
            v.binary.strippedBytes > 0 ? Double(v.binary.strippedBytes) / 1_048_576 : nil
        },
        BudgetLine(name: "ICU / FoundationNetworking / Foundation linked", unit: "", limit: 0, strict: false) { v in
            Double(
                (v.binary.hasICU ? 1 : 0) + (v.binary.hasFoundationNetworking ? 1 : 0)
                    + (v.binary.hasFullFoundation ? 1 : 0))
        },
    ]
}

// MARK: Table

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

func renderTable(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    var out = ""
    for (n, r) in rows.enumerated() {
        out += "| " + r.enumerated().map { pad($0.element, widths[$0.offset]) }.joined(separator: " | ") + " |\n"
        if n == 0 { out += "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|\n" }
    }
    return out
}

func budgetTable(_ variants: [VariantResult], _ lines: [BudgetLine]) -> (text: String, misses: [String]) {
    var rows = [["budget line", "limit"] + variants.map(\.name)]
    var misses: [String] = []
    for line in lines {
        var row = [line.name, line.limitText]
        for v in variants {
            guard let value = line.value(v) else { row.append("n/a"); continue }
            let ok = line.passes(value)
            if !ok { misses.append("\(v.name): \(line.name) = \(fmt(value)) \(line.unit) (limit \(line.limitText))") }
            row.append("\(fmt(value)) \(ok ? "PASS" : "MISS")")
        }
        rows.append(row)
    }
    return (renderTable(rows), misses)
}

func detailTable(_ variants: [VariantResult], baseline: (plain: LatencyResult, tool: LatencyResult)) -> String {
    var rows = [["measurement"] + variants.map(\.name)]
    func row(_ name: String, _ f: (VariantResult) -> String) { rows.append([name] + variants.map(f)) }
    func s(_ xs: [Double]) -> String {
        guard !xs.isEmpty else { return "n/a" }
        let m = Summary(xs)
        return "\(fmt(m.min)) / \(fmt(m.p50)) / \(fmt(m.max))"
    }
    func lat(_ l: LatencyResult) -> String {
        guard !l.samplesMS.isEmpty else { return "n/a" }
        let m = l.summary
        return "\(fmt(m.p50)) / \(fmt(m.p90)) / \(fmt(m.p99)) / \(fmt(m.max))"
    }
    row("1. idle: seconds after exec") { fmt($0.idle.seconds, 0) }
    row("1. idle: processes (gateway + children)") { "\($0.idle.end.processes)" }
    row("1. idle: PSS / Pss_Anon MB") { "\(fmt(mb($0.idle.end.psskB))) / \(fmt(mb($0.idle.end.pssAnonkB)))" }
    row("1. idle: VmRSS / RssAnon / RssFile MB") {
        "\(fmt(mb($0.idle.end.vmRSSkB))) / \(fmt(mb($0.idle.end.rssAnonkB))) / \(fmt(mb($0.idle.end.rssFilekB)))"
    }
    row("1. idle: private (clean+dirty) MB") { fmt(mb($0.idle.end.privatekB)) }
    row("1. at /ready: PSS / RssAnon / VmRSS MB") {
        "\(fmt(mb($0.idle.atReady.psskB))) / \(fmt(mb($0.idle.atReady.rssAnonkB))) / \(fmt(mb($0.idle.atReady.vmRSSkB)))"
    }
    row("1. idle: threads / open fds") { "\($0.idle.end.threads) / \($0.idle.end.fds)" }
    row("1. idle: CPU s over window (s; ticks / schedstat)") {
        "\(fmt($0.idle.cpuSeconds, 3)) / \(fmt($0.idle.threadCPUSeconds, 4)) over \(fmt($0.idle.window, 1))"
    }
    row("1. idle: context switches/s (all threads)") { v in
        v.idle.window > 0 ? fmt(Double(v.idle.contextSwitches) / v.idle.window, 2) : "n/a"
    }
    row("1. idle: getUpdates polls / Discord heartbeats") { "\($0.idle.telegramPolls) / \($0.idle.discordHeartbeats)" }
    row("2. exec → /health ms min/med/max") { s($0.startup.healthMS) }
    row("2. exec → /ready ms min/med/max") { s($0.startup.readyMS) }
    row("2. start-up runs ok / failed") { "\($0.startup.readyMS.count) / \($0.startup.failures.count)" }
    row("3. plain e2e ms p50/p90/p99/max") { lat($0.plain) }
    row("3. plain baseline ms p50/p90/p99/max") { _ in lat(baseline.plain) }
    row("3. plain overhead ms p50 / p99−p99 / p99−p50") { v in
        v.plain.samplesMS.isEmpty
            ? "n/a"
            : "\(fmt(v.plain.summary.p50 - baseline.plain.summary.p50)) / \(fmt(v.plain.summary.p99 - baseline.plain.summary.p99)) / \(fmt(v.plain.summary.p99 - baseline.plain.summary.p50))"
    }
    row("3. plain CPU ms/message (baseline)") {
        "\(fmt($0.plain.cpuMSPerMessage, 3)) (\(fmt(baseline.plain.cpuMSPerMessage, 3)))"
    }
    row("3. plain first message after idle: ms / minor faults") {
        "\(fmt($0.plain.firstMessageMS)) / \($0.plain.firstMessageMinorFaults)"
    }
    row("3. tool e2e ms p50/p90/p99/max") { lat($0.tool) }
    row("3. tool baseline ms p50/p90/p99/max") { _ in lat(baseline.tool) }
    row("3. tool overhead ms p50 / p99−p99 / p99−p50") { v in
        v.tool.samplesMS.isEmpty
            ? "n/a"
            : "\(fmt(v.tool.summary.p50 - baseline.tool.summary.p50)) / \(fmt(v.tool.summary.p99 - baseline.tool.summary.p99)) / \(fmt(v.tool.summary.p99 - baseline.tool.summary.p50))"
    }
    row("3. tool CPU ms/message (baseline)") {
        "\(fmt($0.tool.cpuMSPerMessage, 3)) (\(fmt(baseline.tool.cpuMSPerMessage, 3)))"
    }
    row("3. tool LLM requests/message") { fmt($0.tool.llmRequestsPerMessage) }
    row("4. soak messages / chats / seconds") { "\($0.soak.messages) / \($0.soak.chats) / \(fmt($0.soak.seconds, 1))" }
    row("4. soak throughput msg/s") { v in v.soak.seconds > 0 ? fmt(Double(v.soak.messages) / v.soak.seconds, 0) : "n/a"
    }
    row("4. soak e2e ms p50/p99 (incl. 20/s limiter queue)") { v in
        v.soak.latencyMS.isEmpty
            ? "n/a" : "\(fmt(Summary(v.soak.latencyMS).p50)) / \(fmt(Summary(v.soak.latencyMS).p99))"
    }
    row("4. soak CPU ms/message") { v in
        v.soak.messages > 0 ? fmt(v.soak.cpuSeconds * 1000 / Double(v.soak.messages), 3) : "n/a"
    }
    row("4. soak VmRSS MB before → after") { "\(fmt(mb($0.soak.before.vmRSSkB))) → \(fmt(mb($0.soak.after.vmRSSkB)))" }
    row("4. soak RssAnon MB before → after") {
        "\(fmt(mb($0.soak.before.rssAnonkB))) → \(fmt(mb($0.soak.after.rssAnonkB)))"
    }
    row("4. soak PSS MB before → after") { "\(fmt(mb($0.soak.before.psskB))) → \(fmt(mb($0.soak.after.psskB)))" }
    row("4. soak VmRSS growth/1000 msgs after 1st 1000 (kB)") { fmt($0.soak.steadyGrowthPer1000kB, 0) }
    row("4. soak VmRSS per 1000 (MB)") { v in
        v.soak.samples.map { fmt(mb($0.footprint.vmRSSkB), 1) }.joined(separator: " ")
    }
    row("4. soak fds before → last sample → settled") {
        "\($0.soak.before.fds) → \($0.soak.after.fds) → \($0.soak.settled.fds)"
    }
    row("4. soak threads before → last sample → settled") {
        "\($0.soak.before.threads) → \($0.soak.after.threads) → \($0.soak.settled.threads)"
    }
    row("4. soak fds range during the run") { v in
        v.soak.samples.isEmpty
            ? "n/a" : "\(v.soak.samples.map(\.footprint.fds).min()!)–\(v.soak.samples.map(\.footprint.fds).max()!)"
    }
    row("4. soak files in PICOCLAW_HOME after") { "\($0.soak.filesInHome)" }
    row("6. binary MB (unstripped / stripped)") {
        "\(fmt(Double($0.binary.bytes) / 1_048_576)) / \(fmt(Double($0.binary.strippedBytes) / 1_048_576))"
    }
    row("6. shared libraries (ldd, transitive)") { "\($0.binary.sharedLibraries.count)" }
    return renderTable(rows)
}

// MARK: JSON

func prettyJSON(_ v: JSONValue, indent: String = "") -> String {
    let inner = indent + "  "
    switch v {
    case .array(let a):
        if a.isEmpty { return "[]" }
        if a.allSatisfy({
            if case .object = $0 { return false }; if case .array = $0 { return false }; return true
        }) {
            return "[" + a.map(\.jsonString).joined(separator: ", ") + "]"
        }
        return "[\n" + a.map { inner + prettyJSON($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
    case .object(let o):
        if o.isEmpty { return "{}" }
        return "{\n"
            + o.keys.sorted().map { k in
                inner + JSONValue.string(k).jsonString + ": " + prettyJSON(o[k]!, indent: inner)
            }.joined(separator: ",\n") + "\n" + indent + "}"
    default:
        return v.jsonString
    }
}

func num(_ d: Double, _ digits: Int = 3) -> JSONValue {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    return d.isFinite ? .number((d * scale).rounded() / scale) : .null
}

func json(_ s: Summary) -> JSONValue {
    [
        "count": .int(s.count), "min": num(s.min), "p50": num(s.p50), "p90": num(s.p90), "p99": num(s.p99),
        "max": num(s.max), "mean": num(s.mean),
    ]
}

func json(_ f: Footprint) -> JSONValue {
    [
        "processes": .int(f.processes), "vmrss_kb": .int(f.vmRSSkB), "rss_anon_kb": .int(f.rssAnonkB),
        "rss_file_kb": .int(f.rssFilekB), "pss_kb": .int(f.psskB), "pss_anon_kb": .int(f.pssAnonkB),
        "private_kb": .int(f.privatekB), "threads": .int(f.threads), "fds": .int(f.fds),
        "cpu_seconds": num(f.cpuSeconds), "context_switches": .int(f.contextSwitches),
    ]
}

func json(_ l: LatencyResult) -> JSONValue {
    [
        "e2e_ms": json(l.summary), "first_message_ms": num(l.firstMessageMS),
        "first_message_minor_faults": .int(l.firstMessageMinorFaults), "cpu_ms_per_message": num(l.cpuMSPerMessage, 4),
        "llm_requests_per_message": num(l.llmRequestsPerMessage), "wall_seconds": num(l.wallSeconds),
    ]
}

func json(_ v: VariantResult, baseline: (plain: LatencyResult, tool: LatencyResult)) -> JSONValue {
    func overhead(_ l: LatencyResult, _ b: LatencyResult) -> JSONValue {
        l.samplesMS.isEmpty
            ? .null
            : [
                "p50_ms": num(l.summary.p50 - b.summary.p50), "p99_minus_p99_ms": num(l.summary.p99 - b.summary.p99),
                "p99_minus_baseline_p50_ms": num(l.summary.p99 - b.summary.p50),
            ]
    }
    return [
        "binary": [
            "path": .string(v.binary.path), "bytes": .int(v.binary.bytes),
            "stripped_bytes": .int(v.binary.strippedBytes),
            "shared_libraries": .array(v.binary.sharedLibraries.map { .string($0) }),
            "icu": .bool(v.binary.hasICU), "foundation_networking": .bool(v.binary.hasFoundationNetworking),
            "full_foundation": .bool(v.binary.hasFullFoundation),
        ],
        "startup": [
            "health_ms": json(Summary(v.startup.healthMS)), "ready_ms": json(Summary(v.startup.readyMS)),
            "failures": .array(v.startup.failures.map { .string($0) }),
        ],
        "idle": [
            "seconds_after_exec": num(v.idle.seconds), "ready_ms": num(v.idle.readyMS),
            "at_ready": json(v.idle.atReady),
            "end": json(v.idle.end), "cpu_seconds": num(v.idle.cpuSeconds, 4), "window_seconds": num(v.idle.window),
            "cpu_percent": num(v.idle.window > 0 ? v.idle.cpuSeconds / v.idle.window * 100 : 0, 4),
            "thread_cpu_seconds": num(v.idle.threadCPUSeconds, 5),
            "context_switches": .int(v.idle.contextSwitches), "telegram_polls": .int(v.idle.telegramPolls),
            "discord_heartbeats": .int(v.idle.discordHeartbeats),
        ],
        "message_plain": json(v.plain), "message_tool": json(v.tool),
        "overhead_plain": overhead(v.plain, baseline.plain), "overhead_tool": overhead(v.tool, baseline.tool),
        "soak": [
            "messages": .int(v.soak.messages), "chats": .int(v.soak.chats), "seconds": num(v.soak.seconds),
            "before": json(v.soak.before), "after": json(v.soak.after), "settled": json(v.soak.settled),
            "vmrss_growth_kb": .int(v.soak.growthkB), "rss_anon_growth_kb": .int(v.soak.anonGrowthkB),
            "pss_growth_kb": .int(v.soak.pssGrowthkB),
            "steady_vmrss_growth_kb_per_1000": num(v.soak.steadyGrowthPer1000kB, 1),
            "samples": .array(
                v.soak.samples.map { s in
                    [
                        "messages": .int(s.messages), "vmrss_kb": .int(s.footprint.vmRSSkB),
                        "rss_anon_kb": .int(s.footprint.rssAnonkB),
                        "pss_kb": .int(s.footprint.psskB), "fds": .int(s.footprint.fds),
                        "threads": .int(s.footprint.threads),
                    ]
                }),
            "e2e_ms": json(Summary(v.soak.latencyMS)), "cpu_seconds": num(v.soak.cpuSeconds),
            "files_in_home": .int(v.soak.filesInHome),
        ],
        "errors": .array(v.errors.map { .string($0) }),
    ]
}
