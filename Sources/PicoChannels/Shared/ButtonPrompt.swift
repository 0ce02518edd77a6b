/// One button under a message (Telegram inline keyboard button).
public struct PromptButton: Sendable, Equatable {
    /// What the user sees.
    public let label: String
    /// What comes back when it is pressed (≤ 64 bytes).
    public let data: String

    public init(label: String, data: String) {
        self.label = label
        self.data = data
    }
}

/// A button pressed by a user (Telegram `callback_query`).
public struct ButtonPress: Sendable, Equatable {
    /// The channel name.
    public let channel: String
    /// Who pressed it (numeric user id).
    public let userID: String
    /// The chat the button's message is in.
    public let chatID: String?
    /// The button's data.
    public let data: String
    /// The platform's id of this press (to acknowledge it).
    public let pressID: String

    public init(channel: String, userID: String, chatID: String?, data: String, pressID: String) {
        self.channel = channel
        self.userID = userID
        self.chatID = chatID
        self.data = data
        self.pressID = pressID
    }
}

/// A channel that can show buttons and report presses (through its options' `onButton`).
public protocol ButtonChannel: Channel {
    /// The chat in which to reach `userID` privately (Telegram: the user id; Discord: a DM channel it opens).
    func privateChat(with userID: String) async throws -> String
    /// Sends `text` (plain) with one row of `buttons`.
    func sendButtons(_ text: String, to target: ReplyTarget, buttons: [PromptButton]) async throws
    /// Acknowledges a press, showing `text` briefly to the presser.
    func acknowledge(_ press: ButtonPress, text: String) async
}
