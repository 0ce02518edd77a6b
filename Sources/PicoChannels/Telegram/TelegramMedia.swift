import PicoConfig
extension TelegramChannel: MediaChannel {
    /// `getFile`, then `GET <base_url>/file/bot<token>/<file_path>`: only from the Bot API's own file host,
    /// refused before downloading when Telegram reports a size over `maxBytes`, and cut off at `maxBytes`.
    public func download(_ attachment: MediaAttachment, maxBytes: Int) async throws -> [UInt8] {
        if let size = attachment.size, size > maxBytes { throw MediaError.tooLarge(size: size, limit: maxBytes) }
        let file: TelegramFile
        do {
            file = try await api.call(
                "getFile", TelegramGetFile(fileID: attachment.ref), as: TelegramFile.self, timeout: .seconds(30))
        } catch let error as ChannelAPIError {
            // "file is too big" is what Telegram says for files over the Bot API's 20 MB download limit.
            throw MediaError.unavailable(error.description)
        }
        if let size = file.fileSize, size > maxBytes { throw MediaError.tooLarge(size: size, limit: maxBytes) }
        guard let path = file.filePath, !path.isEmpty, !path.hasPrefix("/"), !path.contains(".."),
            !path.contains("://"),
            !path.contains("?"), !path.contains("#")
        else {
            throw MediaError.unavailable("Telegram gave no usable file path")
        }
        return try await fetchMedia(
            "\(api.baseURL)/file/bot\(api.token)/\(path)", maxBytes: maxBytes,
            proxy: options.proxy, redact: api.redact)
    }
}

/// `animation`: what matters of it here, its type and its thumbnail (a still picture Telegram made of it).
struct TelegramAnimation: JSONReadable, Sendable {
    var mimeType: String?
    var thumbnail: TelegramFileRef?

    init(json: JSONObjectReader) throws(JSONReadError) {
        mimeType = try json.string(ifPresent: "mime_type")
        thumbnail = try json.object(ifPresent: "thumbnail")
    }
}
