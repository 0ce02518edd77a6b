import PicoAgent
import PicoChannels

extension ReplyPreview {
    /// Feeds this preview from the providers' progress reports (``ReplyStream/observer``).
    var progressObserver: ReplyObserver {
        ReplyObserver { [self] progress in
            switch progress {
            case .text(let text): update(text: text)
            case .tool(let name): update(status: "⚙ running \(name)…")
            }
        }
    }
}

/// What the agent's `send_file` tool calls during a turn: posts the file to the turn's chat (and topic), when the
/// channel can post files.
func fileSender(_ channel: any Channel, target: ReplyTarget) -> FileSender? {
    guard let channel = channel as? any FileSendingChannel else { return nil }
    return FileSender { file in
        try await channel.sendFile(
            ChannelFile(
                name: file.name, data: file.data, imageType: ImageKind(file.data)?.mimeType,
                caption: file.caption), to: target)
    }
}
