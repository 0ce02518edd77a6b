import PicoConfig
import PicoPolicy
import PicoSystem
import Synchronization

/// Where an agent's long-term notes live and how big they may grow.
///
/// - `agent` scope: one `memory/MEMORY.md` in the agent's workspace, shared by everyone the agent serves.
/// - `sender` scope: one `MEMORY.md` per sender (`senders/<channel>/<sender id>/MEMORY.md`) below a directory
///   outside every workspace (`$PICOCLAW_HOME/memory/<agent>`), so file and exec tools confined to the workspace
///   cannot read another sender's notes either, and the workspace `memory/MEMORY.md` is not put in the prompt
///   (any sender could write it).
///
/// All file access goes through PicoPolicy's `Workspace` (no symlink escapes, atomic 0600 writes) on a short-lived
/// dedicated thread, never on the cooperative pool. Edits of one store are serialised.
public final class MemoryStore: Sendable {
    public let scope: MemoryScope
    /// Largest memory file (bytes) read into the prompt and kept by the `memory` tool.
    public let maxBytes: Int
    let workspace: String
    let senderRoot: String
    let redactor: SecretRedactor
    private let lock = Mutex(())
    private let cache = MemoryFileCache()

    public init(
        scope: MemoryScope, workspace: String, senderRoot: String, maxBytes: Int = 8192, redactor: SecretRedactor
    ) {
        self.scope = scope
        self.workspace = workspace
        self.senderRoot = senderRoot
        self.maxBytes = max(256, maxBytes)
        self.redactor = redactor
    }

    /// The root and relative path of the memory file for a turn.
    func location(channel: String, chatID: String, senderID: String?) -> (root: String, path: String) {
        switch scope {
        case .agent:
            return (workspace, SystemPromptBuilder.memoryFile)
        case .sender:
            let who = senderID.map(MemoryStore.safeComponent) ?? "chat-" + MemoryStore.safeComponent(chatID)
            return (senderRoot, "senders/\(MemoryStore.safeComponent(channel))/\(who)/MEMORY.md")
        }
    }

    /// The notes for a turn ("" when none), cut at ``maxBytes``.
    /// An unchanged or missing file costs one `stat` (``MemoryFileCache``); otherwise it is read on its own thread.
    public func load(channel: String, chatID: String, senderID: String?) async -> String {
        let (root, path) = location(channel: channel, chatID: chatID, senderID: senderID)
        let full = root + "/" + path
        let identity: MemoryFileCache.Identity?
        switch cache.lookup(full) {
        case .cached(let text): return text
        case .missing: return ""
        case .read(let id): identity = id
        }
        return await DedicatedThread.run {
            let text = self.loadBlocking(channel: channel, chatID: chatID, senderID: senderID)
            self.cache.store(text, identity: identity, for: full)
            return text
        }
    }

    /// ``load(channel:chatID:senderID:)`` on the calling thread (blocking file I/O).
    func loadBlocking(channel: String, chatID: String, senderID: String?) -> String {
        let (root, path) = location(channel: channel, chatID: chatID, senderID: senderID)
        guard let jail = try? Workspace(root: root, restrictToWorkspace: true, maxReadBytes: maxBytes),
            let r = try? jail.read(path, length: maxBytes)
        else { return "" }
        let text = r.text.trimmedSpaces
        return r.truncated ? text + "\n[… memory truncated at \(maxBytes) bytes]" : text
    }

    /// Applies `edit` to the notes of a turn and returns a message for the model.
    func apply(
        _ edit: MemoryEdit, channel: String, chatID: String, senderID: String?
    ) async throws(MemoryError) -> String {
        let (root, path) = location(channel: channel, chatID: chatID, senderID: senderID)
        let store = self
        return try await DedicatedThread.run(throwing: { () throws(MemoryError) -> String in
            defer { store.cache.forget(root + "/" + path) }
            return try store.lock.withLock { _ throws(MemoryError) -> String in
                try store.applyBlocking(edit, root: root, path: path)
            }
        })
    }

    private func applyBlocking(_ edit: MemoryEdit, root: String, path: String) throws(MemoryError) -> String {
        do { try AgentFactory.createDirectory(root) } catch { throw MemoryError("cannot create the memory directory") }
        let jail: Workspace
        do { jail = try Workspace(root: root, restrictToWorkspace: true, maxReadBytes: maxBytes * 4) } catch {
            throw MemoryError("memory is unavailable: \(error)")
        }
        var notes: [String] = []
        if let r = try? jail.read(path) {
            notes = r.text.split(separator: "\n").map { String($0).trimmedSpaces }.filter { !$0.isEmpty }
                .map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        }
        let message: String
        switch edit {
        case .add(let text):
            notes.append(text)
            message = "Saved to memory."
        case .replace(let old, let new):
            let i = try MemoryStore.uniqueMatch(old, in: notes)
            notes[i] = new
            message = "Memory note replaced."
        case .remove(let old):
            notes.remove(at: try MemoryStore.uniqueMatch(old, in: notes))
            message = "Memory note removed."
        }
        let text = notes.map { "- " + $0 }.joined(separator: "\n") + (notes.isEmpty ? "" : "\n")
        let bytes = Array(redactor.redact(text).utf8)
        guard bytes.count <= maxBytes else {
            throw MemoryError(
                "memory is full (\(bytes.count) of \(maxBytes) bytes with this change); remove or shorten notes first")
        }
        do { try jail.write(path, contents: bytes) } catch { throw MemoryError("could not save memory: \(error)") }
        return message + " (\(notes.count) note\(notes.count == 1 ? "" : "s"), \(bytes.count) of \(maxBytes) bytes)"
    }

    static func uniqueMatch(_ needle: String, in notes: [String]) throws(MemoryError) -> Int {
        let hits = notes.indices.filter { notes[$0].contains(needle) }
        guard !hits.isEmpty else { throw MemoryError("no note contains '\(TextLimits.truncate(needle, to: 80))'") }
        guard hits.count == 1 else {
            throw MemoryError(
                "\(hits.count) notes contain '\(TextLimits.truncate(needle, to: 80))'; quote more of the one you mean")
        }
        return hits[0]
    }

    /// A path component made of `[A-Za-z0-9_-]` (anything else hex-encoded), never `.` or `..`.
    static func safeComponent(_ s: String) -> String {
        let ok =
            !s.isEmpty && s.utf8.count <= 64
            && s.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
        if ok { return s }
        return "x" + s.utf8.prefix(64).map { String($0, radix: 16) }.joined()
    }
}

/// One change to the notes.
enum MemoryEdit: Sendable {
    case add(String)
    case replace(old: String, new: String)
    case remove(String)
}

/// Why a memory edit failed (safe to show the model).
struct MemoryError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
