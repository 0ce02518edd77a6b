import Dispatch
import Glibc

/// Delivers SIGTERM, SIGINT and SIGHUP as an async stream (the default actions are disabled while it lives).
public final class SignalEvents: @unchecked Sendable {  // sources are only touched in init and deinit
    public let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    public init(_ signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .unbounded)
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    deinit {
        for s in sources { s.cancel() }
    }
}
