extension DiscordChannel: MediaChannel {
    /// Downloads an attachment from Discord's CDN (or the configured API host), never from anywhere else, with
    /// no redirects, refused before downloading when Discord reports a size over `maxBytes` and cut off there.
    public func download(_ attachment: MediaAttachment, maxBytes: Int) async throws -> [UInt8] {
        if let size = attachment.size, size > maxBytes { throw MediaError.tooLarge(size: size, limit: maxBytes) }
        guard Self.isPlatformURL(attachment.ref, hosts: options.attachmentHosts, apiBase: options.apiBase) else {
            throw MediaError.foreignHost
        }
        return try await fetchMedia(attachment.ref, maxBytes: maxBytes, proxy: options.proxy)
    }

    /// `https://<one of hosts>/…`, or the scheme, host and port of `apiBase` (a self-hosted or test API).
    static func isPlatformURL(_ url: String, hosts: [String], apiBase: String) -> Bool {
        guard let target = URLOrigin(url) else { return false }
        if target.scheme == "https", target.port == nil, hosts.contains(target.host) { return true }
        guard let api = URLOrigin(apiBase) else { return false }
        return api == target
    }
}

/// Scheme, host and port of an absolute http(s) URL (lower-cased; no user info allowed).
struct URLOrigin: Equatable {
    var scheme: String
    var host: String
    var port: Int?

    init?(_ url: String) {
        guard let sep = url.firstRange(of: "://") else { return nil }
        scheme = url[..<sep.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { return nil }
        let rest = url[sep.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("\\") else { return nil }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon].lowercased()
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            host = authority.lowercased()
            port = nil
        }
        guard !host.isEmpty else { return nil }
    }
}
