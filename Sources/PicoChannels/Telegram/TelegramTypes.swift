/// Bot API envelope: `{"ok":…,"result":…,"error_code":…,"description":…,"parameters":{"retry_after":…}}`.
struct TelegramEnvelope<Result: Decodable>: Decodable {
    var ok: Bool
    var result: Result?
    var errorCode: Int?
    var description: String?
    var parameters: Parameters?

    struct Parameters: Decodable {
        var retryAfter: Int?
        enum CodingKeys: String, CodingKey { case retryAfter = "retry_after" }
    }

    enum CodingKeys: String, CodingKey {
        case ok, result, description, parameters
        case errorCode = "error_code"
    }
}

/// An API error reply without a usable result.
struct TelegramErrorReply: Decodable {
    var ok: Bool?
    var errorCode: Int?
    var description: String?
    var parameters: TelegramEnvelope<Bool>.Parameters?

    enum CodingKeys: String, CodingKey {
        case ok, description, parameters
        case errorCode = "error_code"
    }
}

struct TelegramUser: Decodable, Sendable {
    var id: Int64
    var isBot: Bool?
    var firstName: String?
    var lastName: String?
    var username: String?

    enum CodingKeys: String, CodingKey {
        case id, username
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
    }
}

struct TelegramChat: Decodable, Sendable {
    var id: Int64
    var type: String
}

struct TelegramEntity: Decodable, Sendable {
    var type: String
    var offset: Int
    var length: Int
    var user: TelegramUser?
}

/// The message a message replies to (only the fields we need).
struct TelegramRepliedMessage: Decodable, Sendable {
    var messageID: Int64
    var from: TelegramUser?

    enum CodingKeys: String, CodingKey {
        case from
        case messageID = "message_id"
    }
}

struct TelegramMessage: Decodable, Sendable {
    var messageID: Int64
    var from: TelegramUser?
    var chat: TelegramChat
    var text: String?
    var entities: [TelegramEntity]?
    var replyTo: TelegramRepliedMessage?
    /// The forum topic (or private-chat topic) of the message, when `isTopicMessage`.
    var messageThreadID: Int64?
    var isTopicMessage: Bool?
    var caption: String?
    var captionEntities: [TelegramEntity]?
    var photo: [TelegramFileRef]?
    var document: TelegramFileRef?
    var voice: TelegramFileRef?
    var audio: TelegramFileRef?
    /// A GIF or silent video clip (Telegram turns GIFs into MP4 animations); `document` is set too.
    var animation: TelegramAnimation?

    enum CodingKeys: String, CodingKey {
        case from, chat, text, entities, caption, photo, document, voice, audio, animation
        case captionEntities = "caption_entities"
        case messageID = "message_id"
        case replyTo = "reply_to_message"
        case messageThreadID = "message_thread_id"
        case isTopicMessage = "is_topic_message"
    }
}

/// One update. Only `update_id` is required; a `message` that does not decode is treated as absent, so
/// unusual updates are skipped instead of stalling the poll loop.
struct TelegramUpdate: Decodable, Sendable {
    var updateID: Int64
    var message: TelegramMessage?
    /// Whether the update had a `message` field at all (to log undecodable ones).
    var hadMessage: Bool
    /// An inline keyboard button press.
    var callbackQuery: TelegramCallbackQuery?
    /// The user pressed the stop button of a draft (Bot API 10.3).
    var stoppedGeneration: TelegramGenerationStopped?

    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
        case callbackQuery = "callback_query"
        case stoppedGeneration = "stopped_message_generation"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        updateID = try c.decode(Int64.self, forKey: .updateID)
        hadMessage = c.contains(.message)
        message = try? c.decodeIfPresent(TelegramMessage.self, forKey: .message)
        callbackQuery = try? c.decodeIfPresent(TelegramCallbackQuery.self, forKey: .callbackQuery)
        stoppedGeneration = try? c.decodeIfPresent(TelegramGenerationStopped.self, forKey: .stoppedGeneration)
    }
}

/// `callback_query`: who pressed which inline button under which message.
struct TelegramCallbackQuery: Decodable, Sendable {
    var id: String
    var from: TelegramUser
    var data: String?
    var message: Message?

    struct Message: Decodable, Sendable {
        var chat: TelegramChat
    }
}

/// `reply_markup` with an inline keyboard.
struct TelegramInlineKeyboard: Encodable {
    struct Button: Encodable {
        var text: String
        var callbackData: String
        enum CodingKeys: String, CodingKey {
            case text
            case callbackData = "callback_data"
        }
    }
    var inlineKeyboard: [[Button]]
    enum CodingKeys: String, CodingKey { case inlineKeyboard = "inline_keyboard" }
}

/// `answerCallbackQuery` parameters.
struct TelegramAnswerCallback: Encodable {
    var callbackQueryID: String
    var text: String?
    enum CodingKeys: String, CodingKey {
        case text
        case callbackQueryID = "callback_query_id"
    }
}

/// `sendMessage` parameters (`reply_to_message_id` is understood by every Bot API server version).
struct TelegramSendMessage: Encodable {
    var chatID: TelegramChatID
    var text: String
    var parseMode: String?
    var replyToMessageID: Int64?
    var allowSendingWithoutReply: Bool?
    var replyMarkup: TelegramInlineKeyboard?
    var messageThreadID: Int64?

    enum CodingKeys: String, CodingKey {
        case text
        case replyMarkup = "reply_markup"
        case chatID = "chat_id"
        case parseMode = "parse_mode"
        case replyToMessageID = "reply_to_message_id"
        case allowSendingWithoutReply = "allow_sending_without_reply"
        case messageThreadID = "message_thread_id"
    }
}

struct TelegramGetUpdates: Encodable {
    var offset: Int64?
    var timeout: Int
    var limit: Int
    var allowedUpdates: [String]

    enum CodingKeys: String, CodingKey {
        case offset, timeout, limit
        case allowedUpdates = "allowed_updates"
    }
}

struct TelegramChatAction: Encodable {
    var chatID: TelegramChatID
    var action: String
    var messageThreadID: Int64?
    enum CodingKeys: String, CodingKey {
        case action
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
    }
}

/// A chat id as Telegram wants it: a JSON number for numeric ids, a string for `@channelname`.
struct TelegramChatID: Encodable, Sendable {
    var raw: String
    init(_ raw: String) { self.raw = raw }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let n = Int64(raw) { try c.encode(n) } else { try c.encode(raw) }
    }
}

/// A file in a message (`PhotoSize`, `Document`, `Voice`, `Audio`: the fields picoclaw uses).
struct TelegramFileRef: Decodable, Sendable {
    var fileID: String
    var fileSize: Int?
    var fileName: String?
    var mimeType: String?
    var width: Int?
    var height: Int?

    enum CodingKeys: String, CodingKey {
        case width, height
        case fileID = "file_id"
        case fileSize = "file_size"
        case fileName = "file_name"
        case mimeType = "mime_type"
    }
}

/// `getFile` result.
struct TelegramFile: Decodable, Sendable {
    var filePath: String?
    var fileSize: Int?

    enum CodingKeys: String, CodingKey {
        case filePath = "file_path"
        case fileSize = "file_size"
    }
}

/// `getFile` parameters.
struct TelegramGetFile: Encodable {
    var fileID: String
    enum CodingKeys: String, CodingKey { case fileID = "file_id" }
}
