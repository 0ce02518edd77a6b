/// Constructs the shell lexer recognises and the policy may refuse because their effect cannot be analysed.
enum ShellConstruct: String, Sendable {
    case commandSubstitution = "command-substitution"
    case backticks = "backticks"
    case parameterExpansion = "parameter-expansion"
    case arithmeticExpansion = "arithmetic-expansion"
    case processSubstitution = "process-substitution"
    case hereDocument = "here-document"
    case hereString = "here-string"
    case ansiCQuoting = "ansi-c-quoting"
    case functionDefinition = "function-definition"

    /// Human sentence for a denial.
    var reason: String {
        switch self {
        case .commandSubstitution: return "command substitution $(…) cannot be analysed"
        case .backticks: return "backtick command substitution cannot be analysed"
        case .parameterExpansion: return "parameter expansion ${…} cannot be analysed"
        case .arithmeticExpansion: return "arithmetic expansion $((…)) cannot be analysed"
        case .processSubstitution: return "process substitution <(…) / >(…) cannot be analysed"
        case .hereDocument: return "here-documents (<<) cannot be analysed"
        case .hereString: return "here-strings (<<<) cannot be analysed"
        case .ansiCQuoting: return "ANSI-C quoting $'…' cannot be analysed"
        case .functionDefinition: return "shell function definitions cannot be analysed"
        }
    }
}

/// One shell word after quote removal.
struct ShellWord: Sendable {
    /// Quote-removed text; expansions are kept as written (`$NAME`, `$(…)`).
    var text = ""
    /// Like `text`, with `$NAME` references encoded as "\u{1}NAME\u{2}" so callers can substitute known values.
    var template = ""
    /// Names of `$NAME` references.
    var variables: [String] = []
    /// Contains `$(…)`, backticks, `${…}` or `$((…))`.
    var hasSubstitution = false
    /// Contains an unquoted `*`, `?` or `[`.
    var hasGlob = false
    /// Starts with an unquoted `~`.
    var hasTilde = false
    /// Any quoting or escaping was used.
    var quoted = false
    /// Byte offsets in the source.
    var start = 0
    var end = 0

    /// No expansion of any kind: the text is exactly what the command will see.
    var isLiteral: Bool { variables.isEmpty && !hasSubstitution }
}

/// One redirection, e.g. `2>/dev/null`, `>&2`, `<<EOF`.
struct ShellRedirection: Sendable {
    /// Operator including any fd prefix, e.g. "2>", ">>", "<<<".
    var op: String
    var target: ShellWord

    /// Writes to (or opens read-write) its target.
    var writes: Bool { op.contains(">") }
    /// Duplicates a descriptor (`>&2`, `2>&1`, `<&-`) rather than naming a file.
    var isDescriptorDup: Bool {
        (op.hasSuffix(">&") || op.hasSuffix("<&")) && (target.text.allSatisfy { $0.isNumber } || target.text == "-")
    }
}

/// A simple command between separators (`;`, `&&`, `||`, `|`, `&`, newline, parentheses).
struct ShellSegment: Sendable {
    var words: [ShellWord] = []
    var redirections: [ShellRedirection] = []
    /// Its standard input is the previous command of a pipeline.
    var pipedInput = false
    var start = Int.max
    var end = 0
}

/// The lexer's output for one command string.
struct ShellParse: Sendable {
    var segments: [ShellSegment] = []
    /// Unanalysable constructs in order of appearance (first one decides a denial).
    var constructs: [ShellConstruct] = []
    /// Texts of nested commands from `$(…)`, backticks and `<(…)` (checked against patterns too).
    var nested: [String] = []
}

/// A command string the lexer could not parse.
struct ShellSyntaxError: Error, Sendable {
    let message: String
}
