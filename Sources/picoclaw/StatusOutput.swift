import PicoConfig
import PicoGateway

/// Renders ``GatewayStatus`` as text or JSON.
enum StatusOutput {
    static func json(_ s: GatewayStatus) -> String {
        func list(_ v: [String]) -> JSONValue { .strings(v) }
        let channels = s.policy.channels.map { c -> JSONValue in
            .object([
                "name": .string(c.name), "enabled": .bool(c.enabled), "dm_policy": .string(c.dmPolicy.rawValue),
                "ids": list(c.ids), "usernames": list(c.usernames), "everyone": .bool(c.everyone),
                "owners": list(c.owners), "paired": list(c.paired),
            ])
        }
        let agents = s.policy.agents.map { a -> JSONValue in
            .object([
                "id": .string(a.id), "workspace": .string(a.workspace),
                "restrict_to_workspace": .bool(a.restrictToWorkspace),
                "exec": .bool(a.execEnabled), "sandbox": .string(a.sandbox),
                "sandbox_enforced": .bool(a.sandboxEnforced),
                "network": .string(a.network), "sandbox_layers": .strings(a.sandboxLayers),
                "approval": .string(a.approval),
            ])
        }
        let usage = s.usage.map { u -> JSONValue in
            .object([
                "channel": .string(u.channel), "sender": .string(u.sender), "messages": .int(u.messages),
                "model_calls": .int(u.modelCalls), "tokens": .int(u.tokens), "cost_usd": .number(String(u.costUSD)),
            ])
        }
        let l = s.policy.limits
        let report: JSONValue = .object([
            "version": .string(s.version),
            "degraded": .bool(s.degraded),
            "problems": list(s.problems),
            "gateway": .object([
                "bind": .string(s.bind), "running": .bool(s.pid != nil), "pid": s.pid.map { .int(Int($0)) } ?? .null,
                "ready": .bool(s.ready), "uptime_seconds": s.uptimeSeconds.map { .int($0) } ?? .null,
                "resident_bytes": s.residentBytes.map { .int($0) } ?? .null,
            ]),
            "channels": .array(channels),
            "agents": .array(agents),
            "limits": .object([
                "messages_per_minute": .int(l.messagesPerMinute), "tokens_per_day": .int(l.tokensPerDay),
                "cost_per_day_usd": .number(String(l.costPerDayUSD)),
            ]),
            "usage_today": .array(usage),
        ])
        return report.serialized() + "\n"
    }

    static func text(_ s: GatewayStatus) -> String {
        var out: [String] = ["picoclaw \(s.version)"]
        if let pid = s.pid {
            out.append(
                "gateway: running, PID \(pid), \(s.bind), \(s.ready ? "ready" : "NOT ready")"
                    + (s.uptimeSeconds.map { ", up \($0) s" } ?? "")
                    + (s.residentBytes.map { ", \($0 / 1024) KiB resident" } ?? ""))
        } else {
            out.append("gateway: not running (configured bind \(s.bind))")
        }
        for c in s.policy.channels where c.enabled {
            var who: [String] = []
            if c.everyone { who.append("everyone (\"*\")") }
            if !c.ids.isEmpty { who.append("ids " + c.ids.joined(separator: ", ")) }
            if !c.usernames.isEmpty { who.append("usernames " + c.usernames.map { "@\($0)" }.joined(separator: ", ")) }
            if !c.paired.isEmpty { who.append("paired " + c.paired.joined(separator: ", ")) }
            out.append(
                "\(c.name): dm_policy \(c.dmPolicy.rawValue); admits \(who.isEmpty ? "nobody" : who.joined(separator: "; "))"
                    + "; owners \(c.owners.isEmpty ? "none" : c.owners.joined(separator: ", "))")
        }
        for a in s.policy.agents {
            out.append(
                "agent \(a.id): workspace \(a.workspace) (\(a.restrictToWorkspace ? "restricted" : "NOT restricted")); exec \(a.execEnabled ? "on" : "off")"
                    + (a.execEnabled
                        ? ", sandbox \(a.sandbox)\(a.sandboxEnforced ? "" : " NOT enforcing"), network \(a.network), approval \(a.approval)"
                        : ""))
            if a.execEnabled { out += a.sandboxLayers.map { "  sandbox layer \($0)" } }
        }
        let l = s.policy.limits
        out.append(
            "limits: "
                + (l.isEnabled
                    ? "\(l.messagesPerMinute > 0 ? "\(l.messagesPerMinute)/min" : "no rate limit"), \(l.tokensPerDay > 0 ? "\(l.tokensPerDay) tokens/day" : "no token cap"), \(l.costPerDayUSD > 0 ? "$\(l.costPerDayUSD)/day" : "no cost cap") per sender"
                    : "none"))
        if s.usage.isEmpty { out.append("usage today: none") }
        for u in s.usage {
            out.append(
                "usage today: \(u.channel):\(u.sender) \(u.messages) message(s), \(u.tokens) tokens, $\(u.costUSD)")
        }
        out += s.problems.map { "DEGRADED: \($0)" }
        return out.joined(separator: "\n") + "\n"
    }
}
