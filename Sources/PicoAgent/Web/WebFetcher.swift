import PicoHTTP

/// Limits of one web fetch.
public struct WebFetchLimits: Sendable, Equatable {
    /// Largest body read (default 2 MiB); a larger one fails the fetch.
    public var maxBytes: Int
    /// Time for the whole fetch, redirects included (default 30 s).
    public var timeout: Duration
    /// Redirect hops followed at most (default 5).
    public var maxRedirects: Int

    public init(maxBytes: Int = 2 << 20, timeout: Duration = .seconds(30), maxRedirects: Int = 5) {
        self.maxBytes = max(1024, maxBytes)
        self.timeout = timeout
        self.maxRedirects = max(0, maxRedirects)
    }
}

/// A fetched document.
public struct WebPage: Sendable {
    /// The URL the body came from (after redirects).
    public var url: WebURL
    public var status: Int
    /// Media type, lower-cased, without parameters (`""` when the server sent none).
    public var mediaType: String
    /// The `charset` parameter of `Content-Type`, if any.
    public var charset: String?
    public var body: [UInt8]
    /// Redirect hops followed.
    public var redirects: Int
}

/// Why a fetch failed. ``refusal`` is set when a destination was refused by policy (SSRF defence, host lists).
public struct WebFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The policy rule that refused the destination (`web:private-address`, `web:deny_hosts`, ...), if any.
    public let refusal: String?
    public var description: String { message }
}

/// Fetches a public web document with the SSRF defence of the web tools: every hop's host is resolved here
/// (never by libcurl), every address is checked against ``WebAccessPolicy``, and the checked address is pinned
/// for the transfer with `CURLOPT_RESOLVE`, so a DNS answer that changes between check and connect cannot
/// redirect the request. The pins live in a DNS cache of the web tools' own, so they never steer provider or channel
/// requests to the same host. Redirects are followed one hop at a time through the same checks. Proxies from the
/// environment are ignored (a proxy would resolve the name itself).
public struct WebFetcher: Sendable {
    /// Media types whose bodies are read; anything else is refused before the body is downloaded.
    public static let textMediaTypes = [
        "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/csv", "text/xml", "application/xml",
        "application/json", "application/ld+json", "application/rss+xml", "application/atom+xml",
    ]

    public let policy: WebAccessPolicy
    public let limits: WebFetchLimits
    let resolver: any HostResolver
    let client: HTTPClient

    public init(
        policy: WebAccessPolicy, limits: WebFetchLimits = WebFetchLimits(),
        resolver: any HostResolver = SystemHostResolver(), client: HTTPClient = .shared
    ) {
        self.policy = policy
        self.limits = limits
        self.resolver = resolver
        self.client = client
    }

    /// Fetches `text` (an http/https URL) with GET.
    public func fetch(_ text: String) async throws(WebFetchError) -> WebPage {
        var url: WebURL
        do { url = try WebURL(text) } catch {
            throw WebFetchError(message: "invalid URL: \(error.reason)", refusal: "web:url")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + limits.timeout
        var hops = 0
        while true {
            let address = try await checkedAddress(for: url)
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw WebFetchError(message: "timed out after \(limits.timeout)", refusal: nil)
            }
            let request = HTTPRequest(
                method: "GET", url: url.description,
                headers: [
                    HTTPHeader("User-Agent", "picoclaw-web-fetch"),
                    HTTPHeader("Accept", "text/html, text/plain;q=0.9, application/json;q=0.8, */*;q=0.1"),
                ],
                connectTimeout: min(remaining, .seconds(10)), timeout: remaining, maxResponseBytes: limits.maxBytes,
                proxy: "", maxRedirects: 0,
                resolve: url.literal == nil ? ["\(url.host):\(url.port):\(address.urlHost)"] : [],
                allowedContentTypes: WebFetcher.textMediaTypes, isolatedDNS: true)
            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch let e as HTTPClientError {
                throw WebFetchError(message: WebFetcher.describe(e, limits: limits), refusal: nil)
            } catch {
                throw WebFetchError(message: "cancelled", refusal: nil)
            }
            if [301, 302, 303, 307, 308].contains(response.status), let location = response.header("Location") {
                guard hops < limits.maxRedirects else {
                    throw WebFetchError(message: "more than \(limits.maxRedirects) redirects", refusal: nil)
                }
                hops += 1
                do { url = try url.resolving(location) } catch {
                    throw WebFetchError(message: "redirect to an invalid URL: \(error.reason)", refusal: "web:url")
                }
                continue
            }
            let (media, charset) = WebFetcher.parseContentType(response.header("Content-Type"))
            return WebPage(
                url: url, status: response.status, mediaType: media, charset: charset, body: response.body,
                redirects: hops)
        }
    }

    /// Applies the name rules, resolves the host (once) and checks every address; returns the address to pin.
    func checkedAddress(for url: WebURL) async throws(WebFetchError) -> IPAddress {
        if let why = policy.refusal(host: url.host) {
            throw WebFetchError(
                message: "refused: \(why)",
                refusal: why.contains("deny_hosts")
                    ? "web:deny_hosts"
                    : why.contains("allow_hosts") ? "web:allow_hosts" : "web:local-name")
        }
        let addresses: [IPAddress]
        if let literal = url.literal {
            addresses = [literal]
        } else {
            do { addresses = try await resolver.addresses(of: url.host) } catch {
                throw WebFetchError(message: error.description, refusal: nil)
            }
        }
        // Every answer must be public: a name that also points inside is refused rather than half-trusted.
        for address in addresses {
            if let why = policy.refusal(address: address) {
                let shown =
                    url.literal == nil ? "\(url.host) resolves to \(address), a \(why)" : "\(address) is a \(why)"
                throw WebFetchError(
                    message: "refused: \(shown); web tools only reach public internet addresses",
                    refusal: "web:private-address")
            }
        }
        guard let first = addresses.first(where: { if case .v4 = $0 { true } else { false } }) ?? addresses.first else {
            throw WebFetchError(message: "cannot resolve \(url.host): no addresses", refusal: nil)
        }
        return first
    }

    static func parseContentType(_ header: String?) -> (media: String, charset: String?) {
        guard let header else { return ("", nil) }
        let parts = header.split(separator: ";").map { String($0).trimmedSpaces }
        let media = (parts.first ?? "").lowercased()
        let charset = parts.dropFirst().first { $0.lowercased().hasPrefix("charset=") }
            .map { String($0.dropFirst("charset=".count)).filter { $0 != "\"" && $0 != "'" } }
        return (media, charset)
    }

    static func describe(_ e: HTTPClientError, limits: WebFetchLimits) -> String {
        switch e {
        case .responseTooLarge: "the document is larger than the \(limits.maxBytes)-byte limit"
        case .timedOut: "timed out after \(limits.timeout)"
        case .contentTypeNotAllowed(let t):
            "content type \(t) is not text (allowed: \(textMediaTypes.joined(separator: ", ")))"
        default: e.description
        }
    }
}
