import FoundationEssentials
import PicoHTTP

extension DiscordChannel: FileSendingChannel {
    /// One message with the file attached (`payload_json` + `files[0]`), the caption as its content.
    public func sendFile(_ file: ChannelFile, to target: ReplyTarget) async throws {
        var payload = DiscordCreateMessage(
            content: (file.caption ?? "").previewPrefix(utf16: MessageSplitter.discordLimit))
        if let replyTo = target.replyToMessageID { payload.messageReference = .init(messageID: replyTo) }
        var form = MultipartForm()
        form.add("payload_json", String(decoding: try JSONEncoder().encode(payload), as: UTF8.self))
        form.add(
            "files[0]", filename: file.name, contentType: file.imageType ?? "application/octet-stream", data: file.data)
        let body = form.encoded
        try await delivery.run(chatID: target.chatID) {
            try await channelBuckets.acquire(target.chatID)
            return try await post("/channels/\(target.chatID)/messages", body, contentType: form.contentType)
        }
        logger.debug("discord: sent \(file.name) (\(file.data.count) bytes) to channel \(target.chatID)")
    }
}
