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
    /// `/etc/picoclaw/config.json`: the system-wide config, used when no home candidate exists.
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
/// An explicit choice wins: `--config PATH`, then `PICOCLAW_CONFIG`. Otherwise the first existing file of the
/// search order: `$PICOCLAW_HOME/config.json` (when set), `~/.picoclaw/config.json` (when there is a home),
/// `/etc/picoclaw/config.json`. When none exists, the first candidate is the (missing) config path. A leading `~`
/// is expanded in every input and relative inputs are resolved against the current directory.
public enum ConfigLocator {
    /// The system-wide directory: `/etc/picoclaw/config.json` and `/etc/picoclaw/secrets.env`.
    public static let systemDirectory = "/etc/picoclaw"

    /// Resolves the config file path. `homeDirectory` is the user's home (`nil` = the process has none).
    public static func resolvePath(
        explicit: String?, environment: [String: String], homeDirectory: String?,
        systemDirectory: String = systemDirectory
    ) -> ConfigPath {
        resolvePath(
            explicit: explicit, environment: environment, homeDirectory: homeDirectory,
            systemDirectory: systemDirectory, exists: { POSIXFile.exists($0) })
    }

    /// ``resolvePath(explicit:environment:homeDirectory:systemDirectory:)`` with the existence test injected.
    static func resolvePath(
        explicit: String?, environment: [String: String], homeDirectory: String?,
        systemDirectory: String = systemDirectory, exists: (String) -> Bool
    ) -> ConfigPath {
        if let explicit, !explicit.isEmpty {
            return ConfigPath(path: PathExpansion.userPath(explicit, home: homeDirectory), source: .flag)
        }
        if let env = environment["PICOCLAW_CONFIG"], !env.isEmpty {
            return ConfigPath(path: PathExpansion.userPath(env, home: homeDirectory), source: .environment)
        }
        let candidates = searchCandidates(
            environment: environment, homeDirectory: homeDirectory,
            systemDirectory: systemDirectory)
        return candidates.first { exists($0.path) } ?? candidates[0]
    }

    /// The default search order (without `--config` and `PICOCLAW_CONFIG`), first match wins.
    public static func searchOrder(
        environment: [String: String], homeDirectory: String?,
        systemDirectory: String = systemDirectory
    ) -> [String] {
        searchCandidates(environment: environment, homeDirectory: homeDirectory, systemDirectory: systemDirectory)
            .map(\.path)
    }

    private static func searchCandidates(
        environment: [String: String], homeDirectory: String?,
        systemDirectory: String
    ) -> [ConfigPath] {
        var out: [ConfigPath] = []
        if let home = environment["PICOCLAW_HOME"], !home.isEmpty {
            let dir = PathExpansion.userPath(home, home: homeDirectory)
            out.append(ConfigPath(path: PathExpansion.join(dir, "config.json"), source: .picoclawHome))
        }
        if let homeDirectory, !homeDirectory.isEmpty {
            out.append(ConfigPath(path: PathExpansion.join(homeDirectory, ".picoclaw/config.json"), source: .userHome))
        }
        out.append(ConfigPath(path: PathExpansion.join(systemDirectory, "config.json"), source: .system))
        return out
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
