@testable import PicoChannels
import PicoFakes
import Testing

@Suite("Telegram HTML")
struct TelegramHTMLTests {
    @Test func escapesAndConverts() {
        #expect(TelegramHTML.render("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d")
        #expect(
            TelegramHTML.render("**bold** __also__ *it* _it_ ~~gone~~")
                == "<b>bold</b> <b>also</b> <i>it</i> <i>it</i> <s>gone</s>")
        #expect(TelegramHTML.render("snake_case_name and 2 * 3 * 4") == "snake_case_name and 2 * 3 * 4")
        #expect(TelegramHTML.render("`<tag>` here") == "<code>&lt;tag&gt;</code> here")
        #expect(TelegramHTML.render("# Title\n- item\n> quote") == "<b>Title</b>\n• item\nquote")
        #expect(
            TelegramHTML.render("[site](https://x.example/?a=1&b=\"2\")")
                == "<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">site</a>")
        #expect(TelegramHTML.render("[bad](javascript:alert(1))") == "[bad](javascript:alert(1))")
        #expect(TelegramHTML.render("```\n<b>raw</b>\n```") == "<pre><code>&lt;b&gt;raw&lt;/b&gt;</code></pre>")
        #expect(
            TelegramHTML.render("```py\nunterminated") == "<pre><code class=\"language-py\">unterminated</code></pre>")
        #expect(TelegramHTML.render("**unclosed bold") == "**unclosed bold")
    }

    /// Plain text is escaped in runs; the output must be what escaping character by character gives, markup
    /// or not, whatever joins the characters (combining marks after markers, CR LF, emoji).
    @Test func plainRunsRenderAsCharacterByCharacter() {
        let pieces = [
            "a", "word", " ", "*", "**", "_", "__", "~~", "`", "[", "]", "(", ")", "https://x.example", "&", "<", ">",
            "\"", "é", "e\u{301}", "*\u{301}", "_\u{301}", "\r\n", "\t", "👍", "日本", "1", "[a](https://b.c)",
        ]
        var random = SeededNumbers(seed: 18)
        for _ in 0..<5_000 {
            var line = ""
            for _ in 0..<random.next(below: 14) { line += pieces[random.next(below: pieces.count)] }
            #expect(
                TelegramHTML.inline(Substring(line)) == TelegramHTML.inline(Substring(line), plainRuns: false),
                "\(line.debugDescription)")
        }
    }
}
