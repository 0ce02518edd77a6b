import PicoHTTP
import Synchronization

/// A channel that can show a reply while it is being written (a Telegram draft, an edited placeholder message).
public protocol PreviewingChannel: Channel {
    /// A preview for a reply to `target` in a chat of `kind`, or `nil` when previews are off for it.
    func openPreview(_ target: ReplyTarget, kind: ChatKind) -> ReplyPreview?
}

/// Where a preview is drawn. Called by ``ReplyPreview`` one call at a time.
protocol PreviewSurface: Sendable {
    /// Shows `text` (plain, possibly long: the surface shortens it). Returns how long to wait before the next
    /// update, or `nil` to stop previewing this reply (the final message still comes).
    func show(_ text: String) async -> Duration?
    /// Removes what the preview left in the chat (a placeholder message), after the final reply went out.
    func remove() async
}

/// The live preview of one reply: ``update(text:)``/``update(status:)`` are cheap and never wait; a pump task
/// shows the latest state, first after `initialDelay` (quick answers show no preview at all, and start no task),
/// then at most once per interval the surface asks for. The preview is never the reply: the gateway sends the
/// final message through its outbox, then calls ``finish()``.
public final class ReplyPreview: Sendable {
    fileprivate struct State {
        var text = ""
        var status: String?
        var dirty = false
        var closed = false
    }
    private let shared: PreviewSharedState
    private let signal: AsyncStream<Void>.Continuation
    private let surface: any PreviewSurface
    private let pump: DelayedTask

    init(surface: any PreviewSurface, initialDelay: Duration, timing: ChannelTiming) {
        self.surface = surface
        let shared = PreviewSharedState()
        self.shared = shared
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        signal = continuation
        // Started after the delay (a quick answer closes the preview before: no task, no timer of its own).
        pump = DelayedTask(after: timing.scaled(initialDelay)) {
            for await _ in signals {
                let text = shared.state.withLock { s -> String? in
                    guard s.dirty, !s.closed else { return nil }
                    s.dirty = false
                    guard let status = s.status else { return s.text }
                    return s.text.isEmpty ? status : s.text + "\n\n" + status
                }
                guard let text, !text.isEmpty else { continue }
                // Not cancelled with the pump: a placeholder being created must be known, so finish() can delete it.
                guard
                    let wait = await Task(
                        executorPreference: NetworkLoop.inherited, operation: { await surface.show(text) }
                    )
                    .value
                else { return }
                do { try await timing.sleep(wait) } catch { return }
            }
        }
    }

    /// The answer text so far (replaces the previous text and clears a tool status line).
    public func update(text: String) {
        change {
            $0.text = text; $0.status = nil
        }
    }

    /// A short status line shown under the text (e.g. `⚙ running read_file…`).
    public func update(status: String) {
        change { $0.status = status }
    }

    private func change(_ apply: (inout State) -> Void) {
        let open = shared.state.withLock { s -> Bool in
            guard !s.closed else { return false }
            apply(&s)
            s.dirty = true
            return true
        }
        if open { signal.yield() }
    }

    /// Stops updating; waits for an update in flight. Call before the final message is sent.
    public func close() async {
        shared.state.withLock { $0.closed = true }
        signal.finish()
        pump.cancel()
        await pump.wait()
    }

    /// Closes the preview and removes what it left in the chat. Call after the final message was delivered.
    public func finish() async {
        await close()
        await surface.remove()
    }
}

/// The preview's state, shared with its pump task.
private final class PreviewSharedState: Sendable {
    let state = Mutex(ReplyPreview.State())
}

/// When and how often a channel updates reply previews.
public struct PreviewTiming: Sendable, Equatable {
    /// Whether replies are previewed at all.
    public var enabled: Bool
    /// The first preview waits this long, so quick answers arrive without one.
    public var firstAfter: Duration
    /// Between Telegram draft updates.
    public var draftInterval: Duration
    /// Between edits of a placeholder message (Telegram groups, Discord): at most one a second by default.
    public var editInterval: Duration

    /// Creates settings.
    public init(
        enabled: Bool = true, firstAfter: Duration = .seconds(1), draftInterval: Duration = .milliseconds(500),
        editInterval: Duration = .seconds(1)
    ) {
        self.enabled = enabled
        self.firstAfter = firstAfter
        self.draftInterval = draftInterval
        self.editInterval = editInterval
    }
}

extension String {
    /// At most `limit` UTF-16 units, ending in `…` when shortened (for previews).
    func previewPrefix(utf16 limit: Int) -> String {
        guard utf16.count > limit else { return self }
        var out = ""
        var used = 0
        for c in self {
            let n = c.utf16.count
            if used + n > limit - 1 { break }
            out.append(c)
            used += n
        }
        return out + "…"
    }
}
