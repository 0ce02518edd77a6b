import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Current Unix time in seconds (for `date`/`created` fields).
func unixTime() -> Int { Int(time(nil)) }

/// One HTTP request as seen by a fake: everything a test may want to assert on.
public struct RecordedRequest: Sendable {
    /// HTTP method, upper-case (`"POST"`).
    public let method: String
    /// Path without query (`"/v1/chat/completions"`), not percent-decoded.
    public let path: String
    /// Raw query string without `?` (empty if none).
    public let query: String
    /// Header fields in arrival order; names lower-cased.
    public let headers: [(name: String, value: String)]
    /// Raw body bytes.
    public let body: [UInt8]

    /// First value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }
    /// Body decoded as UTF-8 (lossy).
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
    /// Body parsed as JSON (`nil` if empty or malformed).
    public var json: JSONValue? { JSONValue.parse(body) }
    /// Query parameters, percent-decoded (`+` as space); later duplicates win.
    public var queryItems: [String: String] { FormDecoding.decode(query) }
}

/// `application/x-www-form-urlencoded` / query-string decoding.
enum FormDecoding {
    static func decode(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in s.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = percentDecode(String(kv[0]))
            out[k] = kv.count > 1 ? percentDecode(String(kv[1])) : ""
        }
        return out
    }

    static func percentDecode(_ s: String) -> String {
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if u[i] == UInt8(ascii: "%"), i + 2 < u.count,
                let v = UInt8(String(decoding: u[i + 1...i + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i += 2
            } else {
                bytes.append(u[i])
            }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Request context that exposes the connection's NIO channel (used to drop connections on purpose).
struct FakeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
    /// Request bodies up to 64 MiB.
    var maxUploadSize: Int { 64 << 20 }
}

/// Internal marker: the handler closed the connection on purpose; no response must be written.
struct ConnectionDropped: Error {}

/// Response construction helpers shared by all fakes.
enum Reply {
    static func make(
        _ status: Int, body: [UInt8], contentType: String? = nil, headers: [String: String] = [:]
    ) -> Response {
        var fields = HTTPFields()
        if let contentType { fields[.contentType] = contentType }
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) {
            if let name = HTTPField.Name(k) { fields.append(HTTPField(name: name, value: v)) }
        }
        fields[.contentLength] = String(body.count)
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A `text/event-stream` response written in `groups` (each a run of complete events); before group `i`
    /// (from 1) `pace(i)` is awaited.
    static func sse(_ groups: [String], pace: @escaping @Sendable (Int) async -> Void) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        fields[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                for (i, group) in groups.enumerated() {
                    if i > 0 { await pace(i) }
                    try await writer.write(ByteBuffer(bytes: Array(group.utf8)))
                }
                try await writer.finish(nil)
            })
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> Response {
        make(status, body: value.jsonBytes, contentType: "application/json", headers: headers)
    }

    static func text(_ status: Int, _ text: String, headers: [String: String] = [:]) -> Response {
        make(status, body: Array(text.utf8), contentType: "text/plain; charset=utf-8", headers: headers)
    }

    static func empty(_ status: Int, headers: [String: String] = [:]) -> Response {
        make(status, body: [], headers: headers)
    }
}

/// Reads the whole request and turns it into a `RecordedRequest`.
func record(_ request: Request) async throws -> RecordedRequest {
    let buffer = try await request.body.collect(upTo: 64 << 20)
    var headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
    if let authority = request.head.authority { headers.insert((name: "host", value: authority), at: 0) }
    return RecordedRequest(
        method: request.method.rawValue,
        path: request.uri.path,
        query: request.uri.query ?? "",
        headers: headers,
        body: Array(buffer.readableBytesView))
}

/// Closes the TCP connection without writing a response, then throws `ConnectionDropped`.
func dropConnection(_ context: FakeContext) async throws -> Never {
    try? await context.channel.close()
    throw ConnectionDropped()
}

/// Sleeps for `duration` unless the server is stopping (cancellation ends the sleep early).
func fakeSleep(_ duration: Duration) async {
    try? await Task.sleep(for: duration)
}

/// Runs one Hummingbird application on 127.0.0.1 with an ephemeral port in a background task.
final class FakeServerRunner: Sendable {
    typealias Handler = @Sendable (Request, FakeContext) async throws -> Response

    let port: Int
    private let task: Task<Void, Never>
    private let stopped = Mutex(false)

    private init(port: Int, task: Task<Void, Never>) {
        self.port = port
        self.task = task
    }

    /// Starts a plain HTTP/1.1 server.
    static func start(name: String, handler: @escaping Handler) async throws -> FakeServerRunner {
        try await start(name: name, server: .http1(), handler: handler)
    }

    /// Starts a server with a custom server builder (e.g. WebSocket upgrade).
    static func start(
        name: String, server: HTTPServerBuilder, handler: @escaping Handler
    ) async throws
        -> FakeServerRunner
    {
        let (stream, cont) = AsyncStream<Result<Int, any Error>>.makeStream()
        var logger = Logger(label: "PicoFakes.\(name)")
        logger.logLevel = .critical
        let responder = CallbackResponder<FakeContext> { request, context in
            do {
                return try await handler(request, context)
            } catch is ConnectionDropped {
                throw ConnectionDropped()
            }
        }
        let app = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                cont.yield(.success(channel.localAddress?.port ?? 0))
            },
            logger: logger)
        let task = Task {
            do {
                try await app.runService(gracefulShutdownSignals: [])
                cont.yield(.failure(FakeTimeoutError("\(name): server exited before it was running")))
            } catch {
                cont.yield(.failure(error))
            }
            cont.finish()
        }
        for await result in stream {
            switch result {
            case .success(let port) where port > 0:
                return FakeServerRunner(port: port, task: task)
            case .success:
                task.cancel()
                throw FakeTimeoutError("\(name): could not determine the bound port")
            case .failure(let error):
                task.cancel()
                throw error
            }
        }
        throw FakeTimeoutError("\(name): server did not start")
    }

    var isStopped: Bool { stopped.withLock { $0 } }

    /// Cancels the server task (closing the listener and every open connection) and waits for it to end.
    func stop() async {
        let first = stopped.withLock { s -> Bool in
            defer { s = true }
            return !s
        }
        if first { task.cancel() }
        await task.value
    }
}
