import Glibc
import PicoAgent
import PicoConfig
import Synchronization
import PicoFakes
import Testing

/// Answers every request with "echo: <last user text>" and records the history it was sent.
final class EchoProvider: LLMProvider {
    let name = "echo"
    private let seen = Mutex<[[ChatMessage]]>([])
    var requests: [[ChatMessage]] { seen.withLock { $0 } }
    func complete(_ request: LLMRequest) async throws -> LLMResponse {
        seen.withLock { $0.append(request.messages) }
        await Task.yield()
        let last = request.messages.last { $0.role == .user }?.content ?? ""
        return LLMResponse(content: "echo: \(last)")
    }
}

@Suite("Session history cache")
struct SessionHistoryCacheTests {
    let key = SessionKey("agent:main:cli:direct:cache")

    /// Overwrites `path` in place (same inode) with `text`.
    func overwrite(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    @Test func externalRewriteOfTheFileIsPickedUp() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        try await store.appendTurn(key, messages: [.user("one"), .assistant("uno")])
        #expect(try await store.loadHistory(key).map(\.content) == ["one", "uno"])
        // Same inode, different content (e.g. the agent's edit_file tool): the stamp changes, the cache is bypassed.
        overwrite(
            store.path(for: key),
            #"{"role":"user","content":"edited"}"# + "\n" + #"{"role":"assistant","content":"ok"}"# + "\n")
        #expect(try await store.loadHistory(key).map(\.content) == ["edited", "ok"])
        // A new file under the same name (atomic replace by another writer).
        let tmp = store.directory + "/replacement"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let line = #"{"role":"user","content":"replaced"}"# + "\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        rename(tmp, store.path(for: key))
        #expect(try await store.loadHistory(key).map(\.content) == ["replaced"])
        // Appends after an external change build on the file, not on a stale cache.
        try await store.appendTurn(key, messages: [.assistant("after")])
        #expect(try await store.loadHistory(key).map(\.content) == ["replaced", "after"])
        #expect(try store.loadAll(key).map(\.content) == ["replaced", "after"])
    }

    @Test func externalAppendAndDeletionArePickedUp() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        try await store.appendTurn(key, messages: [.user("a"), .assistant("b")])
        _ = try await store.loadHistory(key)
        let fd = open(store.path(for: key), O_WRONLY | O_APPEND)
        let line = #"{"role":"user","content":"c"}"# + "\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(try await store.loadHistory(key).map(\.content) == ["a", "b", "c"])
        unlink(store.path(for: key))
        #expect(try await store.loadHistory(key).isEmpty)
        try await store.appendTurn(key, messages: [.user("fresh")])
        #expect(try await store.loadHistory(key).map(\.content) == ["fresh"])
    }

