import Glibc
import PicoFakes
import Testing
@testable import PicoPolicy

/// Ports of PicoClaw's exec-tool cases plus the sandbox's own guarantees.
@Suite struct SandboxedExecutorTests {
    let box = Sandbox()

    /// The machine probes run once, on a dedicated thread, before executors are created.
    init() async { await SandboxedExecutor.prepare() }

    func executor(
        timeout: Duration = .seconds(20), cap: Int = 10_000, landlock: LandlockMode = .preferred,
        sandbox: SandboxMode = .auto
    ) throws -> SandboxedExecutor {
        try SandboxedExecutor(
            workspace: box.ws, timeout: timeout, maxOutputBytes: cap, landlock: landlock,
            sandbox: sandbox)
    }

    @Test func echoSucceeds() async throws {
        let r = try await executor().run(command: "echo 'hello world'")
        #expect(r.output == "hello world\n" && r.exitStatus == 0 && r.succeeded && !r.timedOut)
    }

    @Test func failureReportsExitStatus() async throws {
        let r = try await executor().run(command: "ls /nonexistent_directory_12345")
        #expect(r.exitStatus != 0 && !r.succeeded)
        #expect(try await executor().run(command: "sh -c 'exit 42'").exitStatus == 42)
    }

    @Test func stderrIsCaptured() async throws {
        let r = try await executor().run(command: "sh -c 'echo stdout; echo stderr >&2'")
        #expect(r.output.contains("stdout") && r.output.contains("stderr"))
    }

    @Test func timeoutKillsCommand() async throws {
        // Long enough for the namespaces layer to start on a loaded machine, far below the command's 10 s.
        let r = try await executor(timeout: .milliseconds(1500)).run(command: "echo partial; sleep 10")
        #expect(r.timedOut && r.exitStatus == nil && r.signal != nil)
        #expect(r.output.contains("partial"))
    }

    @Test func timeoutKillsBackgroundChildren() async throws {
        // Host PIDs are visible only without the PID namespace (SandboxContainmentTests covers both modes).
        let r = try await executor(timeout: .milliseconds(500), sandbox: .landlock)
            .run(command: "sleep 60 & echo $! > child.pid; wait")
        #expect(r.timedOut)
        let pid = Int32(box.contents("child.pid")?.trimmingBlanks() ?? "") ?? 0
        #expect(pid > 0)
        #expect(await processGone(pid))
    }

    @Test func backgroundChildDoesNotHoldTheResult() async throws {
        let r = try await executor(timeout: .seconds(20)).run(command: "sleep 30 & echo parent-done")
        #expect(!r.timedOut && r.output.contains("parent-done") && r.exitStatus == 0)
    }

    @Test func outputIsCappedWithMarker() async throws {
        let r = try await executor().run(command: "head -c 20000 /dev/zero | tr '\\0' x")
        #expect(r.truncatedBytes == 10_000)
        #expect(r.output.hasPrefix(String(repeating: "x", count: 10_000)))
        #expect(r.output.contains("10000 more bytes dropped"))
        #expect(r.output.utf8.count < 10_100)
    }

    @Test func outputCutOnUTF8Boundary() async throws {
        let r = try await executor(cap: 5).run(command: "printf 'ééé'")
        #expect(r.output.hasPrefix("éé\n"))
        #expect(r.truncatedBytes == 2)
    }

    @Test func environmentIsScrubbed() async throws {
        setenv("PICOCLAW_TEST_CHANNELS_TOKEN", "leak-1", 1)
        setenv("PICOPOLICY_TEST_API_KEY", "leak-2", 1)
        setenv("LC_TEST_SECRET", "leak-3", 1)
        let r = try await executor().run(command: "env")
        #expect(!r.output.contains("leak-"))
        #expect(r.output.contains("HOME=\(box.ws)"))
        #expect(r.output.contains("TMPDIR=\(box.ws)/.tmp"))
        #expect(r.output.contains("PATH="))
        #expect(box.mode(".tmp") == 0o700)
    }

    @Test func workingDirectory() async throws {
        box.mkdirs("sub")
        box.write("sub/test.txt", "content")
        let e = try executor()
        #expect(try await e.run(command: "cat test.txt", workingDirectory: "sub").output == "content")
        #expect(try await e.run(command: "pwd", workingDirectory: box.ws + "/sub").output == box.ws + "/sub\n")
        await #expect(throws: ExecError.self) { try await e.run(command: "pwd", workingDirectory: box.outside) }
        await #expect(throws: ExecError.self) { try await e.run(command: "pwd", workingDirectory: "missing") }
    }

