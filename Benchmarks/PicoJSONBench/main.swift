// Micro-benchmark of the gateway's hot JSON envelopes: `JSONParser` + `JSONObjectReader` against `JSONDecoder`,
// and `JSONWriter` against `JSONEncoder`, on the shapes of a Telegram update, an OpenAI stream chunk and
// completion, and an OpenAI chat request (a 4 KB system prompt and 10 history messages).
// Run: swift build -c release --product PicoJSONBench && .build/release/PicoJSONBench [iterations]
import FoundationEssentials
import Glibc
import PicoConfig

// MARK: - The same fields, read both ways

struct User: Decodable, JSONReadable {
    var id: Int64
    var is_bot: Bool?
    var first_name: String?
    var username: String?
    init(json: JSONObjectReader) throws(JSONReadError) {
        id = try json.int64("id")
        is_bot = try json.bool(ifPresent: "is_bot")
        first_name = try json.string(ifPresent: "first_name")
        username = try json.string(ifPresent: "username")
    }
}

struct Chat: Decodable, JSONReadable {
    var id: Int64
    var type: String
    init(json: JSONObjectReader) throws(JSONReadError) {
        id = try json.int64("id")
        type = try json.string("type")
    }
}

struct Entity: Decodable, JSONReadable {
    var type: String
    var offset: Int
    var length: Int
    init(json: JSONObjectReader) throws(JSONReadError) {
        type = try json.string("type")
        offset = try json.int("offset")
        length = try json.int("length")
    }
}

struct Message: Decodable, JSONReadable {
    var message_id: Int64
    var from: User?
    var chat: Chat
    var text: String?
    var entities: [Entity]?
    var message_thread_id: Int64?
    var caption: String?
    init(json: JSONObjectReader) throws(JSONReadError) {
        message_id = try json.int64("message_id")
        from = try json.object(ifPresent: "from")
        chat = try json.object("chat")
        text = try json.string(ifPresent: "text")
        entities = try json.array(ifPresent: "entities")
        message_thread_id = try json.int64(ifPresent: "message_thread_id")
        caption = try json.string(ifPresent: "caption")
    }
}

struct Update: Decodable, JSONReadable {
    var update_id: Int64
    var message: Message?
    init(json: JSONObjectReader) throws(JSONReadError) {
        update_id = try json.int64("update_id")
        message = try json.object(ifPresent: "message")
    }
}

struct Delta: Decodable, JSONReadable {
    var content: String?
    init(json: JSONObjectReader) throws(JSONReadError) { content = try json.string(ifPresent: "content") }
}

struct ChunkChoice: Decodable, JSONReadable {
    var delta: Delta?
    var finish_reason: String?
    init(json: JSONObjectReader) throws(JSONReadError) {
        delta = try json.object(ifPresent: "delta")
        finish_reason = try json.string(ifPresent: "finish_reason")
    }
}

struct Chunk: Decodable, JSONReadable {
    var choices: [ChunkChoice]?
    init(json: JSONObjectReader) throws(JSONReadError) { choices = try json.array(ifPresent: "choices") }
}

struct Usage: Decodable, JSONReadable {
    var prompt_tokens: Int?
    var completion_tokens: Int?
    init(json: JSONObjectReader) throws(JSONReadError) {
        prompt_tokens = try json.int(ifPresent: "prompt_tokens")
        completion_tokens = try json.int(ifPresent: "completion_tokens")
    }
}

struct ResponseMessage: Decodable, JSONReadable {
    var content: String?
    init(json: JSONObjectReader) throws(JSONReadError) { content = try json.string(ifPresent: "content") }
}

struct Choice: Decodable, JSONReadable {
    var message: ResponseMessage?
    var finish_reason: String?
    init(json: JSONObjectReader) throws(JSONReadError) {
        message = try json.object(ifPresent: "message")
        finish_reason = try json.string(ifPresent: "finish_reason")
    }
}

