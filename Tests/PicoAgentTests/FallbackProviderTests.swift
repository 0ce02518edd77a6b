import PicoAgent
import PicoConfig
import PicoFakes
import PicoHTTP
import Testing

@Suite("Model fallbacks")
struct FallbackProviderTests {
    /// `openai/fake-model` on `primary`, falling back to `groq/backup-model` on `backup`.
    func config(_ home: TempDir, primary: String, backup: String) -> PicoConfiguration {
        PicoConfiguration(
            agents: AgentsConfig(
                defaults: AgentDefaults(
                    workspace: home.at("workspace"), model: "openai/fake-model",
                    modelFallbacks: ["groq/backup-model"])),
            providers: [
                "openai": ProviderConfig(apiKey: Secret("sk-primary-key-1234"), apiBase: primary),
                "groq": ProviderConfig(apiKey: Secret("sk-backup-key-5678"), apiBase: backup),
            ],
            picoclawHome: home.path)
    }

    func system(_ config: PicoConfiguration, clock: ManualClock, retries: Int = 1) throws -> AgentSystem {
        try AgentFactory.make(
            from: config, redactor: SecretRedactor(secrets: config.allSecrets),
            options: AgentFactory.Options(
                retry: RetryPolicy(maxRetries: retries) { _ in },
                providerCooldowns: ProviderCooldowns(duration: .seconds(60), now: { clock.now() })))
    }

    @Test func anOverloadedProviderFallsBackSilentlyAndCoolsDown() async throws {
        let home = TempDir(); defer { home.remove() }
        let primary = try await FakeOpenAI.start()
        let backup = try await FakeOpenAI.start()
        defer {
            Task {
                await primary.stop(); await backup.stop()
            }
        }
        let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        primary.enqueue(.status(529, body: overloaded), .status(529, body: overloaded))
        primary.setDefaultResponse(.text("primary is back"))
        backup.setResponder { _ in .text("answer from the backup") }
        let clock = ManualClock()
        // No provider-level retries: each 529 is one failed attempt, whatever RetryPolicy does with 529.
        let system = try system(
            config(home, primary: primary.apiBase, backup: backup.apiBase), clock: clock, retries: 0)

        let reply = await system.defaultAgent.respond(to: cliMessage("hello"), session: testSession)
        #expect(reply.text == "answer from the backup")
        #expect(!reply.isFailure)
        #expect(primary.requests.count == 1)
        #expect(backup.requests.first?.model == "backup-model")

        // Within the cool-down the failed provider is not asked at all.
        let again = await system.defaultAgent.respond(to: cliMessage("and now?"), session: testSession)
        #expect(again.text == "answer from the backup")
        #expect(primary.requests.count == 1)
        #expect(backup.requests.count == 2)
        // The history the backup saw is the same conversation.
        #expect(backup.requests.last?.allText.contains("hello") == true)

        // After the cool-down the primary is tried first again: its second 529 falls back once more.
        clock.advance(by: .seconds(61))
        let third = await system.defaultAgent.respond(to: cliMessage("still?"), session: testSession)
        #expect(third.text == "answer from the backup")
        #expect(primary.requests.count == 2)

        clock.advance(by: .seconds(61))
        let later = await system.defaultAgent.respond(to: cliMessage("later"), session: testSession)
        #expect(later.text == "primary is back")
        #expect(primary.requests.count == 3)
        #expect(primary.requests.last?.model == "fake-model")
    }

    @Test func unreachableAndRateLimitedProvidersFallBack() async throws {
        let home = TempDir(); defer { home.remove() }
        let backup = try await FakeOpenAI.start()
        defer { Task { await backup.stop() } }
        backup.setDefaultResponse(.text("backup answered"))
        let refusing = RefusingLoopbackPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = "http://127.0.0.1:\(refusing.port)/v1"
        let down = try system(config(home, primary: closed, backup: backup.apiBase), clock: ManualClock(), retries: 0)
        #expect(await down.defaultAgent.respond(to: cliMessage("hi"), session: testSession).text == "backup answered")

        let limited = try await FakeOpenAI.start()
        defer { Task { await limited.stop() } }
        limited.setDefaultResponse(.status(429, body: #"{"error":{"message":"slow down"}}"#))
        let home2 = TempDir(); defer { home2.remove() }
        let rl = try system(
            config(home2, primary: limited.apiBase, backup: backup.apiBase), clock: ManualClock(), retries: 0)
        #expect(await rl.defaultAgent.respond(to: cliMessage("hi"), session: testSession).text == "backup answered")
    }

    @Test func whenEveryModelFailsTheReplySaysSo() async throws {
        let home = TempDir(); defer { home.remove() }
        let primary = try await FakeOpenAI.start()
        let backup = try await FakeOpenAI.start()
        defer {
            Task {
                await primary.stop(); await backup.stop()
            }
        }
        primary.setDefaultResponse(.status(503, body: "down"))
        backup.setDefaultResponse(.status(500, body: "also down"))
        let system = try system(
            config(home, primary: primary.apiBase, backup: backup.apiBase), clock: ManualClock(), retries: 0)
        let reply = await system.defaultAgent.respond(to: cliMessage("hi"), session: testSession)
        #expect(reply.isFailure)
        #expect(reply.text.contains("All 2 configured models failed"), "\(reply.text)")
        #expect(!reply.text.contains("sk-"))
    }

    @Test func aRejectedRequestDoesNotFallBack() async throws {
        let home = TempDir(); defer { home.remove() }
        let primary = try await FakeOpenAI.start()
        let backup = try await FakeOpenAI.start()
        defer {
            Task {
                await primary.stop(); await backup.stop()
            }
        }
        primary.setDefaultResponse(.status(400, body: #"{"error":{"message":"bad request"}}"#))
        let system = try system(
            config(home, primary: primary.apiBase, backup: backup.apiBase), clock: ManualClock(), retries: 0)
        let reply = await system.defaultAgent.respond(to: cliMessage("hi"), session: testSession)
        #expect(reply.isFailure && reply.failure?.status == 400)
        #expect(!reply.text.contains("configured models failed"))
        #expect(backup.requests.isEmpty)
    }

    @Test func aFallbackNamingNoConfiguredProviderIsAWarning() throws {
        let home = TempDir(); defer { home.remove() }
        let c = PicoConfiguration(
            agents: AgentsConfig(
                defaults: AgentDefaults(
                    workspace: home.at("workspace"), model: "openai/m",
                    modelFallbacks: ["mistral/x", "plain-model"])),
            providers: [
                "openai": ProviderConfig(apiKey: Secret("sk-primary-key-1234"), apiBase: "http://127.0.0.1:9/v1")
            ],
            picoclawHome: home.path)
        let system = try AgentFactory.make(from: c, redactor: SecretRedactor(secrets: c.allSecrets))
        #expect(system.warnings.filter { $0.contains("model fallback") }.count == 2, "\(system.warnings)")
    }
}