    @Test func twoStoresOnOneDirectorySeeEachOthersWrites() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let a = SessionStore(workspace: dir.path, redactor: .none)
        let b = SessionStore(workspace: dir.path, redactor: .none)
        try await a.appendTurn(key, messages: [.user("1")])
        #expect(try await a.loadHistory(key).map(\.content) == ["1"])
        try await b.appendTurn(key, messages: [.assistant("2")])
        #expect(try await a.loadHistory(key).map(\.content) == ["1", "2"])
        try await a.appendTurn(key, messages: [.user("3")])
        #expect(try await b.loadHistory(key).map(\.content) == ["1", "2", "3"])
    }

    @Test func cachedHistoryMatchesTheFileAcrossTrimmingAndCompaction() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(
            workspace: dir.path, maxHistoryMessages: 5, redactor: SecretRedactor(secretValues: ["sk-secret-xyz"]))
        let fresh = { SessionStore(workspace: dir.path, maxHistoryMessages: 5, redactor: .none) }
        for i in 0..<150 {
            var turn: [ChatMessage] = [.user("u\(i) sk-secret-xyz")]
            if i % 3 == 0 {
                turn.append(.assistant("", toolCalls: [ToolCall(id: "c\(i)", name: "exec", arguments: "{}")]))
                turn.append(.tool(callID: "c\(i)", name: "exec", content: "r\(i)"))
            }
            turn.append(.assistant("a\(i)"))
            try await store.appendTurn(key, messages: turn)
            // The cached answer equals what a cold store reads from disk (redaction included).
            let cached = try await store.loadHistory(key)
            let cold = try fresh().history(key)
            #expect(cached == cold)
            #expect(!cached.contains { $0.content.contains("sk-secret-xyz") })
        }
        // Compaction happened (threshold 200 messages; 400 were appended) and kept the file readable.
        #expect(try store.loadAll(key).count <= 200)
    }

    @Test func tornLastLineWithCache() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        try await store.appendTurn(key, messages: [.user("one")])
        _ = try await store.loadHistory(key)
        let fd = open(store.path(for: key), O_WRONLY | O_APPEND)
        let torn = #"{"role":"assistant","content":"tw"#
        _ = torn.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(try await store.loadHistory(key).map(\.content) == ["one"])
        try await store.appendTurn(key, messages: [.user("two")])
        #expect(try await store.loadHistory(key).map(\.content) == ["one", "two"])
        #expect(try store.loadAll(key).map(\.content) == ["one", "two"])
    }

    @Test func concurrentSessionsThroughTheStore() async throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, maxHistoryMessages: 8, redactor: .none)
        let sessions = (0..<12).map { SessionKey("agent:main:cli:direct:s\($0)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, s) in sessions.enumerated() {
                group.addTask {
                    // Turns of one session are sequential (as the dispatcher guarantees); sessions run concurrently.
                    for t in 0..<15 {
                        let h = try await store.loadHistory(s)
                        #expect(h.last?.content == (t == 0 ? nil : "a\(n)-\(t - 1)"))
                        try await store.appendTurn(s, messages: [.user("u\(n)-\(t)"), .assistant("a\(n)-\(t)")])
                    }
                }
            }
            try await group.waitForAll()
        }
        for (n, s) in sessions.enumerated() {
            #expect(try store.loadAll(s).map(\.content) == (0..<15).flatMap { ["u\(n)-\($0)", "a\(n)-\($0)"] })
            #expect(
                try await store.loadHistory(s).map(\.content) == (11..<15).flatMap { ["u\(n)-\($0)", "a\(n)-\($0)"] })
        }
    }

    @Test func concurrentTurnsOfDifferentSessionsThroughTheRuntime() async throws {
        let home = TempDir(); defer { home.remove() }
        let provider = EchoProvider()
        mkdir(home.at("ws"), 0o700)
        let settings = AgentSettings(id: "main", name: "main", workspace: home.at("ws"), model: "m")
        let agent = AgentRuntime(
            settings: settings, provider: provider,
            tools: ToolRegistry(tools: [], redactor: .none), redactor: .none)
        let sessions = (0..<8).map { SessionKey("agent:main:cli:direct:p\($0)") }
        // Sessions run concurrently; the turns of one session one after another (as the gateway's scheduler runs them).
        await withTaskGroup(of: Void.self) { group in
            for (n, s) in sessions.enumerated() {
                group.addTask {
                    for t in 0..<6 {
                        let reply = await agent.respond(to: cliMessage("m\(n)-\(t)"), session: s)
                        #expect(reply.text.hasPrefix("echo: m\(n)-"))
                    }
                }
            }
        }
        for (n, s) in sessions.enumerated() {
            let all = try agent.fileSessions.loadAll(s)
            #expect(all.count == 12)
            // Every message in a session's file belongs to that session, as user/echo pairs.
            for pair in stride(from: 0, to: all.count, by: 2) {
                #expect(all[pair].role == .user)
                #expect(all[pair].content.hasPrefix("m\(n)-"))
                #expect(all[pair + 1].content == "echo: " + all[pair].content)
            }
            #expect(Set(all.filter { $0.role == .user }.map(\.content)) == Set((0..<6).map { "m\(n)-\($0)" }))
        }
        // Each request carried exactly the history of its own session.
        for messages in provider.requests {
            let users = messages.filter { $0.role == .user }.map(\.content)
            let prefix = users.last.map { String($0.prefix { $0 != "-" }) } ?? ""
            #expect(users.allSatisfy { $0.hasPrefix(prefix + "-") })
        }
    }
}
