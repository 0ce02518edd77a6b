import PicoFakes
import Testing

@testable import PicoConfig

/// `sanitize` returns plain ASCII names as they are without looking at each scalar's properties; for every input
/// it must give what the scalar-by-scalar rules give.
@Suite("Untrusted names")
struct UntrustedNameTests {
    private static let pieces = [
        "a", "Z", "0", "_", ".", " ", "  ", "\t", "\n", "\u{7F}", "\u{1}", "\u{85}", "\u{A0}", "é", "\u{202E}",
        "\u{200D}", "日本", "👍", "~", "-",
    ]

    @Test func plainNamesComeBackUnchangedAndEveryNameAsTheScalarRulesSay() {
        var random = SeededNumbers(seed: 0x5EED)
        for round in 0..<20_000 {
            // Short names mostly; every 16th around the 64-scalar cap.
            let count = round % 16 == 0 ? 60 + random.next(below: 8) : random.next(below: 10)
            var name = ""
            for _ in 0..<count { name += Self.pieces[random.next(below: Self.pieces.count)] }
            #expect(UntrustedName.sanitize(name) == UntrustedName.sanitizeScalars(name), "\(name.debugDescription)")
        }
        #expect(UntrustedName.sanitize("Ada Lovelace") == "Ada Lovelace")
        #expect(UntrustedName.isPlain("Ada Lovelace"))
        #expect(!UntrustedName.isPlain(" Ada"))
        #expect(!UntrustedName.isPlain("Ada  L"))
        #expect(!UntrustedName.isPlain(String(repeating: "a", count: 65)))
        #expect(UntrustedName.sanitize(String(repeating: "a", count: 65)) == String(repeating: "a", count: 64) + "…")
        #expect(UntrustedName.sanitize(nil) == nil)
        #expect(UntrustedName.sanitize("") == nil)
    }
}
