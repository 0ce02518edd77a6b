/// The `MANIFEST` entry that ends every backup: where each part came from and the SHA-256 of every file.
///
/// ```
/// picoclaw-backup 1
/// created <unix time>
/// secrets excluded|included
/// home <PICOCLAW_HOME>
/// root config <path> | root state <path> | root workspace <agent id> <path>
/// file <sha256> <size> <archive path>
/// skipped <reason> <archive path>
/// ```
struct BackupManifest: Equatable {
    static let entryName = "MANIFEST"

    var created: Int64 = 0
    var secretsIncluded = false
    var home = ""
    var configPath: String?
    var statePath: String?
    /// Agent id → workspace path.
    var workspaces: [(agent: String, path: String)] = []
    /// Archive path → (sha256, size).
    var files: [String: (sha256: String, size: Int)] = [:]
    var skipped: [String] = []

    static func == (a: BackupManifest, b: BackupManifest) -> Bool { a.text == b.text }

    var text: String {
        var lines = [
            "picoclaw-backup 1", "created \(created)", "secrets \(secretsIncluded ? "included" : "excluded")",
            "home \(home)",
        ]
        if let configPath { lines.append("root config \(configPath)") }
        if let statePath { lines.append("root state \(statePath)") }
        for w in workspaces { lines.append("root workspace \(w.agent) \(w.path)") }
        for (name, f) in files.sorted(by: { $0.key < $1.key }) { lines.append("file \(f.sha256) \(f.size) \(name)") }
        lines += skipped.map { "skipped \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parse(_ text: String) throws(BackupError) -> BackupManifest {
        var m = BackupManifest()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "picoclaw-backup 1" else {
            throw BackupError("the manifest is not a picoclaw backup manifest (version 1)")
        }
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "created": m.created = Int64(parts.count > 1 ? parts[1] : "") ?? 0
            case "secrets": m.secretsIncluded = parts.count > 1 && parts[1] == "included"
            case "home": m.home = String(line.dropFirst(5))
            case "root" where parts.count >= 3 && parts[1] == "config":
                m.configPath = String(line.dropFirst("root config ".count))
            case "root" where parts.count >= 3 && parts[1] == "state":
                m.statePath = String(line.dropFirst("root state ".count))
            case "root" where parts.count == 4 && parts[1] == "workspace": m.workspaces.append((parts[2], parts[3]))
            case "file" where parts.count == 4:
                guard let size = Int(parts[2]), parts[1].count == 64 else {
                    throw BackupError("bad manifest line: \(line)")
                }
                m.files[parts[3]] = (parts[1], size)
            case "skipped": m.skipped.append(String(line.dropFirst("skipped ".count)))
            default: throw BackupError("bad manifest line: \(line)")
            }
        }
        return m
    }
}
