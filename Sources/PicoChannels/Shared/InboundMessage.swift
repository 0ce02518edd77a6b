/// What kind of conversation a message came from.
public enum ChatKind: String, Sendable, Equatable, Hashable, Codable {
    /// A private chat / DM with the bot.
    case direct
    /// A Telegram group or supergroup.
    case group
    /// A Discord guild channel (or thread), or a Telegram channel.
    case channel
}

/// A text message from an allowed sender, ready for an agent.
public struct InboundMessage: Sendable, Equatable, Codable {
    /// The channel name (`"telegram"`, `"discord"`).
    public var channel: String
    /// The sender's numeric platform user id (Telegram user id, Discord snowflake) as decimal text.
    public var senderID: String
    /// The sender's username without `@`, if the platform has one.
    public var username: String?
    /// A human-friendly name (Telegram first + last name, Discord global name or username).
    public var displayName: String?
    /// The chat to answer in (Telegram chat id, Discord channel id).
    public var chatID: String
    /// Direct, group or channel.
    public var kind: ChatKind
    /// The Discord guild id for guild messages.
    public var guildID: String?
    /// The message text, with a leading mention of the bot removed.
    public var text: String
    /// Whether the bot was mentioned (or, on Telegram, the message replies to the bot).
    public var mentionsBot: Bool
    /// The id of the message this one replies to, if any.
    public var replyToMessageID: String?
    /// This message's platform id.
    public var messageID: String
    /// The Telegram forum topic (`message_thread_id`) the message belongs to; replies go there and the topic
    /// has its own session.
    public var threadID: String?

    /// Creates a message.
    public init(channel: String, senderID: String, username: String? = nil, displayName: String? = nil,
                chatID: String, kind: ChatKind, guildID: String? = nil, text: String, mentionsBot: Bool = false,
                replyToMessageID: String? = nil, messageID: String, threadID: String? = nil) {
        self.channel = channel
        self.senderID = senderID
        self.username = username
        self.displayName = displayName
        self.chatID = chatID
        self.kind = kind
        self.guildID = guildID
        self.text = text
        self.mentionsBot = mentionsBot
        self.replyToMessageID = replyToMessageID
        self.messageID = messageID
        self.threadID = threadID
    }

    /// Where to answer: the same chat, replying to this message in groups and channels (not in direct chats).
    public var replyTarget: ReplyTarget {
        ReplyTarget(chatID: chatID, replyToMessageID: kind == .direct ? nil : messageID, threadID: threadID)
    }
}

/// Where a reply goes.
public struct ReplyTarget: Sendable, Equatable, Hashable {
    /// The chat (Telegram chat id, Discord channel id).
    public var chatID: String
    /// Reply to this message (used in groups so the answer is threaded to the question).
    public var replyToMessageID: String?
    /// The Telegram forum topic to post in (`message_thread_id`).
    public var threadID: String?

    /// Creates a target.
    public init(chatID: String, replyToMessageID: String? = nil, threadID: String? = nil) {
        self.chatID = chatID
        self.replyToMessageID = replyToMessageID
        self.threadID = threadID
    }
}
