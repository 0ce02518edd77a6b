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
        #expect(MessageSplitter.split(para, limit: 100) == [String(repeating: "a", count: 60), String(repeating: "b", count: 60)])
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

@Suite("Telegram formatting")
struct TelegramFormattingTests {
    @Test func escapesAndConverts() {
        #expect(TelegramHTML.render("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d")
        #expect(TelegramHTML.render("**bold** __also__ *it* _it_ ~~gone~~") == "<b>bold</b> <b>also</b> <i>it</i> <i>it</i> <s>gone</s>")
        #expect(TelegramHTML.render("snake_case_name and 2 * 3 * 4") == "snake_case_name and 2 * 3 * 4")
        #expect(TelegramHTML.render("`<tag>` here") == "<code>&lt;tag&gt;</code> here")
        #expect(TelegramHTML.render("# Title\n- item\n> quote") == "<b>Title</b>\n• item\nquote")
        #expect(TelegramHTML.render("[site](https://x.example/?a=1&b=\"2\")") == "<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">site</a>")
        #expect(TelegramHTML.render("[bad](javascript:alert(1))") == "[bad](javascript:alert(1))")
        #expect(TelegramHTML.render("```\n<b>raw</b>\n```") == "<pre><code>&lt;b&gt;raw&lt;/b&gt;</code></pre>")
        #expect(TelegramHTML.render("```py\nunterminated") == "<pre><code class=\"language-py\">unterminated</code></pre>")
        #expect(TelegramHTML.render("**unclosed bold") == "**unclosed bold")
    }

    @Test func formattedChunksStayWithinTheLimit() {
        // Escaping makes "<" five times longer: the formatter must re-split.
        let text = String(repeating: "<<<< ", count: 2000)
        let chunks = TelegramFormatter.chunks(text)
        #expect(chunks.count > 3)
        for c in chunks {
            #expect(c.html.utf16.count <= 4096)
            #expect(c.plain.utf16.count <= 4096)
        }
        let same = chunks.map(\.plain).joined(separator: " ").trimming(" ") == text.trimming(" ")
        #expect(same)
    }
}

@Suite("HandoffQueue")
struct HandoffQueueTests {
    @Test func waitUntilTakenReturnsOnlyAfterTheConsumerTookIt() async {
        let queue = HandoffQueue<Int>(capacity: 1)
        let stream = queue.makeStream()
        let producer = Task { await queue.put(1, waitUntilTaken: true) }
        var it = stream.makeAsyncIterator()
        #expect(await it.next() == 1)
        #expect(await producer.value == true)
    }

    @Test func finishWithdrawsUntakenElementsAndEndsTheStream() async {
        let queue = HandoffQueue<Int>(capacity: 4)
        #expect(await queue.put(1) == true)
        let waiting = Task { await queue.put(2, waitUntilTaken: true) }
        try? await Task.sleep(for: .milliseconds(20))
        queue.finish()
        #expect(await waiting.value == false)
        var it = queue.makeStream().makeAsyncIterator()
        #expect(await it.next() == 1)  // buffered, already handed off
        #expect(await it.next() == nil)
        #expect(await queue.put(3) == false)
    }

    @Test func cancelledPutReturnsFalse() async {
        let queue = HandoffQueue<Int>(capacity: 1)
        let t = Task { await queue.put(1, waitUntilTaken: true) }
        t.cancel()
        #expect(await t.value == false)
    }
}
