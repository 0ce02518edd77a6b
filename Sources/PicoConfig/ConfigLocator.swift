/// How the config file path was chosen.
public enum ConfigPathSource: String, Sendable, Equatable {
    /// `--config PATH`.
    case flag
    /// `PICOCLAW_CONFIG`.
    case environment
    /// `$PICOCLAW_HOME/config.json`.
    case picoclawHome
    /// `~/.picoclaw/config.json`.
    case userHome
    /// `/etc/picoclaw/config.json` (the process has no home directory).
    case system
}

/// The config file location and how it was chosen.
public struct ConfigPath: Sendable, Equatable {
    /// Path of the config file (may not exist).
    public let path: String
    /// How it was chosen.
    public let source: ConfigPathSource

    /// Creates a config path.
    public init(path: String, source: ConfigPathSource) {
        self.path = path
        self.source = source
    }
}

/// Finds the config file and picoclaw's home directory.
///
/// Precedence: `--config PATH` > `PICOCLAW_CONFIG` > `$PICOCLAW_HOME/config.json` > `~/.picoclaw/config.json`;
/// with no home directory at all, `/etc/picoclaw/config.json`. A leading `~` is expanded in every input and
/// relative inputs are resolved against the current directory.
public enum ConfigLocator {
    /// The system-wide directory used when the process has no home directory.
    public static let systemDirectory = "/etc/picoclaw"

    /// Resolves the config file path. `homeDirectory` is the user's home (`nil` = the process has none).
    public static func resolvePath(explicit: String?, environment: [String: String], homeDirectory: String?) -> ConfigPath {
        if let explicit, !explicit.isEmpty {
            return ConfigPath(path: PathExpansion.userPath(explicit, home: homeDirectory), source: .flag)
        }
        if let env = environment["PICOCLAW_CONFIG"], !env.isEmpty {
            return ConfigPath(path: PathExpansion.userPath(env, home: homeDirectory), source: .environment)
        }
        if let home = environment["PICOCLAW_HOME"], !home.isEmpty {
            let dir = PathExpansion.userPath(home, home: homeDirectory)
            return ConfigPath(path: PathExpansion.join(dir, "config.json"), source: .picoclawHome)
        }
        if let homeDirectory, !homeDirectory.isEmpty {
            return ConfigPath(path: PathExpansion.join(homeDirectory, ".picoclaw/config.json"), source: .userHome)
        }
        return ConfigPath(path: PathExpansion.join(systemDirectory, "config.json"), source: .system)
    }

    /// picoclaw's home directory: `PICOCLAW_HOME`, else `~/.picoclaw`, else `/etc/picoclaw` when there is no home.
    /// Default workspaces, the PID file and channel state live below it.
    public static func picoclawHome(environment: [String: String], homeDirectory: String?) -> String {
        if let home = environment["PICOCLAW_HOME"], !home.isEmpty {
            return PathExpansion.userPath(home, home: homeDirectory)
        }
        if let homeDirectory, !homeDirectory.isEmpty {
            return PathExpansion.join(homeDirectory, ".picoclaw")
        }
        return systemDirectory
    }
}
