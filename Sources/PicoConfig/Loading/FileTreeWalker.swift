/// Flattens a parsed config file into schema leaves, reporting unknown keys (with suggestions) and
/// known-but-unused PicoClaw keys.
struct FileTreeWalker {
    /// Leaf path → value (JSON `null` values are dropped: they mean "use the default").
    var leaves: [String: JSONValue] = [:]
    /// Provider names found under `providers`.
    var providers: [String] = []
    /// Unknown-key warnings.
    var warnings: [String] = []
    /// Known-but-unused key paths found.
    var unused: [String] = []
    /// Structural errors (a section that is not an object...).
    var errors: [ConfigError] = []

    let filePath: String

    init(filePath: String) { self.filePath = filePath }

    mutating func walk(root: JSONValue) {
        guard case .object = root else {
            errors.append(
                ConfigError(
                    kind: .typeMismatch,
                    message: "\(filePath): the top level must be a JSON object, got \(root.typeName)"))
            return
        }
        walkObject(root, path: "")
    }

    private mutating func walkObject(_ value: JSONValue, path: String) {
        guard case .object(let members) = value else {
            errors.append(
                ConfigError(
                    kind: .typeMismatch, message: "\(filePath): \(path): expected an object, got \(value.typeName)",
                    keyPath: path))
            return
        }
        for key in members.keys.sorted() {
            if ConfigSchema.isCommentKey(key) { continue }  // "_comment": guidance, see ConfigCommentKey.swift
            let child = members[key]!
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if path == "providers" {
                guard ConfigSchema.isValidProviderName(key) else {
                    errors.append(
                        ConfigError(
                            kind: .invalidValue,
                            message:
                                "\(filePath): providers.\(key): invalid provider name (use letters, digits, '_' or '-')",
                            keyPath: childPath))
                    continue
                }
                providers.append(key)
            }
            let template = ConfigSchema.template(of: childPath)
            if child == .null { continue }
            if ConfigSchema.leafTemplates[template] != nil {
                leaves[childPath] = child
            } else if ConfigSchema.unusedKeys.contains(template) {
                unused.append(childPath)
            } else if ConfigSchema.objectTemplates.contains(template) {
                walkObject(child, path: childPath)
            } else {
                warnings.append(
                    Self.unknownKeyWarning(
                        file: filePath, path: childPath, parentTemplate: ConfigSchema.template(of: path), key: key))
            }
        }
    }

    /// `FILE: unknown key a.b.c (did you mean d?)`.
    static func unknownKeyWarning(file: String, path: String, parentTemplate: String, key: String) -> String {
        var text = "\(file): unknown key \(path)"
        if let s = Levenshtein.suggestion(for: key, among: ConfigSchema.children(ofTemplate: parentTemplate)) {
            text += " (did you mean \(s)?)"
        } else {
            // The key may belong elsewhere, e.g. `agents.restrict_to_workspace`.
            let matches = ConfigSchema.fixedKeys.map(\.path).filter {
                $0.split(separator: ".").last.map(String.init) == key
            }
            if let first = matches.first { text += " (did you mean \(first)?)" }
        }
        return text
    }
}

/// Finds secret-looking values anywhere in a file tree (for the permission rule and the audit).
enum SecretScanner {
    private static let suffixes = ["key", "keys", "token", "tokens", "secret", "password", "passphrase"]

    /// Key paths whose name ends in key/token/secret/password/passphrase and whose value is a non-empty
    /// string (or array of strings), with those values.
    static func scan(_ value: JSONValue, path: String = "") -> [(path: String, values: [String])] {
        var found: [(String, [String])] = []
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                let lower = key.lowercased()
                let child = members[key]!
                if suffixes.contains(where: { lower.hasSuffix($0) }) {
                    switch child {
                    case .string(let s) where !s.isEmpty:
                        found.append((childPath, [s])); continue
                    case .array(let items):
                        let strings = items.compactMap { if case .string(let s) = $0, !s.isEmpty { s } else { nil } }
                        if !strings.isEmpty { found.append((childPath, strings)); continue }
                    default: break
                    }
                }
                found += scan(child, path: childPath)
            }
        case .array(let items):
            for (i, item) in items.enumerated() { found += scan(item, path: "\(path)[\(i)]") }
        default: break
        }
        return found
    }
}
