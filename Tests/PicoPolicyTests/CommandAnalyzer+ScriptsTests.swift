import Testing
@testable import PicoPolicy

/// Issue 11, item 7: every way of running a workspace script is script execution, handled like `sh x.sh`;
/// `.` is `source` for the deny patterns.
@Suite struct ScriptEquivalentsTests {
    let box = Sandbox()

    static let equivalents = [
        "sh x.sh", "bash x.sh", "sh < x.sh", "bash 0< x.sh", "BASH_ENV=x.sh bash -c true", "ENV=x.sh sh -c true",
        "env BASH_ENV=x.sh bash -c true", "tar -xf a.tar --to-command='sh x.sh'",
        "tar -xf a.tar --to-command 'sh x.sh'",
        "git -c alias.x='!sh x.sh' x", "git -c core.pager='sh x.sh' log", "find . -name a -exec sh x.sh ';'",
        "find . -exec bash x.sh {} +", ". ./x.sh", "source x.sh", "nohup sh x.sh",
    ]

    @Test func aDenyPatternForShXshCatchesEveryEquivalent() throws {
        box.write("x.sh", "echo hi\n")
        let policy = try CommandPolicy(workspace: box.ws, customDenyPatterns: [#"\bsh\s+\S*x\.sh"#])
        for command in Self.equivalents where !command.hasPrefix(".") && !command.hasPrefix("source") {
            #expect(!policy.evaluate(command: command).isAllowed, "\(command) ran x.sh past the pattern")
        }
        #expect(policy.evaluate(command: "sh y.sh").isAllowed)
    }

    @Test func dotIsSourceForTheDenyPatterns() throws {
        let policy = try CommandPolicy(workspace: box.ws)
        for command in [". ./x.sh", ". x.sh", "a; . x.sh", "source x.sh"] {
            let v = policy.evaluate(command: command)
            #expect(!v.isAllowed && v.rule == #"deny-pattern:\bsource\s+.*\.sh\b"#, "\(command): \(v.rule)")
        }
    }

    @Test func withoutPatternsTheEquivalentsGetTheVerdictOfShXsh() throws {
        let policy = try CommandPolicy(workspace: box.ws, enableDenyPatterns: false)
        #expect(policy.evaluate(command: "sh x.sh").isAllowed)
        for command in Self.equivalents {
            #expect(policy.evaluate(command: command).isAllowed, "\(command)")
        }
    }

    @Test func scriptsOutsideTheWorkspaceAreRefusedInEverySpelling() throws {
        let policy = try CommandPolicy(workspace: box.ws, enableDenyPatterns: false)
        let evil = box.outside + "/evil.sh"
        for command in [
            "sh \(evil)", "sh < \(evil)", "BASH_ENV=\(evil) bash -c true", "env ENV=\(evil) sh -c true",
            ". \(evil)", "tar -xf a.tar --to-command='sh \(evil)'", "git -c alias.x='!sh \(evil)' x",
            "find . -exec sh \(evil) ';'", "tar -cf a.tar -F \(evil) x",
        ] {
            let v = policy.evaluate(command: command)
            #expect(!v.isAllowed && v.rule == "path:outside-workspace", "\(command): \(v.rule)")
        }
    }

    @Test func sedExecuteIsRefused() throws {
        let policy = try CommandPolicy(workspace: box.ws, enableDenyPatterns: false)
        for command in [
            "sed 'e sh x.sh' a.txt", "sed 's/a/b/e' a.txt", "sed -e '1e id' a.txt", "sed -n '/x/e' a",
            "sed --expression='$e ls' a",
        ] {
            let v = policy.evaluate(command: command)
            #expect(!v.isAllowed && v.rule == "structure:sed-execute", "\(command): \(v.rule)")
        }
        for command in ["sed 's/a/b/g' a.txt", "sed -n '2p' a", "sed 's/e/E/' a", "sed -e 's/x/y/w out' a"] {
            #expect(policy.evaluate(command: command).isAllowed, "\(command)")
        }
    }
}
