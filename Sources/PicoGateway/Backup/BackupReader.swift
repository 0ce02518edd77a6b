import Glibc
import PicoPolicy
import PicoSystem

/// `picoclaw backup verify` and `picoclaw backup restore`.
public enum BackupReader {
    /// Checks every file against the manifest (SHA-256 and size; nothing missing, nothing extra).
    /// Returns a summary line.
    public static func verify(_ file: String) throws(BackupError) -> String {
        let manifest = try read(file, extractTo: nil)
        return
            "OK: \(manifest.files.count) file(s) match the manifest (created \(manifest.created), secrets \(manifest.secretsIncluded ? "included" : "excluded"))"
    }

    /// Verifies `file`, then extracts it into `directory`, which must not exist or be empty (a restore never
    /// overwrites anything, so never a running gateway's files). Layout: `config.json`, `secrets.env`, and the
    /// state directory and workspaces at their places relative to `$PICOCLAW_HOME` (outside it: `state`,
    /// `workspace-<agent>`). Returns what to do next.
    public static func restore(_ file: String, to directory: String) throws(BackupError) -> String {
        _ = try read(file, extractTo: nil)
        var st = stat()
        if lstat(directory, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw BackupError("\(directory) exists and is not a directory")
            }
            guard isEmpty(directory) else {
                throw BackupError(
                    "\(directory) is not empty; restore into a new or empty directory (a restore never overwrites files, least of all a running gateway's)"
                )
            }
        } else if mkdir(directory, 0o700) != 0 {
            throw BackupError.errno("create", directory)
        }
        chmod(directory, 0o700)
        let manifest = try read(file, extractTo: directory)
        var notes = ["restored \(manifest.files.count) file(s) into \(directory)"]
        notes.append(
            "start it with PICOCLAW_HOME=\(directory) picoclaw gateway (stop the old gateway first if it uses the same bot token)"
        )
        if !manifest.secretsIncluded {
            notes.append(
                "secrets were not in the backup: provide the tokens and API keys again (environment, _FILE or secrets.env)"
            )
        }
        if let config = manifest.configPath, manifest.relative(config) == nil {
            notes.append(
                "the config was at \(config), outside the old PICOCLAW_HOME; it is now \(directory)/config.json")
        }
        return notes.joined(separator: "\n")
    }

    private static func isEmpty(_ directory: String) -> Bool {
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    /// One pass over the archive: hashes every file and (with `extractTo`) writes it. Throws on any mismatch.
    private static func read(_ file: String, extractTo target: String?) throws(BackupError) -> BackupManifest {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError.errno("open", file) }
        defer { close(fd) }
        var seen: [String: (sha256: String, size: Int)] = [:]
        var manifestText: String?
        var pendingManifest: BackupManifest?
        if target != nil { pendingManifest = try read(file, extractTo: nil) }  // the mapping needs the roots first
        try TarReader(fd: fd, path: file).forEach { (entry, consume) throws(BackupError) in
            guard manifestText == nil else {
                throw BackupError("\(file) has entries after its manifest; it was altered")
            }
            try checkName(entry.name, file)
            if entry.isDirectory {
                if let target, let manifest = pendingManifest, let dest = destination(entry.name, manifest, target) {
                    try makeDirectories(dest, below: target)
                }
                return
            }
            var hash = SHA256()
            var bytes: [UInt8] = []
            var out: Int32 = -1
            var destPath = ""
            if entry.name != BackupManifest.entryName, let target, let manifest = pendingManifest,
                let dest = destination(entry.name, manifest, target)
            {
                destPath = dest
                out = try createFile(dest, below: target)
            }
            defer { if out >= 0 { close(out) } }
            try consume { (chunk: [UInt8]) throws(BackupError) in
                hash.update(chunk)
                if entry.name == BackupManifest.entryName { bytes += chunk }
                if out >= 0 {
                    let code = FileDescriptorIO.writeAll(out, chunk)
                    guard code == 0 else { throw BackupError("cannot write \(destPath): \(errnoText(code))") }
                }
            }
            if out >= 0 { guard fsync(out) == 0 else { throw BackupError.errno("sync", destPath) } }
            if entry.name == BackupManifest.entryName {
                manifestText = String(decoding: bytes, as: UTF8.self)
            } else {
                seen[entry.name] = (hash.hexDigest(), entry.size)
            }
        }
        guard let manifestText else {
            throw BackupError("\(file) has no manifest: it is truncated or not a picoclaw backup")
        }
        let manifest = try BackupManifest.parse(manifestText)
        try check(seen, against: manifest, file)
        return manifest
    }

    /// Creates an extracted file (0600, never through a symlink or over an existing file) and its parents.
    private static func createFile(_ dest: String, below target: String) throws(BackupError) -> Int32 {
        try makeDirectories(String(dest[..<dest.lastIndex(of: "/")!]), below: target)
        let out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw BackupError.errno("create", dest) }
        return out
    }

    /// Every file the manifest lists is in the archive with its SHA-256 and size, and nothing else is.
    private static func check(
        _ seen: [String: (sha256: String, size: Int)], against manifest: BackupManifest,
        _ file: String
    ) throws(BackupError) {
        for (name, expected) in manifest.files {
            guard let got = seen[name] else {
                throw BackupError("\(file) is missing \(name), which its manifest lists")
            }
            guard got.sha256 == expected.sha256, got.size == expected.size else {
                throw BackupError(
                    "\(name) in \(file) does not match its SHA-256 in the manifest: the backup is damaged or was altered"
                )
            }
        }
        if let extra = seen.keys.first(where: { manifest.files[$0] == nil }) {
            throw BackupError("\(file) contains \(extra), which its manifest does not list; it was altered")
        }
    }

    /// Archive names are relative, without `..` or empty components.
    private static func checkName(_ name: String, _ file: String) throws(BackupError) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        guard !name.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !parts.contains(".") else {
            throw BackupError("\(file) contains the unsafe path \(name); refusing it")
        }
    }

    /// Where an archive entry goes below `target`.
    static func destination(_ name: String, _ manifest: BackupManifest, _ target: String) -> String? {
        let clean = name.hasSuffix("/") ? String(name.dropLast()) : name
        func place(_ root: String?, fallback: String, rest: Substring) -> String {
            let base = root.flatMap { manifest.relative($0) } ?? fallback
            return target + "/" + base + (rest.isEmpty ? "" : "/" + rest)
        }
        if clean == "config/config.json" { return target + "/config.json" }
        if clean == "config/secrets.env" { return target + "/secrets.env" }
        if clean == "state" || clean.hasPrefix("state/") {
            return place(manifest.statePath, fallback: "state", rest: clean.dropFirst("state".count).drop { $0 == "/" })
        }
        if clean.hasPrefix("workspaces/") {
            let rest = clean.dropFirst("workspaces/".count)
            let agent = String(rest.prefix { $0 != "/" })
            let path = manifest.workspaces.first { $0.agent == agent }?.path
            return place(path, fallback: "workspace-\(agent)", rest: rest.dropFirst(agent.count).drop { $0 == "/" })
        }
        return nil
    }

    private static func makeDirectories(_ path: String, below target: String) throws(BackupError) {
        guard path.count > target.count else { return }
        var current = target
        for component in path.dropFirst(target.count + 1).split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST { throw BackupError.errno("create", current) }
            var st = stat()
            guard lstat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw BackupError("\(current) is not a directory")
            }
        }
    }
}

extension BackupManifest {
    /// `path` relative to the backed-up `$PICOCLAW_HOME`, or `nil` when it lies outside.
    func relative(_ path: String) -> String? {
        let h = home.hasSuffix("/") ? String(home.dropLast()) : home
        guard !h.isEmpty, path.hasPrefix(h + "/") else { return nil }
        let rest = String(path.dropFirst(h.count + 1))
        return rest.split(separator: "/").contains("..") ? nil : rest
    }
}
