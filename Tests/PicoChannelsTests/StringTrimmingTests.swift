import PicoFakes
import PicoSystem
import Testing

/// `trimming(_:)` and `trimmedSpaces` decide on UTF-8 bytes where they can; they must trim exactly the
/// `Character`s the plain loop over characters trims — CR LF is one character, a combining mark joins the space
/// before it, a prepended mark the space after it.
@Suite("String trimming")
struct StringTrimmingTests {
    /// The definition: whole characters off both ends while they are in `set` (or match `isTrimmed`).
    private func reference(_ s: Substring, _ isTrimmed: (Character) -> Bool) -> String {
        var s = s
        while let f = s.first, isTrimmed(f) { s.removeFirst() }
        while let l = s.last, isTrimmed(l) { s.removeLast() }
        return String(s)
    }

    private static let pieces = [
        " ", "\t", "\r", "\n", "\r\n", "a", "Z", "-", ":", "é", "e\u{301}", "\u{301}", "\u{600}", "👍", "\u{200D}",
        "🇩🇪", "\u{FE0F}", "\u{0903}", "日", "x",
    ]
    private static let sets = [" \t\r\n", " \t", "\r\n", "\r", "\n", " ", "x", "\r\r\n", "\n\r", "-:", "é ", ""]

    @Test func agreesWithTheCharacterLoopOnRandomText() {
        var random = SeededNumbers(seed: 18)
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<random.next(below: 9) { text += Self.pieces[random.next(below: Self.pieces.count)] }
            let set = Self.sets[random.next(below: Self.sets.count)]
            #expect(
                text.trimming(set) == reference(Substring(text), { set.contains($0) }),
                "\(text.debugDescription) / \(set.debugDescription)")
            #expect(
                text.trimmedSpaces
                    == reference(Substring(text), { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }),
                "\(text.debugDescription)")
            // A slice whose ends are character boundaries (as callers cut at a found character).
            if text.count > 2 {
                let slice = text.dropFirst().dropLast()
                #expect(slice.trimming(set) == reference(slice, { set.contains($0) }))
                #expect(
                    slice.trimmedSpaces == reference(slice, { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
            }
        }
    }

    @Test func crLFIsOneCharacter() {
        #expect("Content-Type: a\r\n".trimming("\r\n") == "Content-Type: a")
        #expect("a\r\n".trimming("\r") == "a\r\n")  // CR is not the CR LF character
        #expect("a\r\n".trimmedSpaces == "a\r\n")  // nor is LF: as before, a trailing CR LF stays
        #expect("\n\ra\r".trimmedSpaces == "a")
        #expect(" \u{301}a ".trimming(" ") == " \u{301}a")  // the combining mark joins the first space
        #expect(" a\u{600} ".trimming(" ") == "a\u{600} ")  // the prepended mark joins the last space
        #expect("  value \t".trimming(" \t") == "value")
        #expect("   ".trimming(" ") == "")
    }
}
