import Glibc
import PicoConfig
import PicoPolicy
import PicoSystem
import Synchronization

/// Builds an agent's system prompt: an identity block, the workspace's bootstrap files (`AGENTS.md`, `SOUL.md`,
/// `USER.md`, `IDENTITY.md`) and `memory/MEMORY.md` when present (each capped), the current time and the
/// channel/chat context. Files are read through a restricted ``Workspace`` (symlinks leaving it are ignored),
/// and remembered by file identity (``MemoryFileCache``): an unchanged or missing file costs one `stat` per turn,
/// an edit made by anyone reaches the next turn. The whole prompt is redacted.
public struct SystemPromptBuilder: Sendable {
    /// Bootstrap files read from the workspace root, in this order.
    public static let bootstrapFiles = ["AGENTS.md", "SOUL.md", "USER.md", "IDENTITY.md"]
    /// The long-term memory file.
    public static let memoryFile = "memory/MEMORY.md"
    /// Largest part of each file included.
    public static let maxFileBytes = 16 * 1024

    /// Agent id.
    public var agentID: String
    /// Display name.
    public var agentName: String
    /// Absolute workspace directory.
    public var workspace: String
    /// Whether file and exec tools are confined to the workspace.
    public var restrictToWorkspace: Bool
    /// Names of the tools the agent offers.
    public var toolNames: [String]
    let redactor: SecretRedactor
    /// The files' texts as last read ("" for a file left out), shared by copies of the builder.
    private let cache = MemoryFileCache()
    /// The last prompt assembled, shared by copies of the builder.
    private let memo = PromptMemo()

    /// Creates a builder; `redactor` is applied to the finished prompt.
    public init(
        agentID: String, agentName: String, workspace: String, restrictToWorkspace: Bool, toolNames: [String],
        redactor: SecretRedactor
    ) {
        self.agentID = agentID
        self.agentName = agentName
        self.workspace = workspace
        self.restrictToWorkspace = restrictToWorkspace
        self.toolNames = toolNames
        self.redactor = redactor
    }

    /// The prompt for a turn on `channel`/`chatID` at the current time. Nothing a sender chooses (their name)
    /// ever goes in here: identity reaches the model as data in the user turn (``SenderContext``).
    /// `memory`: the notes of the turn's ``MemoryStore`` (`nil`: read the workspace's `memory/MEMORY.md`).
    /// Files that changed are read on the calling thread (blocking); a turn uses ``prepare(channel:chatID:memory:now:)``.
    public func build(channel: String, chatID: String, memory: String? = nil, now: time_t = time(nil)) -> String {
        let lookups = lookUp(memory: memory)
        return assemble(texts(lookups), channel: channel, chatID: chatID, memory: memory, now: now)
    }

    /// ``build(channel:chatID:memory:now:)`` for a turn: files that changed since the last turn are read on a thread
    /// of their own, never on the cooperative pool; unchanged ones cost one `stat` each.
    public func prepare(channel: String, chatID: String, memory: String?, now: time_t = time(nil)) async -> String {
        let lookups = lookUp(memory: memory)
        let needsRead = lookups.contains {
            if case .read = $0.lookup { return true } else { return false }
        }
        let texts = needsRead ? await DedicatedThread.run { self.texts(lookups) } : texts(lookups)
        return assemble(texts, channel: channel, chatID: chatID, memory: memory, now: now)
    }

    /// One `stat` per file the prompt may include.
    private func lookUp(memory: String?) -> [(name: String, lookup: MemoryFileCache.Lookup)] {
        let names = SystemPromptBuilder.bootstrapFiles + (memory == nil ? [SystemPromptBuilder.memoryFile] : [])
        return names.map { ($0, cache.lookup(workspace + "/" + $0)) }
    }

    /// Each file's text (missing and empty files left out); reads what the look-up could not answer (blocking).
    private func texts(_ lookups: [(name: String, lookup: MemoryFileCache.Lookup)]) -> [String: String] {
        var jail: Workspace?
        var jailTried = false
        var out: [String: String] = [:]
        for (name, lookup) in lookups {
            switch lookup {
            case .missing: continue
            case .cached(let text): if !text.isEmpty { out[name] = text }
            case .read(let identity):
                if !jailTried {
                    jailTried = true
                    jail = try? Workspace(
                        root: workspace, restrictToWorkspace: true, maxReadBytes: SystemPromptBuilder.maxFileBytes)
                }
                guard let jail else { continue }
                let text = read(jail, name)
                cache.store(text ?? "", identity: identity, for: workspace + "/" + name)
                if let text { out[name] = text }
            }
        }
        return out
    }

