/// A reason to deny, before it becomes a `CommandVerdict`.
struct Denial: Error {
    let rule: String
    let reason: String
}

/// One evaluation of one command string (mutable state: segments seen, working-directory candidates,
/// variables with literal values).
struct CommandAnalyzer {
    let policy: CommandPolicy
    var segments: [CommandSegment] = []
    /// Every directory the command may be running in at this point (`cd` adds; subshell scoping is not
    /// tracked, so relative paths must be safe from all of them).
    var cwds: [String] = []
    /// Variables assigned a literal value earlier in the command.
    var literalVariables: [String: String] = [:]

    static let maxDepth = 8

    init(policy: CommandPolicy) { self.policy = policy }

    var restricted: Bool { policy.restrictToWorkspace }
    var denyRules: Bool { policy.enableDenyPatterns }

    mutating func run(command: String, workingDirectory: String?) -> CommandVerdict {
        let trimmed = command.trimmingBlanks()
        if trimmed.isEmpty { return deny(Denial(rule: "structure:empty", reason: "command is required")) }
        if trimmed.utf8.contains(0) {
            return deny(Denial(rule: "structure:nul-byte", reason: "the command contains a NUL byte"))
        }
        guard let cwd = policy.resolveWorkingDirectory(workingDirectory) else {
            return deny(
                Denial(
                    rule: "path:working-directory-outside",
                    reason: "working directory \(workingDirectory ?? "") resolves outside the workspace "
                        + policy.workspaceRoot))
        }
        cwds = [cwd]
        do {
            try analyzeText(trimmed, depth: 0, origin: "command")
        } catch {
            return deny(error)
        }
        return .allow(segments)
    }

    private func deny(_ d: Denial) -> CommandVerdict {
        CommandVerdict(isAllowed: false, rule: d.rule, reason: d.reason, segments: segments)
    }

    // MARK: text and segments

    /// Analyses a complete command string (top level or a wrapper's payload).
    mutating func analyzeText(_ text: String, depth: Int, origin: String) throws(Denial) {
        guard depth <= Self.maxDepth else {
            throw Denial(rule: "structure:nesting-too-deep", reason: "wrappers are nested too deeply to analyse")
        }
        try checkPatterns(text)
        let parse: ShellParse
        do {
            parse = try ShellLexer.parse(text)
        } catch let error as ShellSyntaxError {
            throw Denial(rule: "structure:parse-error", reason: "the command cannot be parsed: \(error.message)")
        } catch {
            throw Denial(rule: "structure:parse-error", reason: "the command cannot be parsed")
        }
        if restricted, let construct = parse.constructs.first {
            throw Denial(rule: "structure:" + construct.rawValue, reason: construct.reason)
        }
        for inner in parse.nested { try analyzeText(inner, depth: depth + 1, origin: "$(…)") }
        let bytes = Array(text.utf8)
        for segment in parse.segments {
            let raw =
                segment.start < segment.end
                ? String(decoding: bytes[segment.start..<segment.end], as: UTF8.self) : ""
            try analyzeSegment(segment, raw: raw, depth: depth, origin: origin)
        }
    }

    static let reservedPrefixes: Set<String> = [
        "!", "{", "}", "then", "else", "do", "if", "elif", "while", "until",
        "fi", "done", "esac",
    ]

    mutating func analyzeSegment(_ segment: ShellSegment, raw: String, depth: Int, origin: String) throws(Denial) {
        var words = segment.words[...]
        while let first = words.first, first.isLiteral, !first.quoted, Self.reservedPrefixes.contains(first.text) {
            words.removeFirst()
        }
        if let first = words.first, first.isLiteral, !first.quoted {
            switch first.text {
            case "for", "select":
                record(raw: raw, argv: Array(words), redirections: segment.redirections, depth: depth, origin: origin)
                try checkLastSegmentPatterns()
                let loopWords = words.dropFirst(2).drop { $0.text == "in" }
                if restricted { for w in loopWords { try checkWord(w) } }
                return
            case "case":
                if restricted {
                    throw Denial(rule: "structure:case-statement", reason: "case statements cannot be analysed")
                }
            case "function":
                if restricted {
                    throw Denial(
                        rule: "structure:function-definition",
                        reason: ShellConstruct.functionDefinition.reason)
                }
            default: break
            }
        }
        var assignments: [ShellWord] = []
        while let first = words.first, let (name, value) = first.assignment {
            assignments.append(first)
            words.removeFirst()
            literalVariables[name] = first.isLiteral ? value : nil
            if restricted, first.isLiteral {
                for candidate in pathCandidates(value) { try checkPath(candidate, display: first.text) }
            }
        }
        let argv = Array(words)
        record(raw: raw, argv: argv, redirections: segment.redirections, depth: depth, origin: origin)
        try checkLastSegmentPatterns()
        for r in segment.redirections {
            if r.op.contains("<<") || r.isDescriptorDup { continue }
            if denyRules && r.writes { try checkDeviceWrite(r.target.text) }
            if restricted { try checkWord(r.target) }
        }
        try analyzeScriptExecution(
            argv: argv, assignments: assignments, redirections: segment.redirections,
            depth: depth)
        if !argv.isEmpty { try analyzeArgv(argv, piped: segment.pipedInput, depth: depth) }
    }

    /// Adds a segment to the verdict and checks its raw and normalised forms against the deny patterns.
    mutating func record(
        raw: String, argv: [ShellWord], redirections: [ShellRedirection], depth: Int,
        origin: String
    ) {
        var normalized = argv.map(\.text).joined(separator: " ")
        for r in redirections { normalized += (normalized.isEmpty ? "" : " ") + r.op + r.target.text }
        segments.append(
            CommandSegment(
                text: raw.isEmpty ? normalized : raw, argv: argv.map(\.text),
                normalized: normalized, depth: depth, origin: origin))
    }

    /// Deny patterns against the last recorded segment (raw and normalised).
    func checkLastSegmentPatterns() throws(Denial) {
        guard let last = segments.last else { return }
        try checkPatterns(last.text)
        if last.normalized != last.text { try checkPatterns(last.normalized) }
    }

    func checkPatterns(_ text: String) throws(Denial) {
        guard denyRules, !text.isEmpty else { return }
        let lowered = text.utf8.map(asciiLower)
        for pattern in policy.compiledPatterns where pattern.matches(text, lowered: lowered) {
            throw Denial(
                rule: "deny-pattern:" + pattern.source,
                reason: "the command matches the deny pattern \(pattern.source)")
        }
    }
}

extension ShellWord {
    /// `NAME=value` before the command name: the name and the value text.
    var assignment: (String, String)? {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
        let name = text[..<eq]
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A),
            name.utf8.allSatisfy({
                $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
            })
        else { return nil }
        return (String(name), String(text[text.index(after: eq)...]))
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingBlanks() -> String {
        let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let u = Array(utf8)
        guard let s = u.firstIndex(where: { !blanks.contains($0) }),
            let e = u.lastIndex(where: { !blanks.contains($0) })
        else { return "" }
        return String(decoding: u[s...e], as: UTF8.self)
    }
}
