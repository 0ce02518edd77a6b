import PicoConfig

/// Where an inbound message came from, as far as routing is concerned.
public struct RouteInput: Sendable, Equatable {
    /// Channel name (lower-cased when routed).
    public var channel: String
    /// Account on the channel; Telegram and Discord always report `default`.
    public var accountID: String
    /// The chat the message belongs to (kind `direct`, `group` or `channel`, and its id).
    public var peer: BindingPeer?
    /// The parent chat (e.g. the channel of a Discord thread).
    public var parentPeer: BindingPeer?
    /// Discord guild id.
    public var guildID: String?
    /// Team id (Slack-style workspaces).
    public var teamID: String?

    /// Creates a route input.
    public init(
        channel: String, accountID: String = "default", peer: BindingPeer? = nil,
        parentPeer: BindingPeer? = nil, guildID: String? = nil, teamID: String? = nil
    ) {
        self.channel = channel
        self.accountID = accountID
        self.peer = peer
        self.parentPeer = parentPeer
        self.guildID = guildID
        self.teamID = teamID
    }
}

/// The routing decision.
public struct RouteResult: Sendable, Equatable {
    /// Which rule chose the agent (PicoClaw's `matched_by`).
    public enum MatchedBy: String, Sendable, Equatable {
        case peer = "binding.peer"
        case parentPeer = "binding.peer.parent"
        case guild = "binding.guild"
        case team = "binding.team"
        case account = "binding.account"
        case channel = "binding.channel"
        case `default` = "default"
    }

    /// The chosen agent.
    public var agentID: String
    /// The rule that chose it.
    public var matchedBy: MatchedBy
    /// The session key of the conversation: `agent:<agentID>:<channel>:<kind>:<peerID>`.
    public var sessionKey: SessionKey
}

/// PicoClaw's binding priority: (1) peer exact, (2) parent peer, (3) guild, (4) team, (5) account binding,
/// (6) channel wildcard (`account_id: "*"`), (7) the default agent. Only bindings whose channel matches and whose
/// account matches (empty = `default`, `*` = any) take part. A binding naming an unknown agent routes to the
/// default agent.
public struct AgentRouter: Sendable {
    /// `bindings[]` from the config.
    public let bindings: [BindingConfig]
    /// Ids of the existing agents.
    public let agentIDs: Set<String>
    /// The agent answering when no binding matches.
    public let defaultAgentID: String

    /// Creates a router.
    public init(bindings: [BindingConfig], agentIDs: some Sequence<String>, defaultAgentID: String) {
        self.bindings = bindings
        self.agentIDs = Set(agentIDs)
        self.defaultAgentID = defaultAgentID
    }

    /// Bindings whose agent does not exist (reported as warnings at start-up).
    public var bindingsWithUnknownAgents: [BindingConfig] { bindings.filter { !agentIDs.contains($0.agentID) } }

    /// Chooses the agent for a message from `input` in chat `chatID` (used for the session key when there is no peer).
    public func route(_ input: RouteInput, chatID: String? = nil) -> RouteResult {
        let channel = input.channel.lowercased()
        let account = input.accountID.isEmpty ? "default" : input.accountID
        let candidates = bindings.filter { b in
            guard b.match.channel == channel else { return false }
            let want = b.match.accountID ?? ""
            if want == "*" { return true }
            return (want.isEmpty ? "default" : want) == account
        }
        func isPlain(_ b: BindingConfig) -> Bool {
            b.match.peer == nil && (b.match.guildID ?? "").isEmpty && (b.match.teamID ?? "").isEmpty
        }
        let tiers: [(RouteResult.MatchedBy, (BindingConfig) -> Bool)] = [
            (.peer, { b in input.peer != nil && b.match.peer == input.peer }),
            (.parentPeer, { b in input.parentPeer != nil && b.match.peer == input.parentPeer }),
            (
                .guild,
                { b in
                    b.match.peer == nil && !(b.match.guildID ?? "").isEmpty && b.match.guildID == input.guildID
                }
            ),
            (
                .team,
                { b in
                    b.match.peer == nil && (b.match.guildID ?? "").isEmpty && !(b.match.teamID ?? "").isEmpty
                        && b.match.teamID == input.teamID
                }
            ),
            (.account, { b in isPlain(b) && b.match.accountID != "*" }),
            (.channel, { b in isPlain(b) && b.match.accountID == "*" }),
        ]
        for (tier, matches) in tiers {
            if let b = candidates.first(where: matches) {
                let agent = agentIDs.contains(b.agentID) ? b.agentID : defaultAgentID
                return RouteResult(
                    agentID: agent, matchedBy: tier, sessionKey: sessionKey(agent, channel, input, chatID))
            }
        }
        return RouteResult(
            agentID: defaultAgentID, matchedBy: .default,
            sessionKey: sessionKey(defaultAgentID, channel, input, chatID))
    }

    private func sessionKey(_ agent: String, _ channel: String, _ input: RouteInput, _ chatID: String?) -> SessionKey {
        let kind = input.peer?.kind.rawValue ?? BindingPeer.Kind.direct.rawValue
        let id = input.peer?.id ?? chatID ?? "unknown"
        return .forPeer(agentID: agent, channel: channel, peerKind: kind, peerID: id)
    }
}
