import PicoConfig

/// Builds JSON-schema `parameters` objects for tool definitions.
enum ToolSchema {
    /// `{"type":"object","properties":{…},"required":[…],"additionalProperties":false}`.
    static func object(
        _ properties: [(name: String, type: String, description: String)], required: [String]
    ) -> JSONValue {
        var props: [String: JSONValue] = [:]
        for p in properties {
            props[p.name] = ["type": .string(p.type), "description": .string(p.description)]
        }
        return [
            "type": "object", "properties": .object(props), "required": .array(required.map { .string($0) }),
            "additionalProperties": false,
        ]
    }
}
