import Glibc
import PicoFakes
import Testing

/// Runs `picoclaw` subcommands in a throw-away `$PICOCLAW_HOME` (`<tmp>/home`, with `HOME=<tmp>/user`), as
/// root or, through `setpriv`, as the unprivileged uid 65534.
final class BinaryHome: @unchecked Sendable {
    static let nobody: uid_t = 65534

    let dir = TempDir("picoclaw-audit")
    var home: String { dir.at("home") }
    var configPath: String { dir.at("home/config.json") }
    var extraEnvironment: [String: String] = [:]

    init() {
        chmod(dir.path, 0o755)  // so uid 65534 can reach home/
        dir.mkdir("home", mode: 0o700)
        dir.mkdir("user", mode: 0o700)
    }

    var environment: [String: String] {
        var env = [
            "PICOCLAW_HOME": home, "HOME": dir.at("user"), "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        ]
        env.merge(extraEnvironment) { $1 }
        return env
    }

    /// Writes the config (mode 0600 by default).
    @discardableResult
    func config(_ json: String, mode: mode_t = 0o600) -> String {
        dir.write("home/config.json", json, mode: mode)
    }

    /// Hands the whole temp tree to uid 65534 (for runs with `asNobody`).
    func giveToNobody() {
        dir.chownTree(uid: Self.nobody, gid: Self.nobody)
    }

    /// Runs `picoclaw <arguments>`; `asNobody` runs it as uid 65534 with no new privileges.
    func run(
        _ arguments: [String], asNobody: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> SubprocessOutcome? {
        guard let binary = PicoclawBinary.path(sourceLocation: sourceLocation) else { return nil }
        var argv = [binary] + arguments
        if asNobody {
            guard let setpriv = Subprocess.which("setpriv") else {
                Issue.record(
                    "setpriv (util-linux) is needed to run picoclaw as an unprivileged user",
                    sourceLocation: sourceLocation)
                return nil
            }
            argv =
                [setpriv, "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "--no-new-privs", "--"]
                + argv
        }
        return await Subprocess.run(argv, environment: environment)
    }

    /// `picoclaw security audit --json [extra]`, parsed.
    func audit(
        _ extra: [String] = [], asNobody: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) async -> AuditResult? {
        guard
            let outcome = await run(
                ["security", "audit", "--json"] + extra, asNobody: asNobody, sourceLocation: sourceLocation)
        else { return nil }
        guard let json = JSONValue.parse(outcome.stdout) else {
            Issue.record(
                "audit --json printed no JSON (status \(outcome.status)): \(outcome.stdout)\n\(outcome.stderr)",
                sourceLocation: sourceLocation)
            return nil
        }
        return AuditResult(status: outcome.status, json: json, stderr: outcome.stderr)
    }
}

/// A parsed `picoclaw security audit --json` report.
struct AuditResult: Sendable {
    let status: Int32
    let json: JSONValue
    let stderr: String

    var findings: [JSONValue] { json["findings"]?.arrayValue ?? [] }
    var ids: [String] { findings.compactMap { $0["id"]?.stringValue } }

    /// Severity of the first finding with `id`.
    func severity(_ id: String) -> String? { finding(id)?["severity"]?.stringValue }
    func finding(_ id: String) -> JSONValue? { findings.first { $0["id"]?.stringValue == id } }
    func all(_ id: String) -> [JSONValue] { findings.filter { $0["id"]?.stringValue == id } }
    func count(_ severity: String) -> Int? { json["summary"]?[severity]?.intValue }
}
