/// Commands a user can send in chat instead of a message for the model.
public enum ChatCommand: String, Sendable, CaseIterable {
    /// Starts a fresh session (history and summary forgotten; long-term memory kept).
    case new
    /// Lists the commands.
    case help
    /// Cancels the turn running in this chat.
    case stop

    /// The command in `text` (`/new`, `/NEW`, `/new@my_bot`, surrounding spaces), or `nil` for ordinary text.
    public static func parse(_ text: String) -> ChatCommand? {
        let trimmed = text.trimmedSpaces
        guard trimmed.hasPrefix("/"), !trimmed.contains(" ") else { return nil }
        let word = trimmed.dropFirst().split(separator: "@", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        return ChatCommand(rawValue: word)
    }

    /// The `/help` answer.
    public static let helpText = """
        Commands:
        /new — start a new conversation (forgets this chat's history; notes saved with memory stay)
        /stop — cancel the request I am working on
        /help — show this list
        """
}
