import FoundationEssentials
import PicoConfig
import Testing

@Suite("JSONValue's Codable bridge")
struct JSONValueCodableTests {
    struct Payload: Codable, Equatable {
        var name: String
        var input: JSONValue
    }

    @Test func aValueInsideACodableTypeRoundTrips() throws {
        let text = #"{"input":{"count":3,"flag":true,"list":[null,"x",0.5],"big":123456789012345678},"name":"t"}"#
        let payload = try JSONDecoder().decode(Payload.self, from: Data(text.utf8))
        #expect(
            payload.input == [
                "count": 3, "flag": true, "list": [.null, "x", .number("0.5")],
                "big": .number("123456789012345678"),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let again = try JSONDecoder().decode(Payload.self, from: encoder.encode(payload))
        #expect(again == payload)
    }

    @Test func parseKeepsNumberTextAndLookupAndIntegersWork() throws {
        let value = try #require(JSONValue.parse(#"{"n": 2.0, "m": 7, "s": "7", "x": 1.5}"#))
        #expect(value["n"]?.integer == 2)
        #expect(value["m"]?.integer == 7)
        #expect(value["s"]?.integer == nil)
        #expect(value["x"]?.integer == nil)
        #expect(value["missing"] == nil)
        #expect(value.compact == #"{"m":7,"n":2.0,"s":"7","x":1.5}"#)
        #expect(JSONValue.parse("{not json") == nil)
    }
}
