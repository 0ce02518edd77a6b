/// Name-based rules on argument vectors.
extension CommandAnalyzer {
    static let privilegeCommands: Set<String> = ["sudo", "su", "doas", "pkexec", "runuser"]
    static let killCommands: Set<String> = ["kill", "pkill", "killall", "killall5"]
    static let systemCommands: Set<String> = [
        "wipefs", "fdisk", "sfdisk", "cfdisk", "parted", "mkswap", "shutdown",
        "reboot", "poweroff", "halt",
    ]
    static let interpreters: Set<String> = [
        "perl", "ruby", "node", "nodejs", "bun", "deno", "php", "lua", "luajit",
        "Rscript", "R", "tclsh", "pwsh", "powershell", "osascript", "irb", "jshell",
    ]
    static let awks: Set<String> = ["awk", "gawk", "mawk", "nawk", "busybox-awk"]
    static let writableDevices: Set<String> = CommandPolicy.safeDevicePaths.union(["/dev/tty"])

    static func isPython(_ name: String) -> Bool {
        name.hasPrefix("python") && name.dropFirst(6).allSatisfy { $0.isNumber || $0 == "." } || name == "pypy3"
            || name == "pypy"
    }

    /// Destructive or privileged operations the deny patterns miss (applies when deny patterns are enabled).
    func checkDangerous(name: String, args: [ShellWord]) throws(Denial) {
        if name == "rm" || name == "unlink" {
            for a in args.prefix(while: { $0.text != "--" }) {
                let t = a.text
                if t.hasPrefix("--") {
                    if t.count >= 3 && "--recursive".hasPrefix(t) {
                        throw Denial(
                            rule: "dangerous:rm-recursive",
                            reason: "recursive rm (\(t)) is not allowed; remove files one by one")
                    }
                    if t.count >= 4 && "--no-preserve-root".hasPrefix(t) {
                        throw Denial(
                            rule: "dangerous:rm-no-preserve-root", reason: "rm --no-preserve-root is not allowed")
                    }
                } else if t.hasPrefix("-") && (t.contains("r") || t.contains("R")) {
                    throw Denial(
                        rule: "dangerous:rm-recursive",
                        reason: "recursive rm (\(t)) is not allowed; remove files one by one")
                }
            }
        }
        if name == "find" && args.contains(where: { $0.text == "-delete" }) {
            throw Denial(rule: "dangerous:find-delete", reason: "find -delete is not allowed")
        }
        if Self.privilegeCommands.contains(name) {
            throw Denial(rule: "dangerous:privilege", reason: "\(name) (privilege escalation) is not allowed")
        }
        if Self.killCommands.contains(name) {
            throw Denial(
                rule: "dangerous:kill", reason: "\(name) is not allowed; commands are stopped by their timeout")
        }
        if Self.systemCommands.contains(name) || name.hasPrefix("mkfs") {
            throw Denial(rule: "dangerous:system", reason: "\(name) changes disks or power state and is not allowed")
        }
        if name == "dd" {
            for a in args where a.text.hasPrefix("of=") { try checkDeviceWrite(String(a.text.dropFirst(3))) }
        }
    }

    /// Writing to a raw device (disk, loop, …) is refused.
    func checkDeviceWrite(_ target: String) throws(Denial) {
        guard target.hasPrefix("/dev/"), !Self.writableDevices.contains(target), !target.hasPrefix("/dev/fd/") else {
            return
        }
        throw Denial(rule: "dangerous:device-write", reason: "writing to the device \(target) is not allowed")
    }

    /// `… | sh`, `… | python3`, `base64 -d | bash`: a program read from a pipe cannot be analysed.
    func checkPipeIntoInterpreter(name: String, args: [ShellWord], piped: Bool) throws(Denial) {
        guard piped, Self.isPython(name) || Self.interpreters.contains(name) else { return }
        let operands = args.filter { !$0.text.hasPrefix("-") }
        if operands.isEmpty || args.contains(where: { $0.text == "-" }) {
            throw Denial(
                rule: "structure:pipe-to-interpreter",
                reason: "piping data into \(name) runs code that cannot be analysed")
        }
    }

    /// Rules that apply when the command is restricted to the workspace.
    func checkRestricted(name: String, args: [ShellWord]) throws(Denial) {
        switch name {
        case "eval":
            throw Denial(rule: "structure:eval", reason: "eval runs text that cannot be analysed")
        case "trap", "alias":
            throw Denial(
                rule: "structure:\(name)", reason: "\(name) defines code that runs later and cannot be analysed")
        case "popd":
            throw Denial(rule: "structure:cd-previous", reason: "popd depends on state that cannot be analysed")
        case ".", "source":
            if args.isEmpty { return }
        default:
            break
        }
        if let flag = inlineCodeFlag(name: name, args: args.map(\.text)) {
            throw Denial(
                rule: "structure:inline-interpreter-code",
                reason: "inline interpreter code (\(name) \(flag)) cannot be analysed; write a script in the "
                    + "workspace and run it instead")
        }
        if Self.awks.contains(name), let program = awkProgram(args.map(\.text)) {
            for marker in ["system", "|", "getline", "ENVIRON", "> \"", ">\"", ">> \"", ">>\""]
            where program.contains(marker) {
                throw Denial(
                    rule: "structure:awk-command-execution",
                    reason: "this awk program can run commands or open files (\(marker)); it cannot be analysed")
            }
        }
    }

    /// The inline-code option of an interpreter invocation, if any.
    func inlineCodeFlag(name: String, args: [String]) -> String? {
        if Self.isPython(name) {
            var i = 0
            while i < args.count {
                let t = args[i]
                guard t.hasPrefix("-"), t != "-", t != "--" else { return nil }
                if t.hasPrefix("--") { i += 1; continue }
                for (k, ch) in t.dropFirst().enumerated() {
                    if ch == "c" { return t }
                    if "mWXQ".contains(ch) {
                        if k == t.count - 2 { i += 1 }
                        if ch == "m" { return nil }
                        break
                    }
                }
                i += 1
            }
            return nil
        }
        let options = args.prefix { $0.hasPrefix("-") && $0 != "--" }
        switch name {
        case "perl", "ruby", "irb":
            return options.first { !$0.hasPrefix("--") && ($0.contains("e") || $0.contains("E")) }
        case "node", "nodejs", "bun":
            return options.first {
                ["-e", "-p", "-pe"].contains($0) || $0.hasPrefix("--eval") || $0.hasPrefix("--print")
            }
        case "deno":
            return args.first == "eval" ? "eval" : nil
        case "php":
            return options.first { ["-r", "-B", "-R", "-E", "-F"].contains($0) }
        case "lua", "luajit", "Rscript", "R":
            return options.first { $0 == "-e" || $0.hasPrefix("--expr") }
        case "pwsh", "powershell":
            return args.first {
                let l = $0.lowercased(); return l.hasPrefix("-c") || l.hasPrefix("-e")
            }
        case "osascript":
            return options.first { $0 == "-e" }
        case "jshell", "tclsh":
            return nil
        default:
            return nil
        }
    }

    /// The program text of an awk invocation (nil when it comes from `-f FILE`).
    func awkProgram(_ args: [String]) -> String? {
        var i = 0
        while i < args.count {
            let t = args[i]
            if t == "--" { i += 1; break }
            guard t.hasPrefix("-"), t.count > 1 else { break }
            if t == "-f" || t.hasPrefix("--file") { return nil }
            if t == "-v" || t == "-F" { i += 2; continue }
            i += 1
        }
        return i < args.count ? args[i] : nil
    }
}
