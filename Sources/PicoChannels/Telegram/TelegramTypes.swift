import PicoConfig

/// Bot API reply: `{"ok":…,"result":…,"error_code":…,"description":…,"parameters":{"retry_after":…}}`, for
/// successes and errors alike (`result` is read by the caller as the method's type).
struct TelegramReply: JSONReadable {
    var ok: Bool?
    var result: JSONValue?
    var errorCode: Int?
    var description: String?
    var parameters: Parameters?

    struct Parameters: JSONReadable {
        var retryAfter: Int?
        init(json: JSONObjectReader) throws(JSONReadError) { retryAfter = try json.int(ifPresent: "retry_after") }
    }

    init(json: JSONObjectReader) throws(JSONReadError) {
        ok = try json.bool(ifPresent: "ok")
        result = json.value("result")
        errorCode = try json.int(ifPresent: "error_code")
        description = try json.string(ifPresent: "description")
        parameters = try json.object(ifPresent: "parameters")
    }
}

/// The `result` of a Bot API method: an object type, or `true` for methods that return nothing else.
protocol TelegramResult {
    init(result: JSONValue) throws(JSONReadError)
}

extension TelegramResult where Self: JSONReadable {
    init(result: JSONValue) throws(JSONReadError) { try self.init(json: JSONObjectReader(result)) }
}

extension Bool: TelegramResult {
    init(result: JSONValue) throws(JSONReadError) {
        guard case .bool(let b) = result else {
            throw JSONReadError(path: ["result"], problem: "expected a boolean, got \(result.typeName)")
        }
        self = b
    }
}

struct TelegramUser: JSONReadable, TelegramResult, Sendable {
    var id: Int64
    var isBot: Bool?
    var firstName: String?
    var lastName: String?
    var username: String?

    init(json: JSONObjectReader) throws(JSONReadError) {
        id = try json.int64("id")
        isBot = try json.bool(ifPresent: "is_bot")
        firstName = try json.string(ifPresent: "first_name")
        lastName = try json.string(ifPresent: "last_name")
        username = try json.string(ifPresent: "username")
    }
}

struct TelegramChat: JSONReadable, Sendable {
    var id: Int64
    var type: String

    init(json: JSONObjectReader) throws(JSONReadError) {
        id = try json.int64("id")
        type = try json.string("type")
    }
}

struct TelegramEntity: JSONReadable, Sendable {
    var type: String
    var offset: Int
    var length: Int
    var user: TelegramUser?

    init(json: JSONObjectReader) throws(JSONReadError) {
        type = try json.string("type")
        offset = try json.int("offset")
        length = try json.int("length")
        user = try json.object(ifPresent: "user")
    }
}

/// The message a message replies to (only the fields we need).
struct TelegramRepliedMessage: JSONReadable, Sendable {
    var messageID: Int64
    var from: TelegramUser?

    init(json: JSONObjectReader) throws(JSONReadError) {
        messageID = try json.int64("message_id")
        from = try json.object(ifPresent: "from")
    }
}

struct TelegramMessage: JSONReadable, Sendable {
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

    init(json: JSONObjectReader) throws(JSONReadError) {
        messageID = try json.int64("message_id")
        from = try json.object(ifPresent: "from")
        chat = try json.object("chat")
        text = try json.string(ifPresent: "text")
        entities = try json.array(ifPresent: "entities")
        replyTo = try json.object(ifPresent: "reply_to_message")
        messageThreadID = try json.int64(ifPresent: "message_thread_id")
        isTopicMessage = try json.bool(ifPresent: "is_topic_message")
        caption = try json.string(ifPresent: "caption")
        captionEntities = try json.array(ifPresent: "caption_entities")
        photo = try json.array(ifPresent: "photo")
        document = try json.object(ifPresent: "document")
        voice = try json.object(ifPresent: "voice")
        audio = try json.object(ifPresent: "audio")
        animation = try json.object(ifPresent: "animation")
    }
}

/// One update. Only `update_id` is required; a `message` that does not read is treated as absent, so
/// unusual updates are skipped instead of stalling the poll loop.
struct TelegramUpdate: JSONReadable, Sendable {
    var updateID: Int64
    var message: TelegramMessage?
    /// Whether the update had a `message` field at all (to log unreadable ones).
    var hadMessage: Bool
    /// An inline keyboard button press.
    var callbackQuery: TelegramCallbackQuery?
    /// The user pressed the stop button of a draft (Bot API 10.3).
    var stoppedGeneration: TelegramGenerationStopped?

    init(json: JSONObjectReader) throws(JSONReadError) {
        updateID = try json.int64("update_id")
        hadMessage = json.contains("message")
        message = try? json.object(ifPresent: "message")
        callbackQuery = try? json.object(ifPresent: "callback_query")
        stoppedGeneration = try? json.object(ifPresent: "stopped_message_generation")
    }
}

