import Glibc
import PicoChannels
import PicoConfig
import PicoPolicy
import PicoState

/// Who is admitted and what the agents may do, resolved once from the configuration, the state store's
/// pairings and the live sandbox self-test. `picoclaw status` prints it and `picoclaw security audit` checks it,
/// so the two can never disagree.
public struct EffectivePolicy: Sendable, Equatable {
    /// One channel's admission.
    public struct Channel: Sendable, Equatable {
        public let name: String
        public let enabled: Bool
        public let dmPolicy: DMPolicy
        /// Numeric ids admitted by `allow_from` and `owners`.
        public let ids: [String]
        /// Usernames admitted (weak).
        public let usernames: [String]
        /// `allow_from` contains `"*"`.
        public let everyone: Bool
        /// Owner ids (``ChannelOwners``).
        public let owners: [String]
        /// Paired sender ids (from the state store).
        public let paired: [String]
        /// `allow_from` entries that match nobody.
        public let ignored: [String]

        /// `true` when nobody at all can talk to the bot on this channel.
        public var admitsNobody: Bool {
            ids.isEmpty && usernames.isEmpty && !everyone && paired.isEmpty && dmPolicy == .allowlist
        }
    }

    /// One agent's confinement.
    public struct Agent: Sendable, Equatable {
        public let id: String
        public let workspace: String
        public let restrictToWorkspace: Bool
        public let execEnabled: Bool
        /// The kernel layer commands run under (`landlock(abi 4)`, `structural-only`).
        public let sandbox: String
        public let sandboxEnforced: Bool
        /// What commands can reach on the network.
        public let network: String
        /// Each layer of the exec sandbox, active or why not (from the live self-test).
        public let sandboxLayers: [String]
        /// `tools.exec.approval` (`off`, `risky`, `always`).
        public let approval: String
    }

    public let channels: [Channel]
    public let agents: [Agent]
    public let limits: LimitsConfig

    /// Resolves the policy. `paired`: the store's pairings (empty when it cannot be read).
    public static func resolve(
        _ config: PicoConfiguration, paired: [PairedSender], sandbox: SandboxSelfTest
    ) -> EffectivePolicy {
        func channel(
            _ name: String, enabled: Bool, allowFrom: [String], owners: [String], ownerIDs: [String], dm: DMPolicy
        ) -> Channel {
            let list = Allowlist(allowFrom + owners, platform: name)
            return Channel(
                name: name, enabled: enabled, dmPolicy: dm, ids: list.ids.sorted(), usernames: list.usernames.sorted(),
                everyone: list.allowsEveryone, owners: ownerIDs,
                paired: paired.filter { $0.channel == name }.map(\.sender).sorted(), ignored: list.ignoredEntries)
        }
        let t = config.channels.telegram, d = config.channels.discord
        let channels = [
            channel(
                "telegram", enabled: t.enabled, allowFrom: t.allowFrom, owners: t.owners, ownerIDs: t.ownerIDs,
                dm: t.dmPolicy),
            channel(
                "discord", enabled: d.enabled, allowFrom: d.allowFrom, owners: d.owners, ownerIDs: d.ownerIDs,
                dm: d.dmPolicy),
        ]
        let agents = config.resolvedAgents().map { a in
            Agent(
                id: a.id, workspace: a.workspace, restrictToWorkspace: a.restrictToWorkspace,
                execEnabled: config.tools.exec.enabled, sandbox: sandbox.layer.description,
                sandboxEnforced: sandbox.enforced,
                network: networkReach(config.tools.exec, sandbox: sandbox), sandboxLayers: sandbox.layers,
                approval: config.tools.exec.approval)
        }
        return EffectivePolicy(channels: channels, agents: agents, limits: config.limits)
    }

    /// What commands can reach on the network, as `tools.exec.network` and the live sandbox make it.
    static func networkReach(_ exec: ExecToolConfig, sandbox: SandboxSelfTest) -> String {
        if !exec.enabled { return "no commands" }
        if exec.network { return "outbound allowed (tools.exec.network: true)" }
        return sandbox.enforced
            ? "none (tools.exec.network: false)"
            : "NOT enforced: the sandbox is not active, commands may use the network"
    }
}

extension EffectivePolicy {
    /// Reads the pairings and today's usage from the state store (without creating it) and resolves the policy.
    /// `storeProblem` says why the store could not be read (then nobody is listed as paired).
    public static func gather(
        _ config: PicoConfiguration, sandbox: SandboxSelfTest
    ) async
        -> (policy: EffectivePolicy, usage: [UsageTotals], storeProblem: String?)
    {
        var paired: [PairedSender] = []
        var usage: [UsageTotals] = []
        var problem: String?
        if access(config.gateway.stateDir + "/" + StateStore.fileName, F_OK) == 0 {
            do {
                let store = try await StateStore.open(
                    directory: config.gateway.stateDir, migrations: OwnerControlsSchema.migrations)
                do {
                    paired = try await store.pairedSenders()
                    usage = try await store.usageToday()
                } catch {
                    problem = "state store unreadable: \(error.description)"
                }
                await store.close()
            } catch {
                problem = "state store unreadable: \(error.description)"
            }
        }
        return (resolve(config, paired: paired, sandbox: sandbox), usage, problem)
    }
}
