import PicoAgent
import PicoConfig
import Synchronization

/// A resolver scripted per host: each lookup of a host consumes the next answer (the last one repeats), so a test
/// can make DNS change between two lookups. Unknown hosts fail to resolve.
final class ScriptedResolver: HostResolver {
    private let state: Mutex<(answers: [String: [[IPAddress]]], lookups: [String])>

    init(_ answers: [String: [[String]]]) {
        var parsed: [String: [[IPAddress]]] = [:]
        for (host, sequence) in answers {
            parsed[host] = sequence.map { $0.map { IPAddress.parseIPv4($0) ?? IPAddress.parseIPv6($0)! } }
        }
        state = Mutex((parsed, []))
    }

    /// Hosts looked up, in order.
    var lookups: [String] { state.withLock { $0.lookups } }

    func addresses(of host: String) async throws(HostResolutionError) -> [IPAddress] {
        let answer = state.withLock { s -> [IPAddress]? in
            s.lookups.append(host)
            guard var sequence = s.answers[host], !sequence.isEmpty else { return nil }
            let next = sequence.count > 1 ? sequence.removeFirst() : sequence[0]
            s.answers[host] = sequence
            return next
        }
        guard let answer else { throw HostResolutionError(host: host, reason: "unknown host (scripted resolver)") }
        return answer
    }
}

/// The real `web_fetch` tool behind the real tool executor (redaction, caps, audit), as the model reaches it.
struct WebFetchHarness {
    let registry: ToolRegistry
    let resolver: ScriptedResolver

    init(
        loopbackForTesting: Bool = false, resolver: ScriptedResolver = ScriptedResolver([:]),
        allowHosts: [String] = [], denyHosts: [String] = [], limits: WebFetchLimits = WebFetchLimits(),
        secrets: [String] = []
    ) {
        let redactor = SecretRedactor(secrets: secrets.map { Secret($0) })
        let fetcher = WebFetcher(
            policy: WebAccessPolicy(
                allowHosts: allowHosts, denyHosts: denyHosts,
                allowLoopbackForTesting: loopbackForTesting),
            limits: limits, resolver: resolver)
        registry = ToolRegistry(tools: [WebFetchTool(fetcher: fetcher, redactor: redactor)], redactor: redactor)
        self.resolver = resolver
    }

    /// Runs `web_fetch{url}` and returns the result and the audit event.
    func fetch(_ url: String, maxChars: Int? = nil) async -> (ToolResult, ToolAuditEvent) {
        var args: [String: JSONValue] = ["url": .string(url)]
        if let maxChars { args["max_chars"] = .int(maxChars) }
        let call = ToolCall(id: "c1", name: "web_fetch", arguments: JSONValue.object(args).compact)
        return await registry.run(
            call,
            context: ToolContext(
                agentID: "main", sessionKey: testSession,
                channel: "cli", chatID: "default"))
    }
}
