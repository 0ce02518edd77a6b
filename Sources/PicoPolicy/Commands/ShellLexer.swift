/// A POSIX-shell lexer sufficient for policy analysis: quoting and escapes are removed the way the shell
/// removes them, expansions are recognised (not performed), and the command is split into simple commands
/// on `;`, `&&`, `||`, `|`, `|&`, `&`, newlines and parentheses. Here-document bodies are skipped.
struct ShellLexer {
    private let b: [UInt8]
    private var i = 0
    private var result = ShellParse()
    private var current = ShellSegment()
    private var pendingRedirect: String?
    private var pendingHereDocs: [(delimiter: String, stripTabs: Bool)] = []
    private var expectHereDocDelimiter: Bool? = nil
    private var lastWasWord = false

    /// Parses `command`. Throws `ShellSyntaxError` on unterminated quotes or substitutions.
    static func parse(_ command: String) throws -> ShellParse {
        var lexer = ShellLexer(bytes: Array(command.utf8))
        return try lexer.run()
    }

    private init(bytes: [UInt8]) { b = bytes }

    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
    private static func isMeta(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            return true
        default: return false
        }
    }
    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
    }
    private static func isNameChar(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) }

    private func peek(_ offset: Int = 0) -> UInt8? { i + offset < b.count ? b[i + offset] : nil }

    private mutating func run() throws -> ShellParse {
        while i < b.count {
            let c = b[i]
            if Self.isBlank(c) { i += 1; continue }
            if c == UInt8(ascii: "\\") && peek(1) == 0x0A { i += 2; continue }
            if c == 0x0A {
                endSegment(op: "\n")
                i += 1
                try skipHereDocBodies()
                continue
            }
            if c == UInt8(ascii: "#") {
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue
            }
            if try lexOperator() { continue }
            let word = try lexWord()
            addWord(word)
        }
        if pendingRedirect != nil { throw ShellSyntaxError(message: "redirection without a target") }
        endSegment(op: "")
        return result
    }

    // MARK: segments

    private mutating func addWord(_ word: ShellWord) {
        current.start = min(current.start, word.start)
        current.end = max(current.end, word.end)
        if let op = pendingRedirect {
            current.redirections.append(ShellRedirection(op: op, target: word))
            pendingRedirect = nil
            if let strip = expectHereDocDelimiter {
                pendingHereDocs.append((word.text, strip))
                expectHereDocDelimiter = nil
            }
        } else {
            current.words.append(word)
        }
        lastWasWord = true
    }

    private mutating func endSegment(op: String) {
        if !current.words.isEmpty || !current.redirections.isEmpty { result.segments.append(current) }
        current = ShellSegment()
        current.pipedInput = op == "|" || op == "|&"
        lastWasWord = false
    }

    // MARK: operators

    private mutating func lexOperator() throws -> Bool {
        let start = i
        var fd = ""
        var j = i
        while j < b.count && b[j] >= 0x30 && b[j] <= 0x39 { j += 1 }
        if j > i && j < b.count && (b[j] == UInt8(ascii: "<") || b[j] == UInt8(ascii: ">")) {
            fd = String(decoding: b[i..<j], as: UTF8.self)
            i = j
        }
        let c = b[i]
        func take(_ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return false }
            i += u.count
            return true
        }
        if pendingRedirect != nil && !(c == UInt8(ascii: "<") || c == UInt8(ascii: ">")) && fd.isEmpty {
            if Self.isMeta(c) { throw ShellSyntaxError(message: "redirection without a target") }
        }
        switch c {
        case UInt8(ascii: ";"):
            for op in [";;&", ";;", ";&", ";"] where take(op) { endSegment(op: op); return true }
        case UInt8(ascii: "&"):
            if take("&&") { endSegment(op: "&&"); return true }
            if take("&>>") { return redirect("&>>", start: start) }
            if take("&>") { return redirect("&>", start: start) }
            i += 1
            endSegment(op: "&")
            return true
        case UInt8(ascii: "|"):
            for op in ["||", "|&", "|"] where take(op) { endSegment(op: op); return true }
        case UInt8(ascii: "("):
            i += 1
            var k = i
            while k < b.count && Self.isBlank(b[k]) { k += 1 }
            if lastWasWord && k < b.count && b[k] == UInt8(ascii: ")") { note(.functionDefinition) }
            endSegment(op: "(")
            return true
        case UInt8(ascii: ")"):
            i += 1
            endSegment(op: ")")
            return true
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "(") { try processSubstitution(); return true }
            if take("<<<") { note(.hereString); return redirect(fd + "<<<", start: start) }
            if take("<<-") {
                note(.hereDocument); expectHereDocDelimiter = true; return redirect(fd + "<<-", start: start)
            }
            if take("<<") {
                note(.hereDocument); expectHereDocDelimiter = false; return redirect(fd + "<<", start: start)
            }
            for op in ["<&", "<>", "<"] where take(op) { return redirect(fd + op, start: start) }
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "(") { try processSubstitution(); return true }
            for op in [">>", ">&", ">|", ">"] where take(op) { return redirect(fd + op, start: start) }
        default:
            break
        }
        i = start
        return false
    }

    private mutating func redirect(_ op: String, start: Int) -> Bool {
        current.start = min(current.start, start)
        current.end = max(current.end, i)
        pendingRedirect = op
        lastWasWord = false
        return true
    }

    private mutating func note(_ construct: ShellConstruct) {
        if !result.constructs.contains(construct) { result.constructs.append(construct) }
    }

    private mutating func processSubstitution() throws {
        note(.processSubstitution)
        let start = i
        i += 1
        let inner = try balanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
        result.nested.append(inner)
        var word = ShellWord()
        word.text = String(decoding: b[start..<i], as: UTF8.self)
        word.template = word.text
        word.hasSubstitution = true
        word.start = start
        word.end = i
        addWord(word)
    }

    /// Skips the bodies of here-documents whose operators appeared on the line just ended.
    private mutating func skipHereDocBodies() throws {
        while !pendingHereDocs.isEmpty {
            let (delimiter, stripTabs) = pendingHereDocs.removeFirst()
            var found = false
            while i < b.count {
                var lineEnd = i
                while lineEnd < b.count && b[lineEnd] != 0x0A { lineEnd += 1 }
                var lineStart = i
                if stripTabs { while lineStart < lineEnd && b[lineStart] == 0x09 { lineStart += 1 } }
                let line = String(decoding: b[lineStart..<lineEnd], as: UTF8.self)
                i = min(lineEnd + 1, b.count)
                if line == delimiter { found = true; break }
            }
            if !found { return }
        }
    }

    // MARK: words

    private mutating func lexWord() throws -> ShellWord {
        var w = ShellWord()
        w.start = i
        var text: [UInt8] = []
        var template: [UInt8] = []
        func append(_ c: UInt8) { text.append(c); template.append(c) }
        if b[i] == UInt8(ascii: "~") { w.hasTilde = true }
        while i < b.count, !Self.isMeta(b[i]) {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\\"):
                w.quoted = true
                if let n = peek(1) {
                    if n != 0x0A { append(n) }
                    i += 2
                } else {
                    i += 1
                }
            case UInt8(ascii: "'"):
                w.quoted = true
                i += 1
                guard let close = b[i...].firstIndex(of: UInt8(ascii: "'")) else {
                    throw ShellSyntaxError(message: "unterminated single quote")
                }
                for k in i..<close { append(b[k]) }
                i = close + 1
            case UInt8(ascii: "\""):
                w.quoted = true
                i += 1
                try lexDoubleQuoted(&w, &text, &template)
            case UInt8(ascii: "$"):
                try lexDollar(&w, &text, &template, quoted: false)
            case UInt8(ascii: "`"):
                try lexBackticks(&w, &text, &template)
            case UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: "["):
                w.hasGlob = true
                append(c)
                i += 1
            default:
                append(c)
                i += 1
            }
        }
        w.end = i
        w.text = String(decoding: text, as: UTF8.self)
        w.template = String(decoding: template, as: UTF8.self)
        return w
    }

    private mutating func lexDoubleQuoted(_ w: inout ShellWord, _ text: inout [UInt8], _ template: inout [UInt8]) throws
    {
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                if let n = peek(1),
                    [UInt8(ascii: "$"), UInt8(ascii: "`"), UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x0A].contains(n)
                {
                    if n != 0x0A { text.append(n); template.append(n) }
                    i += 2
                } else {
                    text.append(c); template.append(c)
                    i += 1
                }
            case UInt8(ascii: "$"):
                try lexDollar(&w, &text, &template, quoted: true)
            case UInt8(ascii: "`"):
                try lexBackticks(&w, &text, &template)
            default:
                text.append(c); template.append(c)
                i += 1
            }
        }
        throw ShellSyntaxError(message: "unterminated double quote")
    }

    private mutating func lexDollar(
        _ w: inout ShellWord, _ text: inout [UInt8], _ template: inout [UInt8],
        quoted: Bool
    ) throws {
        let start = i
        let next = peek(1)
        if next == UInt8(ascii: "(") {
            i += 1
            if peek(1) == UInt8(ascii: "(") {
                note(.arithmeticExpansion)
                _ = try balanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
            } else {
                note(.commandSubstitution)
                result.nested.append(try balanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")")))
            }
            w.hasSubstitution = true
        } else if next == UInt8(ascii: "{") {
            i += 1
            note(.parameterExpansion)
            let inner = try balanced(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
            if inner.contains("$(") || inner.contains("`") { note(.commandSubstitution) }
            w.hasSubstitution = true
        } else if next == UInt8(ascii: "'") && !quoted {
            note(.ansiCQuoting)
            i += 2
            while i < b.count && b[i] != UInt8(ascii: "'") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
            guard i < b.count else { throw ShellSyntaxError(message: "unterminated $'…' quote") }
            i += 1
            w.hasSubstitution = true
        } else if let n = next, Self.isNameStart(n) {
            var k = i + 1
            while k < b.count && Self.isNameChar(b[k]) { k += 1 }
            let name = String(decoding: b[(i + 1)..<k], as: UTF8.self)
            w.variables.append(name)
            text.append(contentsOf: b[i..<k])
            template.append(1); template.append(contentsOf: name.utf8); template.append(2)
            i = k
            return
        } else if let n = next, "0123456789?#$!@*-".utf8.contains(n) {
            let name = String(UnicodeScalar(n))
            w.variables.append(name)
            text.append(contentsOf: b[i...(i + 1)])
            template.append(1); template.append(n); template.append(2)
            i += 2
            return
        } else {
            text.append(UInt8(ascii: "$")); template.append(UInt8(ascii: "$"))
            i += 1
            return
        }
        text.append(contentsOf: b[start..<i])
        template.append(contentsOf: b[start..<i])
    }

    private mutating func lexBackticks(_ w: inout ShellWord, _ text: inout [UInt8], _ template: inout [UInt8]) throws {
        note(.backticks)
        let start = i
        i += 1
        var inner: [UInt8] = []
        while i < b.count && b[i] != UInt8(ascii: "`") {
            if b[i] == UInt8(ascii: "\\"), let n = peek(1) {
                inner.append(n)
                i += 2
            } else {
                inner.append(b[i])
                i += 1
            }
        }
        guard i < b.count else { throw ShellSyntaxError(message: "unterminated backtick") }
        i += 1
        result.nested.append(String(decoding: inner, as: UTF8.self))
        w.hasSubstitution = true
        text.append(contentsOf: b[start..<i])
        template.append(contentsOf: b[start..<i])
    }

    /// With `i` at an opening bracket, returns the text up to its matching close (quotes and nesting
    /// honoured) and leaves `i` after the close.
    private mutating func balanced(open: UInt8, close: UInt8) throws -> String {
        var depth = 0
        let contentStart = i + 1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\\") { i += 2; continue }
            if c == UInt8(ascii: "'") {
                guard let end = b[(i + 1)...].firstIndex(of: UInt8(ascii: "'")) else { break }
                i = end + 1
                continue
            }
            if c == UInt8(ascii: "\"") {
                i += 1
                while i < b.count && b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
                continue
            }
            if c == open { depth += 1 }
            if c == close {
                depth -= 1
                if depth == 0 {
                    let inner = String(decoding: b[contentStart..<i], as: UTF8.self)
                    i += 1
                    return inner
                }
            }
            i += 1
        }
        throw ShellSyntaxError(message: "unterminated \(String(UnicodeScalar(open)))…\(String(UnicodeScalar(close)))")
    }
}
