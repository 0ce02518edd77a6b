@testable import PicoChannels
import PicoSystem
import Testing

@Suite("Telegram formatter")
struct TelegramFormatterTests {
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
