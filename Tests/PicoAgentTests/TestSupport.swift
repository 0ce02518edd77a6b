import Glibc
import Logging
import PicoAgent
import PicoConfig
import PicoFakes
import PicoPolicy
import PicoHTTP
import Synchronization
import Testing

/// Records sleeps instead of waiting.
final class SleepRecorder: Sendable {
    private let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }
    var policy: RetryPolicy {
        RetryPolicy(maxRetries: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(8), maxRetryAfter: .seconds(30)) {
            [self] d in delays.withLock { $0.append(d) }
        }
    }
}

/// A retry policy that never waits.
let instantRetry = RetryPolicy(maxRetries: 3) { _ in }

/// Collects audit events.
final class AuditCollector: Sendable {
    private let events = Mutex<[ToolAuditEvent]>([])
    var all: [ToolAuditEvent] { events.withLock { $0 } }
    var sink: ToolAuditSink { { [self] e in events.withLock { $0.append(e) } } }
}

/// A runner that executes nothing and records what it was asked to run.
final class RecordingRunner: CommandRunner {
    private let commands = Mutex<[String]>([])
    let outcome: ExecResult
    init(outcome: ExecResult = ExecResult(output: "ran\n", exitStatus: 0)) { self.outcome = outcome }
    var ran: [String] { commands.withLock { $0 } }
    func run(command: String, workingDirectory: String) async throws -> ExecResult {
        commands.withLock { $0.append(command) }
        return outcome
    }
}

/// Builds a configuration pointing provider `openai` at a fake.
func fakeConfig(
    home: TempDir, apiBase: String, apiKey: String = "sk-test-key-123456", model: String = "openai/fake-model",
    agents: [AgentEntry] = [], bindings: [BindingConfig] = [], restrict: Bool = true,
    maxToolIterations: Int = 20, maxHistory: Int = 40, exec: ExecToolConfig = ExecToolConfig(),
    provider: String = "openai", timeout: Int = 120
) -> PicoConfiguration {
    PicoConfiguration(
        agents: AgentsConfig(
            defaults: AgentDefaults(
                workspace: home.at("workspace"), restrictToWorkspace: restrict,
                model: model, maxToolIterations: maxToolIterations,
                maxHistoryMessages: maxHistory),
            list: agents),
        bindings: bindings,
        providers: [provider: ProviderConfig(apiKey: Secret(apiKey), apiBase: apiBase, requestTimeout: timeout)],
        tools: ToolsConfig(exec: exec),
        picoclawHome: home.path)
}

/// Builds an agent system against a fake, with fast retries and captured logs/audit.
func makeSystem(
    _ config: PicoConfiguration, logs: LogRecorder = LogRecorder(), audit: AuditCollector = AuditCollector(),
    runner: (any CommandRunner)? = nil, retry: RetryPolicy = instantRetry
) throws -> AgentSystem {
    try AgentFactory.make(
        from: config, redactor: SecretRedactor(secrets: config.allSecrets), auditSink: audit.sink,
        logger: logs.logger(level: .trace),
        options: AgentFactory.Options(requireProvider: false, retry: retry, commandRunner: runner))
}

func cliMessage(_ text: String) -> InboundText { InboundText(text: text, channel: "cli", chatID: "default") }

let testSession = SessionKey("agent:main:cli:direct:default")

extension FakeChatRequest {
    /// Every message's content (strings, or tool_result/text parts) joined, for "the model saw X" checks.
    var allText: String { http.bodyString }
}

extension AgentRuntime {
    /// The JSON Lines store these tests build agents with (no state store given).
    var fileSessions: SessionStore { sessions as! SessionStore }
}
