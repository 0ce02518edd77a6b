import Glibc
import PicoFakes
import PicoPolicy
import Testing

/// Who runs the executor: the test process as root, or `picoclaw policy run` under setpriv as uid 65534.
enum Attacker: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case root, nobody
    var uid: uid_t { self == .root ? 0 : 65534 }
    var testDescription: String { rawValue }
}

/// Metadata of a path, compared before and after an attack. The ctime moves on every change of mode, owner,
/// times or extended attributes, so it also stands for the xattrs.
struct Metadata: Equatable, CustomStringConvertible {
    var mode: mode_t, uid: uid_t, gid: gid_t, mtime: Int, ctime: Int, ctimeNanos: Int
    init(_ path: String) {
        var st = stat()
        lstat(path, &st)
        mode = st.st_mode
        uid = st.st_uid
        gid = st.st_gid
        mtime = st.st_mtim.tv_sec
        ctime = st.st_ctim.tv_sec
        ctimeNanos = st.st_ctim.tv_nsec
    }
    var description: String {
        "mode \(String(mode, radix: 8)) uid \(uid) gid \(gid) mtime \(mtime) ctime \(ctime).\(ctimeNanos)"
    }
}

/// One attack scene: `base` (0755) holds the workspace `ws` and `outside` (0700) with `target.txt` (0600), all
/// owned by the attacker, so only the sandbox stands between the attacker and the outside files.
final class AttackScene: @unchecked Sendable {
    let dir = TempDir("pico-attack")
    let who: Attacker
    /// The uid the attacker runs as: `who.uid`, or for `.nobody` a uid of the scene's own (see ``init(_:ownUID:)``).
    let uid: uid_t
    var ws: String { dir.at("ws") }
    var outside: String { dir.at("outside") }
    var target: String { dir.at("outside/target.txt") }

    /// `ownUID`: for `.nobody`, run as that unprivileged uid instead of 65534. RLIMIT_NPROC counts every process
    /// of a uid on the machine, so a probe of the process limit as 65534 depends on what else runs as 65534 at the
    /// time (the suite's other gateways and attacks, other test runs); with a uid nothing else uses, the count is
    /// the probe's own.
    init(_ who: Attacker, ownUID: uid_t? = nil) {
        self.who = who
        self.uid = who == .root ? 0 : ownUID ?? who.uid
        chmod(dir.path, 0o755)
        mkdir(ws, 0o700)
        mkdir(outside, 0o700)
        dir.write("outside/target.txt", "OUTSIDE-SECRET\n", mode: 0o644)
        chmod(target, 0o600)
        for p in [ws, outside, target] { chown(p, uid, uid) }
    }

    deinit { dir.remove() }

    /// Writes `script` to ws/attack.sh and runs `sh attack.sh` through the real executor as the attacker.
    func run(
        _ script: String, mode: SandboxMode, network: Bool = false,
        timeout: Duration = .seconds(30)
    ) async throws -> (output: String, status: Int32?) {
        dir.write("ws/attack.sh", script, mode: 0o644)
        chown(dir.at("ws/attack.sh"), uid, uid)
        switch who {
        case .root:
            await SandboxedExecutor.prepare()  // probes and filters built off the cooperative pool
            let e = try SandboxedExecutor(workspace: ws, timeout: timeout, sandbox: mode, network: network)
            let r = try await e.run(command: "sh attack.sh")
            return (r.output + r.limitNotes.map { "\n" + $0 }.joined(), r.exitStatus)
        case .nobody:
            let binary = try #require(Subprocess.picoclawBinary(), "the picoclaw binary is not built")
            let candidates: [String] = ["/usr/bin/setpriv", "/bin/setpriv"]
            let setpriv = try #require(candidates.first { access($0, X_OK) == 0 })
            let seconds = Int(timeout.components.seconds)
            var args = [
                "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", binary, "policy", "run", "--workspace", ws,
                "--sandbox", mode.rawValue, "--timeout", String(seconds),
            ]
            if network { args.append("--network") }
            args += ["--", "sh", "attack.sh"]
            let r = await Subprocess.run(
                [setpriv] + args, environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"],
                timeout: Double((timeout + .seconds(10)).components.seconds))
            return (r.stdout + r.stderr, r.status)
        }
    }
}

/// A loopback TCP listener in the test process that counts connections that reached it.
final class CountingListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    init(unixPath: String? = nil, owner: uid_t = 0) {
        let fd: Int32
        if let unixPath {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in unixPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
            }
            _ = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            chown(unixPath, owner, owner)
            chmod(unixPath, 0o777)
            self.port = 0
        } else {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            self.port = UInt16(bigEndian: addr.sin_port)
        }
        self.fd = fd
        listen(fd, 64)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    /// Connections accepted so far (non-blocking).
    func accepted() -> Int {
        var n = 0
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 { return n }
            close(c)
            n += 1
        }
    }
    deinit { close(fd) }
}

/// Size of a file, 0 when missing.
func fileSize(_ path: String) -> Int {
    var st = stat()
    return lstat(path, &st) == 0 ? Int(st.st_size) : 0
}

/// The names in directory `path` (without "." and ".."); empty when it cannot be read.
func directoryEntries(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let entry = readdir(d) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) {
            String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
