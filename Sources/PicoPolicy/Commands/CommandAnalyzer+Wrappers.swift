/// What a wrapper command passes on.
enum WrapperPayload {
    /// A command given as separate arguments (`env FOO=1 cmd args`, `find -exec cmd {} ;`).
    case argv([ShellWord], origin: String)
    /// A command given as one string for a shell (`sh -c '…'`, `env -S '…'`, `watch '…'`).
    case text(ShellWord, origin: String)
    case none
}

/// A wrapper's arguments split into its own words (checked as paths), the payload and side effects.
struct WrapperSplit {
    var ownWords: [ShellWord] = []
    var payload: WrapperPayload = .none
    var extraPayloads: [([ShellWord], String)] = []
    /// `env -C DIR`: the payload runs in DIR.
    var chdir: ShellWord? = nil
    /// Shells: `-l` / `--login`.
    var loginShell = false
    /// Shells: no `-c` and no script operand (or `-s`): the program comes from standard input.
    var readsStdin = false
}

/// How a wrapper's options take arguments.
struct OptionSpec {
    var shortWithArgument: Set<Character> = []
    var longWithArgument: Set<String> = []
}

extension CommandAnalyzer {
    /// Splits `args` of the wrapper `name`, or nil when `name` is not a wrapper.
    func wrapperSplit(name: String, args: [ShellWord]) -> WrapperSplit? {
        switch name {
        case "env":
            return envSplit(args)
        case "time":
            return simpleWrapper(
                args, OptionSpec(shortWithArgument: ["f", "o"], longWithArgument: ["--format", "--output"]),
                origin: "time payload")
        case "nice":
            return simpleWrapper(
                args, OptionSpec(shortWithArgument: ["n"], longWithArgument: ["--adjustment"]),
                origin: "nice payload")
        case "nohup", "builtin", "setsid":
            return simpleWrapper(args, OptionSpec(), origin: "\(name) payload")
        case "ionice":
            return simpleWrapper(
                args, OptionSpec(shortWithArgument: ["c", "n"], longWithArgument: ["--class", "--classdata"]),
                origin: "ionice payload")
        case "timeout":
            return simpleWrapper(
                args, OptionSpec(shortWithArgument: ["s", "k"], longWithArgument: ["--signal", "--kill-after"]),
                origin: "timeout payload", skipOperands: 1)
        case "stdbuf":
            return simpleWrapper(
                args,
                OptionSpec(
                    shortWithArgument: ["i", "o", "e"],
                    longWithArgument: ["--input", "--output", "--error"]),
                origin: "stdbuf payload")
        case "xargs":
            var split = simpleWrapper(
                args,
                OptionSpec(
                    shortWithArgument: ["a", "E", "d", "I", "L", "n", "P", "s"],
                    longWithArgument: [
                        "--arg-file", "--delimiter", "--max-lines",
                        "--max-args", "--max-procs", "--max-chars",
                        "--process-slot-var", "--eof",
                    ]),
                origin: "xargs payload")
            if case .argv(let p, _) = split.payload, p.isEmpty { split.payload = .none }
            return split
        case "command":
            if args.contains(where: { $0.text == "-v" || $0.text == "-V" }) { return WrapperSplit(ownWords: args) }
            return simpleWrapper(args, OptionSpec(), origin: "command payload")
        case "exec":
            return simpleWrapper(args, OptionSpec(shortWithArgument: ["a"]), origin: "exec payload")
        case "busybox":
            guard let first = args.first, !first.text.hasPrefix("-") else { return WrapperSplit(ownWords: args) }
            var split = WrapperSplit()
            split.payload = .argv(args, origin: "busybox applet")
            return split
        case "watch":
            return watchSplit(args)
        case "find":
            return findSplit(args)
        default:
            if Self.shells.contains(name) { return shellSplit(name: name, args: args) }
            return nil
        }
    }

    /// `env [-i] [-u NAME] [-C DIR] [NAME=VALUE]... [-S STRING | COMMAND ARGS...]`: its options and assignments,
    /// the directory it changes to, and the payload (argv, or the `-S` string to be split like a command line).
    func envSplit(_ args: [ShellWord]) -> WrapperSplit {
        var split = WrapperSplit()
        var i = 0
        var splitString: ShellWord? = nil
        while i < args.count {
            let t = args[i].text
            if t == "--" { i += 1; break }
            if t == "-" { split.ownWords.append(args[i]); i += 1; continue }
            if t.hasPrefix("-") {
                if t == "-C" || t == "--chdir", i + 1 < args.count { split.chdir = args[i + 1]; i += 2; continue }
                if t.hasPrefix("--chdir=") { split.chdir = args[i].dropping(prefixCount: 8); i += 1; continue }
                if t.hasPrefix("-C") && t.count > 2 { split.chdir = args[i].dropping(prefixCount: 2); i += 1; continue }
                if t == "-S" || t == "--split-string", i + 1 < args.count {
                    splitString = args[i + 1]; i += 2; continue
                }
                if t.hasPrefix("--split-string=") { splitString = args[i].dropping(prefixCount: 15); i += 1; continue }
                if t.hasPrefix("-S") && t.count > 2 { splitString = args[i].dropping(prefixCount: 2); i += 1; continue }
                if t == "-u" || t == "--unset" { i += 2; continue }
                split.ownWords.append(args[i])
                i += 1
                continue
            }
            if args[i].assignment != nil { split.ownWords.append(args[i]); i += 1; continue }
            break
        }
        let rest = Array(args[i...])
        if let s = splitString {
            var combined = s
            combined.text = ([s.text] + rest.map { shellQuote($0.text) }).joined(separator: " ")
            if !rest.allSatisfy(\.isLiteral) { combined.variables.append("?") }
            split.payload = .text(combined, origin: "env -S payload")
        } else {
            split.payload = .argv(rest, origin: "env payload")
        }
        return split
    }

