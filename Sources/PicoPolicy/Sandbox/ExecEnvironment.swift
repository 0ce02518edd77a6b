import Glibc

/// The environment a sandboxed command gets: an allow-list of harmless variables from the parent, then
/// HOME and TMPDIR pointing into the workspace. Secrets never pass: nothing named `PICOCLAW_*` or
/// `*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD` survives even if it matched the allow-list.
enum ExecEnvironment {
    static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    /// Whether a variable from the parent may be passed on.
    static func isPassedThrough(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper.hasPrefix("PICOCLAW") { return false }
        for marker in ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"]
        where upper.contains(marker) {
            return false
        }
        return name == "PATH" || name == "LANG" || name.hasPrefix("LC_") || name == "TERM" || name == "TZ"
    }

    /// `NAME=value` entries for the child.
    static func build(parent: [String: String], workspace: String) -> [String] {
        var env: [String] = []
        for (name, value) in parent.sorted(by: { $0.key < $1.key }) where isPassedThrough(name) {
            env.append("\(name)=\(value)")
        }
        if parent["PATH"] == nil { env.append("PATH=\(defaultPath)") }
        env.append("HOME=\(workspace)")
        env.append("TMPDIR=\(workspace)/\(SandboxedExecutor.tmpDirectoryName)")
        return env
    }

    /// The current process environment.
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            p += 1
        }
        return result
    }
}
