import Glibc
import PicoConfig
import PicoState
import PicoSystem

/// `picoclaw backup create`: one ustar file, mode 0600, holding the config (secrets blanked unless asked), the
/// state store (SQLite online backup: consistent while the gateway writes), the other files of the state directory
/// and every agent's workspace, and a `MANIFEST` with the SHA-256 of each file. Symlinks are never followed (they
/// are listed as skipped).
public struct BackupCreator {
    let loaded: LoadedConfig
    let includeSecrets: Bool

    public init(loaded: LoadedConfig, includeSecrets: Bool) {
        self.loaded = loaded
        self.includeSecrets = includeSecrets
    }

    /// The default output name: `picoclaw-backup-<UTC date>-<unix time>.tar` in the current directory.
    public static func defaultOutput() -> String {
        let now = Int64(time(nil))
        return "picoclaw-backup-\(StateStore.utcDay(now))-\(now).tar"
    }

    /// Writes the backup to `output` (which must not exist), or to standard output when `output` is `-` (to be
    /// piped, e.g. into `gpg --batch`, so no plaintext copy touches the disk). Returns the manifest's summary line.
    public func create(output: String) async throws(BackupError) -> String {
        if output == "-" {
            guard isatty(STDOUT_FILENO) == 0 else {
                throw BackupError(
                    "refusing to write the archive to a terminal: pipe it (e.g. into gpg --batch) or pass --output FILE"
                )
            }
            return try await write(TarWriter(fd: STDOUT_FILENO, path: "standard output"))
        }
        let fd = open(output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw errno == EEXIST
                ? BackupError("\(output) already exists; choose another --output (backups are never overwritten)")
                : BackupError.errno("create", output)
        }
        do {
            defer { close(fd) }
            _ = fchmod(fd, 0o600)
            let summary = try await write(TarWriter(fd: fd, path: output))
            return summary
        } catch {
            unlink(output)
            throw error
        }
    }

    private func write(_ tar: TarWriter) async throws(BackupError) -> String {
        let config = loaded.config
        var manifest = BackupManifest()
        manifest.created = Int64(time(nil))
        manifest.secretsIncluded = includeSecrets
        manifest.home = loaded.picoclawHome

        // 1. Config (and, with secrets, the secrets env file).
        if loaded.fileExists, let bytes = readWhole(loaded.path) {
            var content = bytes
            if !includeSecrets, !loaded.secretKeysInFile.isEmpty {
                guard let stripped = ConfigFileSecrets.strip(bytes, keys: loaded.secretKeysInFile) else {
                    throw BackupError(
                        "\(loaded.path) is not valid JSON; fix it (picoclaw config check) before backing up")
                }
                content = Array(stripped.utf8)
            }
            manifest.configPath = loaded.path
            manifest.files["config/config.json"] = (try tar.file("config/config.json", bytes: content), content.count)
        }
        if includeSecrets, let secrets = loaded.secretsFilePath, let bytes = readWhole(secrets) {
            manifest.files["config/secrets.env"] = (try tar.file("config/secrets.env", bytes: bytes), bytes.count)
        }

        // 2. The state store (online backup) and the rest of the state directory.
        let stateDir = config.gateway.stateDir
        manifest.statePath = stateDir
        if access(stateDir + "/" + StateStore.fileName, F_OK) == 0 {
            let snapshot = try await snapshotStore(stateDir)
            defer { unlink(snapshot); rmdir(String(snapshot.dropLast(StateStore.fileName.count + 1))) }
            try addFile(tar, &manifest, source: snapshot, as: "state/" + StateStore.fileName)
        }
        try addTree(
            tar, &manifest, root: stateDir, as: "state",
            skip: [StateStore.fileName, StateStore.fileName + "-wal", StateStore.fileName + "-shm"])

        // 3. Workspaces.
        for agent in config.resolvedAgents() where access(agent.workspace, F_OK) == 0 {
            manifest.workspaces.append((agent.id, agent.workspace))
            try addTree(tar, &manifest, root: agent.workspace, as: "workspaces/\(agent.id)", skip: [])
        }

        try tar.file(BackupManifest.entryName, bytes: Array(manifest.text.utf8))
        try tar.finish()
        let bytes = manifest.files.values.reduce(0) { $0 + $1.size }
        return
            "\(manifest.files.count) file(s), \(bytes) bytes; secrets \(includeSecrets ? "INCLUDED" : "excluded"); \(manifest.skipped.count) skipped"
    }

    /// Copies the store into a private temporary directory with SQLite's online backup; returns the copy's path.
    private func snapshotStore(_ stateDir: String) async throws(BackupError) -> String {
        var template = Array("/tmp/picoclaw-backup-XXXXXX".utf8CString)
        guard
            let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) })
        else {
            throw BackupError.errno("create a temporary directory in", "/tmp")
        }
        let copy = dir + "/" + StateStore.fileName
        do {
            let store = try await StateStore.open(directory: stateDir, migrations: OwnerControlsSchema.migrations)
            do { try await store.backup(to: copy) } catch {
                await store.close()
                throw error
            }
            await store.close()
        } catch {
            unlink(copy)
            rmdir(dir)
            throw BackupError("cannot copy the state store: \(error). Run the backup as the user the gateway runs as")
        }
        return copy
    }

    private func addFile(
        _ tar: TarWriter, _ manifest: inout BackupManifest, source: String, as name: String
    ) throws(BackupError) {
        let fd = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError.errno("open", source) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw BackupError("\(source) is not a regular file")
        }
        manifest.files[name] = (
            try tar.file(name, from: fd, size: Int(st.st_size), sourcePath: source), Int(st.st_size)
        )
    }

    /// Regular files and directories below `root`, recursively; symlinks and other types are skipped (listed).
    private func addTree(
        _ tar: TarWriter, _ manifest: inout BackupManifest, root: String, as prefix: String, skip: Set<String>
    ) throws(BackupError) {
        guard let dir = opendir(root) else { return }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." && !skip.contains(name) { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted() {
            let path = root + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFREG: try addFile(tar, &manifest, source: path, as: prefix + "/" + name)
            case S_IFDIR:
                try tar.directory(prefix + "/" + name)
                try addTree(tar, &manifest, root: path, as: prefix + "/" + name, skip: [])
            case S_IFLNK: manifest.skipped.append("symlink \(prefix)/\(name)")
            default: manifest.skipped.append("special-file \(prefix)/\(name)")
            }
        }
    }
}

/// A whole small file, or `nil`.
func readWhole(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return try? FileDescriptorIO.readToEnd(fd).get()
}
