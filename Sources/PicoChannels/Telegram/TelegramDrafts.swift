import PicoConfig
import Logging
import Synchronization

extension TelegramChannel: PreviewingChannel {
    /// Private chats: native drafts (`sendMessageDraft`); groups, and servers without drafts: one placeholder
    /// message edited at most once per `preview.editInterval`, deleted after the final reply went out.
    public func openPreview(_ target: ReplyTarget, kind: ChatKind) -> ReplyPreview? {
        guard options.preview.enabled, kind != .channel else { return nil }
        let surface = TelegramPreviewSurface(
            api: api, target: target, useDraft: kind == .direct, liveDrafts: liveDrafts,
            timing: options.preview, logger: options.logger)
        return ReplyPreview(surface: surface, initialDelay: options.preview.firstAfter, timing: options.timing)
    }

    /// The `/stop` a press of a draft's stop button stands for (`stopped_message_generation`, Bot API 10.3), when
    /// the draft is one this channel is showing now in that chat: the sender is the private chat's user, whose
    /// message the draft answers (Telegram shows drafts, and so the button, only in private chats). A press on a
    /// draft that is gone (the reply went out, or an earlier run of the gateway drew it) is ignored.
    func stopRequest(_ stopped: TelegramGenerationStopped, updateID: Int64) -> InboundMessage? {
        let chat = String(stopped.chat.id)
        let thread = stopped.messageThreadID.map { String($0) }
        guard let target = liveDrafts.target(of: stopped.draftID), target.chatID == chat,
            thread == nil || thread == target.threadID
        else {
            logger.debug(
                "telegram: ignoring a stop press on draft \(stopped.draftID) in chat \(chat): no reply is being drafted there"
            )
            return nil
        }
        logger.debug("telegram: stop pressed on the draft in chat \(chat)")
        return InboundMessage(
            channel: name, senderID: chat, chatID: chat, kind: .direct, text: "/stop",
            messageID: "stop-\(updateID)", threadID: target.threadID)
    }
}

/// The drafts being shown now (draft id → where), so a press of a draft's stop button finds its chat.
final class TelegramLiveDrafts: Sendable {
    private let drafts = Mutex([Int64: ReplyTarget]())

    func open(_ draftID: Int64, _ target: ReplyTarget) { drafts.withLock { $0[draftID] = target } }
    func close(_ draftID: Int64) { drafts.withLock { $0[draftID] = nil } }
    func target(of draftID: Int64) -> ReplyTarget? { drafts.withLock { $0[draftID] } }
}

/// `stopped_message_generation` (Bot API 10.3, `MessageGenerationStopped`): the user pressed the stop button of
/// a draft sent with `can_stop`.
struct TelegramGenerationStopped: JSONReadable, Sendable {
    var chat: TelegramChat
    var messageThreadID: Int64?
    var draftID: Int64

    init(json: JSONObjectReader) throws(JSONReadError) {
        chat = try json.object("chat")
        messageThreadID = try json.int64(ifPresent: "message_thread_id")
        draftID = try json.int64("draft_id")
    }
}

/// Draws one reply's preview in a Telegram chat.
actor TelegramPreviewSurface: PreviewSurface {
    private let api: TelegramAPI
    private let target: ReplyTarget
    private let timing: PreviewTiming
    private let logger: Logger
    private var useDraft: Bool
    private let liveDrafts: TelegramLiveDrafts
    private let draftID = Int64.random(in: 1...Int64(Int32.max))
    private var placeholder: Int64?
    private var failures = 0

    init(
        api: TelegramAPI, target: ReplyTarget, useDraft: Bool, liveDrafts: TelegramLiveDrafts, timing: PreviewTiming,
        logger: Logger
    ) {
        self.api = api
        self.target = target
        self.useDraft = useDraft
        self.liveDrafts = liveDrafts
        self.timing = timing
        self.logger = logger
    }

    private var thread: Int64? { target.threadID.flatMap { Int64($0) } }

    func show(_ text: String) async -> Duration? {
        let shown = text.previewPrefix(utf16: 4096)
        do {
            if useDraft {
                // With Telegram's stop button (`can_stop`): a press cancels the turn like /stop.
                liveDrafts.open(draftID, target)
                let params = TelegramSendDraft(
                    chatID: TelegramChatID(target.chatID), draftID: draftID, text: shown,
                    messageThreadID: thread, canStop: true)
                _ = try await api.call("sendMessageDraft", params, as: Bool.self, timeout: .seconds(10))
                return timing.draftInterval
            }
            if let placeholder {
                let params = TelegramEditText(
                    chatID: TelegramChatID(target.chatID), messageID: placeholder, text: shown)
                _ = try await api.call("editMessageText", params, as: TelegramSentMessage.self, timeout: .seconds(10))
            } else {
                let params = TelegramSendMessage(
                    chatID: TelegramChatID(target.chatID), text: shown, parseMode: nil,
                    replyToMessageID: target.replyToMessageID.flatMap { Int64($0) },
                    allowSendingWithoutReply: target.replyToMessageID == nil ? nil : true,
                    messageThreadID: thread)
                placeholder = try await api.call(
                    "sendMessage", params, as: TelegramSentMessage.self, timeout: .seconds(10)
                ).messageID
            }
            return timing.editInterval
        } catch is CancellationError {
            return nil
        } catch let error as ChannelAPIError {
            if case .http(_, 429, _, let retryAfter) = error { return retryAfter ?? .seconds(1) }
            if useDraft, let status = error.status, (400..<500).contains(status) {
                // An older server (no such method), or drafts not allowed here: fall back to an edited message.
                logger.debug(
                    "telegram: drafts unavailable for chat \(target.chatID) (\(error)); previewing by editing a message"
                )
                useDraft = false
                liveDrafts.close(draftID)
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
        liveDrafts.close(draftID)
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

/// `sendMessageDraft` parameters (Bot API 9.3+): a private chat's animated draft; `can_stop` (10.3) shows the user
/// a stop button (older servers ignore the parameter).
struct TelegramSendDraft: TelegramParameters {
    var chatID: TelegramChatID
    var draftID: Int64
    var text: String
    var messageThreadID: Int64?
    var canStop: Bool?

    func write(to json: inout JSONWriter) {
        chatID.write(to: &json)
        json.member("draft_id", draftID)
        json.member("text", text)
        json.member("message_thread_id", messageThreadID)
        json.member("can_stop", canStop)
    }
}

/// `editMessageText` parameters (plain text).
struct TelegramEditText: TelegramParameters {
    var chatID: TelegramChatID
    var messageID: Int64
    var text: String

    func write(to json: inout JSONWriter) {
        chatID.write(to: &json)
        json.member("message_id", messageID)
        json.member("text", text)
    }
}

/// `deleteMessage` parameters.
struct TelegramDeleteMessage: TelegramParameters {
    var chatID: TelegramChatID
    var messageID: Int64

    func write(to json: inout JSONWriter) {
        chatID.write(to: &json)
        json.member("message_id", messageID)
    }
}
