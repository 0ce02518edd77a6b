import CMicroHTTPD
import Glibc

/// The `/health` and `/ready` endpoints, served by libmicrohttpd on its own thread.
/// Small fixed JSON bodies; any other path is 404, any method but GET/HEAD is 405.
/// Limits: at most 32 connections (8 per IP) plus 16 reserved for loopback probes, 16 KiB of memory per
/// connection (caps the request size), one request per connection, and an absolute 5 s deadline per connection
/// (see ``HealthConnectionGuard``) besides the 10 s idle timeout, so slow clients cannot starve `/health`.
public final class HealthServer: @unchecked Sendable {
    private let board: ReadinessBoard
    private let connections: HealthConnectionGuard
    private var daemon: OpaquePointer?
    private var listenFD: Int32
    /// The port actually bound.
    public let port: Int

    /// Connections accepted and not yet closed (tests).
    var openConnectionCount: Int { connections.openCount }

    /// Re-checks every connection's deadline now (tests that move an injected clock).
    func recheckDeadlines() { connections.wake() }

    /// Binds `host:port` immediately (throws a clear error if the port is busy) and starts serving.
    public convenience init(host: String, port: Int, board: ReadinessBoard) throws(ListenError) {
        try self.init(host: host, port: port, board: board, deadline: .seconds(5))
    }

    /// As ``init(host:port:board:)`` with another per-connection deadline and watchdog linger, measured on `now`
    /// (tests).
    init(
        host: String, port: Int, board: ReadinessBoard, deadline: Duration,
        linger: Duration = HealthConnectionGuard.Limits().linger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws(ListenError) {
        self.board = board
        connections = HealthConnectionGuard(limits: .init(deadline: deadline, linger: linger), now: now)
        let fd: Int32
        do {
            fd = try openListenSocket(host: host, port: port)
        } catch {
            connections.stop()
            throw error
        }
        listenFD = fd
        self.port = boundPort(of: fd)
        let guardContext = Unmanaged.passUnretained(connections).toOpaque()
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(fd), ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: connections.connectionLimit, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: 16 * 1024, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: 10, ptr_value: nil),
            pico_mhd_notify_option(healthConnectionNotify, guardContext),
            MHD_OptionItem(option: .END, value: 0, ptr_value: nil),
        ]
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        let context = Unmanaged.passUnretained(board).toOpaque()
        daemon = options.withUnsafeMutableBufferPointer {
            pico_mhd_start(flags, 0, healthAcceptPolicy, guardContext, healthHandler, context, $0.baseAddress)
        }
        guard daemon != nil else {
            close(fd)
            connections.stop()
            throw ListenError(description: "cannot start the health server on \(host):\(port)")
        }
    }

    /// Stops serving and closes the listening socket.
    public func stop() {
        guard let d = daemon else { return }
        daemon = nil
        MHD_stop_daemon(d)
        close(listenFD)
        listenFD = -1
        connections.stop()
    }

    /// Whether the connection watchdog's thread is running (it only does while connections come and go).
    var watchdogRunning: Bool { connections.watchdogRunning }

    deinit { stop() }
}

private func healthAcceptPolicy(
    _ cls: UnsafeMutableRawPointer?, _ address: UnsafePointer<sockaddr>?,
    _ length: socklen_t
) -> MHD_Result {
    guard let cls else { return .NO }
    return Unmanaged<HealthConnectionGuard>.fromOpaque(cls).takeUnretainedValue().admit(address) ? .YES : .NO
}

private func healthConnectionNotify(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection else { return }
    let guardian = Unmanaged<HealthConnectionGuard>.fromOpaque(cls).takeUnretainedValue()
    if code.rawValue == 0 /* MHD_CONNECTION_NOTIFY_STARTED */ {
        guardian.opened(connection)
    } else {
        guardian.closed(connection)
    }
}

private func healthHandler(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadSize: UnsafeMutablePointer<Int>?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let url, let method else { return .NO }
    let board = Unmanaged<ReadinessBoard>.fromOpaque(cls).takeUnretainedValue()
    let verb = String(cString: method)
    let path = String(cString: url)
    let (status, body): (Int, String)
    var contentType = "application/json"
    if verb != "GET" && verb != "HEAD" {
        (status, body) = (405, #"{"error":"method not allowed"}"#)
    } else if path == "/health" {
        (status, body) = (200, board.healthBody())
    } else if path == "/ready" {
        (status, body) = board.readyResponse()
    } else if path == "/metrics", let text = board.metricsBody() {
        (status, body) = (200, text)
        contentType = "text/plain; version=0.0.4; charset=utf-8"
    } else {
        (status, body) = (404, #"{"error":"not found"}"#)
    }
    var bytes = Array(body.utf8)
    let response = bytes.withUnsafeMutableBytes {
        MHD_create_response_from_buffer($0.count, $0.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let response else { return .NO }
    MHD_add_response_header(response, "Content-Type", contentType)
    MHD_add_response_header(response, "Cache-Control", "no-store")
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff")
    MHD_add_response_header(response, "Connection", "close")  // one request per connection and deadline
    let result = MHD_queue_response(connection, UInt32(status), response)
    MHD_destroy_response(response)
    return result
}
