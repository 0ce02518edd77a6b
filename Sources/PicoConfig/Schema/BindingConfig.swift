/// One `bindings[]` entry: route messages matching ``match`` to the agent ``agentID``.
public struct BindingConfig: Sendable, Equatable {
    /// `agent_id` (normalised like agent ids).
    public let agentID: String
    /// `match`.
    public let match: BindingMatch

    /// Creates a binding.
    public init(agentID: String, match: BindingMatch) {
        self.agentID = AgentID.normalize(agentID)
        self.match = match
    }
}

/// `bindings[].match`.
public struct BindingMatch: Sendable, Equatable {
    /// `channel` (required, lower-cased), e.g. `telegram`.
    public let channel: String
    /// `account_id`: `nil`/empty matches the `default` account, `*` any account.
    public let accountID: String?
    /// `peer`.
    public let peer: BindingPeer?
    /// `guild_id` (Discord).
    public let guildID: String?
    /// `team_id`.
    public let teamID: String?

    /// Creates a match.
    public init(
        channel: String, accountID: String? = nil, peer: BindingPeer? = nil, guildID: String? = nil,
        teamID: String? = nil
    ) {
        self.channel = channel.lowercased()
        self.accountID = accountID
        self.peer = peer
        self.guildID = guildID
        self.teamID = teamID
    }
}

/// `bindings[].match.peer`.
public struct BindingPeer: Sendable, Equatable {
    /// Kind of conversation.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A direct (private) chat.
        case direct
        /// A group chat.
        case group
        /// A channel.
        case channel
    }

    /// `kind`.
    public let kind: Kind
    /// `id` (chat/user/channel id as a string).
    public let id: String

    /// Creates a peer.
    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }
}
