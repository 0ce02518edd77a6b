import Glibc

/// A workspace that would put one of the gateway's own files within an agent's reach: it contains (or is)
/// the state directory, `$PICOCLAW_HOME`, the config file or a `*_FILE` secret, or lies inside the state
/// directory. The gateway refuses to start with one; `picoclaw security audit` reports it.
public struct WorkspaceOverlap: Sendable, Equatable, CustomStringConvertible {
    /// The agent whose workspace it is.
    public let agentID: String
    /// The workspace (as configured).
    public let workspace: String
    /// What it overlaps: `the state directory`, `$PICOCLAW_HOME`, `the config file`, `secret file X_FILE`.
    public let what: String
    /// That path.
    public let path: String

    public var description: String {
        "the workspace \(workspace) of agent \(agentID) overlaps \(what) \(path): the agent's tools could read or change it. Move the workspace (agents.defaults.workspace / agents.list[].workspace) or \(what == "the state directory" ? "gateway.state_dir" : "that file") so neither contains the other"
    }

    /// Every overlap of the loaded configuration.
    public static func find(_ loaded: LoadedConfig) -> [WorkspaceOverlap] {
        var secretFiles: [(String, String)] = []
        for origin in loaded.origins.values {
            switch origin {
            case .envFile(let name, let path): secretFiles.append(("secret file " + name, path))
            case .secretsFile(_, let path): secretFiles.append(("the secrets file", path))
            default: continue
            }
        }
        if let s = loaded.secretsFilePath { secretFiles.append(("the secrets file", s)) }
        return find(config: loaded.config, configPath: loaded.fileExists ? loaded.path : nil, secretFiles: secretFiles)
    }

    /// Every overlap of `config` with its state directory, home, config file and the named secret files.
    public static func find(
        config: PicoConfiguration, configPath: String?, secretFiles: [(what: String, path: String)]
    ) -> [WorkspaceOverlap] {
        var out: [WorkspaceOverlap] = []
        let state = canonical(config.gateway.stateDir)
        let home = canonical(config.picoclawHome)
        var files = secretFiles.map { ($0.what, canonical($0.path)) }
        if let configPath { files.append(("the config file", canonical(configPath))) }
        var seen = Set<String>()
        for agent in config.resolvedAgents() {
            let ws = canonical(agent.workspace)
            func add(_ what: String, _ path: String) {
                guard seen.insert("\(agent.id)\u{0}\(what)\u{0}\(path)").inserted else { return }
                out.append(WorkspaceOverlap(agentID: agent.id, workspace: agent.workspace, what: what, path: path))
            }
            if contains(ws, state) || contains(state, ws) { add("the state directory", config.gateway.stateDir) }
            if contains(ws, home) { add("$PICOCLAW_HOME", config.picoclawHome) }
            for (what, path) in files where contains(ws, path) { add(what, path) }
        }
        return out
    }

    /// Whether `inner` is `outer` or lies beneath it (both canonical).
    static func contains(_ outer: String, _ inner: String) -> Bool {
        outer == inner || inner.hasPrefix(outer == "/" ? "/" : outer + "/")
    }

    /// The real path of the longest existing prefix, plus the rest lexically normalised.
    static func canonical(_ path: String) -> String {
        var parts: [String] = []
        for c in path.split(separator: "/") {
            if c == "." || c.isEmpty { continue }
            if c == ".." { _ = parts.popLast() } else { parts.append(String(c)) }
        }
        var rest: [String] = []
        while true {
            let candidate = "/" + parts.joined(separator: "/")
            if let real = realpath(candidate, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            guard let last = parts.popLast() else { return "/" + rest.reversed().joined(separator: "/") }
            rest.append(last)
        }
    }
}
