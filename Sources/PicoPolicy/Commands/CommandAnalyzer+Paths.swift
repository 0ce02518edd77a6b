/// Path operands: extraction from words and resolution against the working directory.
extension CommandAnalyzer {
    /// Checks every path the word may name (restricted mode).
    func checkWord(_ word: ShellWord) throws(Denial) {
        guard !word.hasSubstitution, var text = expandedText(word) else { return }
        if word.hasGlob {
            let components = text.split(separator: "/", omittingEmptySubsequences: false)
            if let g = components.firstIndex(where: { $0.contains(where: { "*?[".contains($0) }) }) {
                if components[g...].contains("..") {
                    throw Denial(
                        rule: "path:outside-workspace",
                        reason: "\(word.text): `..` after a wildcard may leave the workspace")
                }
                text = components[..<g].joined(separator: "/")
                if text.isEmpty && g > 0 { text = "/" }
                if text.isEmpty { return }
            }
        }
        for candidate in pathCandidates(text) { try checkPath(candidate, display: word.text) }
    }

    /// The word's text with the variables whose values are known substituted (HOME and TMPDIR as the
    /// executor sets them, PWD, and literal assignments earlier in the command); nil when a variable's
    /// value is unknown.
    func expandedText(_ word: ShellWord) -> String? {
        if word.variables.isEmpty { return word.text }
        var out = ""
        var name = ""
        var inName = false
        for ch in word.template {
            if ch == "\u{1}" { inName = true; name = ""; continue }
            if ch == "\u{2}" {
                inName = false
                switch name {
                case "HOME": out += policy.workspaceRoot
                case "TMPDIR": out += policy.workspaceRoot + "/" + SandboxedExecutor.tmpDirectoryName
                case "PWD": out += cwds.first ?? policy.workspaceRoot
                default:
                    guard let value = literalVariables[name] else { return nil }
                    out += value
                }
                continue
            }
            if inName { name.append(ch) } else { out.append(ch) }
        }
        return out
    }

    /// The strings inside `text` that may be used as paths: the text itself, values after `=`,
    /// option-attached values (`--file=/x`, `-I/x`, `-isystem/x`), `file://` URLs. Network URLs are none.
    func pathCandidates(_ text: String) -> [String] {
        if text.isEmpty || Self.isNetworkURL(text) { return [] }
        if let local = Self.fileURLPath(text) { return [local] }
        var out: [String] = []
        if text.hasPrefix("-") {
            if let eq = text.firstIndex(of: "=") {
                out += pathCandidates(String(text[text.index(after: eq)...]))
            } else if !text.hasPrefix("--") && text.count > 2 {
                let attached = String(text.dropFirst(2))
                if attached.contains("/") || attached.hasPrefix("~") || attached.hasPrefix(".") { out.append(attached) }
            }
            if let slash = text.firstIndex(of: "/") {
                let embedded = String(text[slash...])
                if !out.contains(embedded) && pathExists(embedded) { out.append(embedded) }
            }
            return out
        }
        out.append(text)
        if let eq = text.firstIndex(of: "="), eq != text.startIndex,
            text[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
        {
            out += pathCandidates(String(text[text.index(after: eq)...]))
        }
        return out
    }

    /// Resolves `candidate` from every working-directory candidate; it must stay inside the workspace.
    func checkPath(_ candidate: String, display: String) throws(Denial) {
        if CommandPolicy.safeDevicePaths.contains(candidate) { return }
        var path = candidate
        if path.hasPrefix("~") {
            guard path == "~" || path.hasPrefix("~/") else {
                throw Denial(rule: "path:tilde-user", reason: "\(display): ~user paths name other users' homes")
            }
            path = policy.workspaceRoot + path.dropFirst()
        }
        let pathLike = path.hasPrefix("/") || path.contains("/") || path == ".."
        for cwd in cwds {
            let joined = path.hasPrefix("/") ? path : cwd + "/" + path
            if !pathLike && !isSymlink(joined) { continue }
            let real = physicalPath(joined)
            if policy.isInsideWorkspace(real) || CommandPolicy.safeDevicePaths.contains(real) { continue }
            throw Denial(
                rule: "path:outside-workspace",
                reason: "\(display) resolves to \(real), outside the workspace \(policy.workspaceRoot)")
        }
    }

    /// `scheme://…` with a scheme other than `file`.
    static func isNetworkURL(_ text: String) -> Bool {
        guard let r = text.firstRange(of: "://"), r.lowerBound != text.startIndex else { return false }
        let scheme = text[..<r.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return false }
        return scheme.lowercased() != "file"
    }

    /// The local path of a `file://` URL (`file:///x`, `file://localhost/x`).
    static func fileURLPath(_ text: String) -> String? {
        guard text.lowercased().hasPrefix("file://") else { return nil }
        var rest = text.dropFirst(7)
        if rest.lowercased().hasPrefix("localhost") { rest = rest.dropFirst(9) }
        if !rest.hasPrefix("/") { return "/" + rest }
        return String(rest)
    }
}
