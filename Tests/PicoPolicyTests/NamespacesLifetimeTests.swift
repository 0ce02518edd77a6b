import Glibc
import PicoFakes
import Testing

/// Nothing bubblewrap starts outlives the process that runs it. bubblewrap's own `--die-with-parent` misses one
/// case: its child waits on an eventfd before it sets its parent-death signal, so bubblewrap killed in between
/// (the gateway is kill -9'd and takes bubblewrap with it) leaves that child blocked for ever, re-parented to
/// init (containers/bubblewrap#633). A stand-in for bubblewrap leaves such a child, deterministically.
@Suite struct NamespacesLifetimeTests {
    /// The helper that runs a program through the executor's namespaces shape, built next to this test bundle.
    static var helper: String? {
        Subprocess.productDirectories().map { $0 + "/pico-namespaces-run" }.first { access($0, X_OK) == 0 }
    }

    @Test func whatBubblewrapLeavesBehindDiesWhenTheGatewayIsKilled() async throws {
        let helper = try #require(Self.helper, "pico-namespaces-run is not built")
        let dir = TempDir("picoclaw-lifetime")
        // The stand-in: a child in its own session that no parent-death signal reaches (as bubblewrap's waiting
        // child), then the stand-in itself waits, as bubblewrap does for the sandbox.
        let standIn = dir.write(
            "bwrap",
            """
            #!/bin/sh
            setsid sh -c 'exec sleep 600' </dev/null >/dev/null 2>&1 &
            echo $! > "$1"
            exec sleep 600

            """, mode: 0o700)
        let started = dir.at("orphan.pid")
        let gateway = try #require(
            Subprocess.spawn(
                [helper, standIn, started], environment: [:], stdout: dir.at("out"), stderr: dir.at("err")))
        defer { Subprocess.killAndReap(gateway) }
        try await eventually("the stand-in's child to start", timeout: .seconds(10)) {
            dir.read("orphan.pid")?.hasSuffix("\n") == true
        }
        let orphan = try #require(pid_t(dir.read("orphan.pid")?.split(separator: "\n").first ?? ""))
        let tree = ProcessTree.descendants(of: gateway)
        #expect(tree.contains { $0.pid == orphan }, "the stand-in's child is not in the tree: \(tree)")

        #expect(Subprocess.killAndReap(gateway) == 128 + SIGKILL)
        var survivors = tree
        try? await eventually("every process the helper started to exit", timeout: .seconds(10)) {
            survivors = tree.filter(\.isLive)
            return survivors.isEmpty
        }
        #expect(survivors.isEmpty, "outlived the killed process: \(survivors)")
        ProcessTree.kill(survivors)
    }

    @Test func aCommandThatEndsNormallyReportsItsStatus() async throws {
        let helper = try #require(Self.helper, "pico-namespaces-run is not built")
        let outcome = await Subprocess.run([helper, "/bin/sh", "-c", "exit 7"], environment: [:], timeout: 20)
        #expect(outcome.status == 0 && outcome.stdout.contains("exited 1 code 7"), "\(outcome)")
    }
}

extension NamespacesLifetimeTests {
    @Test func theSandboxHoldsNoDescriptorOfTheGateway() async throws {
        let helper = try #require(Self.helper, "pico-namespaces-run is not built")
        let dir = TempDir("picoclaw-lifetime")
        let held = dir.write("database", "the gateway's own file\n")
        let standIn = dir.write("bwrap", "#!/bin/sh\necho started > \"$1\"\nexec sleep 600\n", mode: 0o700)
        let gateway = try #require(
            Subprocess.spawn(
                [helper, standIn, dir.at("started")], environment: ["PICO_HOLD": held], stdout: dir.at("out"),
                stderr: dir.at("err")))
        defer { Subprocess.killAndReap(gateway) }
        try await eventually("the stand-in to start", timeout: .seconds(10)) { dir.exists("started") }
        #expect(ProcessTree.openFiles(gateway).contains(held), "the helper does not hold the file")
        let tree = ProcessTree.descendants(of: gateway)
        #expect(tree.count >= 2, "no supervisor and stand-in: \(tree)")
        for p in tree { #expect(!ProcessTree.openFiles(p.pid).contains(held), "\(p) holds the gateway's file") }
    }
}
