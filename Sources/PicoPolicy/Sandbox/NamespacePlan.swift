import CPicoPolicy
import Glibc

/// The bubblewrap command line of the namespaces layer: new user, mount, PID, IPC, UTS (and, unless the network
/// is allowed, network) namespaces; the system directories read-only, the workspace read-write at its real
/// path, a private size-capped /tmp, a fresh /proc, a minimal /dev; no home, no picoclaw home, no host
/// sockets; no capabilities, a new session, death with the parent; then the picoclaw-sandbox step applies
/// Landlock inside and execs `/bin/sh -c`.
struct NamespacePlan: Sendable {
    /// Where the step is mounted inside the sandbox.
    static let stepMountPoint = "/.picoclaw-sandbox"
    /// Top-level system directories (symlinks such as /bin → usr/bin are recreated as symlinks).
    static let systemDirectories = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

    let bwrap: String
    let step: String
    let workspace: String
    let network: Bool
    let limits: ExecLimits
    let landlockABI: Int?
    /// Whether bubblewrap loads the seccomp program (passed on fd 4).
    let seccomp: Bool
    /// Mount a fresh /proc (the kernel refuses it in a user namespace when the host's /proc is partly hidden,
    /// e.g. by systemd's ProtectKernelTunables=/ProtectProc=; the sandbox then has no /proc).
    let mountProc: Bool
    /// /etc files passed as descriptors 5, 6, ... and copied into the sandbox.
    let copiedFiles: [String]
    /// Everything before `--chdir` (computed once).
    let prefix: [String]
    /// The step's arguments up to and including its `--`.
    let stepArguments: [String]

    init(
        bwrap: String, step: String, workspace: String, network: Bool, limits: ExecLimits, landlockABI: Int?,
        seccomp: Bool, mountProc: Bool = true
    ) {
        self.mountProc = mountProc
        self.bwrap = bwrap
        self.step = step
        self.workspace = workspace
        self.network = network
        self.limits = limits
        self.landlockABI = landlockABI
        self.seccomp = seccomp
        var a = ["bwrap", "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
        // seccomp refuses unshare, setns and namespace flags to clone; without it, bubblewrap's own guard.
        if !seccomp { a.append("--disable-userns") }
        if network { a.append("--share-net") }
        if seccomp { a += ["--seccomp", "4"] }
        for dir in Self.systemDirectories {
            var st = stat()
            guard lstat(dir, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFLNK, let target = Self.readLink(dir) {
                a += ["--symlink", target, dir]
            } else {
                a += ["--ro-bind", dir, dir]
            }
        }
        // Regular /etc files are copied in from descriptors (`--file`, no mount each: mounts cost ~0.4 ms apiece);
        // directories are bound read-only.
        var copied: [String] = []
        for path in SandboxedExecutor.systemReadExecutePaths where path.hasPrefix("/etc/") {
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFREG {
                a += ["--perms", "0444", "--file", String(5 + copied.count), path]
                copied.append(path)
            } else {
                a += ["--ro-bind", path, path]
            }
        }
        copiedFiles = copied
        a += [
            "--size", String(max(1, limits.tmpSizeMB) << 20), "--tmpfs", "/tmp",
            "--dev", "/dev",
            "--ro-bind", step, Self.stepMountPoint,
            "--bind", workspace, workspace,
        ]
        if mountProc { a += ["--proc", "/proc"] }
        prefix = a
        let full = [workspace, "/tmp"]
        let readable = SandboxedExecutor.systemReadExecutePaths + ["/proc"]
        let devices = SandboxedExecutor.devicePaths
        stepArguments =
            [
                Self.stepMountPoint, "3", String(landlockABI ?? 0), network ? "0" : "1",
                String(full.count), String(readable.count), String(devices.count),
            ]
            + full + readable + devices + ["--"]
    }

    /// The request that runs `command` in `workingDirectory` (inside the workspace).
    func request(
        command: String, workingDirectory: String, environment: [String], timeoutMilliseconds: Int,
        maxOutputBytes: Int, cancelFD: Int32, seccompProgram: [UInt8]
    ) -> ProcessRequest {
        ProcessRequest(
            path: bwrap,
            arguments: prefix + ["--chdir", workingDirectory, "--"] + stepArguments + ["/bin/sh", "-c", command],
            environment: environment,
            workingDirectory: workingDirectory,
            sandboxMode: PICO_SANDBOX_NAMESPACES.rawValue,
            landlockMode: .off, landlockABI: 0, fullAccessPaths: [], readExecutePaths: [], devicePaths: [],
            limits: limits,
            seccompProgram: seccomp ? seccompProgram : [],
            passFiles: copiedFiles,
            timeoutMilliseconds: timeoutMilliseconds,
            graceMilliseconds: 300,
            maxOutputBytes: maxOutputBytes,
            cancelFD: cancelFD)
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
