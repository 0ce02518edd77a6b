/// Script execution in its other spellings (issue 11, item 7). Each is recorded as the canonical segment
/// `sh FILE` (and `.` also as `source FILE`), so deny patterns written for `sh x.sh` or `source x.sh` match every
/// equivalent; the script path is checked like any path operand; commands hidden in options (`tar
/// --to-command`, git `!` aliases) are analysed like `sh -c` payloads; `sed`'s `e` command cannot be analysed.
extension CommandAnalyzer {
    /// Variables that make a shell read a file before it runs.
    static let startupFileVariables: Set<String> = ["BASH_ENV", "ENV"]

    /// Checks the segment `argv` (after leading assignments `assignments`) with `redirections` for script
    /// execution.
    mutating func analyzeScriptExecution(
        argv: [ShellWord], assignments: [ShellWord],
        redirections: [ShellRedirection], depth: Int
    ) throws(Denial) {
        for a in assignments {
            if let (name, _) = a.assignment, Self.startupFileVariables.contains(name) {
                try recordScript(a.dropping(prefixCount: name.count + 1), depth: depth, via: name + "=")
            }
        }
        guard let command = argv.first else { return }
        let name = String(PathText.basename(command.text))
        let args = Array(argv.dropFirst())
        switch name {
        case ".", "source":
            if let file = args.first {
                if name == "." {
                    try recordCanonical(["source", file.text], file: file, depth: depth, origin: ". (source)")
                }
                try recordScript(file, depth: depth, via: name)
            }
        case "env":
            for a in args where a.assignment != nil {
                if let (variable, _) = a.assignment, Self.startupFileVariables.contains(variable) {
                    try recordScript(
                        a.dropping(prefixCount: variable.count + 1), depth: depth, via: "env " + variable + "=")
                }
            }
        case "tar", "gtar", "bsdtar":
            try analyzeTar(args, depth: depth)
        case "git":
            try analyzeGitConfig(args, depth: depth)
        case "sed", "gsed":
            try checkSedExecute(args)
        default:
            if Self.shells.contains(name) {
                let split = shellSplit(name: name, args: args)
                if case .none = split.payload {
                    if split.readsStdin {
                        // `sh < x.sh`: the program is the redirected file.
                        for r in redirections where r.op == "<" || r.op == "0<" {
                            try recordScript(r.target, depth: depth, via: name + " <")
                        }
                    } else if let file = split.ownWords.first(where: { !$0.text.hasPrefix("-") }) {
                        try recordScript(file, depth: depth, via: name)
                    }
                }
            }
        }
    }

    /// Records `sh FILE` and checks FILE as a path.
    mutating func recordScript(_ file: ShellWord, depth: Int, via: String) throws(Denial) {
        try recordCanonical(["sh", file.text], file: file, depth: depth, origin: "script execution (\(via))")
    }

    mutating func recordCanonical(_ words: [String], file: ShellWord, depth: Int, origin: String) throws(Denial) {
        var argv: [ShellWord] = []
        for (i, text) in words.enumerated() {
            if i == words.count - 1 {
                argv.append(file)
            } else {
                var w = ShellWord()
                w.text = text
                w.template = text
                argv.append(w)
            }
        }
        record(raw: "", argv: argv, redirections: [], depth: depth + 1, origin: origin)
        try checkLastSegmentPatterns()
        if restricted { try checkWord(file) }
    }

    /// `tar --to-command=CMD`, `--checkpoint-action=exec=CMD`, `--use-compress-program=CMD`, `-I CMD`,
    /// `--info-script=FILE` / `-F FILE`, `--new-volume-script=FILE`.
    mutating func analyzeTar(_ args: [ShellWord], depth: Int) throws(Denial) {
        var i = 0
        while i < args.count {
            let t = args[i].text
            let next: ShellWord? = i + 1 < args.count ? args[i + 1] : nil
            for option in ["--to-command", "--use-compress-program", "--info-script", "--new-volume-script"] {
                var value: ShellWord? = nil
                if t == option {
                    value = next
                } else if t.hasPrefix(option + "=") {
                    value = args[i].dropping(prefixCount: option.count + 1)
                }
                guard let value else { continue }
                if option.hasSuffix("script") {
                    try recordScript(value, depth: depth, via: "tar " + option)
                } else {
                    try analyzePayload(value, depth: depth, origin: "tar \(option) payload")
                }
            }
            if t.hasPrefix("--checkpoint-action=exec=") {
                try analyzePayload(
                    args[i].dropping(prefixCount: 25), depth: depth, origin: "tar --checkpoint-action payload")
            }
            if t == "-I" || t == "-F", let next {
                if t == "-F" {
                    try recordScript(next, depth: depth, via: "tar -F")
                } else {
                    try analyzePayload(next, depth: depth, origin: "tar -I payload")
                }
            }
            i += 1
        }
    }

