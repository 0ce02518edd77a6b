import FoundationEssentials
import PicoConfig
@testable import PicoChannels
import PicoFakes
import Testing

/// The Telegram envelopes are read with `JSONParser` + `JSONObjectReader` instead of `JSONDecoder`. These tests
/// hold the new reading to the old `Decodable` one (kept below as a reference, test-only) on realistic updates
/// and on every one-field hostile variant of them: both accept the same documents with the same fields, and
/// reject the same ones.
@Suite("Telegram wire reading agrees with the former Decodable types")
struct TelegramWireReadingTests {
    static let updates: [String] = [
        // A private text message with a command entity.
        #"{"update_id":900000001,"message":{"message_id":4242,"from":{"id":1001,"is_bot":false,"first_name":"Alice","last_name":"L","username":"alice","language_code":"en"},"chat":{"id":1001,"first_name":"Alice","username":"alice","type":"private"},"date":1764612345,"text":"/ask what is 2+2? \u00e9\ud83d\ude00","entities":[{"type":"bot_command","offset":0,"length":4}]}}"#,
        // A forum topic message mentioning the bot, replying to it.
        #"{"update_id":900000002,"message":{"message_id":77,"message_thread_id":12,"is_topic_message":true,"from":{"id":1002,"is_bot":false,"first_name":"Bob"},"chat":{"id":-1001234567890,"title":"Team","is_forum":true,"type":"supergroup"},"date":1764612346,"text":"@pico_bot hi","entities":[{"type":"mention","offset":0,"length":9},{"type":"text_mention","offset":0,"length":3,"user":{"id":5,"is_bot":false,"first_name":"C"}}],"reply_to_message":{"message_id":70,"from":{"id":99,"is_bot":true,"first_name":"Pico","username":"pico_bot"},"chat":{"id":-1001234567890,"type":"supergroup"},"date":1764612000,"text":"earlier"}}}"#,
        // A photo with a caption and caption entities.
        #"{"update_id":900000003,"message":{"message_id":78,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat":{"id":1001,"type":"private"},"date":1764612347,"photo":[{"file_id":"AgAD-thumb","file_unique_id":"t1","width":90,"height":60,"file_size":1200},{"file_id":"AgAD-full","file_unique_id":"f1","width":1280,"height":853,"file_size":98765}],"caption":"look /at this","caption_entities":[{"type":"bot_command","offset":5,"length":3}]}}"#,
        // A voice note, a document and a GIF (animation with a thumbnail, document set too).
        #"{"update_id":900000004,"message":{"message_id":79,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat":{"id":1001,"type":"private"},"date":1764612348,"voice":{"file_id":"AwAD-voice","file_unique_id":"v1","duration":3,"mime_type":"audio/ogg","file_size":4567}}}"#,
        #"{"update_id":900000005,"message":{"message_id":80,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat":{"id":1001,"type":"private"},"date":1764612349,"document":{"file_id":"BQAD-doc","file_unique_id":"d1","file_name":"notes \"v2\".pdf","mime_type":"application/pdf","file_size":123456},"caption":"read this"}}"#,
        #"{"update_id":900000006,"message":{"message_id":81,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat":{"id":1001,"type":"private"},"date":1764612350,"animation":{"file_id":"CgAD-gif","file_unique_id":"g1","width":320,"height":180,"duration":2,"mime_type":"video/mp4","thumbnail":{"file_id":"AAMC-still","file_unique_id":"s1","width":320,"height":180,"file_size":2222}},"document":{"file_id":"CgAD-gif","file_unique_id":"g1","mime_type":"video/mp4"}}}"#,
        // An inline button press, a draft's stop button, an edit and a membership change (not messages).
        #"{"update_id":900000007,"callback_query":{"id":"cbq-1001-1","from":{"id":1001,"is_bot":false,"first_name":"Presser"},"message":{"message_id":1,"date":1764612351,"chat":{"id":1001,"type":"private"}},"chat_instance":"1","data":"approve:abc"}}"#,
        #"{"update_id":900000008,"stopped_message_generation":{"chat":{"id":1001,"type":"private","first_name":"Alice"},"draft_id":123456,"message_thread_id":4}}"#,
        #"{"update_id":900000009,"edited_message":{"message_id":4242,"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"chat":{"id":1001,"type":"private"},"date":1764612345,"edit_date":1764612399,"text":"edited"}}"#,
        #"{"update_id":900000010,"my_chat_member":{"chat":{"id":-100,"type":"group"},"from":{"id":1001,"is_bot":false,"first_name":"Alice"},"date":1764612352}}"#,
    ]

