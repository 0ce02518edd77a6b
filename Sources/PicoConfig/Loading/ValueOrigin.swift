/// Where an effective configuration value came from (shown by `picoclaw config show --show-origin`).
public enum ValueOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The built-in default.
    case `default`
    /// The config file at `path`.
    case file(path: String)
    /// The environment variable `name`.
    case env(name: String)
    /// The file named by the environment variable `name` (which ends in `_FILE`).
    case envFile(name: String, path: String)
    /// The entry `name` of the secrets env file at `path` (`PICOCLAW_SECRETS_FILE`).
    case secretsFile(name: String, path: String)

    /// `default`, `file PATH`, `env NAME`, `env NAME_FILE (PATH)`, `secrets file PATH (NAME)`.
    public var description: String {
        switch self {
        case .default: "default"
        case .file(let path): "file \(path)"
        case .env(let name): "env \(name)"
        case .envFile(let name, let path): "env \(name) (\(path))"
        case .secretsFile(let name, let path): "secrets file \(path) (\(name))"
        }
    }

    /// `true` for the config file origin.
    public var isFile: Bool { if case .file = self { true } else { false } }
}
