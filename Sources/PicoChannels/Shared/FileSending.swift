/// A file for a chat (from the agent's `send_file` tool).
public struct ChannelFile: Sendable {
    /// The name shown in the chat.
    public var name: String
    /// The contents.
    public var data: [UInt8]
    /// The MIME type of a picture to show as a photo, `nil` for a document.
    public var imageType: String?
    /// Text shown with the file.
    public var caption: String?

    /// Creates a file.
    public init(name: String, data: [UInt8], imageType: String? = nil, caption: String? = nil) {
        self.name = name
        self.data = data
        self.imageType = imageType
        self.caption = caption
    }
}

/// A channel that can post files.
public protocol FileSendingChannel: Channel {
    /// Posts `file` to `target`'s chat (and topic). Throws `ChannelError.deliveryFailed` with the platform's reason.
    func sendFile(_ file: ChannelFile, to target: ReplyTarget) async throws
}