    /// Documents the reader refuses as a whole (logged as an unreadable update; the offset moves past it).
    /// `JSONDecoder` was laxer with some: it checked strings only when it decoded them (so a broken string inside
    /// `message` gave an update without a message) and let a trailing comma pass.
    static let broken: [String] = [
        "", "{", #"{"update_id":1"#, #"{"update_id":1}x"#, #"{"update_id":01}"#, #"{"update_id":1,}"#,
        #"{"update_id":1,"message":{"text":"\x"}}"#, #"{"update_id":1,"message":{"text":"\ud800"}}"#,
        "{\"update_id\":1,\"message\":{\"text\":\"a\u{1}b\"}}", "[1]", "\"text\"", "null",
        #"{"update_id":9223372036854775808}"#, #"{"update_id":1.5}"#, #"{"update_id":"1"}"#,
        #"{"update_id":1,"message":"#
            + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}",
    ]

    func readNew(_ text: String) -> TelegramUpdate? {
        try? TelegramUpdate(json: JSONObjectReader(try JSONParser.parse(Array(text.utf8))))
    }

    func readOld(_ text: String) -> ReferenceUpdate? {
        try? JSONDecoder().decode(ReferenceUpdate.self, from: Data(text.utf8))
    }

    @Test func realisticUpdatesReadTheSame() throws {
        for text in Self.updates {
            let new = try #require(readNew(text), "\(text)")
            let old = try #require(readOld(text), "\(text)")
            #expect(DecodeAgreement.describe(new) == DecodeAgreement.describe(old), "\(text)")
        }
        let forum = try #require(readNew(Self.updates[1])?.message)
        #expect(forum.messageThreadID == 12 && forum.isTopicMessage == true && forum.chat.id == -1_001_234_567_890)
        #expect(forum.replyTo?.from?.username == "pico_bot" && forum.entities?[1].user?.id == 5)
        #expect(readNew(Self.updates[0])?.message?.text == "/ask what is 2+2? é😀")
        #expect(readNew(Self.updates[4])?.message?.document?.fileName == "notes \"v2\".pdf")
        #expect(readNew(Self.updates[5])?.message?.animation?.thumbnail?.fileID == "AAMC-still")
        #expect(readNew(Self.updates[6])?.callbackQuery?.data == "approve:abc")
        #expect(readNew(Self.updates[7])?.stoppedGeneration?.draftID == 123456)
        let edit = try #require(readNew(Self.updates[8]))
        #expect(edit.message == nil && !edit.hadMessage)
    }

    @Test func everyOneFieldVariantReadsTheSame() {
        var compared = 0
        for text in Self.updates {
            for variant in DecodeAgreement.variants(of: text) {
                let new = readNew(variant).map(DecodeAgreement.describe)
                let old = readOld(variant).map(DecodeAgreement.describe)
                #expect(new == old, "\(variant)")
                compared += 1
            }
        }
        #expect(compared > 1000)
    }

    @Test func brokenDocumentsAreRefused() {
        for text in Self.broken {
            #expect(readNew(text) == nil, "\(text)")
        }
    }

    @Test func unreadableUpdatesAreNamedWithoutTheirContent() {
        func reason(_ text: String) -> String {
            do {
                _ = try TelegramUpdate(json: JSONObjectReader(try JSONParser.parse(Array(text.utf8))))
                return "read"
            } catch {
                return TelegramAPI.describe(error)
            }
        }
        #expect(reason(#"{"update_id":"secret text"}"#) == "unreadable field update_id")
        #expect(reason(#"{"update_id":1,"message":{"text":"secret text"#) == "not valid JSON (column 34)")
        let deep =
            #"{"update_id":1,"x":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}"
        #expect(reason(deep) == "not a readable update (nesting deeper than 256 levels)")
        #expect(reason("[1]") == "not a readable update")
    }

    @Test func replyEnvelopesReadTheSame() throws {
        let replies = [
            #"{"ok":true,"result":{"message_id":5,"from":{"id":99,"is_bot":true,"first_name":"Pico"},"chat":{"id":1001,"type":"private"},"date":1,"text":"hi"}}"#,
            #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#,
            #"{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}"#,
        ]
        for text in replies {
            for variant in [text] + DecodeAgreement.variants(of: text) {
                let new = try? JSONObjectReader.read(TelegramReply.self, from: Array(variant.utf8))
                let old = try? JSONDecoder().decode(ReferenceErrorReply.self, from: Data(variant.utf8))
                #expect((new == nil) == (old == nil), "\(variant)")
                if let new, let old {
                    #expect(new.ok == old.ok && new.errorCode == old.errorCode && new.description == old.description)
                    #expect(new.parameters?.retryAfter == old.parameters?.retryAfter, "\(variant)")
                }
                let sent = new?.result.flatMap { try? TelegramSentMessage(result: $0) }
                let oldSent = try? JSONDecoder().decode(
                    ReferenceEnvelope<ReferenceSentMessage>.self, from: Data(variant.utf8))
                if new?.ok == true {
                    #expect(sent?.messageID == oldSent?.result?.messageID, "\(variant)")
                }
            }
        }
        #expect(try Bool(result: .bool(true)))
        #expect(throws: JSONReadError.self) { try Bool(result: .string("true")) }
    }

    @Test func requestBodiesAreTheParametersAsJSON() throws {
        func body(_ params: some TelegramParameters) -> String {
            var json = JSONWriter()
            json.beginObject()
            params.write(to: &json)
            json.endObject()
            return String(decoding: json.bytes, as: UTF8.self)
        }
        let send = TelegramSendMessage(
            chatID: TelegramChatID("-1001234567890"), text: "a \"quoted\"\nline\u{1}/é", parseMode: "HTML",
            replyToMessageID: 7, allowSendingWithoutReply: true,
            replyMarkup: TelegramInlineKeyboard(inlineKeyboard: [[.init(text: "Yes", callbackData: "y:1")]]),
            messageThreadID: 12)
        #expect(
            body(send)
                == #"{"chat_id":-1001234567890,"text":"a \"quoted\"\nline\u0001/é","parse_mode":"HTML","reply_to_message_id":7,"allow_sending_without_reply":true,"reply_markup":{"inline_keyboard":[[{"text":"Yes","callback_data":"y:1"}]]},"message_thread_id":12}"#
        )
        #expect(
            body(TelegramSendMessage(chatID: TelegramChatID("@news"), text: "x")) == #"{"chat_id":"@news","text":"x"}"#)
        #expect(
            body(
                TelegramGetUpdates(offset: nil, timeout: 30, limit: 100, allowedUpdates: ["message", "callback_query"]))
                == #"{"timeout":30,"limit":100,"allowed_updates":["message","callback_query"]}"#)
        #expect(
            body(
                TelegramSendDraft(
                    chatID: TelegramChatID("5"), draftID: 9, text: "t", messageThreadID: nil, canStop: true))
                == #"{"chat_id":5,"draft_id":9,"text":"t","can_stop":true}"#)
        #expect(body(TelegramNoParameters()) == "{}")
    }
}

