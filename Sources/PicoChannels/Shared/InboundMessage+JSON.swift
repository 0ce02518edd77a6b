import PicoConfig

/// The inbox record of a message: the JSON its `Codable` conformance reads back (same member names, absent members
/// for `nil`), written without `JSONEncoder` — every accepted message is recorded before its turn starts (issue 18).
extension InboundMessage {
    /// The message as compact JSON text, for the state store's inbox (read back with `JSONDecoder`).
    public var jsonRecord: String {
        var json = JSONWriter(capacity: text.utf8.count + 192)
        json.beginObject()
        json.member("channel", channel)
        json.member("senderID", senderID)
        json.member("username", username)
        json.member("displayName", displayName)
        json.member("chatID", chatID)
        json.member("kind", kind.rawValue)
        json.member("guildID", guildID)
        json.member("text", text)
        json.member("mentionsBot", mentionsBot)
        json.member("replyToMessageID", replyToMessageID)
        json.member("messageID", messageID)
        if let scheduled {
            json.key("scheduled")
            json.beginObject()
            json.member("scheduleID", scheduled.scheduleID)
            json.member("fixedText", scheduled.fixedText)
            json.endObject()
        }
        json.member("pairingCandidate", pairingCandidate)
        json.member("threadID", threadID)
        if let attachments {
            json.key("attachments")
            json.beginArray()
            for a in attachments {
                json.beginObject()
                json.member("kind", a.kind.rawValue)
                json.member("ref", a.ref)
                json.member("name", a.name)
                json.member("mimeType", a.mimeType)
                json.member("size", a.size)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
