import Hummingbird
import Synchronization

/// Generic HTTP peer for HTTP-client tests.
///
/// Built-in routes:
/// - `GET /status/{code}` → that status with body `"status {code}"`
/// - `GET /bytes/{n}` → `n` bytes of `a`
/// - `GET /slow/{ms}` → sleeps `ms` then `200 "done"` (other requests keep being served)
/// - `ANY /echo` → JSON `{"method","path","query","headers":{lower-cased name: value},"body"}`
/// - `GET /redirect/{n}` → 302 to `/redirect/{n-1}`, …, `/redirect/1` → 302 to `/echo`
/// - `GET /hang` → never answers (until `stop()`)
/// - `GET /headers?name=value&…` → 200 with those response headers set
/// - `GET /drop` → closes the TCP connection without a response
/// - `GET /endless?chunk=N&delay_ms=M&type=T` → a body of `T` (default text/html) that never ends: `N`-byte chunks
///   (default 16384) every `M` ms (default 0), until the client disconnects or the server stops
///
/// Routes set with `setRoute` take precedence over the built-ins.
public final class FakeHTTPServer: Sendable {
    /// A scripted handler: receives the recorded request, returns the response.
    public typealias RouteHandler = @Sendable (RecordedRequest) async throws -> FakeHTTPResponse

    private struct State {
        var requests: [RecordedRequest] = []
        var routes: [String: RouteHandler] = [:]
    }
    private let state = Mutex(State())
    private let notifier = ChangeNotifier()
    private let runner = Mutex<FakeServerRunner?>(nil)

    /// Bound port (valid after `start()`).
    public var port: Int { runner.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init() {}

    /// Creates and starts a server on an ephemeral loopback port.
    public static func start() async throws -> FakeHTTPServer {
        let s = FakeHTTPServer()
        try await s.start()
        return s
    }

    /// Starts listening. Call once.
    public func start() async throws {
        let r = try await FakeServerRunner.start(name: "http") { [self] request, context in
            try await self.handle(request, context)
        }
        runner.withLock { $0 = r }
    }

    /// Stops the server, closing every connection (including `/hang`).
    public func stop() async {
        let r = runner.withLock { $0 }
        await r?.stop()
        notifier.notify()
    }

    /// Scripts a custom response for `method` (`"*"` for any) and exact `path`.
    public func setRoute(method: String = "*", path: String, handler: @escaping RouteHandler) {
        state.withLock { $0.routes["\(method.uppercased()) \(path)"] = handler }
    }

    /// Removes a scripted route.
    public func removeRoute(method: String = "*", path: String) {
        _ = state.withLock { $0.routes.removeValue(forKey: "\(method.uppercased()) \(path)") }
    }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Waits until at least `count` requests arrived.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(5)) async throws -> [RecordedRequest] {
        try await notifier.waitUntil(timeout: timeout, "\(count) requests (have \(requests.count))") {
            let r = requests
            return r.count >= count ? r : nil
        }
    }

    private func handle(_ request: Request, _ context: FakeContext) async throws -> Response {
        let rec = try await record(request)
        let route = state.withLock { s -> RouteHandler? in
            s.requests.append(rec)
            return s.routes["\(rec.method) \(rec.path)"] ?? s.routes["* \(rec.path)"]
        }
        notifier.notify()
        if let route {
            let r = try await route(rec)
            if r.dropConnection { try await dropConnection(context) }
            if let d = r.delay { await fakeSleep(d) }
            return Reply.make(r.status, body: r.body, headers: r.headers)
        }
        let parts = rec.path.split(separator: "/").map(String.init)
        switch (rec.method, parts.first ?? "", parts.count) {
        case ("GET", "status", 2):
            let code = Int(parts[1]) ?? 400
            return Reply.text((100...599).contains(code) ? code : 400, "status \(code)")
        case ("GET", "bytes", 2):
            let n = max(0, min(Int(parts[1]) ?? 0, 256 << 20))
            return Reply.make(
                200, body: [UInt8](repeating: UInt8(ascii: "a"), count: n),
                contentType: "application/octet-stream")
        case ("GET", "slow", 2):
            await fakeSleep(.milliseconds(Int(parts[1]) ?? 0))
            return Reply.text(200, "done")
        case (_, "echo", 1):
            var headers: [String: JSONValue] = [:]
            for h in rec.headers { headers[h.name] = .string(h.value) }
            return Reply.json(
                200,
                [
                    "method": .string(rec.method), "path": .string(rec.path), "query": .string(rec.query),
                    "headers": .object(headers), "body": .string(rec.bodyString),
                ])
        case ("GET", "redirect", 2):
            let n = Int(parts[1]) ?? 0
            let target = n <= 1 ? "/echo" : "/redirect/\(n - 1)"
            return Reply.text(302, "redirecting", headers: ["Location": target])
        case ("GET", "hang", 1):
            while !Task.isCancelled, !(runner.withLock { $0?.isStopped ?? true }) {
                await fakeSleep(.milliseconds(50))
            }
            try await dropConnection(context)
        case ("GET", "headers", 1):
            return Reply.text(200, "ok", headers: rec.queryItems)
        case ("GET", "endless", 1):
            return endlessBody(rec)
        case (_, "drop", 1):
            try await dropConnection(context)
        default:
            return Reply.text(404, "not found: \(rec.method) \(rec.path)")
        }
    }
}

extension FakeHTTPServer {
    fileprivate func endlessBody(_ rec: RecordedRequest) -> Response {
        let query = rec.queryItems
        let chunk = max(1, min(Int(query["chunk"] ?? "") ?? 16384, 1 << 20))
        let delay = max(0, Int(query["delay_ms"] ?? "") ?? 0)
        var fields = HTTPFields()
        fields[.contentType] = query["type"] ?? "text/html"
        let block = ByteBuffer(bytes: [UInt8](repeating: UInt8(ascii: "x"), count: chunk))
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { [self] writer in
                // The writer must always be finished, also when the client went away mid-write.
                do {
                    while !Task.isCancelled, !(runner.withLock { $0?.isStopped ?? true }) {
                        try await writer.write(block)
                        if delay > 0 { await fakeSleep(.milliseconds(delay)) }
                    }
                } catch {}
                try await writer.finish(nil)
            })
    }
}

/// A scripted response for `FakeHTTPServer.setRoute`.
public struct FakeHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// Optional delay before the response is written.
    public var delay: Duration?
    /// Close the connection without any response.
    public var dropConnection: Bool

    public init(
        status: Int = 200, headers: [String: String] = [:], body: [UInt8] = [], delay: Duration? = nil,
        dropConnection: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.dropConnection = dropConnection
    }

    /// Text body (`text/plain` unless `headers` says otherwise).
    public static func text(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Self {
        var h = headers
        if !h.keys.contains(where: { $0.lowercased() == "content-type" }) {
            h["Content-Type"] = "text/plain; charset=utf-8"
        }
        return .init(status: status, headers: h, body: Array(text.utf8))
    }

    /// JSON body.
    public static func json(_ value: JSONValue, status: Int = 200, headers: [String: String] = [:]) -> Self {
        var h = headers
        h["Content-Type"] = "application/json"
        return .init(status: status, headers: h, body: value.jsonBytes)
    }

    /// Closes the TCP connection without a response.
    public static var drop: Self { .init(dropConnection: true) }
}
