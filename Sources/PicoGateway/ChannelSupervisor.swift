import Logging
import PicoChannels

/// Starts the enabled channels, keeps `/ready` in step with their state, and feeds their messages to the
/// pipeline. A channel that fails to start (API down, bad token) is reported and retried with backoff; the
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

    /// Runs until cancelled: starts every channel (retrying failed starts), consumes its inbound stream into
    /// `pipeline`, and mirrors channel state into the readiness board. Cancelling stops intake at once.
    func run(pipeline: MessagePipeline) async {
        await withTaskGroup(of: Void.self) { group in
            for channel in channels {
                group.addTask { await self.supervise(channel, pipeline: pipeline) }
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

    private func supervise(_ channel: any Channel, pipeline: MessagePipeline) async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do {
                try await channel.start()
                logger.info("\(channel.name): connected")
                break
            } catch is CancellationError {
                return
            } catch {
                board.set(channel.name, ok: false, detail: "failed")  // the same word watchState uses for .failed
                logger.error("\(channel.name): cannot start: \(error). Retrying in \(delay)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, retryCap)
            }
        }
        for await message in channel.inbound {
            if Task.isCancelled { break }
            await pipeline.accept(message, from: channel)
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
            // Fast while connecting (so /ready turns 200 promptly), slow once connected (idle CPU near zero).
            try? await Task.sleep(for: .milliseconds(state == .connected ? 2000 : 50))
        }
    }
}
