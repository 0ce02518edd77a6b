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
        return try await perform(try CurlTransfer(request))
    }

    /// Performs `request`, handing the body of a 2xx response to `onBody` chunk by chunk as it arrives (on the
    /// network thread: keep it short, e.g. yield into an `AsyncStream`); the returned response then has an empty
    /// body. Other statuses are collected as usual. `maxResponseBytes` caps the streamed total.
    public func send(_ request: HTTPRequest, onBody: @escaping @Sendable ([UInt8]) -> Void) async throws -> HTTPResponse
    {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request)
        transfer.onBody = onBody
        return try await perform(transfer)
    }

    private func perform(_ transfer: CurlTransfer) async throws -> HTTPResponse {
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
