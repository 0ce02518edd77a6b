/// Checks one `tools.exec.custom_deny_patterns` entry the way PicoPolicy compiles it (Swift `Regex`, matched
/// case-insensitively against every command).
enum AuditDenyPatternCheck {
    static func findings(_ pattern: String) -> [AuditFinding] {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern).ignoresCase()
        } catch {
            return [
                AuditFinding(
                    id: "tools.exec.custom_deny_pattern_invalid", severity: .warn,
                    title:
                        "custom deny pattern \"\(pattern)\" does not compile, so it can never match (and the gateway refuses to start)",
                    detail: "\(error)",
                    fix:
                        "correct the regular expression in tools.exec.custom_deny_patterns (RE2/Swift Regex syntax; escape metacharacters such as | . ( with a backslash)"
                )
            ]
        }
        var out: [AuditFinding] = []
        if (try? regex.firstMatch(in: "")) != nil {
            out.append(
                AuditFinding(
                    id: "tools.exec.custom_deny_pattern_matches_everything", severity: .warn,
                    title: "custom deny pattern \"\(pattern)\" matches the empty string, so it blocks every command",
                    detail:
                        "A pattern that matches anywhere in any text (e.g. \".*\" or \"x?\") turns the exec tool off in a confusing way.",
                    fix:
                        "make the pattern require text (e.g. \"rm\\\\s+-rf\"), or set tools.exec.enabled: false to turn exec off"
                ))
        }
        let letters = upperCaseLiterals(pattern)
        if !letters.isEmpty {
            out.append(
                AuditFinding(
                    id: "tools.exec.custom_deny_pattern_uppercase", severity: .info,
                    title:
                        "custom deny pattern \"\(pattern)\" contains upper-case letters (\(letters)); picoclaw matches it case-insensitively",
                    detail:
                        "PicoClaw (Go) lower-cases commands before matching, so there this pattern can never match; picoclaw ignores case, so it works here. Lower-case keeps configs portable.",
                    fix: "write the pattern in lower case: \"\(lowerCasedLiterals(pattern))\""))
        }
        return out
    }

    /// Upper-case letters that are literal characters, not part of an escape (`\S`, `\W`, `\p{Lu}`...).
    static func upperCaseLiterals(_ pattern: String) -> String {
        var out = ""
        forEachLiteral(pattern) { c, isLiteral in if isLiteral && c.isUppercase { out.append(c) } }
        return out
    }

    /// The pattern with literal upper-case letters lower-cased (escapes kept).
    static func lowerCasedLiterals(_ pattern: String) -> String {
        var out = ""
        forEachLiteral(pattern) { c, isLiteral in out += isLiteral ? c.lowercased() : String(c) }
        return out
    }

    private static func forEachLiteral(_ pattern: String, _ body: (Character, Bool) -> Void) {
        var chars = pattern.makeIterator()
        while let c = chars.next() {
            guard c == "\\" else { body(c, true); continue }
            body(c, false)
            guard let next = chars.next() else { break }
            body(next, false)
            if "pPNxuk".contains(next) {
                // \p{Lu}, \x{41}, \k<name>: copy the braced/angled argument unchanged.
                var peek = chars
                if let open = peek.next(), open == "{" || open == "<" {
                    let close: Character = open == "{" ? "}" : ">"
                    chars = peek
                    body(open, false)
                    while let inner = chars.next() {
                        body(inner, false)
                        if inner == close { break }
                    }
                }
            }
        }
    }
}
