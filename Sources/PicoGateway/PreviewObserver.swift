import PicoAgent
import PicoChannels

extension ReplyPreview {
    /// Feeds this preview from the providers' progress reports (``ReplyStream/observer``).
    var progressObserver: @Sendable (ReplyProgress) -> Void {
        { [self] progress in
            switch progress {
            case .text(let text): update(text: text)
            case .tool(let name): update(status: "⚙ running \(name)…")
            }
        }
    }
}