    /// `watch [OPTIONS] COMMAND...`: the command words are joined and run by `sh -c`, so the payload is text.
    func watchSplit(_ args: [ShellWord]) -> WrapperSplit {
        var split = simpleWrapper(
            args, OptionSpec(shortWithArgument: ["n", "q"], longWithArgument: ["--interval"]),
            origin: "watch payload")
        if case .argv(let p, _) = split.payload, !p.isEmpty {
            var combined = p[0]
            combined.text = p.map(\.text).joined(separator: " ")
            if !p.allSatisfy(\.isLiteral) { combined.variables.append("?") }
            split.payload = .text(combined, origin: "watch payload")
        }
        return split
    }

    /// Options per `spec`, then `skipOperands` fixed operands (e.g. timeout's duration), then the payload.
    func simpleWrapper(_ args: [ShellWord], _ spec: OptionSpec, origin: String, skipOperands: Int = 0) -> WrapperSplit {
        var split = WrapperSplit()
        var i = 0
        while i < args.count {
            let t = args[i].text
            if t == "--" { i += 1; break }
            guard t.hasPrefix("-"), t.count > 1 else { break }
            split.ownWords.append(args[i])
            if t.hasPrefix("--") {
                if !t.contains("="), spec.longWithArgument.contains(t), i + 1 < args.count {
                    split.ownWords.append(args[i + 1])
                    i += 1
                }
            } else {
                let letters = Array(t.dropFirst())
                if let k = letters.firstIndex(where: { spec.shortWithArgument.contains($0) }), k == letters.count - 1,
                    i + 1 < args.count
                {
                    split.ownWords.append(args[i + 1])
                    i += 1
                }
            }
            i += 1
        }
        let skip = min(skipOperands, args.count - i)
        split.ownWords.append(contentsOf: args[i..<(i + skip)])
        split.payload = .argv(Array(args[(i + skip)...]), origin: origin)
        return split
    }

    /// `sh|bash|… [-options] (-c PAYLOAD [arg0 args…] | SCRIPT args… | <stdin>)`.
    func shellSplit(name: String, args: [ShellWord]) -> WrapperSplit {
        var split = WrapperSplit()
        var inline = false
        var i = 0
        while i < args.count {
            let t = args[i].text
            if t == "--" || t == "-" { i += 1; break }
            if t.hasPrefix("--") {
                if t == "--login" { split.loginShell = true }
                if t == "--rcfile" || t == "--init-file" || t == "--init-command" || t == "-C", i + 1 < args.count {
                    split.ownWords.append(args[i + 1])
                    i += 1
                }
                i += 1
                continue
            }
            if (t.hasPrefix("-") || t.hasPrefix("+")) && t.count > 1 {
                let letters = t.dropFirst()
                if letters.contains("c") { inline = true }
                if t.hasPrefix("-") && letters.contains("l") { split.loginShell = true }
                if letters.contains("s") { split.readsStdin = true }
                if letters.contains("o") || letters.contains("O"), i + 1 < args.count { i += 1 }
                i += 1
                continue
            }
            break
        }
        if inline {
            if i < args.count {
                split.payload = .text(args[i], origin: "\(name) -c payload")
                split.ownWords.append(contentsOf: args[(i + 1)...])
            }
        } else {
            if i >= args.count { split.readsStdin = true }
            split.ownWords.append(contentsOf: args[i...])
        }
        return split
    }

    /// `find` operands and tests are its own words; each `-exec/-execdir/-ok/-okdir … ;|+` is a payload.
    func findSplit(_ args: [ShellWord]) -> WrapperSplit {
        var split = WrapperSplit()
        var i = 0
        while i < args.count {
            let t = args[i].text
            if ["-exec", "-execdir", "-ok", "-okdir"].contains(t) {
                var payload: [ShellWord] = []
                i += 1
                while i < args.count && args[i].text != ";" && args[i].text != "+" {
                    payload.append(args[i])
                    i += 1
                }
                split.extraPayloads.append((payload, "find \(t) payload"))
            } else {
                split.ownWords.append(args[i])
            }
            i += 1
        }
        return split
    }
}

extension ShellWord {
    /// The word without its first `count` characters (for option-attached values).
    func dropping(prefixCount count: Int) -> ShellWord {
        var w = self
        w.text = String(text.dropFirst(count))
        w.template = String(template.dropFirst(count))
        w.hasTilde = w.text.hasPrefix("~")
        return w
    }
}

/// `text` single-quoted for the shell.
func shellQuote(_ text: String) -> String {
    "'" + text.replacingAll("'", with: "'\\''") + "'"
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
