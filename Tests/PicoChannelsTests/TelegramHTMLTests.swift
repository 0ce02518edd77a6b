@testable import PicoChannels
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
}
