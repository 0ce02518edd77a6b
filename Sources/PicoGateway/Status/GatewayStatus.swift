import FoundationEssentials
import Glibc
import PicoConfig
import PicoHTTP
import PicoPolicy
import PicoState

/// `picoclaw status`: the effective policy, the running gateway (bind, PID, uptime, memory), today's usage, and
/// what is degraded.
public struct GatewayStatus: Sendable {
    public let version: String
    public let bind: String
    public let pid: Int32?
    public let ready: Bool
    public let uptimeSeconds: Int?
    public let residentBytes: Int?
    public let policy: EffectivePolicy
    public let usage: [UsageTotals]
    /// Why the deployment is degraded (empty: healthy).
    public let problems: [String]

    /// Gathers the status of the gateway configured by `config`.
    public static func gather(_ config: PicoConfiguration, version: String) async -> GatewayStatus {
        var problems: [String] = []
        let sandbox = await SandboxedExecutor.selfTest(config: config.tools.exec)
        let (policy, usage, storeProblem) = await EffectivePolicy.gather(config, sandbox: sandbox)
        if let storeProblem { problems.append(storeProblem) }
        let pidPath = config.gateway.pidFile
        let pid = pidPath.flatMap(runningPID)
        var ready = false
        var uptime: Int?
        if pid != nil {
            let base =
                "http://\(config.gateway.host.contains(":") ? "[\(config.gateway.host)]" : config.gateway.host):\(config.gateway.port)"
            if let r = try? await HTTPClient.shared.send(HTTPRequest(url: base + "/ready", timeout: .seconds(3))) {
                ready = r.status == 200
                uptime = (try? JSONDecoder().decode(ReadyBody.self, from: Data(r.body)))?.uptime_seconds
                if !ready { problems.append("the gateway is not ready (/ready: \(r.text))") }
            } else {
                problems.append("the gateway (PID \(pid!)) does not answer on \(base)/ready")
            }
        } else {
            problems.append("no gateway is running (no live PID in \(pidPath ?? "the PID file (disabled)"))")
        }
        if config.tools.exec.enabled && !sandbox.enforced {
            problems.append(
                "the exec sandbox is not enforcing (\(sandbox.layer)): commands are limited by the command policy only")
        }
        for c in policy.channels where c.enabled && c.admitsNobody {
            problems.append("\(c.name) is enabled but admits nobody (allow_from is empty and dm_policy is allowlist)")
        }
        return GatewayStatus(
            version: version, bind: "\(config.gateway.host):\(config.gateway.port)", pid: pid, ready: ready,
            uptimeSeconds: uptime, residentBytes: pid.flatMap(residentBytes), policy: policy,
            usage: usage, problems: problems)
    }

    /// `true` when something is degraded.
    public var degraded: Bool { !problems.isEmpty }

    /// A live process named in the PID file.
    static func runningPID(_ path: String) -> Int32? {
        guard let text = readProcText(path), let pid = Int32(text.filter { !$0.isWhitespace }), pid > 0,
            kill(pid, 0) == 0 || errno == EPERM
        else { return nil }
        return pid
    }

    /// VmRSS of `pid` in bytes.
    static func residentBytes(_ pid: Int32) -> Int? {
        guard let status = readProcText("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kb.map { $0 * 1024 }
        }
        return nil
    }
}

/// Reads a small text file (a PID file, `/proc/<pid>/status`).
func readProcText(_ path: String) -> String? { readWhole(path).map { String(decoding: $0, as: UTF8.self) } }

/// The part of `/ready` status reads.
private struct ReadyBody: Decodable {
    var uptime_seconds: Int
}
