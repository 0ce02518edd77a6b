import Hummingbird
import Synchronization

/// What `FakeOpenAI` and `FakeAnthropic` share: the loopback server's lifecycle, the required API key, and the
/// scripting/recording API over one `LLMScript`. Subclasses only speak their wire format in `handle`.
public class FakeLLMServer: @unchecked Sendable {  // every stored property is Sendable; subclasses add none
    let script = LLMScript()
    private let runner = Mutex<FakeServerRunner?>(nil)
    private let key = Mutex<String?>(nil)
    private let name: String

    init(name: String, apiKey: String?) {
        self.name = name
        key.withLock { $0 = apiKey }
    }

    /// Bound port (valid after `start()`).
    public var port: Int { runner.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on an ephemeral loopback port. Call once.
    public func start() async throws {
        let r = try await FakeServerRunner.start(name: name) { [self] req, ctx in try await self.handle(req, ctx) }
        runner.withLock { $0 = r }
    }

    /// Stops the server and closes all connections.
    public func stop() async {
        let r = runner.withLock { $0 }
        await r?.stop()
        script.notifier.notify()
    }

    /// The key every request must carry (`nil` = accept anything).
    public var apiKey: String? {
        get { key.withLock { $0 } }
        set { key.withLock { $0 = newValue } }
    }

    /// Appends answers to the FIFO script.
    public func enqueue(_ responses: FakeLLMResponse...) { script.enqueue(responses) }
    /// Dynamic answers used when the script is empty (e.g. echo the last user message).
    public func setResponder(_ responder: (@Sendable (FakeChatRequest) -> FakeLLMResponse)?) {
        script.setResponder(responder)
    }
    /// Answer used when the script is empty and no responder is set. Default `.text("ok")`.
    public func setDefaultResponse(_ response: FakeLLMResponse) { script.setDefault(response) }
    /// Number of scripted answers not yet played.
    public var pendingResponses: Int { script.pending }
    /// Drops all scripted answers not yet played.
    public func clearScript() { script.clear() }
    /// Every chat request received so far (also those rejected for a bad key).
    public var requests: [FakeChatRequest] { script.requests }
    /// Waits until at least `count` chat requests arrived.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(5)) async throws -> [FakeChatRequest] {
        try await script.waitForRequests(count: count, timeout: timeout)
    }

    /// Answers one HTTP request in the subclass's wire format.
    func handle(_ request: Request, _ context: FakeContext) async throws -> Response {
        preconditionFailure("\(type(of: self)) must override handle(_:_:)")
    }
}
