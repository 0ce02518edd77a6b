import PicoConfig

/// The tools of one agent, and the single place where a model's tool call is validated, run, redacted,
/// bounded and audited.
public struct ToolRegistry: Sendable {
    /// Largest tool result (UTF-8 bytes) passed back to the model; longer results are truncated with a note.
    public static let defaultMaxResultBytes = 64 * 1024

    private let tools: [String: any Tool]
    /// Definitions sorted by name (stable order helps provider prompt caches).
    public var definitions: [ToolDefinition] { encodedDefinitions.definitions }
    /// The definitions with their wire encodings, computed once per registry (i.e. per agent).
    let encodedDefinitions: EncodedToolDefinitions
    let redactor: SecretRedactor
    let maxResultBytes: Int

    public init(tools: [any Tool], redactor: SecretRedactor, maxResultBytes: Int = ToolRegistry.defaultMaxResultBytes) {
        var map: [String: any Tool] = [:]
        for t in tools { map[t.definition.name] = t }
        self.tools = map
        self.encodedDefinitions = EncodedToolDefinitions(map.values.map(\.definition).sorted { $0.name < $1.name })
        self.redactor = redactor
        self.maxResultBytes = max(256, maxResultBytes)
    }

    /// Names of the registered tools, sorted.
    public var names: [String] { definitions.map(\.name) }

    /// Runs one tool call. Never throws: unknown tools, malformed or ill-typed arguments and tool failures all
    /// become error results. The result content is redacted and bounded; the audit event is returned alongside.
    public func run(_ call: ToolCall, context: ToolContext) async -> (ToolResult, ToolAuditEvent) {
        let clock = ContinuousClock()
        let start = clock.now
        let output: ToolOutput
        if let tool = tools[call.name] {
            do {
                let args = try ToolArguments(json: call.arguments)
                output = try await tool.execute(args, context: context)
            } catch let e as ToolArgumentError {
                output = .failure("invalid arguments for \(call.name): \(e.message)")
            } catch is CancellationError {
                output = .failure("\(call.name) was cancelled")
            } catch {
                output = .failure("\(call.name) failed: \(error)")
            }
        } else {
            output = .failure(
                "unknown tool '\(TextLimits.truncate(call.name, to: 64))'; available tools: \(names.joined(separator: ", "))"
            )
        }
        let content = TextLimits.capBytes(redactor.redact(output.result.content), to: maxResultBytes)
        let result = ToolResult(content: content, isError: output.result.isError)
        let preview = TextLimits.truncate(
            TextLimits.singleLine(redactor.redact(call.arguments)),
            to: ToolAuditEvent.maxPreviewLength)
        let event = ToolAuditEvent(
            agentID: context.agentID, sessionKey: context.sessionKey.rawValue,
            tool: TextLimits.truncate(redactor.redact(call.name), to: 64), argumentsPreview: preview,
            verdict: output.verdict, duration: start.duration(to: clock.now), resultBytes: content.utf8.count,
            exitStatus: output.exitStatus, truncatedBytes: output.truncatedBytes, isError: result.isError)
        return (result, event)
    }
}
