import PicoSystem

/// Converts environment text into a JSON value of the schema kind.
enum EnvValueParser {
    /// Parses `text` for a key of `kind`. `label` names the variable in errors; `showValue` allows quoting
    /// the value in errors (only for plain env vars of non-secret keys, never for `_FILE` content).
    static func parse(
        _ text: String, kind: ConfigValueKind, label: String, showValue: Bool
    ) throws(ConfigError) -> JSONValue {
        let shown = showValue ? ", got '\(text)'" : ""
        let trimmed = text.trimmedSpaces
        switch kind {
        case .bool:
            switch trimmed.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default:
                throw ConfigError(
                    kind: .environment, message: "\(label): expected a boolean (true/false/1/0/yes/no)\(shown)")
            }
        case .int:
            guard Int(trimmed) != nil else {
                throw ConfigError(kind: .environment, message: "\(label): expected an integer\(shown)")
            }
            return .number(String(Int(trimmed)!))
        case .double:
            guard let d = Double(trimmed), d.isFinite else {
                throw ConfigError(kind: .environment, message: "\(label): expected a number\(shown)")
            }
            return .double(d)
        case .string, .path, .secret:
            return .string(text)
        case .stringList, .idList:
            if trimmed.hasPrefix("[") {
                return try parseJSON(trimmed, label: label, expectation: kind.expectation)
            }
            let items = trimmed.split(separator: ",").map { String($0).trimmedSpaces }.filter { !$0.isEmpty }
            return .strings(items)
        case .objectList:
            return try parseJSON(trimmed, label: label, expectation: kind.expectation)
        }
    }

    private static func parseJSON(_ text: String, label: String, expectation: String) throws(ConfigError) -> JSONValue {
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(text)
            guard case .array = value else {
                throw JSONSyntaxError(line: 1, column: 1, message: "expected \(expectation)")
            }
            return value
        } catch {
            let position = error.line == 1 ? "column \(error.column)" : "line \(error.line), column \(error.column)"
            throw ConfigError(
                kind: .environment, message: "\(label): invalid JSON array at \(position): \(error.message)")
        }
    }
}
