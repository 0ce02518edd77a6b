import PicoConfig
import PicoSystem
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

    public init() { startedAt = MonotonicClock.seconds() }

    private let metricsSource = Mutex<GatewayMetrics?>(nil)

    /// Serves `metrics` on `GET /metrics` (404 until set).
    public func serveMetrics(_ metrics: GatewayMetrics) { metricsSource.withLock { $0 = metrics } }

    /// `GET /metrics`: the Prometheus text, or `nil` when no metrics are attached.
    func metricsBody() -> String? { metricsSource.withLock { $0 }?.render() }

    /// Sets (or replaces) the check `name`.
    public func set(_ name: String, ok: Bool, detail: String) {
        checks.withLock { $0[name] = ReadinessCheck(ok: ok, detail: detail) }
    }

    /// Every check, by name.
    public var snapshot: [String: ReadinessCheck] { checks.withLock { $0 } }

    /// Ready when there is at least one check and all pass.
    public var isReady: Bool { checks.withLock { !$0.isEmpty && $0.values.allSatisfy(\.ok) } }

    public var uptimeSeconds: Int { MonotonicClock.seconds() - startedAt }

    /// `GET /health`: 200 while the process is up.
    func healthBody() -> String {
        JSONValue.object(["status": .string("ok"), "uptime_seconds": .int(uptimeSeconds)]).compact
    }

    /// `GET /ready`: status and body listing every check.
    func readyResponse() -> (status: Int, body: String) {
        let current = snapshot
        let ready = !current.isEmpty && current.values.allSatisfy(\.ok)
        let checks = current.mapValues { JSONValue.object(["ok": .bool($0.ok), "detail": .string($0.detail)]) }
        let body = JSONValue.object([
            "status": .string(ready ? "ready" : "not ready"), "uptime_seconds": .int(uptimeSeconds),
            "checks": .object(checks),
        ]).compact
        return (ready ? 200 : 503, body)
    }
}
