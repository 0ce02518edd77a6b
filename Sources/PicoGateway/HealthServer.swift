import CMicroHTTPD
import Glibc

/// The `/health` and `/ready` endpoints, served by libmicrohttpd on its own thread.
/// Small fixed JSON bodies; any other path is 404, any method but GET/HEAD is 405.
/// Limits: at most 32 connections (8 per IP), 16 KiB of memory per connection (caps the request size),
/// and a 10 s idle timeout per connection.
public final class HealthServer: @unchecked Sendable {
    private let board: ReadinessBoard
    private var daemon: OpaquePointer?
    private var listenFD: Int32
    /// The port actually bound.
    public let port: Int

    /// Binds `host:port` immediately (throws a clear error if the port is busy) and starts serving.
    public init(host: String, port: Int, board: ReadinessBoard) throws(ListenError) {
        self.board = board
        let fd = try openListenSocket(host: host, port: port)
        listenFD = fd
        self.port = boundPort(of: fd)
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(fd), ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_LIMIT, value: 32, ptr_value: nil),
            MHD_OptionItem(option: .PER_IP_CONNECTION_LIMIT, value: 8, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_MEMORY_LIMIT, value: 16 * 1024, ptr_value: nil),
            MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: 10, ptr_value: nil),
            MHD_OptionItem(option: .END, value: 0, ptr_value: nil),
        ]
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
        let context = Unmanaged.passUnretained(board).toOpaque()
        daemon = options.withUnsafeMutableBufferPointer {
            pico_mhd_start(flags, 0, healthHandler, context, $0.baseAddress)
        }
        guard daemon != nil else {
            close(fd)
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
    }

    deinit { stop() }
}

private func healthHandler(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                           _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
                           _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
                           _ uploadSize: UnsafeMutablePointer<Int>?,
                           _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> MHD_Result {
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
    let result = MHD_queue_response(connection, UInt32(status), response)
    MHD_destroy_response(response)
    return result
}
