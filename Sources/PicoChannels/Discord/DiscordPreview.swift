import FoundationEssentials
import Logging

extension DiscordChannel: PreviewingChannel {
    /// One placeholder message, edited at most once per `preview.editInterval` while the reply is written and
    /// deleted after the final reply went out.
    public func openPreview(_ target: ReplyTarget, kind: ChatKind) -> ReplyPreview? {
        guard options.preview.enabled else { return nil }
        let surface = DiscordPreviewSurface(
            rest: rest, target: target, interval: options.preview.editInterval, logger: logger)
        return ReplyPreview(surface: surface, initialDelay: options.preview.firstAfter, timing: options.timing)
    }
}

/// Draws one reply's preview in a Discord channel (or thread).
actor DiscordPreviewSurface: PreviewSurface {
    private let rest: DiscordREST
    private let target: ReplyTarget
    private let interval: Duration
    private let logger: Logger
    private var placeholder: String?
    private var failures = 0

    init(rest: DiscordREST, target: ReplyTarget, interval: Duration, logger: Logger) {
        self.rest = rest
        self.target = target
        self.interval = interval
        self.logger = logger
    }

    func show(_ text: String) async -> Duration? {
        var body = DiscordCreateMessage(content: text.previewPrefix(utf16: MessageSplitter.discordLimit))
        do {
            if let placeholder {
                let bytes = Array(try JSONEncoder().encode(DiscordEditMessage(content: body.content)))
                try await rest.request("PATCH", "/channels/\(target.chatID)/messages/\(placeholder)", body: bytes)
            } else {
                if let replyTo = target.replyToMessageID { body.messageReference = .init(messageID: replyTo) }
                let response = try await rest.request(
                    "POST", "/channels/\(target.chatID)/messages",
                    body: Array(try JSONEncoder().encode(body)))
                placeholder = (try? JSONDecoder().decode(DiscordMessageID.self, from: Data(response.body)))?.id
                if placeholder == nil { return nil }
            }
            return interval
        } catch is CancellationError {
            return nil
        } catch {
            failures += 1
            logger.debug("discord: preview update for channel \(target.chatID) failed: \(error)")
            return failures >= 3 ? nil : interval
        }
    }

    func remove() async {
        guard let placeholder else { return }
        self.placeholder = nil
        do {
            try await rest.request("DELETE", "/channels/\(target.chatID)/messages/\(placeholder)")
        } catch {
            logger.debug("discord: could not delete the preview message in channel \(target.chatID): \(error)")
        }
    }
}

/// `PATCH /channels/{id}/messages/{id}` body.
struct DiscordEditMessage: Encodable {
    var content: String
}

/// The id of a created message.
struct DiscordMessageID: Decodable {
    var id: String
}