    @Test func policyGateRefusesWithoutRunning() async throws {
        let policy = try CommandPolicy(workspace: box.ws)
        await #expect(throws: ExecError.self) {
            try await executor().run(command: "touch ran.txt; rm -rf x", policy: policy)
        }
        #expect(!box.exists("ran.txt"))
        #expect(try await executor().run(command: "echo ok", policy: policy).output == "ok\n")
    }

    @Test func cancellationKillsTheGroup() async throws {
        let e = try executor(timeout: .seconds(30))
        // A background grandchild and a foreground child, both found by a unique argument in /proc.
        let marker = "30.\(UInt32.random(in: 100_000...999_999))"
        let task = Task { try await e.run(command: "sleep \(marker) & sleep \(marker); wait") }
        try await eventually("both sleeps started") { Subprocess.pids(withArguments: ["sleep", marker]).count == 2 }
        task.cancel()
        let r = try await task.value
        #expect(r.cancelled && !r.succeeded)
        // Killed, not left running for 30 s: every process of the group is gone.
        try await eventually("the group's processes are gone", timeout: .seconds(5)) {
            Subprocess.pids(withArguments: ["sleep", marker]).isEmpty
        }
    }

    @Test(.enabled("needs Landlock") { await SandboxAvailability.landlock() })
    func landlockConfinesTheChild() async throws {
        let e = try executor(landlock: .required, sandbox: .landlock)
        #expect(e.layer == .landlock(abi: SandboxedExecutor.landlockABI!))
        let read = try await e.run(command: "cat \(box.canary)")
        #expect(read.exitStatus != 0 && !read.output.contains(box.canaryText))
        #expect(read.sandboxLayer == e.layer)
        let write = try await e.run(command: "echo x > \(box.outside)/w.txt; mkdir \(box.outside)/d; ls /tmp")
        #expect(!box.exists(box.outside + "/w.txt") && !box.exists(box.outside + "/d"))
        #expect(!write.succeeded)
        let inside = try await e.run(
            command:
                "mkdir -p a/b && echo ok > a/b/c.txt && mv a/b/c.txt a/d.txt && rm a/d.txt && echo done > /dev/null && echo fine"
        )
        #expect(inside.succeeded && inside.output == "fine\n", "\(inside.output)")
        let tools = try await e.run(
            command:
                "printf '%s\\n' hi | tr a-z A-Z | sed 's/H/J/' && git --version >/dev/null && python3 -c 'print(2+2)'")
        #expect(tools.succeeded && tools.output.hasPrefix("JI\n4\n"), "\(tools.output)")
        let stdio = try await e.run(command: "echo to-stderr > /dev/stderr")
        #expect(stdio.output.contains("to-stderr"))
    }

    @Test func landlockOffIsReallyOff() async throws {
        let e = try executor(landlock: .off)
        let r = try await e.run(command: "cat \(box.canary)")
        #expect(r.output == box.canaryText && r.sandboxLayer == .structuralOnly)
        #expect(e.warnings.contains { $0.contains("Landlock") })
    }

    @Test func selfTestProvesEnforcement() async {
        let result = await SandboxedExecutor.selfTest()
        if SandboxedExecutor.landlockABI != nil {
            #expect(result.enforced, "\(result.details)")
            #expect(result.layer.description.contains("landlock(abi "))
            #expect(result.layers.contains { $0.hasPrefix("seccomp: active") })
        } else {
            #expect(result.layer == .structuralOnly && !result.enforced)
        }
    }

    @Test func utf8Cutting() {
        #expect(cutOnUTF8Boundary(Array("aé".utf8).dropLast().map { $0 }).1 == 1)
        #expect(cutOnUTF8Boundary(Array("a€".utf8).dropLast().map { $0 }).1 == 2)
        #expect(cutOnUTF8Boundary(Array("a€".utf8)).1 == 0)
    }
}

/// Waits (bounded) until `pid` no longer exists or is a zombie awaiting its new parent.
func processGone(_ pid: Int32) async -> Bool {
    let gone: Void? = try? await eventually("process \(pid) to exit", timeout: .seconds(2)) {
        if kill(pid, 0) != 0 { return true }
        let text = TempDir.readFile("/proc/\(pid)/stat") ?? ""
        guard let close = text.lastIndex(of: ")") else { return true }
        return text[text.index(after: close)...].hasPrefix(" Z")
    }
    return gone != nil
}
