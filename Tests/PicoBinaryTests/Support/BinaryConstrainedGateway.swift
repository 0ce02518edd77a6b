import Glibc
import PicoFakes
import Testing

/// `picoclaw gateway` started under reproduced deployment constraints (see ``BinaryDeploy``).
///
/// Layout (outside `/tmp`, which is replaced by a private tmpfs): `<root>/bin/picoclaw` (a copy of the built
/// binary), `<root>/etc/config.json` (read-only like /etc/picoclaw), `<root>/state` (= `$PICOCLAW_HOME`, the only
/// writable path, like /var/lib/picoclaw).
final class BinaryConstrainedGateway: @unchecked Sendable {
    private let directory: TempDir
    let root: String
    let uid: uid_t
    let port: Int
    private(set) var pid: pid_t = -1
    var binary: String { root + "/bin/picoclaw" }
    var state: String { root + "/state" }
    var config: String { root + "/etc/config.json" }

    /// Prepares the tree; `config` is the JSON to write (mode 0600, owned by `uid`).
    init?(uid: uid_t, configJSON: (Int) -> String, sourceLocation: SourceLocation = #_sourceLocation) async {
        guard let built = PicoclawBinary.path(sourceLocation: sourceLocation) else { return nil }
        directory = TempDir("picoclaw-deploy", parent: "/var/tmp")
        root = directory.path
        self.uid = uid
        port = unusedLoopbackPort()
        chmod(root, 0o755)
        for dir in ["bin", "etc", "state"] { mkdir(root + "/" + dir, 0o755) }
        let copy = await Subprocess.run(["/bin/cp", built, binary], environment: [:])
        guard copy.status == 0 else {
            Issue.record("cannot copy \(built): \(copy.stderr)", sourceLocation: sourceLocation)
            return nil
        }
        let configFile = TempDir.writeFile(config, configJSON(port), mode: 0o600)
        chown(configFile, uid, uid)
        chown(state, uid, uid)
        chmod(state, 0o700)
    }

    deinit {
        // Cleanup of a gateway `stop()` did not reap (a failed check): SIGKILL, then a brief blocking reap.
        if pid > 0 { Subprocess.killAndReap(pid) }
    }

    var environment: [String: String] {
        ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "PICOCLAW_HOME": state, "PICOCLAW_CONFIG": config, "HOME": state]
    }

    /// The `setpriv` prefix: unprivileged uid/gid, no groups, no_new_privs, empty bounding and inheritable sets.
    var dropPrivileges: [String] {
        [
            Subprocess.which("setpriv")!, "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--no-new-privs",
            "--bounding-set=-all", "--inh-caps=-all", "--",
        ]
    }

    /// Starts the gateway: unshare a mount namespace, tmpfs on /tmp, bind the state dir onto itself, remount `/`
    /// read-only, drop privileges, exec. The process keeps the spawned PID (every step execs).
    func start() -> Bool {
        let script = """
            mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp && \
            mount --bind "$PICOCLAW_HOME" "$PICOCLAW_HOME" && \
            mount -o remount,bind,ro / && \
            exec "$@"
            """
        let argv =
            [Subprocess.which("unshare")!, "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh"]
            + dropPrivileges + [binary, "gateway"]
        guard
            let p = Subprocess.spawn(
                argv, environment: environment, stdout: root + "/gateway.out", stderr: root + "/gateway.err")
        else {
            return false
        }
        pid = p
        return true
    }

    /// Runs `argv` inside the gateway's mount namespace (as root unless `dropPrivileges` is prepended).
    func inNamespace(_ argv: [String]) async -> SubprocessOutcome {
        await Subprocess.run(
            [Subprocess.which("nsenter")!, "--target", "\(pid)", "--mount", "--"] + argv,
            environment: environment, timeout: 60)
    }

    /// The `Key:` line of `/proc/<pid>/status`, values only.
    func status(_ key: String) -> String? {
        guard let text = TempDir.readFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return String(line.dropFirst(key.count + 1)).trimmed(of: " \t")
        }
        return nil
    }

    /// SIGTERM and wait; returns the exit status.
    func stop() async -> Int32 {
        guard pid > 0 else { return -1 }
        kill(pid, SIGTERM)
        let status = await Subprocess.wait(pid, timeout: 20)
        pid = -1
        return status
    }

    var log: String {
        (TempDir.readFile(root + "/gateway.out") ?? "") + (TempDir.readFile(root + "/gateway.err") ?? "")
    }
}