    /// git `-c alias.NAME=!CMD` (and the config keys that name a command) run CMD with a shell.
    mutating func analyzeGitConfig(_ args: [ShellWord], depth: Int) throws(Denial) {
        let commandKeys = [
            "core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "core.hookspath",
            "sequence.editor", "diff.external", "gpg.program",
        ]
        var i = 0
        while i < args.count {
            let t = args[i].text
            var setting: ShellWord? = nil
            if t == "-c", i + 1 < args.count {
                setting = args[i + 1]; i += 1
            } else if t.hasPrefix("-c") && t.count > 2 {
                setting = args[i].dropping(prefixCount: 2)
            }
            if let setting, let eq = setting.text.firstIndex(of: "=") {
                let key = setting.text[..<eq].lowercased()
                let valueWord = setting.dropping(
                    prefixCount: setting.text.distance(from: setting.text.startIndex, to: eq) + 1)
                if key.hasPrefix("alias."), valueWord.text.hasPrefix("!") {
                    try analyzePayload(valueWord.dropping(prefixCount: 1), depth: depth, origin: "git alias payload")
                } else if commandKeys.contains(key) || key.hasSuffix(".command") || key.hasSuffix(".cmd") {
                    try analyzePayload(valueWord, depth: depth, origin: "git \(key) payload")
                }
            }
            i += 1
        }
    }

    mutating func analyzePayload(_ word: ShellWord, depth: Int, origin: String) throws(Denial) {
        if restricted && !word.isLiteral {
            throw Denial(
                rule: "structure:dynamic-payload",
                reason: "the \(origin) comes from an expansion and cannot be analysed")
        }
        try analyzeText(word.text, depth: depth + 1, origin: origin)
    }

    /// sed's `e` command and `s///e` flag run shell commands that cannot be analysed (restricted agents).
    func checkSedExecute(_ args: [ShellWord]) throws(Denial) {
        guard restricted else { return }
        var scripts: [String] = []
        var explicit = false
        var i = 0
        while i < args.count {
            let t = args[i].text
            if t == "-e" || t == "--expression", i + 1 < args.count {
                scripts.append(args[i + 1].text); explicit = true; i += 2; continue
            }
            if t.hasPrefix("--expression=") {
                scripts.append(String(t.dropFirst(13))); explicit = true
            } else if t.hasPrefix("-e") && t.count > 2 {
                scripts.append(String(t.dropFirst(2))); explicit = true
            } else if t == "-f" || t.hasPrefix("--file") {
                explicit = true
            } else if !t.hasPrefix("-") && !explicit {
                scripts.append(t); explicit = true
            }
            i += 1
        }
        for script in scripts where Self.sedExecutes(script) {
            throw Denial(
                rule: "structure:sed-execute",
                reason: "sed's e command runs shell commands that cannot be analysed; write a script in the "
                    + "workspace and run it instead")
        }
    }

    /// Whether a sed program uses the `e` command or the `e` flag of `s`.
    static func sedExecutes(_ script: String) -> Bool {
        let chars = Array(script)
        var i = 0
        var atCommand = true
        while i < chars.count {
            let c = chars[i]
            if c == "\n" || c == ";" || c == "{" || c == "}" { atCommand = true; i += 1; continue }
            if atCommand {
                if c == " " || c == "\t" || c.isNumber || c == "$" || c == "," || c == "!" { i += 1; continue }
                if c == "/" || c == "\\" {
                    // An address regex: skip to its closing delimiter.
                    let delimiter = c == "\\" && i + 1 < chars.count ? chars[i + 1] : "/"
                    i += c == "\\" ? 2 : 1
                    while i < chars.count && chars[i] != delimiter { i += chars[i] == "\\" ? 2 : 1 }
                    i += 1
                    continue
                }
                atCommand = false
                if c == "e" { return true }
                if c == "s" || c == "y", i + 1 < chars.count {
                    let delimiter = chars[i + 1]
                    var parts = 0
                    i += 2
                    while i < chars.count && parts < 2 {
                        if chars[i] == "\\" { i += 2; continue }
                        if chars[i] == delimiter { parts += 1 }
                        i += 1
                    }
                    while c == "s" && i < chars.count && (chars[i].isLetter || chars[i].isNumber) {
                        if chars[i] == "e" { return true }
                        if chars[i] == "w" { break }
                        i += 1
                    }
                    continue
                }
            }
            i += 1
        }
        return false
    }
}
