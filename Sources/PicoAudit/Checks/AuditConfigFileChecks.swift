import PicoConfig

/// The config file itself: existence, symlink, mode, owner, its directory, secrets written in it, the secrets
/// env file, `_FILE` secrets and the insecure-permissions override.
enum AuditConfigFileChecks {
    static func run(_ ctx: AuditContext) -> [AuditFinding] {
        var out: [AuditFinding] = []
        out += loadResult(ctx)
        out += configFile(ctx)
        out += secretsInFile(ctx)
        out += secretsEnvFile(ctx)
        out += fileSecrets(ctx)
        out += insecureOverride(ctx)
        return out
    }

    static func loadResult(_ ctx: AuditContext) -> [AuditFinding] {
        if let error = ctx.loadError {
            return [
                AuditFinding(
                    id: "config.invalid", severity: .critical,
                    title:
                        "the configuration cannot be loaded (\(error.message.split(separator: "\n").first ?? "")); the gateway will not start and the checks that need it were skipped",
                    detail: error.message,
                    fix: "correct the configuration, then run: picoclaw config check && picoclaw security audit")
            ]
        }
        guard let loaded = ctx.loaded else { return [] }
        let ignored = "PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"
        let warnings = loaded.warnings.filter { !$0.contains(ignored) }
        guard !warnings.isEmpty else { return [] }
        return [
            AuditFinding(
                id: "config.warnings", severity: .info,
                title: "the configuration loads with \(warnings.count) warning(s) (unknown keys, ignored variables...)",
                detail: warnings.joined(separator: "\n"),
                fix: "run picoclaw config check and correct each warning")
        ]
    }

    static func configFile(_ ctx: AuditContext) -> [AuditFinding] {
        let path = ctx.configPath
        guard let info = AuditFileInfo.inspect(path) else {
            return [
                AuditFinding(
                    id: "config.file.missing", severity: .info,
                    title: "no config file at \(path): defaults and the environment are used",
                    detail:
                        "picoclaw runs with built-in defaults (loopback bind, workspace restriction and deny patterns on) plus PICOCLAW_* variables.",
                    fix: "picoclaw onboard")
            ]
        }
        var out: [AuditFinding] = []
        if info.kind == .symlink {
            out.append(
                AuditFinding(
                    id: "config.file.symlink", severity: .info,
                    title: "\(path) is a symbolic link to \(info.linkTarget ?? "?")",
                    detail:
                        "picoclaw follows the link; the checks below apply to its target, and whoever can change the link or its target controls the configuration.",
                    fix:
                        "keep the target mode 0600 in a directory only its owner can write, or replace the link with the file"
                ))
        }
        guard info.effectiveKind == .file else { return out }
        let secrets = ctx.secretsInConfigFile
        let secretNote = secrets ? " and holds secrets (\(ctx.loaded!.secretKeysInFile.joined(separator: ", ")))" : ""
        let fix = AuditFix(path: path, keep: 0o700, currentMode: info.mode)
        if info.mode & 0o022 != 0 {
            let who = info.isWorldWritable ? "anyone" : "its group"
            out.append(
                AuditFinding(
                    id: "config.file.writable_by_others", severity: .critical,
                    title: "\(path) is writable by \(who) (mode \(octal(info.mode)))",
                    detail:
                        "Whoever can write the config can allow themselves to talk to the bot, turn off the workspace restriction and run commands as picoclaw.",
                    fix: fix.command, autoFix: fix))
        }
        if info.isWorldReadable || info.isGroupReadable {
            let world = info.isWorldReadable
            out.append(
                AuditFinding(
                    id: world ? "config.file.world_readable" : "config.file.group_readable",
                    severity: secrets ? .critical : .warn,
                    title:
                        "\(path) is readable by \(world ? "others" : "its group") (mode \(octal(info.mode)))\(secretNote)",
                    detail: secrets
                        ? "Any local user\(world ? "" : " in the file's group") can read the secrets; the gateway refuses to start with this file (exit 78)."
                        : "No secrets are in the file today, but the checklist asks for mode 0600 so that one added later is not exposed.",
                    fix: fix.command, autoFix: fix))
        }
        if info.owner != ctx.expectedOwner && info.owner != 0 {
            out.append(
                AuditFinding(
                    id: "config.file.owner", severity: secrets ? .critical : .warn,
                    title:
                        "\(path) is owned by uid \(info.owner), not by the gateway's user (uid \(ctx.expectedOwner)) or root",
                    detail:
                        "Another account can change the configuration\(secrets ? " and read its secrets; the gateway refuses to start with it" : "").",
                    fix: "chown \(ctx.expectedOwner) \(shellQuoted(path))"))
        }
        // The directory holding the (real) file: whoever can write it can replace the config.
        let realPath = AuditPath.resolved(path) ?? path
        let dir = AuditPath.parent(realPath)
        if let d = AuditFileInfo.inspect(dir), d.mode & 0o022 != 0 {
            out.append(
                AuditFinding(
                    id: "config.dir.writable_by_others", severity: d.isSticky ? .warn : .critical,
                    title: "\(dir), the directory of the config file, is writable by others (mode \(octal(d.mode)))",
                    detail: d.isSticky
                        ? "The sticky bit stops others from replacing the file, but they can plant one when it is missing."
                        : "Anyone who can write the directory can replace the config file with their own.",
                    fix:
                        "move the config to a directory only picoclaw's user can write (e.g. $PICOCLAW_HOME, mode 0700) or run: chmod go-w \(shellQuoted(dir))"
                ))
        }
        return out
    }