struct Completion: Decodable, JSONReadable {
    var choices: [Choice]?
    var usage: Usage?
    init(json: JSONObjectReader) throws(JSONReadError) {
        choices = try json.array(ifPresent: "choices")
        usage = try json.object(ifPresent: "usage")
    }
}

struct RequestMessage: Encodable {
    var role: String
    var content: String?
}

struct Request: Encodable {
    var model: String
    var messages: [RequestMessage]
    var max_tokens: Int?
    var temperature: Double?

    func written() -> [UInt8] {
        var json = JSONWriter(capacity: 8192)
        json.beginObject()
        json.member("model", model)
        json.key("messages")
        json.beginArray()
        for m in messages {
            json.beginObject()
            json.member("role", m.role)
            json.member("content", m.content)
            json.endObject()
        }
        json.endArray()
        json.member("max_tokens", max_tokens)
        json.member("temperature", temperature)
        json.endObject()
        return json.bytes
    }
}

// MARK: - Payloads

let update = Array(
    #"{"update_id":900000001,"message":{"message_id":4242,"from":{"id":1001,"is_bot":false,"first_name":"Alice","username":"alice","language_code":"en"},"chat":{"id":1001,"first_name":"Alice","username":"alice","type":"private"},"date":1764612345,"text":"hello there, how are you doing today? please summarise this"}}"#
        .utf8)
let chunk = Array(
    #"{"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":1764612345,"model":"fake-model","choices":[{"index":0,"delta":{"content":"Hello! I am fine, thanks for asking."},"finish_reason":null}]}"#
        .utf8)
let completion = Array(
    #"{"id":"chatcmpl-1","object":"chat.completion","created":1764612345,"model":"fake-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! I am fine, thanks for asking. Here is the summary you wanted.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1200,"completion_tokens":19,"total_tokens":1219}}"#
        .utf8)
let request = Request(
    model: "fake-model",
    messages: [
        RequestMessage(role: "system", content: String(repeating: "You are a helpful \"assistant\".\n", count: 128))
    ]
        + (0..<10).map {
            RequestMessage(role: $0 % 2 == 0 ? "user" : "assistant", content: "message number \($0) — ok")
        },
    max_tokens: 4096, temperature: 0.7)

// MARK: - Timing

func now() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Best of 5 runs of `iterations` calls, in microseconds per call.
func measure(_ iterations: Int, _ body: () throws -> Int) rethrows -> Double {
    var sink = 0
    var best = Double.infinity
    for _ in 0..<5 {
        let start = now()
        for _ in 0..<iterations { sink &+= try body() }
        best = min(best, Double(now() - start) / Double(iterations) / 1000)
    }
    if sink == 42 { print("") }
    return best
}

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20000 : 20000
func row(_ name: String, _ old: Double, _ new: Double) {
    let o = (old * 100).rounded() / 100
    let n = (new * 100).rounded() / 100
    let ratio = (old / new * 10).rounded() / 10
    print("\(name): JSONDecoder/JSONEncoder \(o) µs, picoclaw path \(n) µs (\(ratio)x)")
}

try row(
    "telegram update",
    measure(iterations) { try JSONDecoder().decode(Update.self, from: Data(update)).update_id.hashValue },
    measure(iterations) { try JSONObjectReader.read(Update.self, from: update).update_id.hashValue })
try row(
    "openai stream chunk",
    measure(iterations) { try JSONDecoder().decode(Chunk.self, from: Data(chunk)).choices?.count ?? 0 },
    measure(iterations) { try JSONObjectReader.read(Chunk.self, from: chunk).choices?.count ?? 0 })
try row(
    "openai completion",
    measure(iterations) { try JSONDecoder().decode(Completion.self, from: Data(completion)).choices?.count ?? 0 },
    measure(iterations) { try JSONObjectReader.read(Completion.self, from: completion).choices?.count ?? 0 })
try row(
    "openai request (\(request.written().count) bytes)",
    measure(iterations / 4) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try encoder.encode(request).count
    },
    measure(iterations / 4) { request.written().count })
