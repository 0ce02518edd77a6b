/// Analysis of one argument vector: wrappers are looked through, then name-based rules and path operands.
extension CommandAnalyzer {
    static let shells: Set<String> = [
        "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "rbash",
        "fish", "csh", "tcsh",
    ]
    static let systemExecutableRoots = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"]

    mutating func analyzeArgv(_ argv: [ShellWord], piped: Bool, depth: Int) throws(Denial) {
        guard let command = argv.first else { return }
        guard depth <= Self.maxDepth else {
            throw Denial(rule: "structure:nesting-too-deep", reason: "wrappers are nested too deeply to analyse")
        }
        if restricted {
            if !command.isLiteral || command.hasGlob {
                throw Denial(
                    rule: "structure:dynamic-command",
                    reason: "the command name \(command.text) comes from an expansion and cannot be analysed")
            }
            if command.text.contains("/") { try checkExecutable(command.text) }
        }
        let name = String(PathText.basename(command.text))
        let args = Array(argv.dropFirst())

        if let split = wrapperSplit(name: name, args: args) {
            try analyzeWrapper(name: name, args: args, split: split, piped: piped, depth: depth)
            return
        }

        if denyRules { try checkDangerous(name: name, args: args) }
        if denyRules || restricted { try checkPipeIntoInterpreter(name: name, args: args, piped: piped) }
        if restricted { try checkRestricted(name: name, args: args) }

        switch name {
        case "cd", "pushd":
            try analyzeDirectoryChange(args)
            return
        default:
            break
        }
        if restricted { for w in args { try checkWord(w) } }
    }

    /// A wrapper (`env`, `timeout`, `xargs`, a shell...): its own words, the directory it changes to, and each
    /// payload it runs, analysed as a nested command.
    mutating func analyzeWrapper(
        name: String, args: [ShellWord], split: WrapperSplit, piped: Bool,
        depth: Int
    ) throws(Denial) {
        if denyRules { try checkDangerous(name: name, args: args) }
        if restricted { for w in split.ownWords { try checkWord(w) } }
        let savedCwds = cwds
        if let dir = split.chdir {
            try changeDirectory(to: dir)
        }
        defer { if split.chdir != nil { cwds = savedCwds } }
        switch split.payload {
        case .argv(let payload, let origin):
            guard !payload.isEmpty else { return }
            record(raw: "", argv: payload, redirections: [], depth: depth + 1, origin: origin)
            try checkLastSegmentPatterns()
            try analyzeScriptExecution(argv: payload, assignments: [], redirections: [], depth: depth + 1)
            try analyzeArgv(payload, piped: piped, depth: depth + 1)
        case .text(let word, let origin):
            if restricted && !word.isLiteral {
                throw Denial(
                    rule: "structure:dynamic-payload",
                    reason: "the \(origin) comes from an expansion and cannot be analysed")
            }
            try analyzeText(word.text, depth: depth + 1, origin: origin)
        case .none:
            break
        }
        for (payload, origin) in split.extraPayloads where !payload.isEmpty {
            record(raw: "", argv: payload, redirections: [], depth: depth + 1, origin: origin)
            try checkLastSegmentPatterns()
            try analyzeScriptExecution(argv: payload, assignments: [], redirections: [], depth: depth + 1)
            try analyzeArgv(payload, piped: false, depth: depth + 1)
        }
        try checkShellRules(name: name, split: split, piped: piped)
    }

    /// `cd DIR` / `pushd DIR`: the working-directory candidates for the rest of the command line.
    mutating func analyzeDirectoryChange(_ args: [ShellWord]) throws(Denial) {
        let operands = args.filter { !$0.text.hasPrefix("-") || $0.text == "-" }
        guard let target = operands.first else {
            cwds = unique(cwds + [policy.workspaceRoot])
            return
        }
        if target.text == "-" {
            if restricted {
                throw Denial(rule: "structure:cd-previous", reason: "cd - depends on state that cannot be analysed")
            }
            return
        }
        if restricted { try checkWord(target) }
        try changeDirectory(to: target, keepPrevious: true)
    }

    /// Updates the working-directory candidates for `cd DIR` / `env -C DIR`.
    mutating func changeDirectory(to word: ShellWord, keepPrevious: Bool = false) throws(Denial) {
        guard let text = expandedText(word) else {
            if restricted {
                throw Denial(
                    rule: "structure:dynamic-directory",
                    reason: "the directory \(word.text) comes from an expansion and cannot be analysed")
            }
            return
        }
        var target = text
        if target == "~" || target.hasPrefix("~/") { target = policy.workspaceRoot + target.dropFirst() }
        let next = cwds.map { physicalPath(target.hasPrefix("/") ? target : $0 + "/" + target) }
        if restricted, let outside = next.first(where: { !policy.isInsideWorkspace($0) }) {
            throw Denial(
                rule: "path:outside-workspace",
                reason: "\(word.text) resolves to \(outside), outside the workspace \(policy.workspaceRoot)")
        }
        cwds = unique(keepPrevious ? cwds + next : next)
    }

    /// argv[0] given as a path must be inside the workspace or a system executable (from every candidate
    /// working directory when relative).
    func checkExecutable(_ path: String) throws(Denial) {
        let candidates = path.hasPrefix("/") ? [path] : cwds.map { $0 + "/" + path }
        for candidate in candidates {
            let real = physicalPath(candidate)
            if policy.isInsideWorkspace(real) || Self.systemExecutableRoots.contains(where: { real.hasPrefix($0) }) {
                continue
            }
            throw Denial(
                rule: "path:outside-workspace",
                reason: "the program \(path) resolves to \(real), outside the workspace and the system directories")
        }
    }

    /// Shell-specific rules once its payload has been analysed.
    func checkShellRules(name: String, split: WrapperSplit, piped: Bool) throws(Denial) {
        guard Self.shells.contains(name) else { return }
        if restricted && split.loginShell {
            throw Denial(
                rule: "structure:login-shell",
                reason: "login shells (-l, --login) re-read profile files and are never used")
        }
        if (denyRules || restricted) && piped && split.readsStdin {
            throw Denial(
                rule: "structure:pipe-to-interpreter",
                reason: "piping data into \(name) runs code that cannot be analysed")
        }
    }

    func unique(_ list: [String]) -> [String] {
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }
}
