import Synchronization

/// The state of one readiness check, as `/ready` reports it.
public struct ReadinessCheck: Sendable, Equatable {
    public var ok: Bool
    /// A short, fixed word or phrase (never a path, version, error text or secret).
    public var detail: String

    public init(ok: Bool, detail: String) {
        self.ok = ok
        self.detail = detail
    }
}

/// What `/health` and `/ready` answer. Written by the gateway, read by the health server's thread.
public final class ReadinessBoard: Sendable {
    private let checks = Mutex<[String: ReadinessCheck]>([:])
    private let startedAt: Int

    public init() { startedAt = monotonicSeconds() }

    /// Sets (or replaces) the check `name`.
    public func set(_ name: String, ok: Bool, detail: String) {
        checks.withLock { $0[name] = ReadinessCheck(ok: ok, detail: detail) }
    }

    /// Every check, by name.
    public var snapshot: [String: ReadinessCheck] { checks.withLock { $0 } }

    /// Ready when there is at least one check and all pass.
    public var isReady: Bool { checks.withLock { !$0.isEmpty && $0.values.allSatisfy(\.ok) } }

    public var uptimeSeconds: Int { monotonicSeconds() - startedAt }

    /// `GET /health`: 200 while the process is up.
    func healthBody() -> String { #"{"status":"ok","uptime_seconds":\#(uptimeSeconds)}"# }

    /// `GET /ready`: status and body listing every check.
    func readyResponse() -> (status: Int, body: String) {
        let current = snapshot
        let ready = !current.isEmpty && current.values.allSatisfy(\.ok)
        let checks = current.keys.sorted().map { name -> String in
            let c = current[name]!
            return #""\#(jsonEscape(name))":{"ok":\#(c.ok),"detail":"\#(jsonEscape(c.detail))"}"#
        }.joined(separator: ",")
        let body = #"{"status":"\#(ready ? "ready" : "not ready")","uptime_seconds":\#(uptimeSeconds),"checks":{\#(checks)}}"#
        return (ready ? 200 : 503, body)
    }
}

/// Escapes a string for inclusion in a JSON string literal.
func jsonEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