/// `callback_query`: who pressed which inline button under which message.
struct TelegramCallbackQuery: JSONReadable, Sendable {
    var id: String
    var from: TelegramUser
    var data: String?
    var message: Message?

    struct Message: JSONReadable, Sendable {
        var chat: TelegramChat
        init(json: JSONObjectReader) throws(JSONReadError) { chat = try json.object("chat") }
    }

    init(json: JSONObjectReader) throws(JSONReadError) {
        id = try json.string("id")
        from = try json.object("from")
        data = try json.string(ifPresent: "data")
        message = try json.object(ifPresent: "message")
    }
}

/// The parameters of a Bot API method, written as the members of its JSON body.
protocol TelegramParameters {
    func write(to json: inout JSONWriter)
}

/// `{}` for methods without parameters.
struct TelegramNoParameters: TelegramParameters {
    func write(to json: inout JSONWriter) {}
}

/// `reply_markup` with an inline keyboard.
struct TelegramInlineKeyboard {
    struct Button {
        var text: String
        var callbackData: String
    }
    var inlineKeyboard: [[Button]]

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("inline_keyboard")
        json.beginArray()
        for row in inlineKeyboard {
            json.beginArray()
            for button in row {
                json.beginObject()
                json.member("text", button.text)
                json.member("callback_data", button.callbackData)
                json.endObject()
            }
            json.endArray()
        }
        json.endArray()
        json.endObject()
    }
}

/// `answerCallbackQuery` parameters.
struct TelegramAnswerCallback: TelegramParameters {
    var callbackQueryID: String
    var text: String?

    func write(to json: inout JSONWriter) {
        json.member("callback_query_id", callbackQueryID)
        json.member("text", text)
    }
}

/// `sendMessage` parameters (`reply_to_message_id` is understood by every Bot API server version).
struct TelegramSendMessage: TelegramParameters {
    var chatID: TelegramChatID
    var text: String
    var parseMode: String?
    var replyToMessageID: Int64?
    var allowSendingWithoutReply: Bool?
    var replyMarkup: TelegramInlineKeyboard?
    var messageThreadID: Int64?

    func write(to json: inout JSONWriter) {
        chatID.write(to: &json)
        json.member("text", text)
        json.member("parse_mode", parseMode)
        json.member("reply_to_message_id", replyToMessageID)
        json.member("allow_sending_without_reply", allowSendingWithoutReply)
        if let replyMarkup {
            json.key("reply_markup")
            replyMarkup.write(to: &json)
        }
        json.member("message_thread_id", messageThreadID)
    }
}

struct TelegramGetUpdates: TelegramParameters {
    var offset: Int64?
    var timeout: Int
    var limit: Int
    var allowedUpdates: [String]

    func write(to json: inout JSONWriter) {
        json.member("offset", offset)
        json.member("timeout", timeout)
        json.member("limit", limit)
        json.key("allowed_updates")
        json.beginArray()
        for kind in allowedUpdates { json.string(kind) }
        json.endArray()
    }
}

struct TelegramChatAction: TelegramParameters {
    var chatID: TelegramChatID
    var action: String
    var messageThreadID: Int64?

    func write(to json: inout JSONWriter) {
        chatID.write(to: &json)
        json.member("action", action)
        json.member("message_thread_id", messageThreadID)
    }
}

/// A chat id as Telegram wants it: a JSON number for numeric ids, a string for `@channelname`.
struct TelegramChatID: Sendable {
    var raw: String
    init(_ raw: String) { self.raw = raw }

    /// The `chat_id` member.
    func write(to json: inout JSONWriter) {
        json.key("chat_id")
        if let n = Int64(raw) { json.int(n) } else { json.string(raw) }
    }
}

/// A file in a message (`PhotoSize`, `Document`, `Voice`, `Audio`: the fields picoclaw uses).
struct TelegramFileRef: JSONReadable, Sendable {
    var fileID: String
    var fileSize: Int?
    var fileName: String?
    var mimeType: String?
    var width: Int?
    var height: Int?

    init(json: JSONObjectReader) throws(JSONReadError) {
        fileID = try json.string("file_id")
        fileSize = try json.int(ifPresent: "file_size")
        fileName = try json.string(ifPresent: "file_name")
        mimeType = try json.string(ifPresent: "mime_type")
        width = try json.int(ifPresent: "width")
        height = try json.int(ifPresent: "height")
    }
}

/// `getFile` result.
struct TelegramFile: JSONReadable, TelegramResult, Sendable {
    var filePath: String?
    var fileSize: Int?

    init(json: JSONObjectReader) throws(JSONReadError) {
        filePath = try json.string(ifPresent: "file_path")
        fileSize = try json.int(ifPresent: "file_size")
    }
}

/// `getFile` parameters.
struct TelegramGetFile: TelegramParameters {
    var fileID: String
    func write(to json: inout JSONWriter) { json.member("file_id", fileID) }
}
