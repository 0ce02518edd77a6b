import PicoSystem

/// Parser for the secrets env file named by `PICOCLAW_SECRETS_FILE`.
///
/// Format: one `KEY=VALUE` per line; blank lines and lines starting with `#` are ignored; an optional
/// `export ` prefix is accepted; a value wrapped in matching single or double quotes is unquoted (no escape
/// processing); otherwise surrounding spaces are trimmed. Errors name the file and line, never the content.
enum SecretsEnvFile {
    /// Parses the file's bytes: invalid UTF-8 is an error naming the line and column. Later duplicates win.
    static func parse(bytes: [UInt8], path: String) throws(ConfigError) -> [String: String] {
        if let bad = UTF8Check.firstInvalidOffset(bytes) {
            let before = bytes[..<bad]
            let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let column = String(decoding: bytes[lineStart..<bad], as: UTF8.self).unicodeScalars.count + 1
            throw ConfigError(
                kind: .environment,
                message: "\(path):\(line):\(column): invalid UTF-8 in secrets file; save it as UTF-8")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    /// Parses the file content. Later duplicates win.
    static func parse(_ text: String, path: String) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = String(rawLine).trimmedSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmedSpaces }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError(
                    kind: .environment,
                    message: "\(path):\(lineNumber): expected KEY=VALUE in secrets file (PICOCLAW_SECRETS_FILE)")
            }
            let key = String(line[..<eq]).trimmedSpaces
            guard !key.isEmpty,
                key.unicodeScalars.allSatisfy({
                    ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                })
            else {
                throw ConfigError(
                    kind: .environment,
                    message: "\(path):\(lineNumber): invalid variable name in secrets file (PICOCLAW_SECRETS_FILE)")
            }
            var value = String(line[line.index(after: eq)...]).trimmedSpaces
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
            }
            result[key] = value
        }
        return result
    }
}
