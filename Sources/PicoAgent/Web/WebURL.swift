/// A parsed `http`/`https` URL, strict enough that what is checked is exactly what libcurl connects to.
///
/// Refused: other schemes, user info (`user@host`), empty or percent-encoded hosts, characters outside
/// `[A-Za-z0-9.-_]` in names (non-ASCII names must be given in punycode), whitespace and control characters,
/// backslashes, and hosts whose last label is numeric but not a valid IPv4 literal.
public struct WebURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// Lower-cased host name, or the address of a literal host.
    public let host: String
    /// The address when the host is an IP literal (any IPv4 form, or `[IPv6]`).
    public let literal: IPAddress?
    /// Explicit or default port.
    public let port: Int
    /// Path and query (starts with `/`; no fragment).
    public let pathAndQuery: String

    /// Why a URL was refused (safe to show the model).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Parses `text`.
    public init(_ text: String) throws(Invalid) {
        let s = text.trimmedSpaces
        guard !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" }) else {
            throw Invalid(reason: "the URL contains whitespace, control characters or backslashes")
        }
        guard let sep = s.firstRange(of: "://") else {
            throw Invalid(reason: "only absolute http:// and https:// URLs are allowed")
        }
        let scheme = s[..<sep.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw Invalid(
                reason: "scheme '\(TextLimits.truncate(scheme, to: 20))' is not allowed (only http and https)")
        }
        var rest = s[sep.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.contains("@") else {
            throw Invalid(reason: "URLs with user names or passwords are not allowed")
        }

        let (hostPart, portText) = try Self.splitAuthority(Substring(authority))
        let defaultPort = scheme == "https" ? 443 : 80
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p), portText.allSatisfy(\.isASCII) else {
                throw Invalid(reason: "invalid port")
            }
            port = p
        }
        let (host, literal) = try Self.parseHost(hostPart, bracketed: authority.hasPrefix("["))
        self.scheme = scheme
        self.literal = literal
        self.host = literal?.description ?? host
        self.port = port
        self.pathAndQuery = path
    }

    /// Splits `host[:port]` or `[IPv6][:port]` (the brackets removed).
    private static func splitAuthority(_ authority: Substring) throws(Invalid) -> (host: Substring, port: Substring?) {
        var hostPart = authority
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw Invalid(reason: "unterminated IPv6 address") }
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Invalid(reason: "malformed host") }
                portText = after.dropFirst()
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        return (hostPart, portText)
    }

    /// The lower-cased host name (without a trailing dot), and its address when it is an IP literal: a bracketed
    /// IPv6 address, or a name whose last label is numeric, which must then be a valid IPv4 address.
    private static func parseHost(
        _ hostPart: Substring, bracketed isBracketed: Bool
    ) throws(Invalid)
        -> (host: String, literal: IPAddress?)
    {
        var host = hostPart.lowercased()
        guard !host.isEmpty else { throw Invalid(reason: "the URL has no host") }
        var literal: IPAddress?
        if isBracketed {
            guard let v6 = IPAddress.parseIPv6(host) else { throw Invalid(reason: "invalid IPv6 address") }
            literal = v6
        } else {
            guard host.unicodeScalars.allSatisfy({ WebURL.hostCharacters.contains($0) }) else {
                throw Invalid(
                    reason:
                        "the host may only contain letters, digits, '.', '-' and '_' (use punycode for international names)"
                )
            }
            if host.hasSuffix(".") { host.removeLast() }
            let lastLabel = host.split(separator: ".").last.map(String.init) ?? host
            if lastLabel.first?.isNumber == true || lastLabel.hasPrefix("0x") {
                guard let v4 = IPAddress.parseIPv4(host) else {
                    throw Invalid(
                        reason: "'\(TextLimits.truncate(host, to: 80))' is neither a host name nor a valid IPv4 address"
                    )
                }
                literal = v4
            }
        }
        return (host, literal)
    }

    private static let hostCharacters: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyz0123456789.-_".unicodeScalars)

    /// The canonical URL handed to libcurl (literal hosts in their normal form, default ports omitted).
    public var description: String {
        let hostText = literal?.urlHost ?? host
        let isDefault = (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
        return "\(scheme)://\(hostText)\(isDefault ? "" : ":\(port)")\(pathAndQuery)"
    }

    /// Resolves a redirect `Location` against this URL (absolute, scheme-relative, absolute-path or relative).
    public func resolving(_ location: String) throws(Invalid) -> WebURL {
        let loc = location.trimmedSpaces
        if loc.contains("://") { return try WebURL(loc) }
        let origin = "\(scheme)://\(literal?.urlHost ?? host):\(port)"
        if loc.hasPrefix("//") { return try WebURL("\(scheme):\(loc)") }
        if loc.hasPrefix("/") { return try WebURL(origin + loc) }
        let pathOnly = pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/"
        let directory = pathOnly.lastIndex(of: "/").map { pathOnly[...$0] } ?? "/"
        if loc.hasPrefix("?") { return try WebURL(origin + pathOnly + loc) }
        return try WebURL(origin + directory + loc)
    }
}