    static func secretsInFile(_ ctx: AuditContext) -> [AuditFinding] {
        guard let loaded = ctx.loaded, !loaded.secretKeysInFile.isEmpty else { return [] }
        let variables = loaded.secretKeysInFile.map { key in
            key.contains("[") ? "\(key) (not used by picoclaw: delete it)" : "\(ConfigSchema.envName(for: key))_FILE"
        }
        return [
            AuditFinding(
                id: "config.secrets.in_file", severity: .warn,
                title: "\(loaded.path) holds secrets in plain text: \(loaded.secretKeysInFile.joined(separator: ", "))",
                detail:
                    "Secrets in the config file end up in backups, diffs and copies of it. Keep them in 0600 files named by *_FILE variables (or a secrets manager), and only non-secret settings in the config.",
                fix:
                    "delete the values from the config file and set instead: \(variables.joined(separator: ", ")) (each pointing to a 0600 file holding only the secret)"
            )
        ]
    }

    static func secretsEnvFile(_ ctx: AuditContext) -> [AuditFinding] {
        guard
            let path = ctx.loaded?.secretsFilePath
                ?? ctx.environment["PICOCLAW_SECRETS_FILE"].flatMap({ $0.isEmpty ? nil : $0 }),
            let info = AuditFileInfo.inspect(path), info.effectiveKind == .file, info.mode & 0o077 != 0
        else { return [] }
        let fix = AuditFix(path: path, keep: 0o700, currentMode: info.mode)
        return [
            AuditFinding(
                id: "secrets.env_file.accessible_by_others", severity: .critical,
                title:
                    "the secrets file \(path) (PICOCLAW_SECRETS_FILE) is accessible by others (mode \(octal(info.mode)))",
                detail: "It holds API keys and bot tokens; the gateway refuses to start with it (exit 78).",
                fix: fix.command, autoFix: fix)
        ]
    }

    static func fileSecrets(_ ctx: AuditContext) -> [AuditFinding] {
        guard let loaded = ctx.loaded else { return [] }
        var seen = Set<String>()
        var out: [AuditFinding] = []
        for key in loaded.origins.keys.sorted() {
            guard case .envFile(let name, let path) = loaded.origins[key]!, seen.insert(path).inserted,
                let info = AuditFileInfo.inspect(path), info.isWorldReadable
            else { continue }
            let fix = AuditFix(path: path, keep: 0o770, currentMode: info.mode)
            out.append(
                AuditFinding(
                    id: "secrets.file.world_readable", severity: .warn,
                    title:
                        "\(path), read through \(name) for \(key), is readable by every local user (mode \(octal(info.mode)))",
                    detail:
                        "A secret file should be readable only by the gateway's user (and, if needed, its group). Docker/Kubernetes secrets can be given a mode (secrets: mode: 0400 / defaultMode).",
                    fix: fix.command, autoFix: fix))
        }
        return out
    }

    static func insecureOverride(_ ctx: AuditContext) -> [AuditFinding] {
        guard let text = ctx.environment["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"],
            ["1", "true", "yes"].contains(text.lowercased())
        else { return [] }
        return [
            AuditFinding(
                id: "config.insecure_permissions_override", severity: .warn,
                title:
                    "PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS is set: the gateway starts even when others can read its secrets",
                detail:
                    "The override exists for read-only mounts that cannot be chmod-ed; with it, the permission refusal becomes a log warning.",
                fix:
                    "fix the file permissions (picoclaw security audit --fix) and unset PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"
            )
        ]
    }
}
