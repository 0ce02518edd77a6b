import FoundationEssentials
import PicoChannels
import PicoConfig
import Testing

/// The inbox record of a message (issue 18: written with `JSONWriter` instead of `JSONEncoder`): `JSONDecoder`
/// reads back the same message — as the recovery after a restart and the schedules' `origin` do — and the JSON
/// holds the same members with the same values as `JSONEncoder`'s, for every optional present and absent and for
/// text that needs escaping.
@Suite("inbound message record")
struct InboundMessageRecordTests {
    static let texts = [
        "", "hello", "quote \" backslash \\ slash / done", "line\nbreak\ttab\r\u{0}\u{1}\u{1F}\u{7F}",
        "ünïcödé — 日本語 🎉👍🏽", "</script><b>&amp;</b>", String(repeating: "long ", count: 2000),
    ]

    static var messages: [InboundMessage] {
        var all: [InboundMessage] = []
        for (i, text) in texts.enumerated() {
            var m = InboundMessage(
                channel: i % 2 == 0 ? "telegram" : "discord", senderID: "\(4242 + i)", chatID: "-100\(i)",
                kind: [.direct, .group, .channel][i % 3], text: text, messageID: "\(i)")
            all.append(m)  // every optional absent
            m.username = "user_\(i)"
            m.displayName = "Name \"\(i)\" \\ é"
            m.guildID = "g\(i)"
            m.mentionsBot = true
            m.replyToMessageID = "r\(i)"
            m.pairingCandidate = i % 2 == 0
            m.threadID = "t\(i)"
            m.scheduled = ScheduledFire(scheduleID: Int64(i) - 3, fixedText: i % 2 == 0 ? text : nil)
            m.attachments = [
                MediaAttachment(kind: .image, ref: "file/\(i)", name: "a \"b\".png", mimeType: "image/png", size: i),
                MediaAttachment(kind: .voice, ref: "v\(i)"),
            ]
            all.append(m)  // every optional present
            m.attachments = []
            m.scheduled = ScheduledFire(scheduleID: Int64.max)
            all.append(m)
        }
        return all
    }

    @Test func jsonDecoderReadsTheRecordBackAndItHoldsWhatJSONEncoderWrote() throws {
        for m in Self.messages {
            let record = m.jsonRecord
            let decoded = try JSONDecoder().decode(InboundMessage.self, from: Data(record.utf8))
            #expect(decoded == m, "\(record)")
            let encoded = try JSONEncoder().encode(m)
            #expect(try JSONParser.parse(record) == JSONParser.parse(Array(encoded)), "\(record)")
        }
    }
}
