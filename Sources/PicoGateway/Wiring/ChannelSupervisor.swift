import Logging
import PicoChannels
import PicoHTTP

/// Starts the enabled channels and keeps `/ready` in step with their state (the channels record their messages
/// in the gateway's inbox themselves). A channel that fails to start (API down, bad token) is reported and retried with backoff; the
/// others keep working.
final class ChannelSupervisor: Sendable {
    private let channels: [any Channel]
    private let board: ReadinessBoard
    private let logger: Logger
    private let retryCap: Duration

    init(channels: [any Channel], board: ReadinessBoard, logger: Logger, retryCap: Duration = .seconds(60)) {
        self.channels = channels
        self.board = board
        self.logger = logger
        self.retryCap = retryCap
        for channel in channels { board.set(channel.name, ok: false, detail: "starting") }
    }

    /// Runs until cancelled: starts every channel (retrying failed starts) and mirrors channel state into the
    /// readiness board.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask { await self.supervise(channel) }
                group.addTask { await self.watchState(of: channel) }
            }
        }
    }

    /// Stops every channel (ends their streams, cancels typing).
    func stopAll() async {
        for channel in channels {
            await channel.stop()
            board.set(channel.name, ok: false, detail: "stopped")
        }
    }

    private func supervise(_ channel: any Channel) async {
        let backoff = Backoff(initial: .seconds(1), max: retryCap, jitter: false)
        var failures = 0
        while !Task.isCancelled {
            do {
                try await channel.start()
                logger.info("\(channel.name): connected")
                break
            } catch is CancellationError {
                return
            } catch {
                board.set(channel.name, ok: false, detail: "failed")  // the same word watchState uses for .failed
                let delay = backoff.delay(attempt: failures)
                failures += 1
                logger.error("\(channel.name): cannot start: \(error). Retrying in \(delay)")
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func watchState(of channel: any Channel) async {
        var last: ChannelState?
        while !Task.isCancelled {
            let state = await channel.state
            if state != last {
                switch state {
                case .connected: board.set(channel.name, ok: true, detail: "connected")
                case .connecting: board.set(channel.name, ok: false, detail: "connecting")
                case .stopped: board.set(channel.name, ok: false, detail: "stopped")
                case .failed(let reason):
                    board.set(channel.name, ok: false, detail: "failed")
                    logger.error("\(channel.name): \(reason)")
                }
                last = state
            }
            await channel.stateChange(after: state)  // no timer: an idle gateway has nothing to wake for
        }
    }
}
