#if canImport(Glibc)
import Glibc
#endif

/// Loads, merges and validates the configuration: defaults → JSON file → environment (incl. `_FILE` and the
/// secrets env file) → validation → ``LoadedConfig``. Pure with respect to its inputs: the environment and
/// the home directory are parameters, so tests never touch the process environment.
public enum ConfigLoader {
    /// Largest accepted config file and secrets env file.
    static let maxFileSize = 4 * 1024 * 1024

    /// Loads the configuration.
    ///
    /// - Parameters:
    ///   - explicitPath: `--config PATH` (wins over `PICOCLAW_CONFIG` and the default locations).
    ///   - environment: the environment to read (`ProcessEnvironment.current()` in the CLI).
    ///   - homeDirectory: the user's home; `nil` = `HOME` from `environment`, else the password database.
    ///   - systemDirectory: where system installs keep `config.json` and `secrets.env` (`/etc/picoclaw`).
    ///   - invalidUTF8: `PICOCLAW_*` variables whose raw value is not UTF-8 (each is an error naming the byte).
    /// - Throws: ``ConfigError`` for any problem; nothing is half-loaded.
    public static func load(
        explicitPath: String? = nil,
        environment: [String: String] = ProcessEnvironment.current(),
        homeDirectory: String? = nil,
        systemDirectory: String = ConfigLocator.systemDirectory,
        invalidUTF8: [String: Int] = ProcessEnvironment.invalidUTF8Variables()
    ) throws(ConfigError) -> LoadedConfig {
        try rejectInvalidUTF8(invalidUTF8)
        let home = homeDirectory ?? ProcessEnvironment.homeDirectory(environment: environment)
        let location = ConfigLocator.resolvePath(
            explicit: explicitPath, environment: environment, homeDirectory: home,
            systemDirectory: systemDirectory)
        let picoclawHome = ConfigLocator.picoclawHome(environment: environment, homeDirectory: home)
        var findings = Findings()
        let allowInsecure = try insecureOverride(environment)
        let secrets = try readSecretsFile(
            environment: environment, home: home, systemDirectory: systemDirectory,
            configPath: location.path, allowInsecure: allowInsecure, findings: &findings)
        let env = EnvironmentSource(process: environment, secretsFile: secrets.entries, secretsFilePath: secrets.path)
        let file = try readConfigFile(location.path, allowInsecure: allowInsecure, findings: &findings)

        let keys = ConfigSchema.keys(providers: file.walker.providers)
        var merged = merge(file: file, environment: env, keys: keys, errors: &findings.errors)
        applyDefaults(keys: keys, picoclawHome: picoclawHome, to: &merged)
        findings.warnings += unknownEnvironmentWarnings(env: env, keys: keys)

        var builder = ConfigBuilder(
            values: merged.values, providerNames: merged.providers.sorted(),
            picoclawHome: picoclawHome, homeDirectory: home)
        let config = builder.build()
        findings.errors += builder.errors
        findings.warnings += builder.warnings
        if !findings.errors.isEmpty { throw ConfigError.combined(findings.errors) }

        var secretValues = config.allSecrets.map { $0.reveal() }
        secretValues += file.secrets.flatMap(\.values)
        var result = LoadedConfig(
            config: config, path: file.path, pathSource: location.source, fileExists: file.exists,
            configIsSymlink: file.isSymlink, warnings: findings.warnings, notices: findings.notices,
            origins: merged.values.mapValues(\.origin), redactor: SecretRedactor(secretValues: secretValues),
            picoclawHome: picoclawHome, secretKeysInFile: file.secrets.map(\.path), secretsFilePath: secrets.path,
            insecurePermissionsAllowed: allowInsecure)
        if location.source != .flag && location.source != .environment {
            result.searchOrder = ConfigLocator.searchOrder(
                environment: environment, homeDirectory: home,
                systemDirectory: systemDirectory)
        }
        return result
    }

    /// What loading found short of failing at once: warnings and notices for ``LoadedConfig``, and the errors
    /// reported together at the end.
    private struct Findings {
        var warnings: [String] = []
        var notices: [String] = []
        var errors: [ConfigError] = []
    }

    /// The secrets env file's entries and where they came from (`path` is `nil` when none was read).
    private struct SecretsFile {
        var entries: [String: String] = [:]
        var path: String?
    }

    /// The config file as read: its tree, the secrets it holds and what kind of file it is.
    private struct ConfigFile {
        let path: String
        var exists = false
        var isSymlink = false
        var walker: FileTreeWalker
        var secrets: [(path: String, values: [String])] = []
    }

