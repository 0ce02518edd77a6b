import Glibc
import PicoPolicy
import PicoFakes
import Testing

/// Every attack class of issue 11, run through the real executor as the attacker and judged by effect.
enum SandboxAttacks {
    /// chmod / chown / utime / setxattr of files outside the workspace (and of the host's /dev/null).
    static func metadata(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let before = (Metadata(scene.target), Metadata(scene.outside), Metadata("/dev/null"))
        defer { if Metadata("/dev/null").mode & 0o777 != 0o666 { chmod("/dev/null", 0o666) } }
        let r = try await scene.run(
            """
            T=\(scene.target); O=\(scene.outside)
            chmod 0644 "$T"; chmod 0777 "$O"; chown \(who.uid):\(who.uid) "$T"; chgrp \(who.uid) "$T"
            touch -d '2001-01-01' "$T"; touch "$T"; touch -a "$T"
            setfattr -n user.evil -v 1 "$T"
            python3 -c "import os; os.setxattr('$T', 'user.evil', b'1')"
            chmod 0600 /dev/null; touch /dev/null
            exit 0
            """, mode: mode)
        #expect(Metadata(scene.target) == before.0, "outside file changed: \(r.output)")
        #expect(Metadata(scene.outside) == before.1, "outside directory changed: \(r.output)")
        // Mode and owner of the host's /dev/null (as root the sandbox owns it). Its times are writable by every
        // local user (mode 0666), and parallel tests touch it, so they are not compared.
        let null = Metadata("/dev/null")
        #expect(
            null.mode == before.2.mode && null.uid == before.2.uid && null.gid == before.2.gid,
            "/dev/null changed: \(r.output)")
        #expect(scene.dir.read("outside/target.txt") == "OUTSIDE-SECRET\n")
    }

    /// mknod of character and block devices inside the workspace, then reading them.
    static func deviceNodes(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let r = try await scene.run(
            "mknod kmsg c 1 11; mknod disk b 8 0; mknod mem c 1 1; head -c 64 kmsg; exit 0",
            mode: mode)
        for name in ["kmsg", "disk", "mem"] {
            var st = stat()
            let exists = lstat(scene.ws + "/" + name, &st) == 0
            let isDevice = exists && (st.st_mode & S_IFMT == S_IFCHR || st.st_mode & S_IFMT == S_IFBLK)
            #expect(!isDevice, "\(name) was created as a device node: \(r.output)")
        }
    }

    static let unixConnect = """
        P="$1"
        python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])" "$P"
        curl -s -m 2 --unix-socket "$P" http://x/ ; nc -U -w 1 "$P" </dev/null
        exit 0
        """

    /// Connecting to a pathname unix socket outside the workspace (think docker.sock, D-Bus).
    static func unixSocket(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let listener = CountingListener(unixPath: scene.outside + "/agent.sock", owner: who.uid)
        let script = "set -- \(scene.outside)/agent.sock\n" + unixConnect
        if who == .root {
            // Control: without the sandbox one of the tools does connect, so the check below can fail.
            scene.dir.write("ws/attack.sh", script, mode: 0o644)
            let bare = try SandboxedExecutor(workspace: scene.ws, landlock: .off)
            _ = try await bare.run(command: "sh attack.sh")
            #expect(listener.accepted() > 0, "no connect tool (python3, curl, nc) works on this machine")
        }
        let r = try await scene.run(script, mode: mode)
        #expect(listener.accepted() == 0, "the sandboxed command reached the outside socket: \(r.output)")
    }

    /// A loopback TCP listener: unreachable with the network off, reachable with it on.
    static func loopbackTCP(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let listener = CountingListener()
        let script =
            "bash -c 'echo hi > /dev/tcp/127.0.0.1/\(listener.port)'; curl -s -m 2 http://127.0.0.1:\(listener.port)/; exit 0"
        let off = try await scene.run(script, mode: mode)
        #expect(listener.accepted() == 0, "network off, but the listener was reached: \(off.output)")
        let on = try await scene.run(script, mode: mode, network: true)
        #expect(listener.accepted() > 0, "network on, but the listener was not reached: \(on.output)")
    }

    /// stat / ls of paths outside the workspace (namespaces only: Landlock does not mediate stat).
    static func outsideInvisible(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let r = try await scene.run(
            """
            stat -c %s \(scene.target) && echo VISIBLE-TARGET
            ls \(scene.outside) && echo VISIBLE-DIR
            test -e /root && echo VISIBLE-ROOT-HOME; test -e /etc/shadow && echo VISIBLE-SHADOW
            exit 0
            """, mode: mode)
        #expect(!r.output.contains("VISIBLE"), "\(r.output)")
    }

    /// `setsid -f` and double-fork + setsid survivors: gone once the turn has ended.
    static func survivors(_ mode: SandboxMode, _ who: Attacker) async throws {
        let scene = AttackScene(who)
        let r = try await scene.run(
            """
            setsid -f sh -c 'while :; do echo x >> beat1; sleep 0.02; done' </dev/null >/dev/null 2>&1
            ( sh -c '( setsid sh -c "while :; do echo y >> beat2; sleep 0.02; done" </dev/null >/dev/null 2>&1 & )' & )
            i=0; while [ ! -s beat1 ] || [ ! -s beat2 ]; do sleep 0.02; i=$((i+1)); [ $i -gt 200 ] && break; done
            echo started
            """, mode: mode)
        #expect(r.output.contains("started"))
        let b1 = scene.ws + "/beat1", b2 = scene.ws + "/beat2"
        #expect(fileSize(b1) > 0 && fileSize(b2) > 0, "the survivors never ran: \(r.output)")
        let sizes = (fileSize(b1), fileSize(b2))
        try await Task.sleep(for: .milliseconds(300))
        #expect(fileSize(b1) == sizes.0 && fileSize(b2) == sizes.1, "a process outlived its turn")
    }

    /// Memory, file size, open files (and, for non-root, processes): stopped with a clear message.
    static func limits(_ mode: SandboxMode, _ who: Attacker) async throws {
        // A uid of this process and mode alone (unused above 200000 on a normal system): the fork flood below fills
        // its process limit, which would starve whatever else runs as 65534 meanwhile, and theirs would cut this
        // probe's count short.
        let scene = AttackScene(who, ownUID: 200_000 + uid_t(getpid() % 100_000) * 2 + (mode == .namespaces ? 0 : 1))
        let memory = try await scene.run("dd if=/dev/zero of=/dev/null bs=1500M count=1", mode: mode)
        #expect(memory.output.contains("memory limit (tools.exec.limits.memory_mb"), "\(memory.output)")
        // A write that would end at 1 GiB (sparse, so the test itself does no disk I/O).
        let disk = try await scene.run("dd if=/dev/zero of=big bs=1M seek=1023 count=1", mode: mode)
        #expect(fileSize(scene.ws + "/big") <= 256 << 20)
        #expect(disk.output.contains("file size limit (tools.exec.limits.file_size_mb"), "\(disk.output)")
        let files = try await scene.run("ulimit -Hn; ulimit -n 5000 2>/dev/null && echo RAISED; exit 0", mode: mode)
        #expect(files.output.hasPrefix("1024\n") && !files.output.contains("RAISED"), "\(files.output)")
        let fds = try await scene.run(
            "bash -c 'i=0; while [ $i -lt 5000 ]; do exec {fd}</dev/null || exit 1; i=$((i+1)); done; echo OPENED-5000'",
            mode: mode)
        #expect(!fds.output.contains("OPENED-5000"))
        #expect(fds.output.contains("open-file limit (tools.exec.limits.open_files"), "\(fds.output)")
        if who != .root {
            // RLIMIT_NPROC does not bind uid 0: the kernel exempts root (Docs/policy.md, what remains).
            let forks = try await scene.run("i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done", mode: mode)
            #expect(forks.output.contains("process limit (tools.exec.limits.processes"), "\(forks.output)")
        }
    }

    /// As root (exempt from RLIMIT_NPROC) the per-command pids cgroup stops a fork flood, the result names the limit,
    /// and the group is gone once the turn has ended. A limit no other test uses (one per mode) marks the flood's group.
    static func rootForkFlood(_ mode: SandboxMode) async throws {
        let scene = AttackScene(.root)
        let parent = try #require(SandboxedExecutor.processCgroupParent)
        let limit = mode == .namespaces ? 37 : 39
        func floodGroups() -> [String] {
            directoryEntries(parent).filter { TempDir.readFile(parent + "/" + $0 + "/pids.max") == "\(limit)\n" }
        }
        let before = floodGroups()
        await SandboxedExecutor.prepare()
        let e = try SandboxedExecutor(
            workspace: scene.ws, timeout: .seconds(30), sandbox: mode,
            limits: ExecLimits(processes: limit))
        // Each `sleep` that really started appended a line first; without the cgroup all 200 start.
        scene.dir.write(
            "ws/attack.sh", "i=0; while [ $i -lt 200 ]; do ( echo x >> started; exec sleep 30 ) & i=$((i+1)); done",
            mode: 0o644)
        let r = try await e.run(command: "sh attack.sh")
        let started = (scene.dir.read("ws/started") ?? "").split(separator: "\n").count
        #expect(started >= 10 && started < limit, "\(started) sleeps started under pids.max=\(limit): \(r.output)")
        #expect(
            r.limitNotes.contains { $0.contains("process limit (tools.exec.limits.processes = \(limit)) was reached") },
            "\(r.output) \(r.limitNotes)")
        #expect(before.isEmpty && floodGroups().isEmpty, "a pids cgroup was left behind under \(parent)")
    }
}
