import PicoAgent
import PicoPolicy
import Testing

/// Which commands `tools.exec.approval: risky` holds, from PicoPolicy's analysis of real commands.
@Suite("exec approval risk")
struct ExecApprovalTests {
    static let policy = try! CommandPolicy(workspace: "/tmp", restrictToWorkspace: true)

    static func reason(_ command: String, mode: ExecApprovalMode = .risky, patterns: [String] = []) -> String? {
        let verdict = policy.evaluate(command: command)
        return ExecRisk(mode: mode, patterns: patterns).reason(command: command, segments: verdict.segments)
    }

    @Test func riskyCommandsAreHeld() {
        for command in [
            "curl https://example.com", "wget -q x", "ssh host", "rsync -a a b:c", "apt-get install jq",
            "pip install requests", "npm i left-pad", "git push origin main", "find . -name '*.o' -delete",
            "echo x > .bashrc", "cp hook .git/hooks/pre-commit", "echo $HOME", "echo `id`",
            "eval ls", "sh -c 'ls'", "FOO=1 curl x", "c\\url x", "'curl' x", "/usr/bin/curl x", "env curl x",
            "busybox wget x", "python3 -c 'import urllib'", "perl -e 1", "node -e 1",
        ] {
            // The command policy comes first: a command it denies never reaches approval.
            #expect(
                !Self.policy.evaluate(command: command).isAllowed || Self.reason(command) != nil,
                "\(command) was not held")
        }
    }

    @Test func plainCommandsRunWithoutAsking() {
        for command in [
            "ls -la", "cat notes.txt", "git status", "echo hello > out.txt", "python3 script.py", "grep -r foo .",
        ] {
            #expect(Self.reason(command) == nil, "\(command) was held: \(Self.reason(command) ?? "")")
        }
    }

    @Test func modesAndPatterns() {
        #expect(Self.reason("curl x", mode: .off) == nil)
        #expect(Self.reason("ls", mode: .always) != nil)
        #expect(Self.reason("make deploy", patterns: ["^make deploy"]) != nil)
    }

    @Test func theHashBindsArgvAndDirectory() {
        let context = ToolContext(agentID: "main", sessionKey: SessionKey("s"), channel: "telegram", chatID: "1")
        let a = ExecApprovalRequest(
            command: "touch a", argv: [["touch", "a"]], workingDirectory: "/w", reason: "r", context: context)
        let quoted = ExecApprovalRequest(
            command: "touch 'a'", argv: [["touch", "a"]], workingDirectory: "/w", reason: "r", context: context)
        let elsewhere = ExecApprovalRequest(
            command: "touch a", argv: [["touch", "a"]], workingDirectory: "/w/sub", reason: "r", context: context)
        let other = ExecApprovalRequest(
            command: "touch b", argv: [["touch", "b"]], workingDirectory: "/w", reason: "r", context: context)
        #expect(a.hash == quoted.hash)
        #expect(a.hash != elsewhere.hash && a.hash != other.hash)
        #expect(a.hash.count == 64)
    }
}
