import Hummingbird
import Synchronization

/// OpenAI-compatible chat completions peer: `POST /v1/chat/completions` (client api_base = `baseURL + "/v1"`).
///
/// Answers come from a FIFO script (`enqueue`), then the `responder` closure if set, then `defaultResponse`
/// (`.text("ok")`). If `apiKey` is set, requests without `Authorization: Bearer <apiKey>` get 401.
/// Also serves `GET /v1/models`. With `"stream": true` the answer is sent as SSE chunks ending in `data: [DONE]`.
public final class FakeOpenAI: FakeLLMServer, @unchecked Sendable {
    /// `baseURL + "/v1"`, what OpenAI clients call api_base.
    public var apiBase: String { baseURL + "/v1" }

    private let transcription = Mutex<(text: String, uploads: [(model: String, file: MultipartPart)])>(
        ("hello from a voice note", []))

    /// What `POST /v1/audio/transcriptions` answers (`{"text": …}`).
    public func setTranscript(_ text: String) { transcription.withLock { $0.text = text } }

    /// Files received by `/v1/audio/transcriptions`, with the `model` field.
    public var transcriptionUploads: [(model: String, file: MultipartPart)] { transcription.withLock { $0.uploads } }

    /// - Parameter apiKey: if non-nil, the key every request must carry.
    public init(apiKey: String? = nil) { super.init(name: "openai", apiKey: apiKey) }

    /// Creates and starts a fake on an ephemeral loopback port.
    public static func start(apiKey: String? = nil) async throws -> FakeOpenAI {
        let f = FakeOpenAI(apiKey: apiKey)
        try await f.start()
        return f
    }

    override func handle(_ request: Request, _ context: FakeContext) async throws -> Response {
        let rec = try await record(request)
        if rec.method == "GET", rec.path == "/v1/models" {
            return Reply.json(
                200, ["object": "list", "data": [["id": "fake-model", "object": "model", "owned_by": "picofakes"]]])
        }
        if rec.method == "POST", rec.path == "/v1/audio/transcriptions" {
            if let k = apiKey, rec.header("authorization") != "Bearer \(k)" {
                return Reply.json(401, errorBody(401, message: "Incorrect API key provided."))
            }
            let parts = MultipartParsing.parse(rec.body, contentType: rec.header("content-type") ?? "") ?? []
            guard let file = parts.first(where: { $0.name == "file" && $0.filename != nil }),
                let model = parts.first(where: { $0.name == "model" })?.text
            else {
                return Reply.json(400, errorBody(400, message: "file and model are required"))
            }
            let text = transcription.withLock { t in
                t.uploads.append((model, file))
                return t.text
            }
            return Reply.json(200, ["text": .string(text)])
        }
        guard rec.method == "POST", rec.path == "/v1/chat/completions" else {
            return Reply.json(404, errorBody(404, message: "Unknown request URL: \(rec.method) \(rec.path)"))
        }
        let chat = FakeChatRequest(http: rec, json: rec.json ?? .null)
        if let k = apiKey, rec.header("authorization") != "Bearer \(k)" {
            _ = script.next(for: chat)  // record, but do not consume a scripted answer
            return Reply.json(401, errorBody(401, message: "Incorrect API key provided."))
        }
        guard case .object = chat.json else {
            return Reply.json(400, errorBody(400, message: "We could not parse the JSON body of your request."))
        }
        var (n, response) = script.next(for: chat)
        while true {
            switch response.kind {
            case .wait(let event, let then):
                await event()
                response = then
                continue
            case .drop:
                try await dropConnection(context)
            case .raw(let status, let body, let headers):
                return Reply.make(status, body: Array(body.utf8), contentType: "application/json", headers: headers)
            case .status(let status, let body, let headers):
                let b = body.map { Array($0.utf8) } ?? errorBody(status, message: nil).jsonBytes
                return Reply.make(status, body: b, contentType: "application/json", headers: headers)
            case .text(let text):
                return completion(n, chat, text: text, calls: [])
            case .streamed(let pieces, let pace):
                guard chat.stream else { return completion(n, chat, text: pieces.joined(), calls: []) }
                return streamedCompletion(n, chat, pieces: pieces, pace: pace)
            case .toolCalls(let calls, let text):
                return completion(n, chat, text: text, calls: calls)
            }
        }
    }

