import FoundationEssentials
import PicoConfig
import PicoFakes
import Testing

@testable import PicoAgent

/// OpenAI completions and stream chunks are read with `JSONParser` + `JSONObjectReader`, and requests written
/// with `JSONWriter`, instead of `JSONDecoder`/`JSONEncoder`. The former `Decodable` types are kept below as a
/// reference (test-only): both readings accept the same documents with the same fields, on realistic payloads
/// and on every one-field hostile variant of them.
@Suite("OpenAI wire reading and writing")
struct OpenAIWireReadingTests {
    static let responses: [String] = [
        #"{"id":"chatcmpl-1","object":"chat.completion","created":1764612345,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello \"there\" \u00e9\ud83d\ude00","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129}}"#,
        #"{"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"a.txt\"}"}},{"type":"function","function":{"name":"exec","arguments":{"command":"ls","n":2}}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":300,"completion_tokens":20,"cost":0.00042}}"#,
        #"{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#,
    ]

    static let chunks: [String] = [
        #"{"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":1764612345,"model":"fake-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"chatcmpl-fake1","object":"chat.completion.chunk","created":1764612345,"model":"fake-model","choices":[{"index":0,"delta":{"content":"Hello! \n I am fine."},"finish_reason":null}]}"#,
        #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"web_search","arguments":"{\"q\":"}}]},"finish_reason":null}]}"#,
        #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"#,
        #"{"error":{"message":"overloaded","code":503}}"#,
    ]

    @Test func completionsReadTheSame() throws {
        for text in Self.responses {
            for variant in [text] + DecodeAgreement.variants(of: text) {
                let new = try? JSONObjectReader.read(OpenAIWire.Response.self, from: Array(variant.utf8))
                let old = try? JSONDecoder().decode(ReferenceResponse.self, from: Data(variant.utf8))
                #expect(new.map(DecodeAgreement.describe) == old.map(DecodeAgreement.describe), "\(variant)")
            }
        }
        let calls = try JSONObjectReader.read(OpenAIWire.Response.self, from: Array(Self.responses[1].utf8))
        #expect(calls.choices?.first?.message?.tool_calls?.count == 2)
        #expect(calls.usage?.cost == 0.00042)
    }

    @Test func streamChunksReadTheSame() {
        var compared = 0
        for text in Self.chunks {
            for variant in [text] + DecodeAgreement.variants(of: text) {
                let new = try? JSONObjectReader.read(OpenAIStreamAssembly.Chunk.self, from: Array(variant.utf8))
                let old = try? JSONDecoder().decode(ReferenceChunk.self, from: Data(variant.utf8))
                #expect(new.map(DecodeAgreement.describe) == old.map(DecodeAgreement.describe), "\(variant)")
                compared += 1
            }
        }
        #expect(compared > 300)
    }

