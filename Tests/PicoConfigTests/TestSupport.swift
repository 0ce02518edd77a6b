import Glibc
import Testing
@testable import PicoConfig

/// A real temporary directory, removed when the value is deinitialised.
final class TempDir {
    let path: String

    init() {
        var template = Array("/tmp/picoconfig-test-XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let p = mkdtemp(buf.baseAddress!) else { return nil }
            return String(cString: p)
        }
        path = result!
    }

    deinit { _ = system("rm -rf '\(path)'") }

    /// Writes `content` to `name` (relative) with `mode`, returning the absolute path.
    @discardableResult
    func write(_ name: String, _ content: String, mode: mode_t = 0o600) -> String {
        let full = path + "/" + name
        let dir = String(full[..<full.lastIndex(of: "/")!])
        _ = system("mkdir -p '\(dir)'")
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "open \(full) failed")
        let bytes = Array(content.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        chmod(full, mode)
        return full
    }

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
