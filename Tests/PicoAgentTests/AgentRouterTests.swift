import PicoAgent
import PicoConfig
import Testing

@Suite("Agent routing")
struct AgentRouterTests {
    let router = AgentRouter(
        bindings: [
            BindingConfig(agentID: "wild", match: BindingMatch(channel: "telegram", accountID: "*")),
            BindingConfig(agentID: "acct", match: BindingMatch(channel: "telegram")),
            BindingConfig(agentID: "team", match: BindingMatch(channel: "slack", teamID: "T1")),
            BindingConfig(agentID: "guild", match: BindingMatch(channel: "discord", guildID: "G1")),
            BindingConfig(
                agentID: "parent", match: BindingMatch(channel: "discord", peer: BindingPeer(kind: .channel, id: "C1"))),
            BindingConfig(
                agentID: "peer", match: BindingMatch(channel: "telegram", peer: BindingPeer(kind: .direct, id: "42"))),
            BindingConfig(
                agentID: "ghost", match: BindingMatch(channel: "telegram", peer: BindingPeer(kind: .group, id: "-7"))),
        ],
        agentIDs: ["main", "wild", "acct", "team", "guild", "parent", "peer"], defaultAgentID: "main")

    @Test func peerBeatsEverythingElse() {
        let r = router.route(RouteInput(channel: "Telegram", peer: BindingPeer(kind: .direct, id: "42")))
        #expect(r.agentID == "peer")
        #expect(r.matchedBy == .peer)
        #expect(r.sessionKey.rawValue == "agent:peer:telegram:direct:42")
    }

    @Test func accountBindingBeatsChannelWildcard() {
        let r = router.route(RouteInput(channel: "telegram", peer: BindingPeer(kind: .direct, id: "1")))
        #expect(r.agentID == "acct")
        #expect(r.matchedBy == .account)
        let other = router.route(
            RouteInput(channel: "telegram", accountID: "bot2", peer: BindingPeer(kind: .direct, id: "1")))
        #expect(other.agentID == "wild")
        #expect(other.matchedBy == .channel)
    }

    @Test func parentPeerThenGuild() {
        let thread = router.route(
            RouteInput(
                channel: "discord", peer: BindingPeer(kind: .channel, id: "T9"),
                parentPeer: BindingPeer(kind: .channel, id: "C1"), guildID: "G1"))
        #expect(thread.agentID == "parent")
        #expect(thread.matchedBy == .parentPeer)
        #expect(thread.sessionKey.rawValue == "agent:parent:discord:channel:t9")
        let guild = router.route(
            RouteInput(channel: "discord", peer: BindingPeer(kind: .channel, id: "C2"), guildID: "G1"))
        #expect(guild.agentID == "guild")
        #expect(guild.matchedBy == .guild)
    }

    @Test func teamBinding() {
        let r = router.route(RouteInput(channel: "slack", peer: BindingPeer(kind: .group, id: "x"), teamID: "T1"))
        #expect(r.agentID == "team")
        #expect(r.matchedBy == .team)
    }

    @Test func unknownAgentAndNoMatchFallBackToDefault() {
        let ghost = router.route(RouteInput(channel: "telegram", peer: BindingPeer(kind: .group, id: "-7")))
        #expect(ghost.agentID == "main")
        #expect(router.bindingsWithUnknownAgents.map(\.agentID) == ["ghost"])
        let none = router.route(RouteInput(channel: "discord", peer: BindingPeer(kind: .direct, id: "5")), chatID: "5")
        #expect(none.agentID == "main")
        #expect(none.matchedBy == .default)
        #expect(none.sessionKey.rawValue == "agent:main:discord:direct:5")
    }
}
