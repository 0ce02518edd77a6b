import Testing

@testable import PicoAgent

/// A session's tail is decoded turn after turn; rows seen by the previous decode are reused. The result must be
/// what decoding every row gives — also for rows that are equal as `String`s but differ in their bytes.
@Suite("Session tail decoding")
struct SessionTailDecodingTests {
    @Test func reusedRowsDecodeAsIfParsedAgain() {
        let precomposed = ChatMessage.user("caf\u{E9}")
        let decomposed = ChatMessage.user("cafe\u{301}")
        #expect(precomposed.jsonRecord == decomposed.jsonRecord)  // canonically equivalent Strings…
        #expect(!precomposed.jsonRecord.utf8.elementsEqual(decomposed.jsonRecord.utf8))  // …of different bytes
        let call = ToolCall(id: "c1", name: "read_file", arguments: #"{"path":"a.txt"}"#)
        var rows = [
            precomposed.jsonRecord, ChatMessage.assistant("", toolCalls: [call]).jsonRecord,
            ChatMessage.tool(callID: "c1", name: "read_file", content: "text").jsonRecord, "{not json",
            ChatMessage.assistant("done").jsonRecord,
        ]
        for turn in 0..<6 {
            let tail = StateSessionStore.decodeTail(rows)
            let parsed = StateSessionStore.decode(rows)
            #expect(tail == parsed)
            #expect(tail.map { Array($0.content.utf8) } == parsed.map { Array($0.content.utf8) })
            #expect(tail.count == rows.filter { $0 != "{not json" }.count)  // the unreadable row is skipped
            // The next turn: the oldest row falls off, the same rows come back, new ones follow (the decomposed
            // text in the even turns, where the precomposed one was decoded before).
            rows.removeFirst()
            rows.append((turn % 2 == 0 ? decomposed : precomposed).jsonRecord)
            rows.append(ChatMessage.assistant("reply \(turn)").jsonRecord)
        }
        let last = StateSessionStore.decodeTail([decomposed.jsonRecord, precomposed.jsonRecord])
        #expect(last.map(\.content).map { Array($0.utf8) } == [Array("cafe\u{301}".utf8), Array("caf\u{E9}".utf8)])
    }
}
