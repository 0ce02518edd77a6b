import FoundationEssentials
import Testing

@testable import PicoConfig

/// The pieces of the hot JSON path: the parser's fast paths, `JSONWriter` and `JSONObjectReader`, each checked
/// against `JSONDecoder`/`JSONEncoder` or an independent oracle.
@Suite struct JSONWireTests {
    /// A deterministic generator, so a failure names a reproducible case.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Strings with every kind of character that needs care: quotes, backslashes, every control character,
    /// `/`, DEL, non-ASCII of each UTF-8 length, U+2028/2029.
    static func awkwardStrings() -> [String] {
        var g = Generator(state: 18)
        let pool: [Unicode.Scalar] =
            (0..<0x20).map { Unicode.Scalar($0)! }
            + ["\"", "\\", "/", "a", "Z", " ", "\u{7F}", "é", "€", "😀", "\u{2028}", "\u{2029}", "\u{FEFF}", "中"]
        return (0..<300).map { _ in
            var s = String.UnicodeScalarView()
            for _ in 0..<g.below(40) { s.append(pool[g.below(pool.count)]) }
            return String(s)
        }
    }

    @Test func writtenStringsAreValidJSONThatReadsBackExactly() throws {
        for s in Self.awkwardStrings() {
            var json = JSONWriter()
            json.beginArray()
            json.string(s)
            json.endArray()
            #expect(try JSONDecoder().decode([String].self, from: Data(json.bytes)) == [s])
            #expect(try JSONParser.parse(json.bytes) == .array([.string(s)]))
            // RFC 8259: no raw control character may remain.
            #expect(!json.bytes.contains { $0 < 0x20 })
        }
    }

    /// Long plain runs with an awkward character here and there, at every offset of the writer's 8-byte steps.
    @Test func sparseEscapesAtEveryOffsetReadBackExactly() throws {
        var g = Generator(state: 8)
        let awkward: [String] = ["\"", "\\", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "😀", "/"]
        for _ in 0..<2_000 {
            var s = ""
            for _ in 0..<g.below(60) {
                s += g.below(12) == 0 ? awkward[g.below(awkward.count)] : String(repeating: "a", count: g.below(9))
            }
            var json = JSONWriter()
            json.string(s)
            #expect(try JSONParser.parse(json.bytes) == .string(s))
            #expect(!json.bytes.contains { $0 < 0x20 })
            let plain = s.utf8.filter { $0 != 0x22 && $0 != 0x5C && $0 >= 0x20 }.count
            let escaped = s.utf8.count - plain
            let short = s.utf8.filter { [0x22, 0x5C, 0x0A].contains($0) }.count
            // Two quotes, every plain byte once, `\X` for the short forms and `\u00XX` for the others.
            #expect(json.bytes.count == 2 + plain + 2 * short + 6 * (escaped - short))
        }
    }

    @Test func escapesAreTheShortForms() {
        var json = JSONWriter()
        json.string("\"\\/\n\r\t\u{8}\u{C}\u{0}\u{1F}é")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""\"\\/\n\r\t\b\f\u0000\u001fé""#)
    }

    @Test func containersNumbersAndValuesAreWrittenWithCommasInPlace() throws {
        var json = JSONWriter()
        json.beginObject()
        json.member("a", 1 as Int)
        json.member("skipped", nil as String?)
        json.key("list")
        json.beginArray()
        json.int(Int64.min)
        json.double(0.1)
        json.double(.infinity)
        json.bool(false)
        json.null()
        json.beginObject()
        json.endObject()
        json.beginArray()
        json.endArray()
        json.endArray()
        json.key("v")
        json.value(.object(["z": .number("1.50"), "b": .array([.string("x"), .null])]))
        json.key("raw")
        json.raw(Array(#"{"k":[1,2]}"#.utf8))
        json.endObject()
        #expect(
            String(decoding: json.bytes, as: UTF8.self)
                == #"{"a":1,"list":[-9223372036854775808,0.1,null,false,null,{},[]],"v":{"b":["x",null],"z":1.50},"raw":{"k":[1,2]}}"#
        )
    }

    @Test func parserStringsAgreeWithJSONDecoder() throws {
        var g = Generator(state: 7)
        let escapes = [
            #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#, #"\u00e9"#, #"\ud83d\ude00"#, #"\u0000"#,
        ]
        let plain = ["a", "é", "😀", " ", "/", "中"]
        for _ in 0..<500 {
            var literal = ""
            for _ in 0..<g.below(12) {
                literal += g.below(3) == 0 ? escapes[g.below(escapes.count)] : plain[g.below(plain.count)]
            }
            let doc = "[\"\(literal)\"]"
            let expected = try JSONDecoder().decode([String].self, from: Data(doc.utf8))
            #expect(try JSONParser.parse(doc) == .array(expected.map { .string($0) }), "\(doc)")
        }
    }

    @Test func errorsKeepTheirPositionsOnTheFastPaths() {
        func failure(_ text: String) -> JSONSyntaxError? {
            do {
                _ = try JSONParser.parse(text)
                return nil
            } catch { return error }
        }
        #expect(
            failure("[\"ab\u{1}c\"]")
                == JSONSyntaxError(line: 1, column: 5, message: "unescaped control character in string"))
        #expect(
            failure(#"["ab\qc"]"#) == JSONSyntaxError(line: 1, column: 6, message: "invalid escape '\\q' in string"))
        #expect(failure("[\"abc") == JSONSyntaxError(line: 1, column: 2, message: "unterminated string"))
        #expect(failure("[tru]") == JSONSyntaxError(line: 1, column: 2, message: "unexpected character 't'"))
        #expect(failure("[\n nul") == JSONSyntaxError(line: 2, column: 2, message: "unexpected character 'n'"))
        #expect(failure(#"{"a":1,"a":2}"#) == nil)
        #expect(
            failure("[1]").map(String.init(describing:)) == nil
                && String(describing: failure("[1,]")!) == "invalid JSON at line 1, column 4: unexpected character ']'")
    }

