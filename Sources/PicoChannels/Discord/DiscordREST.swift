import FoundationEssentials
import PicoHTTP
import PicoSystem

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
    func request(
        _ method: String, _ path: String, body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> HTTPResponse {
        let route = "\(method) \(path)"
        let wait = limiter.reserve(route)
        if wait > .zero { try await Task.sleep(for: wait) }
        var request = HTTPRequest(
            method: method, url: apiBase + path,
            headers: [
                HTTPHeader("Authorization", "Bot \(token)"),
                HTTPHeader("User-Agent", "DiscordBot (https://github.com/picoclaw/picoclaw, 1.0)"),
            ], body: body, timeout: .seconds(30), proxy: proxy, maxRedirects: 0)
        if body != nil { request.headers.append(HTTPHeader("Content-Type", contentType)) }
        let response: HTTPResponse
        do {
            response = try await HTTPClient.shared.send(request)
        } catch let error as HTTPClientError {
            throw ChannelAPIError.transport(call: route, error)
        }
        let errorBody =
            response.isSuccess ? nil : try? JSONDecoder().decode(DiscordErrorBody.self, from: Data(response.body))
        let retryAfter =
            errorBody?.retryAfter.map { Duration.seconds(double: $0) }
            ?? response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) }
        let global = errorBody?.global == true || response.header("X-RateLimit-Global") == "true"
        limiter.update(route, response: response, retryAfter: retryAfter, global: global)
        guard response.isSuccess else {
            var message = errorBody?.message ?? "no error message"
            if !token.isEmpty { message = message.replacingAll(token, with: "<redacted>") }
            throw ChannelAPIError.http(call: route, status: response.status, message: message, retryAfter: retryAfter)
        }
        return response
    }

    /// Decodes a JSON response body.
    func get<T: Decodable>(_ path: String, as: T.Type) async throws -> T {
        let response = try await request("GET", path)
        guard let value = try? JSONDecoder().decode(T.self, from: Data(response.body)) else {
            throw ChannelAPIError.malformed(call: "GET \(path)")
        }
        return value
    }
}
