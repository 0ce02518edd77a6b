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
    public static func load(explicitPath: String? = nil,
                            environment: [String: String] = ProcessEnvironment.current(),
                            homeDirectory: String? = nil,
                            systemDirectory: String = ConfigLocator.systemDirectory,
                            invalidUTF8: [String: Int] = ProcessEnvironment.invalidUTF8Variables()) throws(ConfigError) -> LoadedConfig {
        if !invalidUTF8.isEmpty {
            throw ConfigError.combined(invalidUTF8.sorted { $0.key < $1.key }.map { name, offset in
                ConfigError(kind: .environment, message: "\(name): invalid UTF-8 at byte \(offset + 1) of its value")
            })
        }
        let home = homeDirectory ?? ProcessEnvironment.homeDirectory(environment: environment)
        let location = ConfigLocator.resolvePath(explicit: explicitPath, environment: environment, homeDirectory: home,
                                                 systemDirectory: systemDirectory)
        let picoclawHome = ConfigLocator.picoclawHome(environment: environment, homeDirectory: home)
        var warnings: [String] = []
        var notices: [String] = []
        var errors: [ConfigError] = []

        let allowInsecure = try insecureOverride(environment)

        // Secrets env file: PICOCLAW_SECRETS_FILE, else secrets.env next to a config in the system directory.
        var secretsEntries: [String: String] = [:]
        var secretsPath: String?
        var secretsBytes: [UInt8]?
        if let named = environment["PICOCLAW_SECRETS_FILE"], !named.isEmpty {
            let path = PathExpansion.userPath(named, home: home)
            switch POSIXFile.read(path, limit: maxFileSize) {
            case .failure(let err):
                throw ConfigError(kind: .unreadableFile, message: "PICOCLAW_SECRETS_FILE: cannot read \(path): \(err.text)")
            case .success(let b): secretsBytes = b; secretsPath = path
            }
        } else if location.path == PathExpansion.join(systemDirectory, "config.json") {
            let path = PathExpansion.join(systemDirectory, "secrets.env")
            if POSIXFile.exists(path) {
                switch POSIXFile.read(path, limit: maxFileSize) {
                case .failure(let err):
                    if let notice = try systemSecretsNotice(path: path, error: err) { notices.append(notice) }
                case .success(let b): secretsBytes = b; secretsPath = path
                }
            }
        }
        if let secretsBytes, let path = secretsPath {
            secretsEntries = try SecretsEnvFile.parse(bytes: secretsBytes, path: path)
            if secretsEntries.values.contains(where: { !$0.isEmpty }),
               let warning = try FilePermissionCheck.check(path: path, what: "the secrets file", secretKeys: [],
                                                           allowInsecure: allowInsecure) {
                warnings.append(warning)
            }
        }
        let env = EnvironmentSource(process: environment, secretsFile: secretsEntries, secretsFilePath: secretsPath)

        // Config file.
        let filePath = location.path
        let fileExists = POSIXFile.exists(filePath)
        let isSymlink = fileExists && POSIXFile.isSymlink(filePath)
        var walker = FileTreeWalker(filePath: filePath)
        var secretsInFile: [(path: String, values: [String])] = []
        if fileExists {
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
                throw ConfigError(kind: .malformedJSON,
                                  message: "\(filePath):\(error.line):\(error.column): invalid JSON: \(error.message)")
            }
            walker.walk(root: root)
            errors += walker.errors
            warnings += walker.warnings
            secretsInFile = SecretScanner.scan(root)
            if !secretsInFile.isEmpty,
               let warning = try FilePermissionCheck.check(path: filePath, what: "the config file",
                                                           secretKeys: secretsInFile.map(\.path), allowInsecure: allowInsecure) {
                warnings.append(warning)
            }
            if isSymlink { notices.append("\(filePath) is a symbolic link") }
            if !walker.unused.isEmpty {
                notices.append("\(filePath): PicoClaw keys accepted but unused by picoclaw: \(walker.unused.joined(separator: ", "))")
            }
        }

        // Merge: defaults, file, environment.
        let fileOrigin = ValueOrigin.file(path: filePath)
        let keys = ConfigSchema.keys(providers: walker.providers)
        var active = Set(walker.providers)
        var values: [String: ConfigBuilder.Entry] = [:]
        for key in keys {
            if let v = walker.leaves[key.path] { values[key.path] = .init(value: v, origin: fileOrigin) }
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
                values[key.path] = .init(value: parsed, origin: envValue.origin)
                if key.path.hasPrefix("providers.") {
                    active.insert(String(key.path.split(separator: ".")[1]))
                }
            } catch {
                errors.append(error)
            }
        }
        // Defaults for every fixed key and every active provider.
        for key in keys where values[key.path] == nil {
            if key.path.hasPrefix("providers."), !active.contains(String(key.path.split(separator: ".")[1])) { continue }
            if let v = key.defaultValue.value(picoclawHome: picoclawHome) {
                values[key.path] = .init(value: v, origin: .default)
            }
        }
        warnings += unknownEnvironmentWarnings(env: env, keys: keys)

        var builder = ConfigBuilder(values: values, providerNames: active.sorted(), picoclawHome: picoclawHome,
                                    homeDirectory: home)
        let config = builder.build()
        errors += builder.errors
        warnings += builder.warnings
        if !errors.isEmpty { throw ConfigError.combined(errors) }

        var secretValues = config.allSecrets.map { $0.reveal() }
        secretValues += secretsInFile.flatMap(\.values)
        var result = LoadedConfig(
            config: config, path: filePath, pathSource: location.source, fileExists: fileExists,
            configIsSymlink: isSymlink, warnings: warnings, notices: notices,
            origins: values.mapValues(\.origin), redactor: SecretRedactor(secretValues: secretValues),
            picoclawHome: picoclawHome, secretKeysInFile: secretsInFile.map(\.path), secretsFilePath: secretsPath,
            insecurePermissionsAllowed: allowInsecure)
        if location.source != .flag && location.source != .environment {
            result.searchOrder = ConfigLocator.searchOrder(environment: environment, homeDirectory: home,
                                                           systemDirectory: systemDirectory)
        }
        return result
    }

    /// The system secrets file could not be read. Not being allowed to open it is a notice (the shipped unit lets
    /// systemd read a root-only file through `EnvironmentFile=`); anything else (a FIFO, a directory, I/O errors)
    /// is an error, like for `PICOCLAW_SECRETS_FILE`.
    static func systemSecretsNotice(path: String, error: POSIXFileError) throws(ConfigError) -> String? {
        guard error.fileMode == nil, error.code == EACCES || error.code == EPERM else {
            throw ConfigError(kind: .unreadableFile, message: "\(path): cannot read the system secrets file: \(error.text)")
        }
        return "\(path) is not readable by this user (uid \(POSIXFile.currentUID)) and was skipped; that is expected when systemd's EnvironmentFile= passes its variables"
    }

    /// `PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS` (real environment only).
    private static func insecureOverride(_ environment: [String: String]) throws(ConfigError) -> Bool {
        guard let text = environment["PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS"], !text.isEmpty else { return false }
        let value = try EnvValueParser.parse(text, kind: .bool, label: "PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS", showValue: true)
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
                out.append("environment variable \(name) is ignored: its provider is neither a known provider nor named in the config file's \"providers\" section")
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
