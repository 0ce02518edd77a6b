import PicoConfig

/// `$PICOCLAW_HOME`, the agents' workspaces, session stores, the log file and the PID file.
enum AuditStateChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] {
        var out = home(ctx)
        out += workspaces(ctx)
        out += sessions(ctx)
        out += stateDirectory(ctx)
        out += overlaps(ctx)
        out += logFile(ctx)
        out += pidFile(ctx)
        return out
    }

    static func home(_ ctx: AuditContext) -> [AuditFinding] {
        let path = ctx.picoclawHome
        guard let info = AuditFileInfo.inspect(path), info.effectiveKind == .directory else {
            return [
                AuditFinding(
                    id: "home.missing", severity: .info,
                    title: "$PICOCLAW_HOME (\(path)) does not exist yet",
                    detail: "It holds the config, state, PID file and default workspace.",
                    fix: "picoclaw onboard (creates it with mode 0700)")
            ]
        }
        var out: [AuditFinding] = []
        let fix = AuditFix(path: path, keep: 0o700, currentMode: info.mode)
        if info.mode & 0o022 != 0 {
            out.append(
                AuditFinding(
                    id: "home.writable_by_others", severity: .critical,
                    title: "$PICOCLAW_HOME \(path) is writable by others (mode \(octal(info.mode)))",
                    detail: "Others can replace the config, the PID file and the default workspace.",
                    fix: fix.command, autoFix: fix))
        } else if info.mode & 0o077 != 0 {
            out.append(
                AuditFinding(
                    id: "home.accessible_by_others", severity: .warn,
                    title: "$PICOCLAW_HOME \(path) is readable by others (mode \(octal(info.mode)))",
                    detail: "It holds sessions, channel state and the workspace; only picoclaw's user needs access.",
                    fix: fix.command, autoFix: fix))
        }
        if info.owner != ctx.expectedOwner && info.owner != 0 {
            out.append(
                AuditFinding(
                    id: "home.owner", severity: .warn,
                    title:
                        "$PICOCLAW_HOME \(path) is owned by uid \(info.owner), not by the gateway's user (uid \(ctx.expectedOwner))",
                    detail: "The owner of the directory controls everything below it.",
                    fix: "chown -R \(ctx.expectedOwner) \(shellQuoted(path))"))
        }
        if let reason = AuditSyncedFolder.reason(for: path) {
            out.append(
                AuditFinding(
                    id: "home.synced_folder", severity: .warn,
                    title: "$PICOCLAW_HOME \(path) is inside a synced folder: \(reason)",
                    detail: "Config, sessions and state are copied to other devices or a cloud service.",
                    fix:
                        "move it out of the synced folder and set PICOCLAW_HOME to the new place (e.g. ~/.picoclaw or /var/lib/picoclaw)"
                ))
        }
        return out
    }

    static func workspaces(_ ctx: AuditContext) -> [AuditFinding] {
        guard let config = ctx.config else { return [] }
        var out: [AuditFinding] = []
        var seen = Set<String>()
        for agent in config.resolvedAgents() where seen.insert(agent.workspace).inserted {
            let path = agent.workspace
            let label = "the workspace of agent \(agent.id), \(path),"
            if let reason = AuditSyncedFolder.reason(for: path) {
                out.append(
                    AuditFinding(
                        id: "workspace.synced_folder", severity: .warn,
                        title: "\(label) is inside a synced folder: \(reason)",
                        detail:
                            "Files the agent writes (and anything a synced device puts there, which the agent may read and act on) leave or enter the machine.",
                        fix:
                            "set agents.defaults.workspace (or agents.list[].workspace) to a directory outside synced folders, e.g. \(ctx.picoclawHome)/workspace"
                    ))
            }
            if isTooBroad(path, home: ctx.homeDirectory) {
                out.append(
                    AuditFinding(
                        id: "workspace.too_broad", severity: .warn,
                        title: "\(label) is a system or home directory",
                        detail:
                            "The workspace jail then contains everything below it, so restrict_to_workspace protects little.",
                        fix: "use a dedicated directory, e.g. \(ctx.picoclawHome)/workspace"))
            }
            guard let info = AuditFileInfo.inspect(path), info.effectiveKind == .directory else {
                out.append(
                    AuditFinding(
                        id: "workspace.missing", severity: .info,
                        title: "\(label) does not exist yet",
                        detail: "The gateway creates it when it starts.",
                        fix: "nothing to do, or run picoclaw onboard"))
                continue
            }
            let fix = AuditFix(path: path, keep: 0o700, currentMode: info.mode)
            if info.mode & 0o022 != 0 {
                out.append(
                    AuditFinding(
                        id: "workspace.writable_by_others", severity: ctx.execEnabled ? .critical : .warn,
                        title: "\(label) is writable by others (mode \(octal(info.mode)))",
                        detail:
                            "Other users can plant instructions (AGENTS.md, files the agent reads) and scripts the agent may run\(ctx.execEnabled ? " with the exec tool" : "").",
                        fix: fix.command, autoFix: fix))
            } else if info.mode & 0o077 != 0 {
                out.append(
                    AuditFinding(
                        id: "workspace.readable_by_others", severity: .warn,
                        title: "\(label) is readable by others (mode \(octal(info.mode)))",
                        detail: "The workspace holds what the agent reads and writes for you.",
                        fix: fix.command, autoFix: fix))
            }
        }
        return out
    }

    static func isTooBroad(_ path: String, home: String?) -> Bool {
        let broad: Set<String> = [
            "/", "/home", "/root", "/etc", "/usr", "/var", "/tmp", "/opt", "/srv", "/var/lib", "/var/tmp",
        ]
        let real = AuditPath.resolved(path) ?? path
        if broad.contains(path) || broad.contains(real) { return true }
        if let home, !home.isEmpty, home != "/", path == home || real == home { return true }
        return false
    }

    static func sessions(_ ctx: AuditContext) -> [AuditFinding] {
        var dirs = ["\(ctx.picoclawHome)/sessions"]
        if let config = ctx.config {
            for agent in config.resolvedAgents() { dirs.append("\(agent.workspace)/sessions") }
        }
        var out: [AuditFinding] = []
        var seen = Set<String>()
        for dir in dirs where seen.insert(dir).inserted {
            guard let info = AuditFileInfo.inspect(dir), info.kind == .directory else { continue }
            let exposed = AuditTree.exposedEntries(dir)
            guard !exposed.isEmpty else { continue }
            let fix = AuditFix(path: dir, keep: 0o700, currentMode: info.mode, recursive: true)
            let sample = exposed.prefix(3).map { "\($0.path) (\(octal($0.mode)))" }.joined(separator: ", ")
            out.append(
                AuditFinding(
                    id: "sessions.readable_by_others", severity: .warn,
                    title:
                        "session store \(dir): \(exposed.count) entr\(exposed.count == 1 ? "y is" : "ies are") accessible by others, e.g. \(sample)",
                    detail: "Sessions hold your conversations with the agent.",
                    fix: fix.command, autoFix: fix))
        }
        return out
    }

    /// The state directory (inbox, outbox, sessions): owner-only.
    static func stateDirectory(_ ctx: AuditContext) -> [AuditFinding] {
        guard let path = ctx.config?.gateway.stateDir,
            let info = AuditFileInfo.inspect(path), info.kind == .directory
        else { return [] }
        let exposed = info.mode & 0o077 != 0 ? [path] : AuditTree.exposedEntries(path).map(\.path)
        guard !exposed.isEmpty else { return [] }
        let fix = AuditFix(path: path, keep: 0o700, currentMode: info.mode, recursive: true)
        return [
            AuditFinding(
                id: "state.accessible_by_others", severity: .warn,
                title:
                    "the state directory \(path) (or \(exposed.count) entr\(exposed.count == 1 ? "y" : "ies") in it) is accessible by others",
                detail:
                    "It holds every conversation, the inbox and the outbox; the gateway creates it 0700 and its files 0600.",
                fix: fix.command, autoFix: fix)
        ]
    }

    /// Workspaces that contain (or lie in) the gateway's own files.
    static func overlaps(_ ctx: AuditContext) -> [AuditFinding] {
        guard let loaded = ctx.loaded else { return [] }
        var out = WorkspaceOverlap.find(loaded).map { overlap in
            AuditFinding(
                id: "workspace.overlaps_gateway_files", severity: .critical,
                title:
                    "the workspace of agent \(overlap.agentID), \(overlap.workspace), overlaps \(overlap.what) \(overlap.path)",
                detail: "The agent's tools could read or change it; the gateway refuses to start like this.",
                fix:
                    "move the workspace (agents.defaults.workspace / agents.list[].workspace) or the file so neither contains the other"
            )
        }
        for agent in loaded.config.resolvedAgents() {
            let dir = agent.workspace + "/sessions"
            guard let info = AuditFileInfo.inspect(dir), info.kind == .directory else { continue }
            out.append(
                AuditFinding(
                    id: "sessions.in_workspace", severity: .warn,
                    title: "\(dir) holds sessions of an earlier version inside the workspace of agent \(agent.id)",
                    detail:
                        "Files there can be read and changed by the agent's tools. The gateway moves them into the state store when it starts.",
                    fix: "start the gateway once (it imports and removes them), or delete the directory"))
        }
        return out
    }

    static func logFile(_ ctx: AuditContext) -> [AuditFinding] {
        guard let path = ctx.config?.gateway.logFile else { return [] }
        var out: [AuditFinding] = []
        if let info = AuditFileInfo.inspect(path), info.effectiveKind == .file, info.mode & 0o027 != 0 {
            let fix = AuditFix(path: path, keep: 0o740, currentMode: info.mode)
            out.append(
                AuditFinding(
                    id: "log.file.accessible_by_others", severity: .warn,
                    title:
                        "log file \(path) is \(info.mode & 0o022 != 0 ? "writable" : "readable") by others (mode \(octal(info.mode)))",
                    detail:
                        "Logs name senders, tools and paths; the gateway creates the file with mode 0640 (logrotate: create 0640).",
                    fix: fix.command, autoFix: fix))
        }
        let dir = AuditPath.parent(AuditPath.resolved(path) ?? path)
        if let d = AuditFileInfo.inspect(dir), d.mode & 0o022 != 0, !d.isSticky {
            out.append(
                AuditFinding(
                    id: "log.dir.writable_by_others", severity: .warn,
                    title: "\(dir), the log file's directory, is writable by others (mode \(octal(d.mode)))",
                    detail: "Others can delete or replace the log file (hiding what happened).",
                    fix:
                        "chmod go-w \(shellQuoted(dir)) or set gateway.log_file to a directory owned by picoclaw (e.g. /var/log/picoclaw, 0750)"
                ))
        }
        return out
    }

    static func pidFile(_ ctx: AuditContext) -> [AuditFinding] {
        guard let path = ctx.config?.gateway.pidFile else { return [] }
        var out: [AuditFinding] = []
        let dir = AuditPath.parent(path)
        if let d = AuditFileInfo.inspect(dir), d.mode & 0o022 != 0 {
            out.append(
                AuditFinding(
                    id: "gateway.pid_file.dir_writable_by_others", severity: .warn,
                    title: "the PID file \(path) is in a directory others can write (\(dir), mode \(octal(d.mode)))",
                    detail: d.isSticky
                        ? "Others can create the PID file before the gateway does, naming any process (scripts that run kill $(cat pidfile) then hit it) or blocking start-up."
                        : "Others can replace the PID file with one naming any process; scripts that run kill $(cat pidfile) then hit it.",
                    fix:
                        "set gateway.pid_file to a path in a directory only picoclaw's user can write, e.g. \(ctx.picoclawHome)/picoclaw.pid or /run/picoclaw/picoclaw.pid (systemd RuntimeDirectory=picoclaw)"
                ))
        }
        if let info = AuditFileInfo.inspect(path), info.kind == .file, info.mode & 0o022 != 0 {
            let fix = AuditFix(path: path, keep: 0o755, currentMode: info.mode)
            out.append(
                AuditFinding(
                    id: "gateway.pid_file.writable_by_others", severity: .warn,
                    title: "the PID file \(path) is writable by others (mode \(octal(info.mode)))",
                    detail: "Others can change the PID it names.",
                    fix: fix.command, autoFix: fix))
        }
        return out
    }
}
