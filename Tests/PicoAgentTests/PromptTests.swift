import Glibc
import PicoAgent
import PicoConfig
import Testing

@Suite("System prompt")
struct PromptTests {
    @Test func bootstrapFilesMemoryTimeAndChannel() {
        let dir = TempDir(); defer { dir.remove() }
        dir.write("AGENTS.md", "Agent rules here")
        dir.write("SOUL.md", "Be kind")
        dir.write("memory/MEMORY.md", "User likes tea")
        dir.write("USER.md", String(repeating: "x", count: 40_000))
        let builder = SystemPromptBuilder(agentID: "main", agentName: "Pico", workspace: dir.path, restrictToWorkspace: true,
                                          toolNames: ["read_file"], redactor: .none)
        let p = builder.build(channel: "telegram", chatID: "42")
        #expect(p.contains("## AGENTS.md\n\nAgent rules here"))
        #expect(p.contains("## SOUL.md\n\nBe kind"))
        #expect(p.contains("# Memory\n\nUser likes tea"))
        #expect(!p.contains("IDENTITY.md\n"))
        #expect(p.contains("Channel: telegram"))
        #expect(p.contains("Chat ID: 42"))
        #expect(p.contains("## Current Time"))
        #expect(p.contains(dir.path))
        #expect(p.contains("USER.md truncated"))
        #expect(p.utf8.count < 40_000)
        #expect(p.firstRange(of: "AGENTS.md")!.lowerBound < p.firstRange(of: "SOUL.md\n")!.lowerBound)
    }

    @Test func symlinkOutOfTheWorkspaceIsIgnoredAndSecretsRedacted() {
        let dir = TempDir(); defer { dir.remove() }
        dir.write("outside/secret.md", "TOP SECRET")
        dir.write("ws/SOUL.md", "key sk-prompt-secret-1")
        symlink(dir.sub("outside/secret.md"), dir.sub("ws/AGENTS.md"))
        let builder = SystemPromptBuilder(agentID: "main", agentName: "main", workspace: dir.sub("ws"),
                                          restrictToWorkspace: false, toolNames: [],
                                          redactor: SecretRedactor(secretValues: ["sk-prompt-secret-1"]))
        let p = builder.build(channel: "cli", chatID: "default")
        #expect(!p.contains("TOP SECRET"))
        #expect(p.contains("key <redacted>"))
    }
}
