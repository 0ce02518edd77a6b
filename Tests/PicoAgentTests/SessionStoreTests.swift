import Glibc
import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("Session store")
struct SessionStoreTests {
    let key = SessionKey("agent:main:telegram:direct:42")

    @Test func roundTripWithPermissions() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        let call = ToolCall(id: "c1", name: "exec", arguments: #"{"command":"ls"}"#)
        let turn: [ChatMessage] = [
            .user("hi\nthere"), .assistant("", toolCalls: [call]),
            .tool(callID: "c1", name: "exec", content: "a\nb"), .assistant("done"),
        ]
        try store.append(key, messages: turn)
        #expect(try store.loadAll(key) == turn)
        #expect(TempDir.mode(store.directory) == 0o700)
        #expect(TempDir.mode(store.path(for: key)) == 0o600)
        #expect(store.path(for: key).hasSuffix("/sessions/agent_main_telegram_direct_42.jsonl"))
        let lines = try #require(TempDir.readFile(store.path(for: key))).split(separator: "\n")
        #expect(lines.count == 4)
    }

    @Test func tornLastLineIsSkippedAndNextAppendStartsFresh() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        try store.append(key, messages: [.user("one"), .assistant("uno")])
        // Simulate a crash mid-write: a truncated JSON line without newline.
        let fd = open(store.path(for: key), O_WRONLY | O_APPEND)
        let torn = #"{"role":"user","content":"tw"#
        _ = torn.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        #expect(try store.loadAll(key).map(\.content) == ["one", "uno"])
        try store.append(key, messages: [.user("three")])
        #expect(try store.loadAll(key).map(\.content) == ["one", "uno", "three"])
    }

    @Test func secretsAreRedactedBeforeWriting() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: SecretRedactor(secretValues: ["sk-very-secret-1"]))
        try store.append(key, messages: [.user("my key is sk-very-secret-1")])
        let text = try #require(TempDir.readFile(store.path(for: key)))
        #expect(!text.contains("sk-very-secret-1"))
        #expect(try store.loadAll(key).first?.content == "my key is <redacted>")
    }

    @Test func trimmingNeverSplitsToolCallsFromResults() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, maxHistoryMessages: 5, redactor: .none)
        let calls = [
            ToolCall(id: "a", name: "list_dir", arguments: "{}"), ToolCall(id: "b", name: "list_dir", arguments: "{}"),
        ]
        try store.append(key, messages: [.user("u1"), .assistant("r1")])
        try store.append(
            key,
            messages: [
                .user("u2"), .assistant("", toolCalls: calls),
                .tool(callID: "a", name: "list_dir", content: "A"),
                .tool(callID: "b", name: "list_dir", content: "B"), .assistant("r2"),
            ])
        // The last 5 messages would start at the assistant tool-call message; trimming moves to the next user
        // message rather than keeping results without their call.
        let h = try store.history(key)
        #expect(h.first?.role == .user)
        #expect(h.count <= 5)
        for (i, m) in h.enumerated() where m.role == .tool {
            #expect(h[..<i].contains { ($0.toolCalls ?? []).contains { $0.id == m.toolCallId } })
        }
        try store.append(key, messages: [.user("u3"), .assistant("r3")])
        let h2 = try store.history(key)
        #expect(h2.map(\.content) == ["u3", "r3"])
    }

    @Test func interruptedToolCallsAreRepaired() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, redactor: .none)
        try store.append(
            key,
            messages: [
                .user("u"), .assistant("", toolCalls: [ToolCall(id: "x", name: "exec", arguments: "{}")]),
                .tool(callID: "zzz", name: "exec", content: "orphan"), .user("again"),
            ])
        let h = try store.history(key)
        #expect(h.map(\.role) == [.user, .assistant, .tool, .user])
        #expect(h[2].toolCallId == "x")
        #expect(h[2].content.hasPrefix("Error:"))
    }

    @Test func oversizedFilesAreCompactedAtomically() throws {
        let dir = TempDir(); defer { dir.remove() }
        let store = SessionStore(workspace: dir.path, maxHistoryMessages: 4, redactor: .none)
        for i in 0..<120 { try store.append(key, messages: [.user("u\(i)"), .assistant("a\(i)")]) }
        #expect(try store.loadAll(key).count == 240)
        let h = try store.history(key)
        #expect(h.map(\.content) == ["u118", "a118", "u119", "a119"])
        #expect(try store.loadAll(key).count == 4)
        #expect(TempDir.mode(store.path(for: key)) == 0o600)
    }

    @Test func sessionKeysAreLowercasedAndSafeAsFileNames() {
        #expect(SessionKey("Agent:Main:Telegram:Direct:ABC").rawValue == "agent:main:telegram:direct:abc")
        #expect(
            SessionKey.forPeer(agentID: "main", channel: "discord", peerKind: "group", peerID: "99").rawValue
                == "agent:main:discord:group:99")
        #expect(SessionKey.scoped("cli:default", agentID: "main").rawValue == "agent:main:cli:default")
        #expect(SessionKey.scoped("agent:x:cli:y", agentID: "main").rawValue == "agent:x:cli:y")
        let evil = SessionKey("agent:main:cli:../../etc/passwd")
        #expect(!evil.fileStem.contains("/"))
        #expect(!evil.fileStem.hasPrefix("."))
        #expect(evil.fileStem != SessionKey("agent:main:cli:--etc-passwd").fileStem)
    }
}