    @Test func utf8CheckAgreesWithTheStandardLibrary() {
        var g = Generator(state: 3)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0,
            0x8F, 0x90,
        ]
        for _ in 0..<20000 {
            let bytes = (0..<g.below(8)).map { _ in interesting[g.below(interesting.count)] }
            #expect(UTF8Check.firstInvalidOffset(bytes) == Self.oracle(bytes), "\(bytes)")
        }
    }

    /// The first invalid offset by the standard library's own UTF-8 parser.
    static func oracle(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    struct Sample: JSONReadable, Equatable {
        var id: Int64
        var name: String?
        var count: Int?
        var flag: Bool?
        var ratio: Double?
        var child: Child?
        var children: [Child]?

        struct Child: JSONReadable, Equatable {
            var n: Int
            init(json: JSONObjectReader) throws(JSONReadError) { n = try json.int("n") }
        }

        init(json: JSONObjectReader) throws(JSONReadError) {
            id = try json.int64("id")
            name = try json.string(ifPresent: "name")
            count = try json.int(ifPresent: "count")
            flag = try json.bool(ifPresent: "flag")
            ratio = try json.double(ifPresent: "ratio")
            child = try json.object(ifPresent: "child")
            children = try json.array(ifPresent: "children")
        }
    }

    struct SampleDecodable: Decodable, Equatable {
        var id: Int64
        var name: String?
        var count: Int?
        var flag: Bool?
        var ratio: Double?
        var child: Child?
        var children: [Child]?
        struct Child: Decodable, Equatable { var n: Int }
    }

    @Test func readerFollowsDecodableRules() throws {
        let documents = [
            #"{"id":1}"#, #"{"id":5.0}"#, #"{"id":1e3}"#, #"{"id":-0}"#, #"{"id":5.5}"#, #"{"id":9223372036854775807}"#,
            #"{"id":9223372036854775808}"#, #"{"id":-9223372036854775808}"#, #"{"id":1e19}"#, #"{"id":"1"}"#,
            #"{"id":null}"#, #"{}"#, #"{"id":1,"name":null}"#, #"{"id":1,"name":3}"#, #"{"id":1,"count":2.0}"#,
            #"{"id":1,"flag":1}"#, #"{"id":1,"flag":false}"#, #"{"id":1,"ratio":3}"#, #"{"id":1,"ratio":"3"}"#,
            #"{"id":1,"child":{"n":2}}"#, #"{"id":1,"child":{}}"#, #"{"id":1,"child":[]}"#,
            #"{"id":1,"children":[{"n":1},{"n":2}]}"#, #"{"id":1,"children":[{"n":1},null]}"#,
            #"{"id":1,"children":{}}"#, #"{"id":1,"children":null}"#, #"{"id":1,"extra":[1,{"deep":true}]}"#,
        ]
        for doc in documents {
            let new = try? JSONObjectReader.read(Sample.self, from: Array(doc.utf8))
            let old = try? JSONDecoder().decode(SampleDecodable.self, from: Data(doc.utf8))
            #expect((new == nil) == (old == nil), "\(doc)")
            if let new, let old {
                #expect(
                    new.id == old.id && new.name == old.name && new.count == old.count && new.flag == old.flag
                        && new.ratio == old.ratio && new.child?.n == old.child?.n
                        && new.children?.map(\.n) == old.children?.map(\.n), "\(doc)")
            }
        }
    }

    @Test func readErrorsNameThePath() {
        func error(_ doc: String) -> String? {
            do {
                _ = try JSONObjectReader.read(Sample.self, from: Array(doc.utf8))
                return nil
            } catch { return String(describing: error) }
        }
        #expect(error(#"{}"#) == "id: missing")
        #expect(error(#"{"id":null}"#) == "id: expected a value, got null")
        #expect(error(#"{"id":"7"}"#) == "id: expected an integer, got string")
        #expect(error(#"{"id":1,"children":[{"n":1},{"n":true}]}"#) == "children.1.n: expected an integer, got boolean")
        #expect(error(#"{"id":1,"child":[]}"#) == "child: expected an object, got array")
        #expect(error("[]") == "expected an object, got array")
        #expect(error("{") == "invalid JSON at line 1, column 2: unexpected end of input inside an object")
    }
}
