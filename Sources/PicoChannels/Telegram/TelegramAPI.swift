import PicoConfig
import PicoHTTP
import PicoSystem

extension ChannelAPIError {
    /// Whether Telegram refused the bot token: 401, or 404, its answer to a malformed token.
    var isRejectedBotToken: Bool { status == 401 || status == 404 }
}

/// A thin Bot API client: `POST <base>/bot<token>/<method>` with a JSON body. Never logs URLs.
struct TelegramAPI: Sendable {
    let baseURL: String
    let token: String
    let proxy: String?

    init(baseURL: String, token: String, proxy: String?) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.proxy = proxy
    }

    /// Calls `method` and decodes `result`.
    func call<Params: TelegramParameters, Result: TelegramResult>(
        _ method: String, _ params: Params, as: Result.Type,
        timeout: Duration = .seconds(30)
    ) async throws -> Result {
        try decode(method, try await post(method, params, timeout: timeout), as: Result.self)
    }

    /// `POST` of `params` as JSON to `method`; transport failures become ``ChannelAPIError/transport(call:_:)``.
    func post(_ method: String, _ params: some TelegramParameters, timeout: Duration) async throws -> HTTPResponse {
        var json = JSONWriter()
        json.beginObject()
        params.write(to: &json)
        json.endObject()
        var request = HTTPRequest.postJSON("\(baseURL)/bot\(token)/\(method)", body: json.bytes)
        request.timeout = timeout
        return try await perform(request, method: method)
    }

    /// Calls `method` with a multipart form (file uploads) and decodes `result`.
    func upload<Result: TelegramResult>(
        _ method: String, _ form: MultipartForm, as: Result.Type,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        var request = form.request("\(baseURL)/bot\(token)/\(method)")
        request.timeout = timeout
        return try decode(method, try await perform(request, method: method), as: Result.self)
    }

    /// Sends a prepared Bot API request (transport errors as ``ChannelAPIError``).
    private func perform(_ prepared: HTTPRequest, method: String) async throws -> HTTPResponse {
        var request = prepared
        request.proxy = proxy
        request.maxRedirects = 0
        do {
            return try await HTTPClient.shared.send(request)
        } catch let error as HTTPClientError {
            throw ChannelAPIError.transport(call: method, error)
        }
    }

    /// `result` of a successful reply, else the reply's error.
    private func decode<Result: TelegramResult>(
        _ method: String, _ response: HTTPResponse, as: Result.Type
    ) throws
        -> Result
    {
        let reply = try? JSONObjectReader.read(TelegramReply.self, from: response.body)
        if response.isSuccess, let reply, reply.ok == true, let result = reply.result,
            let value = try? Result(result: result)
        {
            return value
        }
        throw failure(method, response, reply: reply)
    }

    /// The error for a reply that is not a successful one (`reply`: the body read as a reply, when it is one).
    func failure(_ method: String, _ response: HTTPResponse, reply: TelegramReply? = nil) -> ChannelAPIError {
        if let reply = reply ?? (try? JSONObjectReader.read(TelegramReply.self, from: response.body)), reply.ok != true,
            reply.errorCode != nil || reply.description != nil
        {
            let status = response.isSuccess ? (reply.errorCode ?? 400) : response.status
            return .http(
                call: method, status: status, message: redact(reply.description ?? "error"),
                retryAfter: reply.parameters?.retryAfter.map { .seconds($0) })
        }
        if !response.isSuccess {
            let retryAfter = response.header("Retry-After").flatMap { RetryPolicy.parseRetryAfter($0) }
            return .http(call: method, status: response.status, message: "no API error body", retryAfter: retryAfter)
        }
        return .malformed(call: method)
    }

    /// Removes the token from text that came from the server (defence in depth).
    func redact(_ text: String) -> String {
        token.isEmpty ? text : text.replacingAll(token, with: "<redacted>")
    }
}
