import Glibc
import PicoFakes
import PicoPolicy
import Testing

/// kill -9 during the sandbox self-test, again and again: no bubblewrap probe, sandbox step or supervisor of the
/// killed gateways is left running (bubblewrap's `--die-with-parent` alone left some blocked for hours).
@Suite struct SelfTestKillTests {
    @Test(.enabled(if: SandboxedExecutor.namespacesAvailable, "needs bubblewrap and user namespaces"))
    func killNineDuringTheSandboxSelfTestLeavesNoProcessBehind() async throws {
        let built = try #require(PicoclawBinary.path())
        let run = GatewayRun()
        // The gateway's own copy: every process these gateways start names this directory (the executable, or
        // bubblewrap's bind of the sandbox step next to it), and no other test's process does.
        let bin = run.dir.mkdir("bin")
        for name in ["picoclaw", "picoclaw-sandbox"] {
            let status = system("cp '\(PicoclawBinary.parent(built))/\(name)' '\(bin)/\(name)'")
            try #require(status == 0, "cannot copy \(name)")
        }
        run.binary = bin + "/picoclaw"
        for _ in 0..<12 {
            #expect(run.start())
            // The k-th bubblewrap: the namespace probe, then the self-test's three commands.
            let k = Int.random(in: 1...4)
            var seen = Set<ProcessIdentity>()
            try? await eventually("bubblewrap #\(k) of the gateway", timeout: .seconds(20), interval: .milliseconds(1))
            {
                for p in ProcessTree.referencing(bin) where ProcessTree.executable(p.pid)?.hasSuffix("/bwrap") == true {
                    seen.insert(p)
                }
                return seen.count >= k || run.log.contains("exec sandbox:")
            }
            // Somewhere in that bubblewrap's start-up, or in its command.
            try await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
            _ = await run.stop(SIGKILL)
        }
        var survivors: [ProcessIdentity] = []
        try? await eventually("the killed gateways' processes to exit", timeout: .seconds(10)) {
            survivors = ProcessTree.referencing(bin)
            return survivors.isEmpty
        }
        #expect(survivors.isEmpty, "outlived their gateway: \(survivors)")
        ProcessTree.kill(survivors)
    }
}
