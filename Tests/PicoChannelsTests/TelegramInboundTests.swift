import PicoConfig
@testable import PicoChannels
import Testing

/// `mention_only` in groups and forum topics, on `TelegramInbound` directly.
@Suite("telegram group rules")
struct TelegramInboundTests {
    let rules = TelegramInbound(botID: 99, botUsername: "pico_bot", mentionOnly: true)

    func message(
        _ text: String, command: Int? = nil, chatType: String = "supergroup", thread: Int? = nil,
        topic: Bool = false, replyToBot: Bool = false
    ) throws -> TelegramMessage {
        var json =
            #"{"message_id":5,"from":{"id":7,"is_bot":false,"first_name":"Al"},"chat":{"id":-100,"type":"\#(chatType)"},"text":"\#(text)""#
        if let command { json += #","entities":[{"type":"bot_command","offset":0,"length":\#(command)}]"# }
        if let thread { json += #","message_thread_id":\#(thread)"# }
        if topic { json += #","is_topic_message":true"# }
        if replyToBot {
            json += #","reply_to_message":{"message_id":4,"from":{"id":99,"is_bot":true,"first_name":"Pico"}}"#
        }
        json += "}"
        return try TelegramMessage(json: JSONObjectReader(try JSONParser.parse(json)))
    }

    func accepted(_ m: TelegramMessage) -> InboundMessage? {
        if case .accept(let inbound) = rules.convert(m) { return inbound }
        return nil
    }

    @Test func unaddressedGroupMessageIsSkipped() throws {
        #expect(accepted(try message("hello all")) == nil)
    }

    @Test func replyToTheBotAndCommandsPass() throws {
        #expect(accepted(try message("and then?", replyToBot: true))?.mentionsBot == true)
        #expect(accepted(try message("/ask why", command: 4))?.text == "/ask why")
        #expect(accepted(try message("/ask@pico_bot why", command: 13))?.text == "/ask why")
        #expect(accepted(try message("/ask@other_bot why", command: 14)) == nil, "a command for another bot")
    }

    @Test func topicIDOnlyForTopicMessages() throws {
        #expect(accepted(try message("/go", command: 3, thread: 12, topic: true))?.threadID == "12")
        // A reply thread in a plain group is not a topic.
        #expect(accepted(try message("/go", command: 3, thread: 12))?.threadID == nil)
        #expect(accepted(try message("/go", command: 3, thread: 12, topic: true))?.replyTarget.threadID == "12")
    }

    @Test func privateChatsNeedNoMention() throws {
        let m = try message("hi", chatType: "private")
        #expect(accepted(m)?.kind == .direct)
        #expect(accepted(m)?.replyTarget.replyToMessageID == nil)
    }
}
