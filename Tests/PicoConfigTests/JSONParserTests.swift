import Testing
@testable import PicoConfig

@Suite struct JSONParserTests {
    @Test func parsesAllValueKinds() throws {
        let v = try JSONParser.parse(#"{"a": [1, -2.5e3, true, false, null, "x\"\\\/\u00e9\ud83d\ude00\n"], "b": {}}"#)
        #expect(
            v
                == .object([
                    "a": .array([
                        .number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null,
                        .string("x\"\\/é😀\n"),
                    ]), "b": .object([:]),
                ]))
    }

    @Test func bigIntegersKeepTheirDigits() throws {
        #expect(try JSONParser.parse("[123456789012345678901]") == .array([.number("123456789012345678901")]))
    }

    @Test func serializerRoundTrips() throws {
        let v = JSONValue.object([
            "k": .strings(["a/b", "c\"d", "\u{1}"]), "n": .int(5), "e": .array([]), "o": .object([:]),
        ])
        #expect(try JSONParser.parse(v.serialized()) == v)
        #expect(v.serialized().contains("\"a/b\""))
    }

    @Test func rejectsInvalidDocuments() {
        for bad in ["01", "[1,]", "{\"a\" 1}", "\"\\x\"", "tru", "[\"\u{1}\"]", "{'a': 1}", "[1e]", "-"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { _ = try JSONParser.parse(bad) }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 10000)
        #expect(throws: JSONSyntaxError.self) { _ = try JSONParser.parse(deep) }
    }
}
