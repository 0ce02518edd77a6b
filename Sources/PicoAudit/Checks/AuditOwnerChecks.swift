import PicoConfig
import PicoGateway

/// Pairing, owners and limits of one enabled channel (from the shared ``EffectivePolicy``).
enum AuditOwnerChecks {
    static func run(_ c: EffectivePolicy.Channel, limits: LimitsConfig, ctx: AuditContext) -> [AuditFinding] {
        let name = c.name
        let p = "channels.\(name)"
        var out: [AuditFinding] = []
        if c.dmPolicy == .pairing && c.everyone {
            out.append(
                AuditFinding(
                    id: "channels.\(name).dm_policy_wildcard", severity: .warn,
                    title:
                        "\(p).dm_policy is pairing but \(p).allow_from contains \"*\": everyone is admitted without pairing",
                    detail: "Pairing only matters for senders outside allow_from; with \"*\" nobody is outside it.",
                    fix: "remove \"*\" from \(p).allow_from and keep only the owners' numeric ids; strangers then pair")
            )
        }
        let approvals = ctx.config.map { $0.tools.exec.enabled && $0.tools.exec.approval != "off" } ?? false
        let needsOwner = c.dmPolicy == .pairing || limits.isEnabled || approvals
        if needsOwner && c.owners.isEmpty {
            let uses = [
                c.dmPolicy == .pairing ? "pairing requests" : nil, limits.isEnabled ? "limit notices" : nil,
                approvals ? "command approvals (held commands are denied)" : nil,
            ].compactMap { $0 }
            out.append(
                AuditFinding(
                    id: "channels.\(name).owner_missing", severity: .warn,
                    title: "\(c.name) has no owner, but \(uses.joined(separator: " and ")) need one",
                    detail:
                        "The owner is \(p).owners, else the first numeric id in \(p).allow_from. Without one nobody can approve pairings from chat or receive notices.",
                    fix:
                        "set \(p).owners: [\"<your numeric user id>\"] (or \(ConfigSchema.envName(for: p + ".owners"))=<id>)"
                ))
        }
        if !c.paired.isEmpty {
            out.append(
                AuditFinding(
                    id: "channels.\(name).paired", severity: .info,
                    title: "\(c.name) admits \(c.paired.count) paired sender(s): \(c.paired.joined(separator: ", "))",
                    detail:
                        "They were approved with pairing codes and are admitted in direct messages in addition to allow_from.",
                    fix:
                        "review with `picoclaw pairing list`; remove any you no longer want with `picoclaw pairing revoke <id>`"
                ))
        }
        if (c.everyone || c.dmPolicy == .pairing) && !limits.isEnabled {
            out.append(
                AuditFinding(
                    id: "channels.\(name).limits_unset", severity: .info,
                    title: "\(c.name) admits people other than the owners, and no per-sender limits are set",
                    detail: "Any admitted sender can run up the model bill.",
                    fix: "set limits.messages_per_minute, limits.tokens_per_day and/or limits.cost_per_day_usd"))
        }
        if let problem = ctx.storeProblem, c.dmPolicy == .pairing {
            out.append(
                AuditFinding(
                    id: "channels.\(name).pairings_unreadable", severity: .info,
                    title: "paired senders of \(c.name) could not be listed: \(problem)",
                    detail: "Run the audit as the user the gateway runs as to see them.",
                    fix: "sudo -u picoclaw picoclaw security audit"))
        }
        return out
    }
}
