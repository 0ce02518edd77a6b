import PicoPolicy
import Testing

// The attack classes of issue 11 against the namespaces layer (bubblewrap + Landlock + seccomp + limits) and
// against the fallback (no namespaces: capabilities dropped, subreaper cleanup, Landlock, seccomp, limits),
// each as root (in this process) and as uid 65534 (picoclaw policy run under setpriv).

@Suite struct NamespaceContainmentTests {
    static let available = SandboxedExecutor.namespacesAvailable
    static let why = "needs bubblewrap and user namespaces: \(SandboxedExecutor.namespacesProblem ?? "")"

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func metadataOutsideUnchanged(_ who: Attacker) async throws { try await SandboxAttacks.metadata(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func deviceNodesRefused(_ who: Attacker) async throws { try await SandboxAttacks.deviceNodes(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func outsideUnixSocketUnreachable(_ who: Attacker) async throws { try await SandboxAttacks.unixSocket(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func loopbackTCPFollowsTheNetworkSwitch(_ who: Attacker) async throws { try await SandboxAttacks.loopbackTCP(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func outsidePathsInvisible(_ who: Attacker) async throws { try await SandboxAttacks.outsideInvisible(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func survivorsDieWithTheTurn(_ who: Attacker) async throws { try await SandboxAttacks.survivors(.namespaces, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func resourceProbesStopped(_ who: Attacker) async throws { try await SandboxAttacks.limits(.namespaces, who) }
}

@Suite struct FallbackContainmentTests {
    static let available = SandboxedExecutor.landlockABI != nil
    static let why = "needs Landlock: \(SandboxedExecutor.landlockProblem ?? "")"

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func metadataOutsideUnchanged(_ who: Attacker) async throws { try await SandboxAttacks.metadata(.landlock, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func deviceNodesRefused(_ who: Attacker) async throws { try await SandboxAttacks.deviceNodes(.landlock, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func outsideUnixSocketUnreachable(_ who: Attacker) async throws { try await SandboxAttacks.unixSocket(.landlock, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func loopbackTCPFollowsTheNetworkSwitch(_ who: Attacker) async throws { try await SandboxAttacks.loopbackTCP(.landlock, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func survivorsDieWithTheTurn(_ who: Attacker) async throws { try await SandboxAttacks.survivors(.landlock, who) }

    @Test(.enabled(if: available, Comment(rawValue: why)), arguments: Attacker.allCases)
    func resourceProbesStopped(_ who: Attacker) async throws { try await SandboxAttacks.limits(.landlock, who) }
}