    @Test func brokenDocumentsAreRefusedWithAClearError() async throws {
        for bad in ["", "{", #"{"choices":[}"#, #"{"choices":"x"}"#, "[]", #"{"choices":[{"message":{"content":5}}]}"#]
        {
            #expect((try? JSONObjectReader.read(OpenAIWire.Response.self, from: Array(bad.utf8))) == nil, "\(bad)")
            #expect((try? JSONDecoder().decode(ReferenceResponse.self, from: Data(bad.utf8))) == nil, "\(bad)")
        }
        #expect(
            throws: JSONReadError(
                path: ["choices", "0", "message", "content"], problem: "expected a string, got number")
        ) {
            _ = try JSONObjectReader.read(
                OpenAIWire.Response.self, from: Array(#"{"choices":[{"message":{"content":5}}]}"#.utf8))
        }
        let assembly = OpenAIStreamAssembly(
            provider: "p",
            transport: ProviderTransport(
                provider: "p", apiKey: Secret(""), redactor: SecretRedactor(secrets: []), retry: .standard,
                logger: .init(label: "t")),
            observer: { _ in })
        #expect(throws: ProviderError.self) { try assembly.add(SSEEvent(event: "message", data: #"{"choices":[{"#)) }
    }

    @Test func requestBodyIsWrittenDirectly() throws {
        let request = OpenAIWire.Request(
            model: "gpt-4o",
            messages: [
                .init(role: "system", content: "You are \"pico\".\n"),
                .init(role: "user", content: "look", images: [ImageInput(mimeType: "image/png", data: [1, 2, 3])]),
                .init(
                    role: "assistant", content: nil,
                    tool_calls: [.init(id: "call_1", function: .init(name: "exec", arguments: #"{"command":"ls"}"#))]),
                .init(role: "tool", content: "a\u{0}b", tool_call_id: "call_1"),
            ], tool_choice: "auto", max_tokens: 512, max_completion_tokens: nil, temperature: 0.7)
        let tools = Array(#"[{"type":"function","function":{"name":"exec"}}]"#.utf8)
        let body = String(decoding: request.body(tools: tools, stream: true), as: UTF8.self)
        #expect(
            body
                == #"{"model":"gpt-4o","messages":[{"role":"system","content":"You are \"pico\".\n"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"exec","arguments":"{\"command\":\"ls\"}"}}]},{"role":"tool","content":"a\u0000b","tool_call_id":"call_1"}],"tool_choice":"auto","max_tokens":512,"temperature":0.7,"tools":[{"type":"function","function":{"name":"exec"}}],"stream":true,"stream_options":{"include_usage":true}}"#
        )
        // The body is JSON that JSONDecoder reads back to the same text.
        struct Back: Decodable {
            struct M: Decodable { var role: String; var tool_call_id: String? }
            var model: String
            var messages: [M]
            var temperature: Double
        }
        let back = try JSONDecoder().decode(Back.self, from: Data(body.utf8))
        #expect(back.messages.map(\.role) == ["system", "user", "assistant", "tool"] && back.temperature == 0.7)
        let plain = OpenAIWire.Request(
            model: "o3", messages: [], tool_choice: nil, max_tokens: nil, max_completion_tokens: 9)
        #expect(
            String(decoding: plain.body(tools: nil, stream: false), as: UTF8.self)
                == #"{"model":"o3","messages":[],"max_completion_tokens":9}"#)
    }
}

// MARK: - The former Decodable types (reference only)

struct ReferenceUsage: Decodable {
    var prompt_tokens: Int?
    var completion_tokens: Int?
    var cost: Double?
}

struct ReferenceResponse: Decodable {
    var choices: [Choice]?
    var usage: ReferenceUsage?
    var error: PicoConfig.JSONValue?

    struct Choice: Decodable {
        var message: ResponseMessage?
        var finish_reason: String?
    }

    struct ResponseMessage: Decodable {
        var content: String?
        var tool_calls: [InCall]?
    }

    struct InCall: Decodable {
        var id: String?
        var function: InFunction
    }

    struct InFunction: Decodable {
        var name: String
        var arguments: PicoConfig.JSONValue?
    }
}

struct ReferenceChunk: Decodable {
    var choices: [Choice]?
    var usage: ReferenceUsage?
    var error: PicoConfig.JSONValue?

    struct Choice: Decodable {
        var delta: Delta?
        var finish_reason: String?
    }

    struct Delta: Decodable {
        var content: String?
        var tool_calls: [Call]?
    }

    struct Call: Decodable {
        var index: Int?
        var id: String?
        var function: Function?
    }

    struct Function: Decodable {
        var name: String?
        var arguments: PicoConfig.JSONValue?
    }
}

/// Session history records (state rows and JSONL lines) are read and written without Codable; rows written by
/// the former `JSONEncoder` path still read back, and every one-field variant reads as the former type did.
@Suite("Session history records")
struct SessionRecordTests {
    static let messages: [ChatMessage] = [
        .system("You are \"pico\".\n/path\u{1}"),
        .user("hello é😀"),
        .assistant("", toolCalls: [ToolCall(id: "call_1", name: "exec", arguments: #"{"command":"ls"}"#)]),
        .tool(callID: "call_1", name: "exec", content: "a\nb"),
    ]

    @Test func recordsRoundTripAndMatchTheFormerEncoding() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for message in Self.messages {
            let record = message.jsonRecord
            #expect(try JSONObjectReader.read(ChatMessage.self, from: Array(record.utf8)) == message)
            // A row the former Codable path wrote reads back the same.
            let former = try encoder.encode(ReferenceChatMessage(message))
            #expect(try JSONObjectReader.read(ChatMessage.self, from: Array(former)) == message)
            // And the former decoder reads the new record.
            #expect(try JSONDecoder().decode(ReferenceChatMessage.self, from: Data(record.utf8)).message == message)
            for variant in DecodeAgreement.variants(of: record) {
                let new = try? JSONObjectReader.read(ChatMessage.self, from: Array(variant.utf8))
                let old = try? JSONDecoder().decode(ReferenceChatMessage.self, from: Data(variant.utf8))
                #expect(new == old?.message, "\(variant)")
            }
        }
    }
}

/// The former `Codable` form of a session record (reference only).
struct ReferenceChatMessage: Codable {
    struct Call: Codable {
        var id: String
        var name: String
        var arguments: String
    }
    enum Role: String, Codable { case system, user, assistant, tool }
    var role: Role
    var content: String
    var toolCalls: [Call]?
    var toolCallId: String?
    var name: String?

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallId = "tool_call_id"
    }

    init(_ m: ChatMessage) {
        role = Role(rawValue: m.role.rawValue)!
        content = m.content
        toolCalls = m.toolCalls?.map { Call(id: $0.id, name: $0.name, arguments: $0.arguments) }
        toolCallId = m.toolCallId
        name = m.name
    }

    var message: ChatMessage {
        ChatMessage(
            role: ChatRole(rawValue: role.rawValue)!, content: content,
            toolCalls: toolCalls?.map { ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) },
            toolCallId: toolCallId, name: name)
    }
}
