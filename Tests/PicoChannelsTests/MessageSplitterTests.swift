@testable import PicoChannels
import PicoSystem
import Testing

@Suite("MessageSplitter")
struct MessageSplitterTests {
    @Test func shortTextIsOneChunk() {
        #expect(MessageSplitter.split("hello", limit: 100) == ["hello"])
        #expect(MessageSplitter.split("", limit: 100) == [])
    }

    @Test func prefersParagraphThenLineThenWord() {
        let para = String(repeating: "a", count: 60) + "\n\n" + String(repeating: "b", count: 60)
        #expect(
            MessageSplitter.split(para, limit: 100) == [
                String(repeating: "a", count: 60), String(repeating: "b", count: 60),
            ])
        let lines = String(repeating: "a", count: 60) + "\n" + String(repeating: "b", count: 60)
        #expect(MessageSplitter.split(lines, limit: 100).count == 2)
        let words = Array(repeating: "word", count: 50).joined(separator: " ")
        let chunks = MessageSplitter.split(words, limit: 64)
        #expect(chunks.allSatisfy { $0.count <= 64 && !$0.hasPrefix(" ") && !$0.hasSuffix(" ") })
        #expect(chunks.joined(separator: " ") == words)
        #expect(chunks.allSatisfy { $0.split(separator: " ").allSatisfy { $0 == "word" } })
    }

    @Test func hardCutWithoutBoundaries() {
        let text = String(repeating: "x", count: 250)
        let chunks = MessageSplitter.split(text, limit: 100)
        #expect(chunks.map(\.count) == [96, 96, 58])  // room is kept for a possible closing fence
        #expect(chunks.joined() == text)
    }

    @Test func neverSplitsGraphemesAndCountsUTF16ForTelegram() {
        let family = "👨‍👩‍👧‍👦"  // one grapheme, 11 UTF-16 units, 7 scalars
        let text = String(repeating: family, count: 40)
        let chunks = MessageSplitter.split(text, limit: 100, unit: .utf16)
        #expect(chunks.allSatisfy { $0.utf16.count <= 100 })
        #expect(chunks.joined() == text)
        #expect(chunks.allSatisfy { $0.allSatisfy { $0 == Character(family) } })
        let scalarChunks = MessageSplitter.split(text, limit: 100, unit: .unicodeScalars)
        #expect(scalarChunks.allSatisfy { $0.unicodeScalars.count <= 100 })
        #expect(scalarChunks.joined() == text)
    }

    @Test func codeFencesAreClosedAndReopened() {
        let code = (0..<40).map { "let value\($0) = \($0)" }.joined(separator: "\n")
        let text = "Here is code:\n```swift\n" + code + "\n```\nDone."
        let chunks = MessageSplitter.split(text, limit: 200)
        #expect(chunks.count > 2)
        for chunk in chunks {
            #expect(chunk.count <= 200)
            let fences = chunk.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("```") }
            #expect(fences.count % 2 == 0, "unbalanced fences in: \(chunk)")
        }
        #expect(chunks[1].hasPrefix("```swift\n"))
        #expect(chunks.last!.hasSuffix("Done."))
    }

    @Test func tenThousandCharactersAtDiscordLimit() {
        let text = (0..<400).map { "Sentence number \($0) ends here." }.joined(separator: " ")
        #expect(text.count > 10_000)
        let chunks = MessageSplitter.split(text, limit: MessageSplitter.discordLimit)
        #expect(chunks.count >= 6 && chunks.count <= 8)
        #expect(chunks.allSatisfy { $0.unicodeScalars.count <= 2000 })
        let same = chunks.joined(separator: " ") == text
        #expect(same)
    }
}
