import PicoConfig
import PicoPolicy

/// What an agent may do: workspace restriction, deny patterns and the kernel sandbox under them.
enum AuditExecChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] {
        restriction(ctx) + denyPatterns(ctx) + customPatterns(ctx) + sandbox(ctx)
    }

    static func restriction(_ ctx: AuditContext) -> [AuditFinding] {
        guard let config = ctx.config else { return [] }
        return config.resolvedAgents().filter { !$0.restrictToWorkspace }.map { agent in
            let origin =
                ctx.loaded.map { originText($0, keys: ["agents.defaults.restrict_to_workspace", "agents.list"]) } ?? ""
            return AuditFinding(
                id: "agents.restrict_to_workspace_off", severity: ctx.execEnabled ? .critical : .warn,
                title:
                    "agent \(agent.id) has restrict_to_workspace off: its file\(ctx.execEnabled ? " and exec" : "") tools reach the whole file system\(origin)",
                detail:
                    "The agent can then read ~/.ssh, the config and its secrets, and write anywhere picoclaw's user can.",
                fix:
                    "set restrict_to_workspace: true for agent \(agent.id) (agents.list[].restrict_to_workspace, or agents.defaults.restrict_to_workspace / PICOCLAW_AGENTS_DEFAULTS_RESTRICT_TO_WORKSPACE=true)"
            )
        }
    }

    static func denyPatterns(_ ctx: AuditContext) -> [AuditFinding] {
        guard let exec = ctx.config?.tools.exec, exec.enabled, !exec.enableDenyPatterns else { return [] }
        let enforcing: Bool
        if case .enforcing = ctx.sandbox { enforcing = true } else { enforcing = false }
        return [
            AuditFinding(
                id: "tools.exec.deny_patterns_off",
                severity: enforcing ? .warn : .critical,
                title:
                    "tools.exec.enable_deny_patterns is false: dangerous commands (rm -rf, sudo, curl | sh...) are not blocked"
                    + (enforcing
                        ? "; only the Landlock layer confines commands"
                        : ", and no working Landlock layer confines them"),
                detail: "The exec tool runs whatever the model asks for, including what a prompt injection asks for.",
                fix:
                    "set tools.exec.enable_deny_patterns: true (or PICOCLAW_TOOLS_EXEC_ENABLE_DENY_PATTERNS=true); add tools.exec.custom_deny_patterns for extra rules"
            )
        ]
    }

    static func customPatterns(_ ctx: AuditContext) -> [AuditFinding] {
        guard let exec = ctx.config?.tools.exec, !exec.customDenyPatterns.isEmpty else { return [] }
        if !exec.enableDenyPatterns {
            return [
                AuditFinding(
                    id: "tools.exec.custom_deny_patterns_ignored", severity: .warn,
                    title:
                        "\(exec.customDenyPatterns.count) custom deny pattern(s) can never match: deny patterns are disabled",
                    detail:
                        "custom_deny_patterns extend the built-in list and are applied only when enable_deny_patterns is true.",
                    fix: "set tools.exec.enable_deny_patterns: true")
            ]
        }
        return exec.customDenyPatterns.flatMap(AuditDenyPatternCheck.findings)
    }

    static func sandbox(_ ctx: AuditContext) -> [AuditFinding] {
        let exec = ctx.config?.tools.exec.enabled ?? true
        switch ctx.sandbox {
        case .enforcing:
            var findings: [AuditFinding] = []
            if let problem = SandboxedExecutor.namespacesProblem {
                findings.append(
                    AuditFinding(
                        id: "sandbox.namespaces_unavailable", severity: .info,
                        title: "the namespaces layer is unavailable, commands run in the Landlock fallback: \(problem)",
                        detail:
                            "Without namespaces, commands can still see the names and sizes of files outside the workspace (stat), and cannot change file modes or owners even inside it.",
                        fix:
                            "install bubblewrap and allow user namespaces (systemd: RestrictNamespaces=user mnt pid ipc uts net cgroup; Docker: a seccomp profile that allows unshare in a user namespace)"
                    ))
            }
            if let problem = SandboxedExecutor.landlockProblem {
                findings.append(
                    AuditFinding(
                        id: "sandbox.landlock_unavailable", severity: exec ? .warn : .info,
                        title: "Landlock is unavailable; the namespaces layer alone confines file access: \(problem)",
                        detail: "Landlock adds TCP rules, device-node and signal restrictions inside the namespaces.",
                        fix:
                            "allow landlock_create_ruleset, landlock_add_rule and landlock_restrict_self (systemd: SystemCallFilter=@sandbox or the three calls)"
                    ))
            }
            return findings
        case .unavailable(let reason):
            return [
                AuditFinding(
                    id: "sandbox.landlock_unavailable", severity: exec ? .warn : .info,
                    title:
                        "Landlock is not available on this kernel: commands run by the exec tool are confined by the command policy only (\(reason))",
                    detail:
                        "Landlock (Linux 5.13+, enabled in the kernel's LSM list) makes the kernel refuse file access outside the workspace even when a command slips past the policy.",
                    fix:
                        "use a kernel with Landlock enabled (CONFIG_SECURITY_LANDLOCK=y and lsm=...,landlock), or run picoclaw in the systemd unit / container from Docs/deploy"
                )
            ]
        case .notEnforcing(let reason):
            return [
                AuditFinding(
                    id: "sandbox.landlock_not_enforcing", severity: exec ? .warn : .info,
                    title: "the Landlock self-test failed: the kernel layer does not confine commands (\(reason))",
                    detail:
                        "Landlock is present but a write outside the allowed tree was not refused in the self-test.",
                    fix:
                        "run picoclaw policy self-test for details; check seccomp/container profiles that block the landlock_* system calls"
                )
            ]
        }
    }

    private static func originText(_ loaded: LoadedConfig, keys: [String]) -> String {
        for key in keys {
            switch loaded.origin(of: key) {
            case .env(let name): return " (set by \(name))"
            case .envFile(let name, _): return " (set by \(name))"
            case .secretsFile(let name, let path): return " (set by \(name) in \(path))"
            default: continue
            }
        }
        return ""
    }
}
