/// Removes secret values from config file text (for backups made without secrets).
public enum ConfigFileSecrets {
    /// The config JSON with every key path in `keys` (as ``LoadedConfig/secretKeysInFile`` names them, e.g.
    /// `providers.openrouter.api_key`, `model_list[0].api_key`) set to `""`; `nil` when `bytes` is not JSON.
    public static func strip(_ bytes: [UInt8], keys: [String]) -> String? {
        guard var root = try? JSONParser.parse(bytes) else { return nil }
        for key in keys { blank(&root, path(key)[...]) }
        return root.serialized(indent: 2) + "\n"
    }

    private enum Step { case member(String), index(Int) }

    private static func path(_ key: String) -> [Step] {
        var steps: [Step] = []
        for part in key.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
            {
                indices.insert(i, at: 0)
                name = name[..<open]
            }
            steps.append(.member(String(name)))
            steps += indices.map { .index($0) }
        }
        return steps
    }

    private static func blank(_ node: inout JSONValue, _ steps: ArraySlice<Step>) {
        guard let step = steps.first else {
            if case .string = node { node = .string("") }
            return
        }
        switch (step, node) {
        case (.member(let name), .object(var members)):
            guard var child = members[name] else { return }
            blank(&child, steps.dropFirst())
            members[name] = child
            node = .object(members)
        case (.index(let i), .array(var items)) where items.indices.contains(i):
            blank(&items[i], steps.dropFirst())
            node = .array(items)
        default:
            return
        }
    }
}