    /// The values from the file and the environment, and the providers they name.
    private struct MergedValues {
        var values: [String: ConfigBuilder.Entry] = [:]
        var providers: Set<String>
    }

    /// Every `PICOCLAW_*` variable must be valid UTF-8: one error per variable that is not.
    private static func rejectInvalidUTF8(_ invalidUTF8: [String: Int]) throws(ConfigError) {
        guard !invalidUTF8.isEmpty else { return }
        throw ConfigError.combined(
            invalidUTF8.sorted { $0.key < $1.key }.map { name, offset in
                ConfigError(kind: .environment, message: "\(name): invalid UTF-8 at byte \(offset + 1) of its value")
            })
    }

    /// Reads the secrets env file: PICOCLAW_SECRETS_FILE, else secrets.env next to a config in the system directory.
    private static func readSecretsFile(
        environment: [String: String], home: String?, systemDirectory: String,
        configPath: String, allowInsecure: Bool,
        findings: inout Findings
    ) throws(ConfigError) -> SecretsFile {
        var secretsPath: String?
        var secretsBytes: [UInt8]?
        if let named = environment["PICOCLAW_SECRETS_FILE"], !named.isEmpty {
            let path = PathExpansion.userPath(named, home: home)
            switch POSIXFile.read(path, limit: maxFileSize) {
            case .failure(let err):
                throw ConfigError(
                    kind: .unreadableFile, message: "PICOCLAW_SECRETS_FILE: cannot read \(path): \(err.text)")
            case .success(let b): secretsBytes = b; secretsPath = path
            }
        } else if configPath == PathExpansion.join(systemDirectory, "config.json") {
            let path = PathExpansion.join(systemDirectory, "secrets.env")
            if POSIXFile.exists(path) {
                switch POSIXFile.read(path, limit: maxFileSize) {
                case .failure(let err):
                    if let notice = try systemSecretsNotice(path: path, error: err) { findings.notices.append(notice) }
                case .success(let b): secretsBytes = b; secretsPath = path
                }
            }
        }
        var secrets = SecretsFile(path: secretsPath)
        if let secretsBytes, let path = secretsPath {
            secrets.entries = try SecretsEnvFile.parse(bytes: secretsBytes, path: path)
            if secrets.entries.values.contains(where: { !$0.isEmpty }),
                let warning = try FilePermissionCheck.check(
                    path: path, what: "the secrets file", secretKeys: [],
                    allowInsecure: allowInsecure)
            {
                findings.warnings.append(warning)
            }
        }
        return secrets
    }

