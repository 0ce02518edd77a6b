/// A message to record in the inbox.
public struct InboxDraft: Sendable, Equatable {
    /// Platform (`telegram`, `discord`).
    public var channel: String
    /// Chat id on that platform.
    public var chat: String
    /// The platform's message id (unique per channel and chat: re-deliveries are ignored).
    public var messageID: String
    /// What orders turns: messages with the same conversation run one after another, in inbox order.
    public var conversation: String
    /// The message itself, encoded by the caller (JSON).
    public var payload: String
    /// The sender whose usage counts this message (`limits.messages_per_minute`, the day's message count), in
    /// the accept's own commit (``InboxEntry/messagesInMinute``); `nil`: not counted there.
    public var countsSender: String?

    /// Creates a draft.
    public init(
        channel: String, chat: String, messageID: String, conversation: String, payload: String,
        countsSender: String? = nil
    ) {
        self.channel = channel
        self.chat = chat
        self.messageID = messageID
        self.conversation = conversation
        self.payload = payload
        self.countsSender = countsSender
    }
}

/// Where a message is in its life.
public enum InboxState: String, Sendable {
    /// Accepted; its turn has not completed (a restart runs it again).
    case pending
    /// The turn completed and its reply is in the outbox, not yet delivered.
    case answered
    /// Finished: the reply was delivered, or failed for good, or there was nothing to send.
    case done
}

/// A recorded inbound message.
public struct InboxEntry: Sendable, Equatable {
    /// Inbox order (increasing).
    public var id: Int64
    public var channel: String
    public var chat: String
    public var messageID: String
    public var conversation: String
    public var payload: String
    public var state: InboxState
    /// Seconds since the epoch.
    public var receivedAt: Int64
    /// How often its turn was started (``StateStore/markStarted(inboxID:)``).
    public var attempts: Int = 0
    /// The sender's messages in the current minute, this one included, when the accept counted it
    /// (``InboxDraft/countsSender``); `nil` otherwise (and for entries read back after a restart).
    public var messagesInMinute: Int?
}

/// A reply to record before it is sent.
public struct OutboxDraft: Sendable, Equatable {
    public var channel: String
    public var chat: String
    /// Message to thread the reply to, if any.
    public var replyTo: String?
    public var text: String

    /// Creates a draft.
    public init(channel: String, chat: String, replyTo: String?, text: String) {
        self.channel = channel
        self.chat = chat
        self.replyTo = replyTo
        self.text = text
    }
}

/// A recorded reply.
public struct OutboxEntry: Sendable, Equatable {
    public var id: Int64
    /// The message it answers.
    public var inboxID: Int64?
    public var channel: String
    public var chat: String
    public var replyTo: String?
    public var text: String
}

/// An unfinished message after a restart: its turn must run (`reply == nil`) or its stored reply be sent.
public struct OpenTurn: Sendable, Equatable {
    public var entry: InboxEntry
    public var reply: OutboxEntry?

    /// Creates a value.
    public init(entry: InboxEntry, reply: OutboxEntry?) {
        self.entry = entry
        self.reply = reply
    }
}

/// Model calls to add to a sender's day in the same transaction as a turn's reply.
public struct ModelCharge: Sendable, Equatable {
    public var channel: String
    public var sender: String
    public var modelCalls: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// Spend in millionths of a US dollar.
    public var costMicroUSD: Int64

    /// Creates a charge.
    public init(
        channel: String, sender: String, modelCalls: Int = 1, promptTokens: Int, completionTokens: Int,
        costMicroUSD: Int64
    ) {
        self.channel = channel
        self.sender = sender
        self.modelCalls = modelCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costMicroUSD = costMicroUSD
    }
}

/// Session messages to append in the same transaction as a turn's reply.
public struct SessionWrite: Sendable, Equatable {
    public var key: String
    public var agent: String
    /// Encoded (and redacted) messages, oldest first.
    public var messages: [String]

    /// Creates a write.
    public init(key: String, agent: String, messages: [String]) {
        self.key = key
        self.agent = agent
        self.messages = messages
    }
}

/// One stored session.
public struct SessionSummary: Sendable, Equatable {
    public var key: String
    public var agent: String
    public var messageCount: Int
    /// Seconds since the epoch.
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// One channel cursor.
public struct CursorValue: Sendable, Equatable {
    public var name: String
    public var value: String
    /// Seconds since the epoch (set by the store when written).
    public var updatedAt: Int64

    /// Creates a value.
    public init(name: String, value: String, updatedAt: Int64 = 0) {
        self.name = name
        self.value = value
        self.updatedAt = updatedAt
    }
}