// MARK: - The former Decodable types (reference only)

struct ReferenceEnvelope<Result: Decodable>: Decodable {
    var ok: Bool
    var result: Result?
}

struct ReferenceErrorReply: Decodable {
    var ok: Bool?
    var errorCode: Int?
    var description: String?
    var parameters: Parameters?

    struct Parameters: Decodable {
        var retryAfter: Int?
        enum CodingKeys: String, CodingKey { case retryAfter = "retry_after" }
    }

    enum CodingKeys: String, CodingKey {
        case ok, description, parameters
        case errorCode = "error_code"
    }
}

struct ReferenceSentMessage: Decodable {
    var messageID: Int64
    enum CodingKeys: String, CodingKey { case messageID = "message_id" }
}

struct ReferenceUser: Decodable {
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

struct ReferenceChat: Decodable {
    var id: Int64
    var type: String
}

struct ReferenceEntity: Decodable {
    var type: String
    var offset: Int
    var length: Int
    var user: ReferenceUser?
}

struct ReferenceRepliedMessage: Decodable {
    var messageID: Int64
    var from: ReferenceUser?

    enum CodingKeys: String, CodingKey {
        case from
        case messageID = "message_id"
    }
}

struct ReferenceFileRef: Decodable {
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

struct ReferenceAnimation: Decodable {
    var mimeType: String?
    var thumbnail: ReferenceFileRef?

    enum CodingKeys: String, CodingKey {
        case thumbnail
        case mimeType = "mime_type"
    }
}

struct ReferenceMessage: Decodable {
    var messageID: Int64
    var from: ReferenceUser?
    var chat: ReferenceChat
    var text: String?
    var entities: [ReferenceEntity]?
    var replyTo: ReferenceRepliedMessage?
    var messageThreadID: Int64?
    var isTopicMessage: Bool?
    var caption: String?
    var captionEntities: [ReferenceEntity]?
    var photo: [ReferenceFileRef]?
    var document: ReferenceFileRef?
    var voice: ReferenceFileRef?
    var audio: ReferenceFileRef?
    var animation: ReferenceAnimation?

    enum CodingKeys: String, CodingKey {
        case from, chat, text, entities, caption, photo, document, voice, audio, animation
        case captionEntities = "caption_entities"
        case messageID = "message_id"
        case replyTo = "reply_to_message"
        case messageThreadID = "message_thread_id"
        case isTopicMessage = "is_topic_message"
    }
}

struct ReferenceCallbackQuery: Decodable {
    var id: String
    var from: ReferenceUser
    var data: String?
    var message: Message?

    struct Message: Decodable {
        var chat: ReferenceChat
    }
}

struct ReferenceGenerationStopped: Decodable {
    var chat: ReferenceChat
    var messageThreadID: Int64?
    var draftID: Int64

    enum CodingKeys: String, CodingKey {
        case chat
        case messageThreadID = "message_thread_id"
        case draftID = "draft_id"
    }
}

struct ReferenceUpdate: Decodable {
    var updateID: Int64
    var message: ReferenceMessage?
    var hadMessage: Bool
    var callbackQuery: ReferenceCallbackQuery?
    var stoppedGeneration: ReferenceGenerationStopped?

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
        message = try? c.decodeIfPresent(ReferenceMessage.self, forKey: .message)
        callbackQuery = try? c.decodeIfPresent(ReferenceCallbackQuery.self, forKey: .callbackQuery)
        stoppedGeneration = try? c.decodeIfPresent(ReferenceGenerationStopped.self, forKey: .stoppedGeneration)
    }
}
