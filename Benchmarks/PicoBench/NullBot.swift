import Glibc
import PicoFakes
import PicoHTTP

/// The baseline for "gateway overhead": the least a bot can do with the same fakes and the same HTTP stack
/// (PicoHTTP/libcurl, one curl_multi thread), run as its own process like the gateway:
/// long-poll `getUpdates` → `POST /chat/completions` (again after each tool call, with a canned tool result)
/// → `sendMessage`. No config, routing, sessions, policy, typing indicator or logging.
/// What the gateway needs beyond this is its overhead.
enum NullBot {
    static func run(telegramBase: String, token: String, openaiBase: String, apiKey: String) async -> Int32 {
        let http = HTTPClient.shared
        var offset = 0
        while true {
            let poll = HTTPRequest(
                url: "\(telegramBase)/bot\(token)/getUpdates?offset=\(offset)&timeout=30",
                timeout: .seconds(45))
            guard let response = try? await http.send(poll), response.status == 200,
                let updates = JSONValue.parse(response.body)?["result"]?.arrayValue
            else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            for update in updates {
                if let id = update["update_id"]?.intValue { offset = max(offset, id + 1) }
                guard let message = update["message"], let chat = message["chat"]?["id"]?.intValue,
                    let text = message["text"]?.stringValue
                else { continue }
                let reply = await answer(text, http: http, openaiBase: openaiBase, apiKey: apiKey)
                let body: JSONValue = ["chat_id": .int(chat), "text": .string(reply)]
                _ = try? await http.send(.postJSON("\(telegramBase)/bot\(token)/sendMessage", body: body.jsonBytes))
            }
        }
    }

    private static func answer(_ text: String, http: HTTPClient, openaiBase: String, apiKey: String) async -> String {
        var messages: [JSONValue] = [["role": "user", "content": .string(text)]]
        for _ in 0..<4 {
            let body: JSONValue = ["model": "gpt-test", "messages": .array(messages)]
            let request = HTTPRequest.postJSON(
                "\(openaiBase)/chat/completions", body: body.jsonBytes,
                headers: [HTTPHeader("Authorization", "Bearer \(apiKey)")])
            guard let response = try? await http.send(request),
                let message = JSONValue.parse(response.body)?["choices"]?[0]?["message"]
            else { return "error" }
            guard let calls = message["tool_calls"]?.arrayValue, !calls.isEmpty else {
                return message["content"]?.stringValue ?? ""
            }
            messages.append(message)
            for call in calls {
                messages.append(["role": "tool", "tool_call_id": call["id"] ?? .null, "content": "(empty directory)"])
            }
        }
        return "too many tool calls"
    }
}
