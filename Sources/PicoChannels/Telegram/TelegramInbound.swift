import PicoSystem

/// Turns a Telegram `message` into an `InboundMessage`, applying the group rules (mentions, replies,
/// `mention_only`). The allowlist is applied by the channel afterwards.
struct TelegramInbound: Sendable {
    /// The bot's user id and username (from `getMe`).
    let botID: Int64
    let botUsername: String
    let mentionOnly: Bool

    enum Outcome: Equatable {
        case accept(InboundMessage)
        /// Skipped, with a reason for the debug log (never the text).
        case skip(String)
    }

    func convert(_ m: TelegramMessage) -> Outcome {
        guard let from = m.from else { return .skip("message without sender") }
        if from.isBot == true { return .skip("message from a bot") }
        let attachments = Self.attachments(of: m)
        let text = m.text ?? m.caption ?? ""
        guard !text.isEmpty || !attachments.isEmpty else { return .skip("message without text or media") }
        let entities = (m.text != nil ? m.entities : m.captionEntities) ?? []
        let kind: ChatKind
        switch m.chat.type {
        case "private": kind = .direct
        case "group", "supergroup": kind = .group
        case "channel": kind = .channel
        default: return .skip("unknown chat type")
        }
        var body = text
        var mentioned = false
        if kind != .direct {
            let (stripped, byEntity) = stripMentions(text, entities: entities)
            // In a forum topic every message "replies" to the topic's first message: only a reply to the bot counts.
            let repliesToBot = m.replyTo?.from?.id == botID
            mentioned = byEntity || repliesToBot
            if mentionOnly && !mentioned && !isCommand(text, entities: entities) {
                return .skip("group message without a mention")
            }
            body = stripped
        }
        body = body.trimming(" \t\r\n")
        guard !body.isEmpty || !attachments.isEmpty else { return .skip("empty after removing the mention") }
        let display = [from.firstName, from.lastName].compactMap { $0 }.joined(separator: " ")
        return .accept(
            InboundMessage(
                channel: "telegram", senderID: String(from.id), username: from.username,
                displayName: display.isEmpty ? nil : display, chatID: String(m.chat.id), kind: kind,
                text: body, mentionsBot: mentioned, replyToMessageID: m.replyTo.map { String($0.messageID) },
                messageID: String(m.messageID),
                threadID: m.isTopicMessage == true ? m.messageThreadID.map { String($0) } : nil,
                attachments: attachments.isEmpty ? nil : attachments))
    }

    /// The media of a message: the largest size of a photo, a document (a picture when its type says so),
    /// a voice note, an audio file. An animation Telegram made a video of (a GIF sent from the GIF picker, as MP4)
    /// is its thumbnail, a still picture; one still a GIF is its document.
    static func attachments(of m: TelegramMessage) -> [MediaAttachment] {
        var out: [MediaAttachment] = []
        if let photo = m.photo?.max(by: { ($0.width ?? 0) * ($0.height ?? 0) < ($1.width ?? 0) * ($1.height ?? 0) }) {
            out.append(
                MediaAttachment(
                    kind: .image, ref: photo.fileID, name: "photo.jpg", mimeType: "image/jpeg", size: photo.fileSize))
        }
        if let animation = m.animation, animation.mimeType != "image/gif", let still = animation.thumbnail {
            out.append(
                MediaAttachment(
                    kind: .image, ref: still.fileID, name: "animation.jpg", mimeType: "image/jpeg", size: still.fileSize
                ))
        } else if let d = m.document {
            let image = d.mimeType.map { ["image/jpeg", "image/png", "image/webp", "image/gif"].contains($0) } ?? false
            out.append(
                MediaAttachment(
                    kind: image ? .image : .file, ref: d.fileID, name: d.fileName, mimeType: d.mimeType,
                    size: d.fileSize))
        }
        if let v = m.voice {
            out.append(
                MediaAttachment(
                    kind: .voice, ref: v.fileID, name: "voice.ogg", mimeType: v.mimeType ?? "audio/ogg",
                    size: v.fileSize))
        }
        if let a = m.audio {
            out.append(
                MediaAttachment(
                    kind: .audio, ref: a.fileID, name: a.fileName ?? "audio", mimeType: a.mimeType, size: a.fileSize))
        }
        return out
    }

    /// Whether the message starts with a `/command` meant for this bot (unaddressed, or `@` this bot).
    func isCommand(_ text: String, entities: [TelegramEntity]) -> Bool {
        guard let e = entities.first(where: { $0.type == "bot_command" && $0.offset == 0 }) else { return false }
        let command = String(decoding: Array(text.utf16).prefix(e.length), as: UTF16.self).lowercased()
        guard let at = command.firstIndex(of: "@") else { return true }
        return command[command.index(after: at)...] == botUsername.lowercased()
    }

    /// Removes mentions of the bot (entities `mention` = `@botname`, `text_mention` of the bot, and the
    /// `@botname` suffix of a `bot_command`). Entity offsets are UTF-16 offsets.
    func stripMentions(_ text: String, entities: [TelegramEntity]) -> (String, Bool) {
        let utf16 = Array(text.utf16)
        var remove: [Range<Int>] = []
        let handle = "@" + botUsername.lowercased()
        for e in entities {
            guard e.offset >= 0, e.length > 0, e.offset + e.length <= utf16.count else { continue }
            let range = e.offset..<(e.offset + e.length)
            let part = String(decoding: utf16[range], as: UTF16.self)
            switch e.type {
            case "mention" where part.lowercased() == handle:
                remove.append(range)
            case "text_mention" where e.user?.id == botID:
                remove.append(range)
            case "bot_command" where part.lowercased().hasSuffix(handle):
                // "/start@pico_bot" → keep "/start", drop the address.
                let keep = part.utf16.count - handle.utf16.count
                remove.append((e.offset + keep)..<range.upperBound)
            default:
                continue
            }
        }
        guard !remove.isEmpty else { return (text, false) }
        var out: [UInt16] = []
        var i = 0
        for r in remove.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.lowerBound >= i {
            out.append(contentsOf: utf16[i..<r.lowerBound])
            i = r.upperBound
            // Avoid the double space a mention in the middle of a sentence leaves behind.
            if out.last == 0x20, i < utf16.count, utf16[i] == 0x20 { i += 1 }
        }
        out.append(contentsOf: utf16[i...])
        return (String(decoding: out, as: UTF16.self), true)
    }
}
