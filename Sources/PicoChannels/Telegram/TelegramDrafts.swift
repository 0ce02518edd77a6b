import Logging
import Synchronization

extension TelegramChannel: PreviewingChannel {
    /// Private chats: native drafts (`sendMessageDraft`); groups, and servers without drafts: one placeholder
    /// message edited at most once per `preview.editInterval`, deleted after the final reply went out.
    public func openPreview(_ target: ReplyTarget, kind: ChatKind) -> ReplyPreview? {
        guard options.preview.enabled, kind != .channel else { return nil }
        let surface = TelegramPreviewSurface(api: api, target: target, useDraft: kind == .direct,
                                             timing: options.preview, logger: options.logger)
        return ReplyPreview(surface: surface, initialDelay: options.preview.firstAfter, timing: options.timing)
    }
}

/// Draws one reply's preview in a Telegram chat.
actor TelegramPreviewSurface: PreviewSurface {
    private let api: TelegramAPI
    private let target: ReplyTarget
    private let timing: PreviewTiming
    private let logger: Logger
    private var useDraft: Bool
    private let draftID = Int64.random(in: 1...Int64(Int32.max))
    private var placeholder: Int64?
    private var failures = 0

    init(api: TelegramAPI, target: ReplyTarget, useDraft: Bool, timing: PreviewTiming, logger: Logger) {
        self.api = api
        self.target = target
        self.useDraft = useDraft
        self.timing = timing
        self.logger = logger
    }

    private var thread: Int64? { target.threadID.flatMap { Int64($0) } }

    func show(_ text: String) async -> Duration? {
        let shown = text.previewPrefix(utf16: 4096)
        do {
            if useDraft {
                let params = TelegramSendDraft(chatID: TelegramChatID(target.chatID), draftID: draftID, text: shown,
                                               messageThreadID: thread)
                _ = try await api.call("sendMessageDraft", params, as: Bool.self, timeout: .seconds(10))
                return timing.draftInterval
            }
            if let placeholder {
                let params = TelegramEditText(chatID: TelegramChatID(target.chatID), messageID: placeholder, text: shown)
                _ = try await api.call("editMessageText", params, as: TelegramSentMessage.self, timeout: .seconds(10))
            } else {
                let params = TelegramSendMessage(chatID: TelegramChatID(target.chatID), text: shown, parseMode: nil,
                                                 replyToMessageID: target.replyToMessageID.flatMap { Int64($0) },
                                                 allowSendingWithoutReply: target.replyToMessageID == nil ? nil : true,
                                                 messageThreadID: thread)
                placeholder = try await api.call("sendMessage", params, as: TelegramSentMessage.self, timeout: .seconds(10)).messageID
            }
            return timing.editInterval
        } catch is CancellationError {
            return nil
        } catch let error as ChannelAPIError {
            if case .http(_, 429, _, let retryAfter) = error { return retryAfter ?? .seconds(1) }
            if useDraft, let status = error.status, (400..<500).contains(status) {
                // An older server (no such method), or drafts not allowed here: fall back to an edited message.
                logger.debug("telegram: drafts unavailable for chat \(target.chatID) (\(error)); previewing by editing a message")
                useDraft = false
                return await show(text)
            }
            failures += 1
            logger.debug("telegram: preview update for chat \(target.chatID) failed: \(error)")
            return failures >= 3 ? nil : timing.editInterval
        } catch {
            return nil
        }
    }

    func remove() async {
        guard let placeholder else { return }
        self.placeholder = nil
        let params = TelegramDeleteMessage(chatID: TelegramChatID(target.chatID), messageID: placeholder)
        do {
            _ = try await api.call("deleteMessage", params, as: Bool.self, timeout: .seconds(10))
        } catch {
            logger.debug("telegram: could not delete the preview message in chat \(target.chatID): \(error)")
        }
    }
}

/// `sendMessageDraft` parameters (Bot API 9.3+): a private chat's animated draft.
struct TelegramSendDraft: Encodable {
    var chatID: TelegramChatID
    var draftID: Int64
    var text: String
    var messageThreadID: Int64?

    enum CodingKeys: String, CodingKey {
        case text
        case chatID = "chat_id"
        case draftID = "draft_id"
        case messageThreadID = "message_thread_id"
    }
}

/// `editMessageText` parameters (plain text).
struct TelegramEditText: Encodable {
    var chatID: TelegramChatID
    var messageID: Int64
    var text: String

    enum CodingKeys: String, CodingKey {
        case text
        case chatID = "chat_id"
        case messageID = "message_id"
    }
}

/// `deleteMessage` parameters.
struct TelegramDeleteMessage: Encodable {
    var chatID: TelegramChatID
    var messageID: Int64

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
    }
}
