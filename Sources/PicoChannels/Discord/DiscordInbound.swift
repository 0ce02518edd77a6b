import PicoSystem

/// Turns a `MESSAGE_CREATE` into an `InboundMessage`: ignores bots, webhooks and the bot itself, applies
/// `mention_only` to guild messages (DMs are always considered) and strips `<@id>` / `<@!id>` mentions of the
/// bot. The allowlist is applied by the channel afterwards.
struct DiscordInbound: Sendable {
    let botID: String
    let mentionOnly: Bool

    enum Outcome: Equatable {
        case accept(InboundMessage)
        case skip(String)
    }

    func convert(_ m: DiscordMessage) -> Outcome {
        if m.author.bot == true || m.webhookID != nil { return .skip("message from a bot or webhook") }
        if m.author.id == botID { return .skip("own message") }
        let content = m.content ?? ""
        let tokens = ["<@\(botID)>", "<@!\(botID)>"]
        let mentioned = (m.mentions ?? []).contains { $0.id == botID } || tokens.contains { content.contains($0) }
        let isGuild = m.guildID != nil
        if isGuild && mentionOnly && !mentioned { return .skip("guild message without a mention") }
        var text = content
        for token in tokens { text = text.replacingAll(token, with: "") }
        text = text.trimming(" \t\r\n")
        let attachments = (m.attachments ?? []).map(Self.attachment)
        guard !text.isEmpty || !attachments.isEmpty else {
            return .skip(
                content.isEmpty
                    ? "no text content (MESSAGE CONTENT intent missing?)" : "empty after removing the mention")
        }
        return .accept(
            InboundMessage(
                channel: "discord", senderID: m.author.id, username: m.author.username,
                displayName: m.author.globalName ?? m.author.username, chatID: m.channelID,
                kind: isGuild ? .channel : .direct, guildID: m.guildID, text: text, mentionsBot: mentioned,
                replyToMessageID: m.messageReference?.messageID, messageID: m.id,
                attachments: attachments.isEmpty ? nil : attachments))
    }

    /// An attachment by its declared type: pictures, audio (voice messages are `audio/ogg`), anything else a file.
    static func attachment(_ a: DiscordAttachment) -> MediaAttachment {
        let type = a.contentType?.split(separator: ";").first.map { $0.lowercased() }
        let kind: MediaAttachment.Kind
        if let type, ["image/jpeg", "image/png", "image/webp", "image/gif"].contains(type) {
            kind = .image
        } else if a.durationSecs != nil {
            kind = .voice
        } else if type?.hasPrefix("audio/") == true {
            kind = .audio
        } else {
            kind = .file
        }
        return MediaAttachment(kind: kind, ref: a.url, name: a.filename, mimeType: type, size: a.size)
    }
}
