import CCurl

/// The one HTTP client of picoclaw, over libcurl. Requests run on a dedicated network thread (a
/// `curl_multi` loop), so any number of concurrent long polls cost no cooperative-pool thread.
/// Cancelling the calling task aborts the transfer and throws `CancellationError`.
public struct HTTPClient: Sendable {
    /// The process-wide client.
    public static let shared = HTTPClient()

    public init() {}

    /// Performs `request` and returns the final response, whatever its status code.
    /// Throws `HTTPClientError` for transport failures and `CancellationError` when the task is cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                transfer.continuation = continuation
                CurlDriver.shared.enqueue { $0.start(transfer) }
            }
        } onCancel: {
            transfer.cancelled.store(true, ordering: .releasing)
            CurlDriver.shared.wake()
        }
    }

    /// The libcurl version string (for diagnostics).
    public static var libcurlVersion: String { String(cString: pico_curl_version()) }

    /// Whether the linked libcurl speaks WebSocket (needed by the Discord channel).
    public static var supportsWebSockets: Bool { pico_curl_has_websockets() != 0 }
}
