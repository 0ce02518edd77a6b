import CCurl

/// Something that arrived on a WebSocket. `.closed` is always the last event.
public enum WebSocketEvent: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
    /// The connection ended: `code` is the peer's close code, or `nil` when the connection was lost.
    case closed(code: Int?, reason: String)
}

/// A WebSocket client over libcurl (needs libcurl ≥ 8 built with ws/wss). Frames are read and written on
/// PicoHTTP's network thread; this object is only a handle to it.
public final class WebSocket: Sendable {
    private let session: WebSocketSession
    /// Incoming messages, then one `.closed` event.
    public let events: AsyncStream<WebSocketEvent>

    private init(session: WebSocketSession, events: AsyncStream<WebSocketEvent>) {
        self.session = session
        self.events = events
    }

    /// Opens a WebSocket to a `ws://` or `wss://` URL (TLS verification always on).
    public static func connect(
        url: String, headers: [HTTPHeader] = [], proxy: String? = nil,
        connectTimeout: Duration = .seconds(15),
        maxMessageBytes: Int = 8 << 20
    ) async throws -> WebSocket {
        guard HTTPClient.supportsWebSockets else {
            throw HTTPClientError.transport(
                code: 1,
                message:
                    "this libcurl (\(HTTPClient.libcurlVersion)) has no WebSocket support; install libcurl >= 8 with ws/wss (scripts/setup does it)"
            )
        }
        let (stream, continuation) = AsyncStream<WebSocketEvent>.makeStream(bufferingPolicy: .unbounded)
        let session = try WebSocketSession(
            url: url, headers: headers, proxy: proxy, connectTimeout: connectTimeout,
            maxMessageBytes: maxMessageBytes, events: continuation)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (handshake: CheckedContinuation<Void, any Error>) in
                session.handshake = handshake
                CurlDriver.shared.enqueue { $0.start(session) }
            }
        } onCancel: {
            CurlDriver.shared.enqueue { driver in
                guard !session.isOpen, !session.isClosed else { return }
                driver.remove(session)
                session.failHandshake(CancellationError())
            }
        }
        return WebSocket(session: session, events: stream)
    }

    /// Sends a text message.
    public func send(text: String) async throws {
        try await send(Array(text.utf8), flags: UInt32(CURLWS_TEXT))
    }

    private func send(_ bytes: [UInt8], flags: UInt32) async throws {
        let session = self.session
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            CurlDriver.shared.enqueue { _ in
                do {
                    try session.send(bytes, flags: flags)
                    done.resume()
                } catch {
                    done.resume(throwing: error)
                }
            }
        }
    }

    /// Sends a close frame with `code` and drops the connection; `events` then ends with `.closed`.
    public func close(code: UInt16 = 1000, reason: String = "") async {
        let session = self.session
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            CurlDriver.shared.enqueue { driver in
                if session.isOpen { session.sendClose(code: code, reason: reason) }
                session.finish(driver: driver, code: Int(code), reason: reason)
                done.resume()
            }
        }
    }

    /// How often the network loop has read this WebSocket's socket (tests: an idle one is not read).
    func socketReads() async -> Int {
        let session = self.session
        return await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
            CurlDriver.shared.enqueue { _ in done.resume(returning: session.reads) }
        }
    }

    deinit {
        let session = self.session
        CurlDriver.shared.enqueue { driver in
            if session.isOpen { session.sendClose(code: 1001, reason: "going away") }
            session.finish(driver: driver, code: 1001, reason: "going away")
        }
    }
}