    private func completion(
        _ n: Int, _ chat: FakeChatRequest, text: String?, calls: [FakeLLMResponse.ToolCall]
    ) -> Response {
        let id = "chatcmpl-fake\(n)"
        let model = JSONValue.string(chat.model ?? "fake-model")
        let finish: JSONValue = calls.isEmpty ? "stop" : "tool_calls"
        let toolCalls: [JSONValue] = calls.enumerated().map { i, c in
            [
                "index": .int(i), "id": .string(c.id), "type": "function",
                "function": ["name": .string(c.name), "arguments": .string(c.argumentsJSON)],
            ]
        }
        let prompt = estimateTokens(chat.http.body.count)
        let completionTokens = estimateTokens(
            (text ?? "").utf8.count + calls.reduce(0) { $0 + $1.argumentsJSON.utf8.count })
        let usage: JSONValue = [
            "prompt_tokens": .int(prompt), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(prompt + completionTokens),
        ]
        let created = JSONValue.int(unixTime())
        if chat.stream {
            var chunks: [JSONValue] = []
            func chunk(_ delta: JSONValue, _ finish: JSONValue) -> JSONValue {
                [
                    "id": .string(id), "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
                ]
            }
            chunks.append(chunk(["role": "assistant", "content": ""], .null))
            if let text, !text.isEmpty { chunks.append(chunk(["content": .string(text)], .null)) }
            if !toolCalls.isEmpty { chunks.append(chunk(["tool_calls": .array(toolCalls)], .null)) }
            var last = chunk([:], finish)
            if case .object(var o) = last { o["usage"] = usage; last = .object(o) }
            chunks.append(last)
            let sse = chunks.map { "data: \($0.jsonString)\n\n" }.joined() + "data: [DONE]\n\n"
            return Reply.make(200, body: Array(sse.utf8), contentType: "text/event-stream")
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": .optString(text), "refusal": .null]
        if !toolCalls.isEmpty {
            message["tool_calls"] = .array(
                toolCalls.map { tc in
                    guard case .object(var o) = tc else { return tc }
                    o.removeValue(forKey: "index")
                    return .object(o)
                })
        }
        return Reply.json(
            200,
            [
                "id": .string(id), "object": "chat.completion", "created": created, "model": model,
                "choices": [["index": 0, "message": .object(message), "logprobs": .null, "finish_reason": finish]],
                "usage": usage,
            ], headers: ["x-request-id": "req_fake\(n)"])
    }

    /// One `chat.completion.chunk` per piece, then the finish chunk with usage and `[DONE]`.
    private func streamedCompletion(
        _ n: Int, _ chat: FakeChatRequest, pieces: [String],
        pace: @escaping @Sendable (Int) async -> Void
    ) -> Response {
        let model = JSONValue.string(chat.model ?? "fake-model")
        func chunk(_ delta: JSONValue, _ finish: JSONValue, usage: JSONValue? = nil) -> String {
            var o: [String: JSONValue] = [
                "id": .string("chatcmpl-fake\(n)"), "object": "chat.completion.chunk",
                "created": .int(unixTime()), "model": model,
                "choices": [["index": 0, "delta": delta, "finish_reason": finish]],
            ]
            if let usage { o["usage"] = usage }
            return "data: \(JSONValue.object(o).jsonString)\n\n"
        }
        var groups = pieces.map { chunk(["content": .string($0)], .null) }
        if groups.isEmpty { groups = [""] }
        groups[0] = chunk(["role": "assistant", "content": ""], .null) + groups[0]
        let prompt = estimateTokens(chat.http.body.count)
        let usage: JSONValue = [
            "prompt_tokens": .int(prompt), "completion_tokens": .int(estimateTokens(pieces.joined().utf8.count)),
            "total_tokens": .int(prompt + estimateTokens(pieces.joined().utf8.count)),
        ]
        groups[groups.count - 1] += chunk([:], "stop", usage: usage) + "data: [DONE]\n\n"
        return Reply.sse(groups, pace: pace)
    }

    private func errorBody(_ status: Int, message: String?) -> JSONValue {
        let (type, code, defaultMessage): (String, String, String) =
            switch status {
            case 400: ("invalid_request_error", "invalid_request", "Bad request.")
            case 401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
            case 404: ("invalid_request_error", "unknown_url", "Not found.")
            case 429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later.")
            case 503: ("server_error", "overloaded", "The engine is currently overloaded, please try again later.")
            default: ("server_error", "server_error", "The server had an error while processing your request.")
            }
        return [
            "error": [
                "message": .string(message ?? defaultMessage), "type": .string(type), "param": .null,
                "code": .string(code),
            ]
        ]
    }
}
