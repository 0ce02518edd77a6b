import Glibc
import PicoSystem
import Synchronization

/// The gateway's counters, served as Prometheus text on `/metrics` (same loopback listener as `/health`).
///
/// Written from the pipeline, the channels' allowlists, the tool audit sink and the owner controls; rendered
/// on the health server's thread. Label values are channel names, tool names, verdicts and fixed words only —
/// never message text, user ids or errors.
public final class GatewayMetrics: Sendable {
    /// Upper bounds (seconds) of the turn latency histogram.
    static let latencyBuckets: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    private struct State {
        var counters: [String: [String: Double]] = [:]  // metric → label text → value
        var gauges: [String: [String: Double]] = [:]
        var latencyCounts = [Int](repeating: 0, count: GatewayMetrics.latencyBuckets.count)
        var latencySum = 0.0
        var latencyCount = 0
    }
    private let state = Mutex(State())
    /// Values read when rendered (``sample(_:_:)``).
    private let samplers = Mutex([String: @Sendable () -> Double]())
    private let startedAt: Int
    private let board: ReadinessBoard?

    /// `board`: channel readiness becomes `picoclaw_channel_connected`.
    public init(board: ReadinessBoard? = nil) {
        startedAt = MonotonicClock.seconds()
        self.board = board
    }

    /// Adds `by` to counter `name` with `labels`.
    public func add(_ name: String, _ labels: [(String, String)] = [], by value: Double = 1) {
        let key = Self.labelText(labels)
        state.withLock { $0.counters[name, default: [:]][key, default: 0] += value }
    }

    /// Sets gauge `name`.
    public func set(_ name: String, _ labels: [(String, String)] = [], to value: Double) {
        let key = Self.labelText(labels)
        state.withLock { $0.gauges[name, default: [:]][key] = value }
    }

    /// Renders metric `name` (no labels) from `read`, called at each scrape.
    public func sample(_ name: String, _ read: @escaping @Sendable () -> Double) {
        samplers.withLock { $0[name] = read }
    }

    /// Records one turn's latency.
    public func observeTurn(seconds: Double) {
        state.withLock { s in
            for (i, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { s.latencyCounts[i] += 1 }
            s.latencySum += seconds
            s.latencyCount += 1
        }
    }

    /// The current value of a counter (tests, status).
    public func value(_ name: String, _ labels: [(String, String)] = []) -> Double {
        state.withLock { $0.counters[name]?[Self.labelText(labels)] ?? $0.gauges[name]?[Self.labelText(labels)] ?? 0 }
    }

    /// Help text and type of every metric the gateway writes.
    static let catalogue: [(name: String, type: String, help: String)] = [
        ("picoclaw_messages_received_total", "counter", "Messages accepted into the inbox, by channel."),
        ("picoclaw_messages_sent_total", "counter", "Replies the platform accepted, by channel."),
        ("picoclaw_messages_refused_total", "counter", "Messages refused by the allowlist, by channel."),
        ("picoclaw_messages_limited_total", "counter", "Messages refused by a per-sender limit, by channel and limit."),
        ("picoclaw_delivery_failures_total", "counter", "Replies the platform did not accept, by channel."),
        ("picoclaw_turns_total", "counter", "Agent turns, by outcome."),
        ("picoclaw_model_calls_total", "counter", "Model calls."),
        ("picoclaw_model_errors_total", "counter", "Turns that ended with a provider error, by kind."),
        ("picoclaw_model_tokens_total", "counter", "Model tokens, by direction."),
        ("picoclaw_tool_calls_total", "counter", "Tool calls, by tool and verdict."),
        (
            "picoclaw_policy_denials_total", "counter",
            "Tool calls denied by the workspace jail, command policy or sandbox, by rule kind."
        ),
        ("picoclaw_approvals_total", "counter", "Decisions on commands held for approval, by decision."),
        ("picoclaw_pairing_requests_total", "counter", "Pairing codes issued, by channel."),
        ("picoclaw_pairings_approved_total", "counter", "Pairings approved from chat, by channel."),
        ("picoclaw_queue_depth", "gauge", "Turns queued or running."),
        (
            "picoclaw_state_operations_total", "counter",
            "Reads and transactions run on the state store's thread (a plain message makes 3)."
        ),
        (
            "picoclaw_state_statements_total", "counter",
            "SQL statements run by the state store, BEGIN and COMMIT included (a plain message runs 22)."
        ),
        (
            "picoclaw_network_loop_slow_jobs_total", "counter",
            "Jobs on the network thread that ran 20 ms or more (HTTP transfers waited as long)."
        ),
        (
            "picoclaw_log_lines_dropped_total", "counter",
            "Log lines dropped because stderr or the log file did not accept output (a stalled reader or disk)."
        ),
        ("picoclaw_channel_connected", "gauge", "1 when the channel is connected."),
        ("picoclaw_resident_memory_bytes", "gauge", "Resident set size of the gateway."),
        ("picoclaw_uptime_seconds", "gauge", "Seconds since the gateway started."),
    ]

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        let sampled = samplers.withLock { $0 }
        var out = ""
        for metric in Self.catalogue {
            out += "# HELP \(metric.name) \(metric.help)\n# TYPE \(metric.name) \(metric.type)\n"
            switch metric.name {
            case "picoclaw_channel_connected":
                for (name, check) in (board?.snapshot ?? [:]).sorted(by: { $0.key < $1.key }) where name != "agents" {
                    out += "\(metric.name){channel=\"\(Self.escape(name))\"} \(check.ok ? 1 : 0)\n"
                }
            case "picoclaw_resident_memory_bytes":
                out += "\(metric.name) \(Self.residentBytes())\n"
            case "picoclaw_uptime_seconds":
                out += "\(metric.name) \(MonotonicClock.seconds() - startedAt)\n"
            default:
                if let read = sampled[metric.name] {
                    out += "\(metric.name) \(Self.number(read()))\n"
                    continue
                }
                let series = (metric.type == "counter" ? snapshot.counters : snapshot.gauges)[metric.name] ?? [:]
                if series.isEmpty && metric.type == "gauge" { out += "\(metric.name) 0\n" }
                for (labels, value) in series.sorted(by: { $0.key < $1.key }) {
                    out += "\(metric.name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(value))\n"
                }
            }
        }
        let name = "picoclaw_turn_duration_seconds"
        out += "# HELP \(name) Time from the start of a turn to the reply's delivery.\n# TYPE \(name) histogram\n"
        for (i, bound) in Self.latencyBuckets.enumerated() {
            out += "\(name)_bucket{le=\"\(Self.number(bound))\"} \(snapshot.latencyCounts[i])\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(snapshot.latencyCount)\n"
        out += "\(name)_sum \(Self.number(snapshot.latencySum))\n\(name)_count \(snapshot.latencyCount)\n"
        return out
    }

    /// `key="value",…` (built on every counter update: one string, no intermediate array).
    static func labelText(_ labels: [(String, String)]) -> String {
        var out = ""
        for (i, (key, value)) in labels.enumerated() {
            if i > 0 { out += "," }
            out += key
            out += "=\""
            out += escape(value)
            out += "\""
        }
        return out
    }

    static func escape(_ s: String) -> String {
        // Label values are almost always plain words: nothing to escape, nothing to copy.
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            return s
        }
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// VmRSS from /proc/self/statm (pages × page size).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        let fields = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
