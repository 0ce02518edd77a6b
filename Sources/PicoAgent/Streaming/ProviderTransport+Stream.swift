import PicoHTTP
import Synchronization

extension ProviderTransport {
    /// Sends a streaming request and hands each server-sent event of the 2xx body to `handle` as it arrives
    /// (parsed incrementally on this task, not on the network thread). Failures before the first body byte are
    /// retried like ``send(_:perform:mayRetry:)``; after it nothing is retried (text may already be on screen).
    /// An error thrown by `handle` ends the transfer and is rethrown (a ``ProviderError`` as is).
    ///
    /// - Returns: the raw body when the server ignored `stream` and answered with plain JSON (no event at all),
    ///   else `nil`.
    func stream(
        _ request: HTTPRequest, handle: @escaping (SSEEvent) throws -> Void
    ) async throws(ProviderError) -> [UInt8]? {
        let state = StreamAttempts(handle)
        do {
            _ = try await send(request, perform: { try await state.attempt($0) }, mayRetry: { !state.started })
        } catch {
            if let failure = state.handlerError { throw mapped(failure) }
            throw error
        }
        if let failure = state.handlerError { throw mapped(failure) }
        return state.sawEvent ? nil : state.raw
    }

    private func mapped(_ error: any Error) -> ProviderError {
        (error as? ProviderError)
            ?? .redacted(provider: provider, kind: .invalidResponse, detail: "\(error)", transport: self)
    }
}

/// Parser state of a streamed request. The vars are touched only by the task running ``attempt(_:)`` (one at a
/// time); `started` is also set from the network thread, hence atomic.
private final class StreamAttempts: @unchecked Sendable {
    private let handle: (SSEEvent) throws -> Void
    private let startedFlag = Atomic<Bool>(false)
    private var parser = SSEParser()
    private(set) var raw: [UInt8] = []
    private(set) var sawEvent = false
    private(set) var handlerError: (any Error)?

    init(_ handle: @escaping (SSEEvent) throws -> Void) { self.handle = handle }

    /// Whether any body byte of a 2xx response arrived.
    var started: Bool { startedFlag.load(ordering: .acquiring) }

    func attempt(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (chunks, continuation) = AsyncStream<[UInt8]>.makeStream()
        return try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
            group.addTask {
                defer { continuation.finish() }
                return try await HTTPClient.shared.send(request) { [self] bytes in
                    startedFlag.store(true, ordering: .releasing)
                    continuation.yield(bytes)
                }
            }
            for await chunk in chunks where handlerError == nil {
                if !sawEvent, raw.count < 8 << 20 { raw += chunk }
                deliver(parser.feed(chunk))
                if handlerError != nil { group.cancelAll() }
            }
            let response = try await group.next() ?? HTTPResponse(status: 0, headers: [], body: [])
            if handlerError == nil, let last = parser.finish() { deliver([last]) }
            return response
        }
    }

    private func deliver(_ events: [SSEEvent]) {
        for e in events where handlerError == nil {
            sawEvent = true
            do { try handle(e) } catch { handlerError = error }
        }
    }
}
