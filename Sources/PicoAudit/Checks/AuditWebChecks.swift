import PicoConfig

/// What the web tools may reach. Internal, loopback and metadata addresses are always refused by the tools
/// themselves; the host lists are the operator's layer on top (internal services on public addresses, data leaving
/// through URLs a prompt injection chose).
enum AuditWebChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] { hostLists(ctx) }

    /// Reported when it matters: anyone may talk to the bot, or an agent's tools reach the whole file system (what
    /// they read could leave through a URL). Otherwise the built-in address checks are enough to stay quiet.
    static func hostLists(_ ctx: AuditContext) -> [AuditFinding] {
        guard let config = ctx.config else { return [] }
        let web = config.tools.web
        guard web.fetchEnabled, web.allowHosts.isEmpty, web.denyHosts.isEmpty else { return [] }
        let channels = config.channels
        let anyone =
            (channels.telegram.enabled && channels.telegram.allowFrom.contains("*"))
            || (channels.discord.enabled && channels.discord.allowFrom.contains("*"))
        let unrestricted = config.resolvedAgents().filter { !$0.restrictToWorkspace }.map(\.id)
        guard anyone || !unrestricted.isEmpty else { return [] }
        let why =
            anyone
            ? "anyone may talk to the bot"
            : "agent \(unrestricted.joined(separator: ", ")) can read the whole file system"
        return [
            AuditFinding(
                id: "tools.web.no_host_lists", severity: .warn,
                title: "web_fetch is enabled without tools.web.deny_hosts or allow_hosts, and \(why)",
                detail:
                    "Private, loopback, link-local and cloud-metadata addresses are always refused, but any public host can be fetched, "
                    + "including internal services published on public addresses, and a prompt injection can put data into a URL it chooses.",
                fix:
                    "restrict fetching with tools.web.allow_hosts, list internal hosts in tools.web.deny_hosts (PICOCLAW_TOOLS_WEB_DENY_HOSTS), "
                    + "or turn web_fetch off with tools.web.fetch.enabled: false")
        ]
    }
}
