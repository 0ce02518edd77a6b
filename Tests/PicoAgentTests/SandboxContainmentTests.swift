import Glibc
import PicoFakes
import PicoPolicy
import Testing

// The attack classes of issue 11 against the namespaces layer (bubblewrap + Landlock + seccomp + limits) and
// against the fallback (no namespaces: capabilities dropped, subreaper cleanup, Landlock, seccomp, limits),
// each as root (in this process) and as uid 65534 (picoclaw policy run under setpriv).

extension SandboxAvailability {
    static let pidsCgroupWhy: Comment =
        "needs root and a writable pids cgroup controller (picoclaw policy self-test says why not)"
}

@Suite struct NamespaceContainmentTests {
    static let why: Comment = "needs bubblewrap and user namespaces (picoclaw policy self-test says why not)"

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func metadataOutsideUnchanged(_ who: Attacker) async throws { try await SandboxAttacks.metadata(.namespaces, who) }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func deviceNodesRefused(_ who: Attacker) async throws { try await SandboxAttacks.deviceNodes(.namespaces, who) }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func outsideUnixSocketUnreachable(_ who: Attacker) async throws {
        try await SandboxAttacks.unixSocket(.namespaces, who)
    }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func loopbackTCPFollowsTheNetworkSwitch(_ who: Attacker) async throws {
        try await SandboxAttacks.loopbackTCP(.namespaces, who)
    }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func outsidePathsInvisible(_ who: Attacker) async throws {
        try await SandboxAttacks.outsideInvisible(.namespaces, who)
    }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func survivorsDieWithTheTurn(_ who: Attacker) async throws { try await SandboxAttacks.survivors(.namespaces, who) }

    @Test(.enabled(why) { await SandboxAvailability.namespaces() }, arguments: Attacker.allCases)
    func resourceProbesStopped(_ who: Attacker) async throws { try await SandboxAttacks.limits(.namespaces, who) }

    @Test(
        .enabled(SandboxAvailability.pidsCgroupWhy) {
            await SandboxAvailability.pidsCgroup(SandboxAvailability.namespaces)
        })
    func rootForkFloodStoppedByPidsCgroup() async throws { try await SandboxAttacks.rootForkFlood(.namespaces) }
}

@Suite struct FallbackContainmentTests {
    static let why: Comment = "needs Landlock (picoclaw policy self-test says why not)"

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func metadataOutsideUnchanged(_ who: Attacker) async throws { try await SandboxAttacks.metadata(.landlock, who) }

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func deviceNodesRefused(_ who: Attacker) async throws { try await SandboxAttacks.deviceNodes(.landlock, who) }

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func outsideUnixSocketUnreachable(_ who: Attacker) async throws {
        try await SandboxAttacks.unixSocket(.landlock, who)
    }

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func loopbackTCPFollowsTheNetworkSwitch(_ who: Attacker) async throws {
        try await SandboxAttacks.loopbackTCP(.landlock, who)
    }

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func survivorsDieWithTheTurn(_ who: Attacker) async throws { try await SandboxAttacks.survivors(.landlock, who) }

    @Test(.enabled(why) { await SandboxAvailability.landlock() }, arguments: Attacker.allCases)
    func resourceProbesStopped(_ who: Attacker) async throws { try await SandboxAttacks.limits(.landlock, who) }

    @Test(
        .enabled(SandboxAvailability.pidsCgroupWhy) {
            await SandboxAvailability.pidsCgroup(SandboxAvailability.landlock)
        })
    func rootForkFloodStoppedByPidsCgroup() async throws { try await SandboxAttacks.rootForkFlood(.landlock) }
}
