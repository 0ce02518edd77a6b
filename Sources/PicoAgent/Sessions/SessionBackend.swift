/// Where an agent keeps its conversations: the gateway's state store (``StateSessionStore``), or JSON Lines
/// files (``SessionStore``, the format of earlier versions, kept for import and tests).
public protocol SessionBackend: Sendable {
    /// The context for the next turn of `key`: the recent messages, trimmed and repaired.
    func loadHistory(_ key: SessionKey) async throws -> [ChatMessage]
    /// Appends one turn's messages (redacted by the backend) to `key`.
    func appendTurn(_ key: SessionKey, messages: [ChatMessage]) async throws
}

// Its typed-throws `loadHistory` and `appendTurn` satisfy the protocol as they are.
extension SessionStore: SessionBackend {}
