import CCurl
import Glibc
import PicoSystem

/// Driver-thread state of one WebSocket (libcurl CONNECT_ONLY=2). Only the driver thread touches it.
final class WebSocketSession: @unchecked Sendable {
    let easy: CurlEasy
    let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let maxMessageBytes: Int
    private let events: AsyncStream<WebSocketEvent>.Continuation
    var handshake: CheckedContinuation<Void, any Error>?
    private(set) var isOpen = false
    private(set) var isClosed = false
    private(set) var socket: curl_socket_t = -1
    /// How often the driver read this socket: once after the handshake, then only when it was readable.
    var reads = 0
    private var message: [UInt8] = []
    private var messageIsText = true
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)  // one read; a message may span many

    init(
        url: String, headers: [HTTPHeader], proxy: String?, connectTimeout: Duration, maxMessageBytes: Int,
        events: AsyncStream<WebSocketEvent>.Continuation
    ) throws(HTTPClientError) {
        guard url.hasPrefix("ws://") || url.hasPrefix("wss://") else { throw .invalidURL }
        easy = try CurlEasy()
        self.maxMessageBytes = maxMessageBytes
        self.events = events
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        easy.set(CURLOPT_URL, url)
        easy.applyCommon(protocols: "ws,wss", connectTimeout: connectTimeout, proxy: proxy, errorBuffer: errorBuffer)
        easy.set(CURLOPT_CONNECT_ONLY, 2)
        easy.set(CURLOPT_TIMEOUT_MS, connectTimeout.clampedMilliseconds)
        easy.set(CURLOPT_USERAGENT, "picoclaw")
        headerList = makeHeaderList(headers)
        if let headerList { easy.set(CURLOPT_HTTPHEADER, pointer: headerList) }
    }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    var errorMessage: String { String(cString: errorBuffer) }

    func handshakeCompleted() {
        isOpen = true
        socket = easy.activeSocket()
        handshake?.resume()
        handshake = nil
    }

    func failHandshake(_ error: any Error) {
        isClosed = true
        handshake?.resume(throwing: error)
        handshake = nil
        events.finish()
    }

    /// Reads every frame libcurl has buffered or the socket holds, until `CURLE_AGAIN`.
    func drain(driver: CurlDriver) {
        while isOpen {
            var received = 0
            var meta: UnsafePointer<curl_ws_frame>?
            let rc = scratch.withUnsafeMutableBytes {
                curl_ws_recv(easy.handle, $0.baseAddress, $0.count, &received, &meta)
            }
            if rc == CURLE_AGAIN { return }
            guard rc == CURLE_OK, let frame = meta?.pointee else {
                let reason = errorMessage.isEmpty ? String(cString: curl_easy_strerror(rc)) : errorMessage
                finish(driver: driver, code: nil, reason: "connection lost: \(reason)")
                return
            }
            let flags = Int(frame.flags)
            if flags & Int(CURLWS_CLOSE) != 0 {
                let payload = Array(scratch[0..<received])
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
                let reason = payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : ""
                // Echo the close frame, as the protocol asks, then drop the connection.
                var sent = 0
                _ = payload.withUnsafeBytes {
                    curl_ws_send(easy.handle, $0.baseAddress, min(2, $0.count), &sent, 0, UInt32(CURLWS_CLOSE))
                }
                finish(driver: driver, code: code, reason: reason)
                return
            }
            if flags & (Int(CURLWS_PING) | Int(CURLWS_PONG)) != 0 { continue }  // libcurl answers pings itself
            if message.isEmpty { messageIsText = flags & Int(CURLWS_BINARY) == 0 }
            guard message.count + received <= maxMessageBytes else {
                sendClose(code: 1009, reason: "message too big")
                finish(driver: driver, code: 1009, reason: "incoming message exceeds \(maxMessageBytes) bytes")
                return
            }
            message.append(contentsOf: scratch[0..<received])
            if frame.bytesleft == 0 && flags & Int(CURLWS_CONT) == 0 {
                events.yield(messageIsText ? .text(String(decoding: message, as: UTF8.self)) : .binary(message))
                message.removeAll(keepingCapacity: message.count <= 16 * 1024)  // a large one (READY) is not kept
            }
        }
    }

    /// Sends one whole frame, waiting (bounded) for the socket to accept it.
    func send(_ bytes: [UInt8], flags: UInt32) throws(HTTPClientError) {
        guard isOpen else { throw .connectionClosed("the WebSocket is closed") }
        var offset = 0
        let deadline = MonotonicClock.milliseconds() + 10_000
        while offset < bytes.count || (bytes.isEmpty && offset == 0) {
            var sent = 0
            let rc = bytes.withUnsafeBytes { buf in
                curl_ws_send(easy.handle, buf.baseAddress.map { $0 + offset }, buf.count - offset, &sent, 0, flags)
            }
            if rc == CURLE_OK {
                offset += sent
                if bytes.isEmpty { return }
                continue
            }
            guard rc == CURLE_AGAIN, MonotonicClock.milliseconds() < deadline else {
                throw mapCurlError(rc, message: errorMessage, responseTooLarge: nil)
            }
            var pfd = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, 100)
        }
    }

    func sendClose(code: UInt16, reason: String) {
        var payload: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xff)]
        payload.append(contentsOf: Array(reason.utf8.prefix(120)))
        try? send(payload, flags: UInt32(CURLWS_CLOSE))
    }

    /// Ends the session: emits the final event, finishes the stream and frees the handle.
    func finish(driver: CurlDriver, code: Int?, reason: String) {
        guard !isClosed else { return }
        isOpen = false
        isClosed = true
        events.yield(.closed(code: code, reason: reason))
        events.finish()
        driver.remove(self)
    }
}
