import Hummingbird
import Synchronization

/// Anthropic Messages API peer: `POST /v1/messages` (client api_base = `baseURL`).
///
/// Same scripting API as `FakeOpenAI` (`enqueue`, `setResponder`, `setDefaultResponse`). If `apiKey` is set,
/// requests must carry `x-api-key: <apiKey>`; `anthropic-version` is required (400 without it).
/// Errors use `{"type":"error","error":{"type":"rate_limit_error","message":…}}`.
public final class FakeAnthropic: FakeLLMServer, @unchecked Sendable {
    /// - Parameter apiKey: if non-nil, the key every request must carry.
    public init(apiKey: String? = nil) { super.init(name: "anthropic", apiKey: apiKey) }

    /// Creates and starts a fake on an ephemeral loopback port.
    public static func start(apiKey: String? = nil) async throws -> FakeAnthropic {
        let f = FakeAnthropic(apiKey: apiKey)
        try await f.start()
        return f
    }

    override func handle(_ request: Request, _ context: FakeContext) async throws -> Response {
        let rec = try await record(request)
        guard rec.method == "POST", rec.path == "/v1/messages" else {
            return Reply.json(404, Self.error(404, message: "Not found"))
        }
        let chat = FakeChatRequest(http: rec, json: rec.json ?? .null)
        if let k = apiKey, rec.header("x-api-key") != k {
            _ = script.next(for: chat)
            return Reply.json(401, Self.error(401, message: "invalid x-api-key"))
        }
        guard rec.header("anthropic-version") != nil else {
            return Reply.json(400, Self.error(400, message: "anthropic-version: header is required"))
        }
        guard case .object = chat.json else {
            return Reply.json(400, Self.error(400, message: "There was an issue with the request body: invalid JSON"))
        }
        guard chat.json["max_tokens"]?.intValue != nil else {
            return Reply.json(400, Self.error(400, message: "max_tokens: Field required"))
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
                let b = body.map { Array($0.utf8) } ?? Self.error(status, message: nil).jsonBytes
                return Reply.make(status, body: b, contentType: "application/json", headers: headers)
            case .text(let text):
                return chat.stream
                    ? streamed(n, chat, pieces: [text], calls: [], pace: { _ in })
                    : message(n, chat, text: text, calls: [])
            case .toolCalls(let calls, let text):
                return chat.stream
                    ? streamed(n, chat, pieces: text.map { [$0] } ?? [], calls: calls, pace: { _ in })
                    : message(n, chat, text: text, calls: calls)
            case .streamed(let pieces, let pace):
                return chat.stream
                    ? streamed(n, chat, pieces: pieces, calls: [], pace: pace)
                    : message(n, chat, text: pieces.joined(), calls: [])
            }
        }
    }

    private func message(
        _ n: Int, _ chat: FakeChatRequest, text: String?, calls: [FakeLLMResponse.ToolCall]
    ) -> Response {
        var content: [JSONValue] = []
        if let text { content.append(["type": "text", "text": .string(text)]) }
        for c in calls {
            content.append([
                "type": "tool_use", "id": .string(c.id), "name": .string(c.name),
                "input": JSONValue.parse(c.argumentsJSON) ?? [:],
            ])
        }
        let input = estimateTokens(chat.http.body.count)
        let output = estimateTokens((text ?? "").utf8.count + calls.reduce(0) { $0 + $1.argumentsJSON.utf8.count })
        return Reply.json(
            200,
            [
                "id": .string("msg_fake\(n)"), "type": "message", "role": "assistant",
                "model": .string(chat.model ?? "claude-fake"), "content": .array(content),
                "stop_reason": calls.isEmpty ? "end_turn" : "tool_use", "stop_sequence": .null,
                "usage": [
                    "input_tokens": .int(input), "output_tokens": .int(output),
                    "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                ],
            ], headers: ["request-id": "req_fake\(n)"])
    }

    /// The Messages event stream: `message_start`, a text block with one `text_delta` per piece (paced), one
    /// `tool_use` block per call with its input in two `input_json_delta` parts, `message_delta`, `message_stop`.
    private func streamed(
        _ n: Int, _ chat: FakeChatRequest, pieces: [String], calls: [FakeLLMResponse.ToolCall],
        pace: @escaping @Sendable (Int) async -> Void
    ) -> Response {
        func event(_ type: String, _ body: [String: JSONValue]) -> String {
            var o = body
            o["type"] = .string(type)
            return "event: \(type)\ndata: \(JSONValue.object(o).jsonString)\n\n"
        }
        let input = estimateTokens(chat.http.body.count)
        let start = event(
            "message_start",
            [
                "message": [
                    "id": .string("msg_fake\(n)"), "type": "message", "role": "assistant",
                    "model": .string(chat.model ?? "claude-fake"),
                    "content": [], "stop_reason": .null, "usage": ["input_tokens": .int(input), "output_tokens": 1],
                ]
            ])
        var groups: [String] = []
        var index = 0
        if !pieces.isEmpty {
            groups = pieces.map {
                event("content_block_delta", ["index": 0, "delta": ["type": "text_delta", "text": .string($0)]])
            }
            groups[0] =
                event("content_block_start", ["index": 0, "content_block": ["type": "text", "text": ""]]) + groups[0]
            groups[groups.count - 1] += event("content_block_stop", ["index": 0])
            index = 1
        }
        var tail = ""
        for c in calls {
            let half = c.argumentsJSON.index(c.argumentsJSON.startIndex, offsetBy: c.argumentsJSON.count / 2)
            tail += event(
                "content_block_start",
                [
                    "index": .int(index),
                    "content_block": [
                        "type": "tool_use", "id": .string(c.id), "name": .string(c.name), "input": [:],
                    ],
                ])
            for part in [String(c.argumentsJSON[..<half]), String(c.argumentsJSON[half...])] {
                tail += event(
                    "content_block_delta",
                    ["index": .int(index), "delta": ["type": "input_json_delta", "partial_json": .string(part)]])
            }
            tail += event("content_block_stop", ["index": .int(index)])
            index += 1
        }
        let output = estimateTokens(pieces.joined().utf8.count + calls.reduce(0) { $0 + $1.argumentsJSON.utf8.count })
        tail += event(
            "message_delta",
            [
                "delta": ["stop_reason": calls.isEmpty ? "end_turn" : "tool_use", "stop_sequence": .null],
                "usage": ["output_tokens": .int(output)],
            ])
        tail += event("message_stop", [:])
        if groups.isEmpty { groups = [""] }
        groups[0] = start + groups[0]
        groups[groups.count - 1] += tail
        return Reply.sse(groups, pace: pace)
    }

    static func error(_ status: Int, message: String?) -> JSONValue {
        let (type, dflt): (String, String) =
            switch status {
            case 400: ("invalid_request_error", "Invalid request.")
            case 401: ("authentication_error", "invalid x-api-key")
            case 403: ("permission_error", "Your API key does not have permission to use the specified resource.")
            case 404: ("not_found_error", "The requested resource could not be found.")
            case 413: ("request_too_large", "Request exceeds the maximum allowed number of bytes.")
            case 429: ("rate_limit_error", "Number of requests has exceeded your rate limit.")
            case 529: ("overloaded_error", "Overloaded")
            default: ("api_error", "Internal server error")
            }
        return ["type": "error", "error": ["type": .string(type), "message": .string(message ?? dflt)]]
    }
}
