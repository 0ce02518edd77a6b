import Testing
@testable import PicoPolicy

/// Ports of PicoClaw's shell-tool guard cases (v0.2.0 and HEAD), adjusted where PicoPolicy does better.
@Suite struct CommandPolicyTests {
    let box = Sandbox()

    func policy(restrict: Bool = true, deny: Bool = true, custom: [String] = []) throws -> CommandPolicy {
        try CommandPolicy(
            workspace: box.ws, restrictToWorkspace: restrict, enableDenyPatterns: deny,
            customDenyPatterns: custom)
    }

    @Test func defaultPatternsAreTheVerbatim42AndAllCompile() throws {
        #expect(CommandPolicy.defaultDenyPatterns.count == 42)
        #expect(CommandPolicy.defaultDenyPatterns.first == #"\brm\s+-[rf]{1,2}\b"#)
        #expect(CommandPolicy.defaultDenyPatterns.last == #"\bsource\s+.*\.sh\b"#)
        let p = try policy()
        #expect(p.denyPatterns == CommandPolicy.defaultDenyPatterns)
        #expect(p.compiledPatterns.count == 42)
    }

    /// The kept `Regex` is built on first use (issue 18's idle heap): a bad custom pattern must still be refused
    /// when the policy is made, and many turns hitting the same pattern at once must all be denied.
    @Test func aBadCustomPatternIsRefusedUpFrontAndLazyRegexesDenyUnderConcurrency() async throws {
        #expect(throws: CommandPolicyError.self) { try policy(custom: [#"(unclosed"#]) }
        let p = try policy(custom: [#"\bterraform\s+destroy\b"#])
        let verdicts = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask { p.evaluate(command: i % 2 == 0 ? "sudo ls" : "terraform destroy -auto").isAllowed }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(verdicts.count == 64 && verdicts.allSatisfy { !$0 })
        #expect(p.evaluate(command: "ls -la").isAllowed)
    }

    @Test func everyDefaultPatternMatchesAnExample() throws {
        let examples = [
            "rm -rf x", "del /f x", "rmdir /s x", "mkfs /dev/x", "dd if=/dev/zero", "echo > /dev/sda",
            "shutdown now", ":() { :|:& };:", "echo $(id)", "echo ${HOME}", "echo `id`", "x | sh", "x | bash",
            "a; rm -r x", "a && rm -f x", "a || rm -r x", "ls > /dev/null >&2", "cat <<EOF", "$( cat x)",
            "$( curl x)", "$( wget x)", "$( which x)", "sudo ls", "chmod 777 a", "chown a b", "pkill x",
            "killall x", "kill -9 1", "curl x | sh", "wget x | bash", "npm install -g x", "pip install --user x",
            "apt install x", "yum install x", "dnf remove x", "docker run x", "docker exec x", "git push",
            "git force", "ssh u@h", "eval x", "source x.sh",
        ]
        let p = try policy(restrict: false)
        for (pattern, example) in zip(p.compiledPatterns, examples) {
            #expect(pattern.matches(example, lowered: example.utf8.map(asciiLower)), "\(pattern.source) vs \(example)")
        }
    }

    @Test func patternsMatchCaseInsensitivelyUnlikePicoClaw() throws {
        let p = try policy(restrict: false)
        let v = p.evaluate(command: "cat <<EOF\nhi\nEOF")
        #expect(!v.isAllowed && v.rule == #"deny-pattern:<<\s*EOF"#)
        #expect(!p.evaluate(command: "RM -RF /").isAllowed)
    }

    @Test func customPatternsExtendAndInvalidOnesThrow() throws {
        let p = try policy(restrict: false, custom: [#"\bterraform\s+destroy\b"#, "DROP TABLE"])
        #expect(p.denyPatterns.count == 44)
        #expect(!p.evaluate(command: "terraform destroy").isAllowed)
        #expect(!p.evaluate(command: "psql -c 'drop table x'").isAllowed)
        #expect(!p.evaluate(command: "rm -rf x").isAllowed)
        #expect(p.warnings.contains { $0.contains("upper-case") })
        #expect(throws: CommandPolicyError.self) { try policy(custom: ["(unclosed"]) }
    }

    @Test func disabledPatternsWarnLoudly() throws {
        let p = try policy(restrict: false, deny: false, custom: ["x"])
        #expect(p.denyPatterns.isEmpty)
        #expect(p.warnings.contains { $0.contains("DISABLED") })
        #expect(p.warnings.contains { $0.contains("ignored") })
        #expect(p.evaluate(command: "rm -rf /tmp/whatever").isAllowed)
    }

    @Test func simpleCommandsAllowed() throws {
        box.write("test.txt", "x")
        let p = try policy()
        for c in [
            "echo 'hello world'", "ls -la", "cat test.txt", "sh -c 'echo stdout; echo stderr >&2'",
            "sh -c 'exit 42'", "echo $HOME", "git log --format=%H", "grep -rn TODO .", "wc -l *.txt",
            "for f in *.txt; do wc -l $f; done", "printenv", "env", "jq -n env", "sleep 1 & wait",
        ] {
            let v = p.evaluate(command: c)
            #expect(v.isAllowed, "\(c): \(v)")
        }
    }

    @Test func dangerousCommandBlockedEvenUnrestricted() throws {
        for restrict in [true, false] {
            let p = try policy(restrict: restrict)
            #expect(!p.evaluate(command: "rm -rf /").isAllowed)
            #expect(!p.evaluate(command: "kill 123").isAllowed)
            #expect(!p.evaluate(command: "kill -9 123").isAllowed)
            #expect(!p.evaluate(command: "kill -KILL 123").isAllowed)
        }
    }

    @Test func relativePathWithSlashAllowed() throws {
        box.mkdirs("skills/calendar-query/scripts")
        box.write("skills/calendar-query/scripts/query_calendar.py", "print(1)")
        let v = try policy().evaluate(command: "cat skills/calendar-query/scripts/query_calendar.py")
        #expect(v.isAllowed)
    }

    @Test func attachedAbsolutePathsBlocked() throws {
        let p = try policy(deny: false)
        for c in [
            "cat --file=/etc/passwd", "cc -I/etc main.c", "echo -isystem/usr/include", "cat /etc/passwd",
            "cat ../../etc/passwd", "ls //etc", "cat file:///etc/passwd", "dd if=/etc/passwd of=x",
            "tar -C/etc -cf x.tar .", "grep -r x ~root",
        ] {
            let v = p.evaluate(command: c)
            #expect(!v.isAllowed, "\(c)")
            #expect(v.rule.hasPrefix("path:"), "\(c): \(v.rule)")
        }
    }

    @Test func optionValueRelativeSymlinkEscapeBlocked() throws {
        box.link(box.outside, at: "link")
        let v = try policy().evaluate(command: "echo --config=link/passwd")
        #expect(!v.isAllowed && v.rule == "path:outside-workspace")
    }

    @Test func devNullAndSafeDevicesAllowed() throws {
        let p = try policy(deny: false)
        for c in [
            "echo hello 2>/dev/null", "echo hello >/dev/null", "echo hello > /dev/null", "echo hello 2> /dev/null",
            "echo hello >/dev/null 2>&1", "find . -name '*.go' 2>/dev/null", "cat /dev/urandom | head -c 16 | od",
            "echo test > /dev/null", "dd if=/dev/zero bs=1 count=1", "echo x > /dev/stderr",
        ] {
            let v = p.evaluate(command: c)
            #expect(v.isAllowed, "\(c): \(v)")
        }
    }

    @Test func blockDevicesBlockedUnrestricted() throws {
        let p = try policy(restrict: false)
        for dev in ["sda", "hda", "vda", "xvda", "nvme0n1", "mmcblk0", "loop0", "dm-0", "md0", "sr0", "nbd0"] {
            #expect(!p.evaluate(command: "echo x > /dev/\(dev)").isAllowed, "\(dev)")
        }
    }

    @Test func urlsAreNotPaths() throws {
        let p = try policy(deny: false)
        for c in [
            "curl https://api.example.com/data", "wget http://example.com/file", "fetch ftp://files.example.com/a",
            "git clone https://github.com/sipeed/picoclaw.git", "curl wttr.in/Beijing",
            "curl -s https://a.example/x https://b.example/y", "curl --url=https://example.com/a",
        ] {
            #expect(p.evaluate(command: c).isAllowed, "\(c)")
        }
    }

    @Test func fileURLsAreSandboxed() throws {
        box.write("test.txt", "x")
        let p = try policy()
        #expect(!p.evaluate(command: "cat file:///etc/passwd").isAllowed)
        #expect(p.evaluate(command: "cat file://\(box.ws)/test.txt").isAllowed)
    }

    @Test func urlBypassPrevented() throws {
        let p = try policy()
        #expect(!p.evaluate(command: "echo https://etc/passwd && cat //etc/passwd").isAllowed)
        #expect(!p.evaluate(command: "curl https://host/file && ls //etc").isAllowed)
    }

    @Test func dotRunsAreNamesNotTraversal() throws {
        let p = try policy()
        #expect(p.evaluate(command: "echo ...").isAllowed)
        #expect(p.evaluate(command: "ls ...").isAllowed)
        #expect(!p.evaluate(command: "ls ../").isAllowed)
        #expect(!p.evaluate(command: "cat ./../x").isAllowed)
    }

    @Test func workingDirectoryMustBeInside() throws {
        box.mkdirs("sub")
        box.link(box.outside, at: "escape")
        let p = try policy()
        #expect(p.evaluate(command: "ls", workingDirectory: "sub").isAllowed)
        #expect(p.evaluate(command: "ls", workingDirectory: box.ws + "/sub").isAllowed)
        let outside = p.evaluate(command: "ls", workingDirectory: box.outside)
        #expect(!outside.isAllowed && outside.rule == "path:working-directory-outside")
        #expect(!p.evaluate(command: "ls", workingDirectory: "escape").isAllowed)
        #expect(!p.evaluate(command: "ls", workingDirectory: "..").isAllowed)
        // Unrestricted: any directory.
        #expect(try policy(restrict: false).evaluate(command: "ls", workingDirectory: box.outside).isAllowed)
    }

    @Test func pathsResolveAgainstWorkingDirectory() throws {
        box.mkdirs("sub/deeper")
        box.write("top.txt", "x")
        let p = try policy()
        #expect(p.evaluate(command: "cat ../top.txt", workingDirectory: "sub").isAllowed)
        #expect(p.evaluate(command: "cat \(box.ws)/top.txt", workingDirectory: "sub").isAllowed)
        #expect(!p.evaluate(command: "cat ../../x", workingDirectory: "sub").isAllowed)
        #expect(p.evaluate(command: "cd sub && cat deeper/x.txt").isAllowed)
        #expect(!p.evaluate(command: "cd sub && cat ../../x").isAllowed)
        // A failed `cd` (or one inside a subshell) leaves the old directory: relative paths must be safe from both.
        #expect(!p.evaluate(command: "cd sub; cat ../top.txt").isAllowed)
    }

    @Test func unanalysableConstructsRefusedWhenRestricted() throws {
        let p = try policy(deny: false)
        let cases: [(String, String)] = [
            ("echo $(id)", "structure:command-substitution"), ("echo `id`", "structure:backticks"),
            ("echo ${HOME:-x}", "structure:parameter-expansion"), ("cat <<EOF\nx\nEOF", "structure:here-document"),
            ("cat <<< hi", "structure:here-string"), ("eval ls", "structure:eval"),
            ("echo $'\\x41'", "structure:ansi-c-quoting"), ("diff <(ls) <(ls)", "structure:process-substitution"),
            ("f() { ls; }; f", "structure:function-definition"), ("X=ls; $X", "structure:dynamic-command"),
            ("sh -c \"$CMD\"", "structure:dynamic-payload"), ("echo $((1+2))", "structure:arithmetic-expansion"),
            ("python3 -c 'print(1)'", "structure:inline-interpreter-code"),
            ("perl -e 'unlink glob q{*}'", "structure:inline-interpreter-code"),
            ("node -e 'x'", "structure:inline-interpreter-code"),
            ("awk 'BEGIN{system(\"id\")}'", "structure:awk-command-execution"),
            ("trap 'ls' EXIT", "structure:trap"), ("bash -lc ls", "structure:login-shell"),
            ("echo 'unterminated", "structure:parse-error"),
        ]
        for (c, rule) in cases {
            let v = p.evaluate(command: c)
            #expect(!v.isAllowed && v.rule == rule, "\(c): \(v)")
        }
        // Unrestricted mode leaves analysis to the deny patterns only.
        #expect(try policy(restrict: false, deny: false).evaluate(command: "python3 -c 'print(1)'").isAllowed)
    }

    @Test func verdictListsSegmentsAndPayloads() throws {
        let v = try policy().evaluate(command: "env A=1 sh -c 'ls | wc -l' && echo 'done'  # tail")
        #expect(v.isAllowed)
        #expect(
            v.segments.map(\.normalized) == [
                "env A=1 sh -c ls | wc -l", "sh -c ls | wc -l", "ls", "wc -l", "echo done",
            ])
        #expect(v.segments.map(\.depth) == [0, 1, 2, 2, 0])
        #expect(v.segments[1].origin == "env payload")
    }

    @Test func emptyCommandDenied() throws {
        #expect(try policy().evaluate(command: "   ").rule == "structure:empty")
    }

    @Test func gitLogFormatFalsePositiveIsKeptVerbatim() throws {
        // `\b(format|mkfs|diskpart)\b\s` is one of the 42 verbatim patterns; `--format=%H` passes.
        #expect(!(try policy()).evaluate(command: "git log --format %H").isAllowed)
        #expect(try policy().evaluate(command: "git log --format=%H").isAllowed)
    }
}
