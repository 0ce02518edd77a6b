import FoundationEssentials
import PicoHTTP
import PicoSystem

/// Why a Discord REST call failed. Descriptions never contain the token.
enum DiscordRESTError: Error, Sendable, CustomStringConvertible {
    /// Discord answered with a non-2xx status.
    case http(route: String, status: Int, message: String, retryAfter: Duration?)
    /// The reply was not the JSON we expect.
    case malformed(route: String)
    /// The request did not complete.
    case transport(route: String, HTTPClientError)

    var description: String {
        switch self {
        case .http(let route, let status, let message, _): return "\(route): HTTP \(status): \(message)"
        case .malformed(let route): return "\(route): malformed reply"
        case .transport(let route, let error): return "\(route): \(error.description)"
        }
    }

    var isUnauthorized: Bool {
        if case .http(_, 401, _, _) = self { return true }
        return false
    }
}

/// A small Discord REST client honouring per-route rate-limit headers.
struct DiscordREST: Sendable {
    let apiBase: String
    let token: String
    let proxy: String?
    let limiter: DiscordRateLimiter
    let timing: ChannelTiming

    init(apiBase: String, token: String, proxy: String?, timing: ChannelTiming) {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBase = base
        self.token = token
        self.proxy = proxy
        self.timing = timing
        limiter = DiscordRateLimiter(timing: timing)
    }

    /// Sends one request after waiting for its rate-limit bucket. Non-2xx statuses throw `.http`.
    @discardableResult
    func request(_ method: String, _ path: String, body: [UInt8]? = nil,
                 contentType: String = "application/json") async throws -> HTTPResponse {
        let route = "\(method) \(path)"
        let wait = limiter.reserve(route)
        if wait > .zero { try await Task.sleep(for: wait) }
        var request = HTTPRequest(method: method, url: apiBase + path, headers: [
            HTTPHeader("Authorization", "Bot \(token)"),
            HTTPHeader("User-Agent", "DiscordBot (https://github.com/picoclaw/picoclaw, 1.0)"),
        ], body: body, timeout: .seconds(30), proxy: proxy, maxRedirects: 0)
        if body != nil { request.headers.append(HTTPHeader("Content-Type", contentType)) }
        let response: HTTPResponse
        do {
            response = try await HTTPClient.shared.send(request)
        } catch let error as HTTPClientError {
            throw DiscordRESTError.transport(route: route, error)
        }
        let errorBody = response.isSuccess ? nil : try? JSONDecoder().decode(DiscordErrorBody.self, from: Data(response.body))
        let retryAfter = errorBody?.retryAfter.map { Duration.seconds(double: $0) }
            ?? response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) }
        let global = errorBody?.global == true || response.header("X-RateLimit-Global") == "true"
        limiter.update(route, response: response, retryAfter: retryAfter, global: global)
        guard response.isSuccess else {
            var message = errorBody?.message ?? "no error message"
            if !token.isEmpty { message = message.replacingAll(token, with: "<redacted>") }
            throw DiscordRESTError.http(route: route, status: response.status, message: message, retryAfter: retryAfter)
        }
        return response
    }

    /// Decodes a JSON response body.
    func get<T: Decodable>(_ path: String, as: T.Type) async throws -> T {
        let response = try await request("GET", path)
        guard let value = try? JSONDecoder().decode(T.self, from: Data(response.body)) else {
            throw DiscordRESTError.malformed(route: "GET \(path)")
        }
        return value
    }
}
