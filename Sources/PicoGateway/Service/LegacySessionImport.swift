import Glibc
import Logging
import PicoAgent
import PicoConfig
import PicoState
import PicoSystem

/// Moves the JSON Lines sessions of earlier versions (`<workspace>/sessions/*.jsonl`) into the state store,
/// then deletes them from the workspace, where every tool of the agent could read and change them.
///
/// Files are opened beneath the workspace without following symlinks (a symlinked `sessions` directory or file
/// is skipped and reported). A session already in the store is not imported twice (a crash between the import
/// and the delete only repeats the delete).
struct LegacySessionImport {
    let system: AgentSystem
    let sessions: [String: StateSessionStore]
    let logger: Logger

    /// Imports every agent's old sessions; logs what it did.
    func run() async {
        for id in system.agentIDs {
            guard let agent = system.agent(id), let backend = sessions[id] else { continue }
            let files: Result<[(name: String, bytes: [UInt8])], LegacyReadError> = await DedicatedThread.run {
                Self.readSessionFiles(workspace: agent.settings.workspace)
            }
            switch files {
            case .failure(let error):
                logger.warning(
                    "agent \(id): old sessions in \(agent.settings.workspace)/sessions not imported: \(error.text)")
            case .success(let found):
                guard !found.isEmpty else { continue }
                var imported = 0
                for file in found {
                    let key = SessionKey(Self.key(fromStem: String(file.name.dropLast(".jsonl".count))))
                    do {
                        let (_, existing) = try await backend.store.sessionTail(key.rawValue, limit: 0)
                        if existing == 0 {
                            let lines = file.bytes.split(separator: UInt8(ascii: "\n")).map {
                                String(decoding: $0, as: UTF8.self)
                            }
                            try await backend.appendTurn(key, messages: StateSessionStore.decode(lines))
                            imported += 1
                        }
                        let workspace = agent.settings.workspace
                        _ = await DedicatedThread.run { Self.remove(workspace: workspace, name: file.name) }
                    } catch {
                        logger.error("agent \(id): cannot import the old session \(file.name): \(error)")
                    }
                }
                let workspace = agent.settings.workspace
                _ = await DedicatedThread.run { Self.removeEmptyDirectory(workspace: workspace) }
                logger.notice(
                    "agent \(id): moved \(imported) session(s) from \(workspace)/sessions into the state store (out of the agent's reach)"
                )
            }
        }
    }

    struct LegacyReadError: Error, Sendable { let text: String }

    /// The `.jsonl` regular files of `<workspace>/sessions` (none when it does not exist). Blocking.
    static func readSessionFiles(workspace: String) -> Result<[(name: String, bytes: [UInt8])], LegacyReadError> {
        let ws = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard ws >= 0 else { return .success([]) }
        defer { close(ws) }
        let dirFD = openat(ws, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if dirFD < 0 {
            if errno == ENOENT { return .success([]) }
            return .failure(
                LegacyReadError(
                    text: errno == ELOOP || errno == ENOTDIR
                        ? "it is a symlink or not a directory; left alone" : errnoText()))
        }
        guard let dir = fdopendir(dirFD) else {
            close(dirFD)
            return .failure(LegacyReadError(text: errnoText()))
        }
        defer { closedir(dir) }
        var out: [(String, [UInt8])] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".jsonl"), !name.hasPrefix(".") else { continue }
            let fd = openat(dirfd(dir), name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { continue }  // a symlink (ELOOP) or unreadable: skipped
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= 64 << 20 else { continue }
            guard case .success(let bytes) = FileDescriptorIO.readToEnd(fd) else { continue }  // unreadable: skipped
            out.append((name, bytes))
        }
        return .success(out)
    }

    /// Deletes one imported file (beneath the workspace, no symlink followed). Blocking.
    static func remove(workspace: String, name: String) -> Bool {
        let ws = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard ws >= 0 else { return false }
        defer { close(ws) }
        let dir = openat(ws, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dir >= 0 else { return false }
        defer { close(dir) }
        return unlinkat(dir, name, 0) == 0
    }

    /// Removes `<workspace>/sessions` when it is an empty directory. Blocking.
    static func removeEmptyDirectory(workspace: String) -> Bool {
        let ws = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard ws >= 0 else { return false }
        defer { close(ws) }
        return unlinkat(ws, "sessions", AT_REMOVEDIR) == 0
    }

    /// The session key of an old file name: `agent_main_telegram_direct_42` → `agent:main:telegram:direct:42`.
    /// Names that do not follow the pattern keep their stem under `agent:<id>:imported:`.
    static func key(fromStem stem: String) -> String {
        guard stem.hasPrefix("agent_") else { return "imported:" + stem }
        let body = String(stem.dropFirst("agent_".count))
        for channel in ["telegram", "discord", "cli"] {
            let marker = "_\(channel)_"
            guard let at = Self.find(marker, in: body) else { continue }
            let agent = body.prefix(at)
            var rest = String(body.dropFirst(at + marker.count))
            if channel != "cli", let underscore = rest.firstIndex(of: "_") {
                rest.replaceSubrange(underscore...underscore, with: ":")
            } else if channel == "cli" {
                rest = String(rest.map { $0 == "_" ? ":" : $0 })
            }
            return "agent:\(agent):\(channel):\(rest)"
        }
        return "imported:" + stem
    }

    /// The character offset of the first `needle` in `text`.
    private static func find(_ needle: String, in text: String) -> Int? {
        let hay = Array(text), pin = Array(needle)
        guard hay.count >= pin.count else { return nil }
        for i in 0...(hay.count - pin.count) where Array(hay[i..<(i + pin.count)]) == pin { return i }
        return nil
    }
}
