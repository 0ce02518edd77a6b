/// The variables the loader reads: the process environment plus (below it) the secrets env file.
struct EnvironmentSource {
    let process: [String: String]
    let secretsFile: [String: String]
    let secretsFilePath: String?

    /// A non-empty value and where it came from (real environment wins over the secrets file).
    func value(_ name: String) -> (value: String, origin: ValueOrigin)? {
        if let v = process[name], !v.isEmpty { return (v, .env(name: name)) }
        if let v = secretsFile[name], !v.isEmpty, let p = secretsFilePath {
            return (v, .secretsFile(name: name, path: p))
        }
        return nil
    }

    /// All variable names (both sources).
    var allNames: Set<String> { Set(process.keys).union(secretsFile.keys) }

    /// Resolves `NAME` or `NAME_FILE` to raw text and origin.
    ///
    /// Both set → error. `NAME_FILE` is read (a regular file, ≤ 64 KiB, valid UTF-8), one trailing `\n` or `\r\n` trimmed; an unreadable or
    /// empty file is an error naming the variable and the path (never the content).
    func resolve(_ name: String) throws(ConfigError) -> (text: String, origin: ValueOrigin)? {
        let fileName = name + "_FILE"
        let direct = value(name)
        let file = value(fileName)
        if direct != nil, file != nil {
            throw ConfigError(kind: .environment, message: "both \(name) and \(fileName) are set; use one")
        }
        if let direct { return (direct.value, direct.origin) }
        guard let file else { return nil }
        let path = file.value
        switch POSIXFile.read(path, limit: 64 * 1024) {
        case .failure(let err):
            throw ConfigError(kind: .unreadableFile, message: "\(fileName): cannot read \(path): \(err.text)")
        case .success(let bytes):
            if let bad = UTF8Check.firstInvalidOffset(bytes) {
                throw ConfigError(
                    kind: .unreadableFile,
                    message: "\(fileName): \(path): invalid UTF-8 at byte \(bad + 1); save the file as UTF-8")
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if text.hasSuffix("\r\n") {
                text.removeLast(1)
            }  // "\r\n" is one Character
            else if text.hasSuffix("\n") {
                text.removeLast()
            }
            if text.isEmpty {
                throw ConfigError(kind: .unreadableFile, message: "\(fileName): \(path) is empty")
            }
            return (text, .envFile(name: fileName, path: path))
        }
    }
}