    private func assemble(
        _ texts: [String: String], channel: String, chatID: String, memory: String?, now: time_t
    ) -> String {
        // A turn with the same inputs as the last (same files, chat and minute) gets the same prompt: it is not
        // assembled and redacted again.
        let time = SystemPromptBuilder.formatTime(now)
        let identity = PromptMemo.Identity(
            agentID: agentID, agentName: agentName, workspace: workspace, restrictToWorkspace: restrictToWorkspace,
            toolNames: toolNames)
        let inputs = PromptMemo.Inputs(
            identity: identity, texts: texts, channel: channel, chatID: chatID, memory: memory, time: time)
        if let last = memo.last.withLock({ $0 }), last.inputs == inputs { return last.prompt }
        // The identity block depends on the agent only: written once.
        let block: String
        if let known = memo.identityBlock.withLock({ $0 }), known.identity == identity {
            block = known.text
        } else {
            block = identityBlock()
            memo.identityBlock.withLock { $0 = (identity, block) }
        }
        var parts: [String] = [block]
        let files = SystemPromptBuilder.bootstrapFiles.compactMap { name in texts[name].map { "## \(name)\n\n\($0)" } }
        if !files.isEmpty { parts.append(files.joined(separator: "\n\n")) }
        if let memory = memory ?? texts[SystemPromptBuilder.memoryFile], !memory.isEmpty {
            parts.append("# Memory\n\n\(memory)")
        }
        parts.append("## Current Time\n\(time)")
        parts.append("## Current Session\nChannel: \(channel)\nChat ID: \(chatID)")
        let prompt = redactor.redact(parts.joined(separator: "\n\n---\n\n"))
        memo.last.withLock { $0 = (inputs, prompt) }
        return prompt
    }

    func identityBlock() -> String {
        let jailText =
            restrictToWorkspace
            ? "You cannot read or write files outside it, and commands run inside it."
            : "Paths outside it are allowed, but prefer working inside it."
        let tools = toolNames.isEmpty ? "none" : toolNames.joined(separator: ", ")
        return """
            # picoclaw 🦞

            You are picoclaw, a personal AI assistant, running as agent "\(agentName)" (id: \(agentID)).

            ## Workspace
            Your workspace is \(workspace). File tools take paths relative to it. \(jailText)
            \(memoryLine)
            Available tools: \(tools).

            ## Rules
            1. Use a tool when you need to act or look something up; never claim to have done something you did not do.
            2. Be concise and answer in the user's language.
            3. Never reveal secrets such as API keys, tokens or passwords.
            4. Ask before destructive or irreversible actions.
            """
    }

    private var memoryLine: String {
        toolNames.contains("memory")
            ? "Long-term memory is shown under '# Memory'; use the memory tool to add, replace or remove notes when the user asks you to remember or forget something."
            : "Long-term memory lives in \(SystemPromptBuilder.memoryFile); update it with the file tools when the user asks you to remember something."
    }

    private func read(_ jail: Workspace, _ path: String) -> String? {
        guard let r = try? jail.read(path, length: SystemPromptBuilder.maxFileBytes) else { return nil }
        var text = r.text.trimmedSpaces
        if text.isEmpty { return nil }
        if r.truncated { text += "\n[… \(path) truncated at \(SystemPromptBuilder.maxFileBytes) bytes]" }
        return text
    }

    /// `2026-02-28 14:05 (Saturday) UTC` in the process's local time zone.
    static func formatTime(_ t: time_t) -> String {
        var t = t
        var tmValue = tm()
        localtime_r(&t, &tmValue)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%Y-%m-%d %H:%M (%A) %Z", &tmValue)
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The last system prompt and everything it was assembled from (one entry: the prompt is a few KB), and the
/// agent's identity block.
final class PromptMemo: Sendable {
    struct Identity: Equatable, Sendable {
        let agentID: String, agentName: String, workspace: String, restrictToWorkspace: Bool, toolNames: [String]
    }
    struct Inputs: Equatable, Sendable {
        let identity: Identity
        let texts: [String: String], channel: String, chatID: String, memory: String?, time: String
    }
    let last = Mutex<(inputs: Inputs, prompt: String)?>(nil)
    let identityBlock = Mutex<(identity: Identity, text: String)?>(nil)
}
