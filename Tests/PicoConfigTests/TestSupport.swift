import Glibc
import PicoFakes
import Testing
@testable import PicoConfig

/// The config tests' uses of the shared temp dir: a config file in it, and loading with it as `$PICOCLAW_HOME`.
extension TempDir {
    /// A config file `config.json` with mode 0600 by default.
    @discardableResult
    func config(_ json: String, mode: mode_t = 0o600) -> String { write("config.json", json, mode: mode) }

    /// Loads with `PICOCLAW_HOME` = this directory, HOME = `<dir>/home`, plus `env`.
    func load(_ env: [String: String] = [:], explicit: String? = nil) throws(ConfigError) -> LoadedConfig {
        var environment = ["PICOCLAW_HOME": path]
        environment.merge(env) { $1 }
        return try ConfigLoader.load(explicitPath: explicit, environment: environment, homeDirectory: path + "/home")
    }
}

/// Runs `body` expecting a `ConfigError` and returns it.
func expectConfigError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
    do {
        try body()
        Issue.record("expected a ConfigError", sourceLocation: sourceLocation)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