    /// Reads and parses the config file when it exists: walks its tree (unknown keys, structural errors), finds
    /// the secrets written in it and checks its permissions when it holds any.
    private static func readConfigFile(
        _ filePath: String, allowInsecure: Bool,
        findings: inout Findings
    ) throws(ConfigError) -> ConfigFile {
        let fileExists = POSIXFile.exists(filePath)
        var file = ConfigFile(
            path: filePath, exists: fileExists, isSymlink: fileExists && POSIXFile.isSymlink(filePath),
            walker: FileTreeWalker(filePath: filePath))
        guard fileExists else { return file }
        if case .success(let st) = POSIXFile.status(filePath), !st.isRegular {
            throw ConfigError(kind: .unreadableFile, message: "\(filePath): not a regular file")
        }
        let bytes: [UInt8]
        switch POSIXFile.read(filePath, limit: maxFileSize) {
        case .failure(let err):
            throw ConfigError(kind: .unreadableFile, message: "\(filePath): cannot read config file: \(err.text)")
        case .success(let b): bytes = b
        }
        let root: JSONValue
        do throws(JSONSyntaxError) {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ConfigError(
                kind: .malformedJSON,
                message: "\(filePath):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        file.walker.walk(root: root)
        findings.errors += file.walker.errors
        findings.warnings += file.walker.warnings
        file.secrets = SecretScanner.scan(root)
        if !file.secrets.isEmpty,
            let warning = try FilePermissionCheck.check(
                path: filePath, what: "the config file",
                secretKeys: file.secrets.map(\.path), allowInsecure: allowInsecure)
        {
            findings.warnings.append(warning)
        }
        if file.isSymlink { findings.notices.append("\(filePath) is a symbolic link") }
        if !file.walker.unused.isEmpty {
            findings.notices.append(
                "\(filePath): PicoClaw keys accepted but unused by picoclaw: \(file.walker.unused.joined(separator: ", "))"
            )
        }
        return file
    }

    /// The file's values, each overridden by its environment variable (or `_FILE` twin, or secrets file entry)
    /// when set. A provider named by a variable becomes active. Unparsable variables are collected in `errors`.
    private static func merge(
        file: ConfigFile, environment env: EnvironmentSource, keys: [ConfigKey],
        errors: inout [ConfigError]
    ) -> MergedValues {
        let fileOrigin = ValueOrigin.file(path: file.path)
        var merged = MergedValues(providers: Set(file.walker.providers))
        for key in keys {
            if let v = file.walker.leaves[key.path] { merged.values[key.path] = .init(value: v, origin: fileOrigin) }
            let envValue: (text: String, origin: ValueOrigin)?
            do throws(ConfigError) {
                envValue = try env.resolve(key.envName)
            } catch {
                errors.append(error)
                continue
            }
            guard let envValue else { continue }
            let label: String
            var showValue = key.kind != .secret
            switch envValue.origin {
            case .envFile(let name, let path): label = "\(name) (\(path))"; showValue = false
            case .secretsFile(let name, let path): label = "\(path) (\(name))"; showValue = false
            default: label = key.envName
            }
            do throws(ConfigError) {
                let parsed = try EnvValueParser.parse(envValue.text, kind: key.kind, label: label, showValue: showValue)
                merged.values[key.path] = .init(value: parsed, origin: envValue.origin)
                if key.path.hasPrefix("providers.") {
                    merged.providers.insert(String(key.path.split(separator: ".")[1]))
                }
            } catch {
                errors.append(error)
            }
        }
        return merged
    }

    /// Defaults for every fixed key and every active provider that neither the file nor the environment set.
    private static func applyDefaults(keys: [ConfigKey], picoclawHome: String, to merged: inout MergedValues) {
        for key in keys where merged.values[key.path] == nil {
            if key.path.hasPrefix("providers."), !merged.providers.contains(String(key.path.split(separator: ".")[1])) {
                continue
            }
            if let v = key.defaultValue.value(picoclawHome: picoclawHome) {
                merged.values[key.path] = .init(value: v, origin: .default)
            }
        }
    }

    /// The system secrets file could not be read. Not being allowed to open it is a notice (the shipped unit lets
    /// systemd read a root-only file through `EnvironmentFile=`); anything else (a FIFO, a directory, I/O errors)
    /// is an error, like for `PICOCLAW_SECRETS_FILE`.
    static func systemSecretsNotice(path: String, error: POSIXFileError) throws(ConfigError) -> String? {
        guard error.fileMode == nil, error.code == EACCES || error.code == EPERM else {
            throw ConfigError(
                kind: .unreadableFile, message: "\(path): cannot read the system secrets file: \(error.text)")
        }
        return
            "\(path) is not readable by this user (uid \(POSIXFile.currentUID)) and was skipped; that is expected when systemd's EnvironmentFile= passes its variables"
    }

    /// `PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS` (real environment only).
    private static func insecureOverride(_ environment: [String: String]) throws(ConfigError) -> Bool {
        guard let text = environment["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"], !text.isEmpty else { return false }
        let value = try EnvValueParser.parse(
            text, kind: .bool, label: "PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS", showValue: true)
        return value == .bool(true)
    }

    /// Warnings for `PICOCLAW_*` variables that set nothing but look like a typo of one that does.
    private static func unknownEnvironmentWarnings(env: EnvironmentSource, keys: [ConfigKey]) -> [String] {
        let known = Set(keys.map(\.envName))
        let control = Set(ConfigSchema.controlVariables)
        var out: [String] = []
        for name in env.allNames.sorted() where name.hasPrefix("PICOCLAW_") {
            let base = name.hasSuffix("_FILE") && !known.contains(name) ? String(name.dropLast(5)) : name
            if known.contains(base) || control.contains(name) { continue }
            if base.hasPrefix("PICOCLAW_PROVIDERS_") {
                out.append(
                    "environment variable \(name) is ignored: its provider is neither a known provider nor named in the config file's \"providers\" section"
                )
            } else if let s = closestEnvName(base, among: known) {
                out.append("environment variable \(name) is ignored (did you mean \(s)\(name == base ? "" : "_FILE")?)")
            }
        }
        return out
    }

    private static func closestEnvName(_ name: String, among names: Set<String>) -> String? {
        var best: (String, Int)?
        for candidate in names.sorted() {
            let d = Levenshtein.distance(name, candidate)
            if d <= 3, d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }
}
