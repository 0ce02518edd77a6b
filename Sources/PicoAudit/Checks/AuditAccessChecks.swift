import PicoConfig
import PicoGateway

/// Who runs picoclaw, where it listens, and who may talk to it.
enum AuditAccessChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] {
        process(ctx) + gateway(ctx) + channels(ctx)
    }

    static func process(_ ctx: AuditContext) -> [AuditFinding] {
        let fix =
            "run picoclaw as a dedicated user: useradd -r -s /usr/sbin/nologin -d /var/lib/picoclaw picoclaw, then User=picoclaw in the systemd unit (Docs/deploy/picoclaw.service) or USER in the container"
        if let live = ctx.liveGateway {
            guard live.uid == 0 else { return [] }
            return [
                AuditFinding(
                    id: "process.running_as_root", severity: .warn,
                    title: "the running gateway (PID \(live.pid)) runs as root",
                    detail:
                        "A mistake in a tool, a channel or a dependency then has the whole machine at its disposal.",
                    fix: fix)
            ]
        }
        guard ctx.auditUID == 0 else { return [] }
        return [
            AuditFinding(
                id: "process.running_as_root", severity: .warn,
                title: "picoclaw is running as root (this audit runs as uid 0 and no running gateway was found)",
                detail:
                    "Run the gateway, and this audit, as the dedicated user it runs as (sudo -u picoclaw picoclaw security audit) so that ownership checks compare against the right account.",
                fix: fix)
        ]
    }

    static func gateway(_ ctx: AuditContext) -> [AuditFinding] {
        guard let g = ctx.config?.gateway else { return [] }
        if !GatewayConfig.isLoopback(g.host) {
            if g.allowPublicBind && !ctx.publicBindRefused {
                return [
                    AuditFinding(
                        id: "gateway.bind.public", severity: .critical,
                        title:
                            "the gateway binds \(g.host):\(g.port), reachable from other machines (gateway.allow_public_bind is true)",
                        detail:
                            "The health and readiness endpoints are served without authentication to every network the host is on.",
                        fix:
                            "set gateway.host to 127.0.0.1 and gateway.allow_public_bind to false; put a TLS reverse proxy (nginx/Caddy) on the same host in front if remote access is needed, and restrict it with a firewall"
                    )
                ]
            }
            return [
                AuditFinding(
                    id: "gateway.bind.public_refused", severity: .warn,
                    title: "gateway.host is \(g.host), a non-loopback address: the gateway will refuse to start",
                    detail: "Without gateway.allow_public_bind the gateway only binds loopback addresses.",
                    fix: "set gateway.host to 127.0.0.1 (use a reverse proxy for remote access)")
            ]
        }
        if g.allowPublicBind {
            return [
                AuditFinding(
                    id: "gateway.allow_public_bind", severity: .info,
                    title: "gateway.allow_public_bind is true although the gateway binds loopback (\(g.host))",
                    detail: "Changing gateway.host or PICOCLAW_GATEWAY_HOST alone would now expose the gateway.",
                    fix: "set gateway.allow_public_bind to false")
            ]
        }
        return []
    }

    static func channels(_ ctx: AuditContext) -> [AuditFinding] {
        guard let policy = ctx.policy else { return [] }
        var out: [AuditFinding] = []
        for channel in policy.channels where channel.enabled {
            out += allowlist(channel, ctx: ctx)
            out += AuditOwnerChecks.run(channel, limits: policy.limits, ctx: ctx)
        }
        return out
    }

    static func allowlist(_ channel: EffectivePolicy.Channel, ctx: AuditContext) -> [AuditFinding] {
        let name = channel.name
        let key = "channels.\(name).allow_from"
        let env = ConfigSchema.envName(for: key)
        let example =
            "set \(env)=<your numeric \(name == "telegram" ? "Telegram" : "Discord") user id> (or \(key): [\"123456789\"] in the config)"
        var out: [AuditFinding] = []
        if channel.everyone {
            out.append(
                AuditFinding(
                    id: "channels.\(name).allow_from_wildcard",
                    severity: ctx.execEnabled ? .critical : .warn,
                    title:
                        "\(key) contains \"*\": everyone on \(name) can talk to the agent\(ctx.execEnabled ? ", which can run commands (tools.exec.enabled)" : "")",
                    detail:
                        "Anyone who finds the bot can use your API credits, read the workspace\(ctx.execEnabled ? " and run shell commands as picoclaw" : "").",
                    fix: "replace \"*\" with the numeric user ids allowed: \(example)"))
        } else if channel.ids.isEmpty && channel.usernames.isEmpty && channel.dmPolicy == .allowlist {
            out.append(
                AuditFinding(
                    id: "channels.\(name).allow_from_empty", severity: .warn,
                    title: "\(key) is empty: the \(name) channel is enabled but nobody can talk to it",
                    detail: "picoclaw denies everyone when the list is empty (PicoClaw allowed everyone).",
                    fix: example))
        }
        if !channel.usernames.isEmpty {
            out.append(
                AuditFinding(
                    id: "channels.\(name).allow_from_username", severity: .warn,
                    title:
                        "\(key) names users by username: \(channel.usernames.map { "@\($0)" }.joined(separator: ", "))",
                    detail: "Usernames can be changed and then claimed by someone else; numeric ids cannot.",
                    fix:
                        "replace each username with the user's numeric id (Telegram: ask @userinfobot; Discord: Developer Mode → Copy User ID)"
                ))
        }
        if !channel.ignored.isEmpty {
            out.append(
                AuditFinding(
                    id: "channels.\(name).allow_from_ignored", severity: .warn,
                    title: "\(key) has entries that match nobody: \(channel.ignored.joined(separator: "; "))",
                    detail: "Those entries are ignored when senders are checked.",
                    fix: "remove them or write them as numeric user ids"))
        }
        return out
    }
}
