/// Lexical path helpers shared by the workspace jail and the command policy (no filesystem access).
enum PathText {
    /// The non-empty components of `path`, without `.`.
    static func components(_ path: some StringProtocol) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.map { Substring($0) }
    }

    /// Applies `..` lexically. Returns nil when a `..` would climb above the start.
    static func normalized(_ components: [Substring]) -> [Substring]? {
        var out: [Substring] = []
        out.reserveCapacity(components.count)
        for c in components {
            if c == ".." {
                if out.isEmpty { return nil }
                out.removeLast()
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// `path` relative to `root` when it is `root` or lies beneath it (both absolute, normalised), else nil.
    static func relative(_ path: String, to root: String) -> String? {
        if path == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return String(path.dropFirst(prefix.count))
    }

    /// Lexically normalised absolute form of `path`, interpreted relative to `base` when relative.
    /// `..` above `/` stays at `/`, as the kernel does.
    static func absolute(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var out: [Substring] = []
        for c in components(joined) {
            if c == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(c) }
        }
        return "/" + out.joined(separator: "/")
    }

    /// The last component of `path` (the whole string when it has no slash).
    static func basename(_ path: some StringProtocol) -> Substring {
        let s = Substring(path)
        if let i = s.lastIndex(of: "/") { return s[s.index(after: i)...] }
        return s
    }
}
