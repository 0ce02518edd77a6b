import PicoConfig

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
    /// The sender's username without `@`, if the platform has one (sanitised: see ``UntrustedName``).
    public var username: String?
    /// A human-friendly name (Telegram first + last name, Discord global name or username), sanitised.
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
    /// Set when the gateway created the message for a schedule (it never came from the platform).
    public var scheduled: ScheduledFire?
    /// `true` for a direct message from a sender outside `allow_from` on a channel with `dm_policy: pairing`:
    /// it must not reach an agent unless the sender is paired (the gateway checks the state store).
    public var pairingCandidate: Bool?
    /// The Telegram forum topic (`message_thread_id`) the message belongs to; replies go there and the topic
    /// has its own session.
    public var threadID: String?
    /// Pictures, voice notes and files sent with the message (references: fetched when the turn runs).
    public var attachments: [MediaAttachment]?

    /// Creates a message. `username` and `displayName` come from other people: control characters are
    /// stripped and the length capped (``UntrustedName/sanitize(_:)``) before any log line or agent sees them.
    public init(
        channel: String, senderID: String, username: String? = nil, displayName: String? = nil,
        chatID: String, kind: ChatKind, guildID: String? = nil, text: String, mentionsBot: Bool = false,
        replyToMessageID: String? = nil, messageID: String, threadID: String? = nil,
        attachments: [MediaAttachment]? = nil
    ) {
        self.channel = channel
        self.senderID = senderID
        self.username = UntrustedName.sanitize(username)
        self.displayName = UntrustedName.sanitize(displayName)
        self.chatID = chatID
        self.kind = kind
        self.guildID = guildID
        self.text = text
        self.mentionsBot = mentionsBot
        self.replyToMessageID = replyToMessageID
        self.messageID = messageID
        self.threadID = threadID
        self.attachments = attachments
    }

    /// Where to answer: the same chat, replying to this message in groups and channels (not in direct chats).
    public var replyTarget: ReplyTarget {
        ReplyTarget(
            chatID: chatID, replyToMessageID: kind == .direct || scheduled != nil ? nil : messageID,
            threadID: threadID)
    }
}

/// What makes a message a schedule's firing.
public struct ScheduledFire: Sendable, Equatable, Codable {
    /// The schedule.
    public var scheduleID: Int64
    /// Send this text as it is instead of running a turn.
    public var fixedText: String?

    public init(scheduleID: Int64, fixedText: String? = nil) {
        self.scheduleID = scheduleID
        self.fixedText = fixedText
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

/// A picture, voice note, audio or other file that came with a message. Only a reference is kept in the inbox;
/// the bytes are fetched through the channel (``MediaChannel``) when the turn runs, with a size cap.
public struct MediaAttachment: Sendable, Equatable, Codable {
    /// What it is, as far as picoclaw cares.
    public enum Kind: String, Sendable, Equatable, Codable {
        case image, voice, audio, file
    }
    /// What it is.
    public var kind: Kind
    /// The platform's reference: Telegram `file_id`, Discord attachment URL.
    public var ref: String
    /// The file name, when the platform gives one.
    public var name: String?
    /// The MIME type the platform claims (checked against the bytes for pictures).
    public var mimeType: String?
    /// The size the platform claims, in bytes.
    public var size: Int?

    /// Creates an attachment reference.
    public init(kind: Kind, ref: String, name: String? = nil, mimeType: String? = nil, size: Int? = nil) {
        self.kind = kind
        self.ref = ref
        self.name = name
        self.mimeType = mimeType
        self.size = size
    }
}

/// A channel whose messages can carry media.
public protocol MediaChannel: Channel {
    /// The bytes of `attachment`, from the platform's own file host only. Throws ``MediaError``.
    func download(_ attachment: MediaAttachment, maxBytes: Int) async throws -> [UInt8]
}

/// Why an attachment could not be fetched. The descriptions are fit to show the user.
public enum MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Larger than the cap.
    case tooLarge(size: Int, limit: Int)
    /// Not on the platform's file host.
    case foreignHost
    /// The platform did not hand it out.
    case unavailable(String)

    public var description: String {
        switch self {
        case .tooLarge(let size, let limit):
            return "the file is \(Self.megabytes(size)), more than the \(Self.megabytes(limit)) I accept"
        case .foreignHost: return "the file is not on the platform's file server"
        case .unavailable(let why): return "the file could not be downloaded (\(why))"
        }
    }

    static func megabytes(_ n: Int) -> String {
        let tenths = (n * 10 + (1 << 20) / 2) >> 20
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
