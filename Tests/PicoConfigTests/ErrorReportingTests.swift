import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct ErrorReportingTests {
    @Test func malformedJSONReportsLineAndColumn() {
        let dir = TempDir()
        let path = dir.config("{\n  \"gateway\": {\n    \"port\": 1,}\n}\n")
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.kind == .malformedJSON)
        #expect(e?.message == "\(path):3:15: invalid JSON: unexpected character '}', expected a quoted object key")
    }

    @Test(arguments: [
        ("{\"a\": }", "1:7: invalid JSON: unexpected character '}'"),
        ("{\"a\": 1", "1:8: invalid JSON: unexpected end of input inside an object"),
        ("{\"a\": \"x}", "1:7: invalid JSON: unterminated string"),
        ("{} x", "1:4: invalid JSON: unexpected character 'x' after the JSON value"),
        ("{\"a\": [1 2]}", "1:10: invalid JSON: unexpected character '2', expected ',' or ']'"),
        ("{\n\"é\": tru}", "2:6: invalid JSON: unexpected character 't'"),
        ("", "1:1: invalid JSON: unexpected end of input"),
    ])
    func syntaxErrors(text: String, suffix: String) {
        let dir = TempDir()
        let path = dir.config(text)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.message == "\(path):\(suffix)")
    }

    @Test func wrongTypesNameKeyPathAndExpectedType() {
        let dir = TempDir()
        let path = dir.config(
            #"{"agents": {"defaults": {"max_tokens": "lots", "restrict_to_workspace": "yes"}}, "gateway": {"port": 1.5}, "channels": {"telegram": {"allow_from": "123"}}}"#
        )
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.kind == .typeMismatch)
        let lines = e?.message.split(separator: "\n").map(String.init) ?? []
        #expect(lines.contains("\(path): agents.defaults.max_tokens: expected an integer, got string"))
        #expect(lines.contains("\(path): agents.defaults.restrict_to_workspace: expected a boolean, got string"))
        #expect(lines.contains("\(path): gateway.port: expected an integer, got number 1.5"))
        #expect(
            lines.contains(
                "\(path): channels.telegram.allow_from: expected an array of strings or integers, got string"))
    }

    @Test func sectionThatIsNotAnObject() {
        let dir = TempDir()
        let path = dir.config(#"{"gateway": 5}"#)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.message == "\(path): gateway: expected an object, got number")
        dir.config("[1]")
        #expect(expectConfigError { _ = try dir.load() }?.kind == .typeMismatch)
    }

    @Test func unknownKeysWarnWithSuggestion() throws {
        let dir = TempDir()
        let path = dir.config(
            #"{"agents": {"defaults": {"restrict_to_workspce": false}, "restrict_to_workspace": true}, "gatway": {}, "zzzzzz": 1, "providers": {"openai": {"apikey": "x"}}}"#
        )
        let loaded = try dir.load()
        #expect(
            loaded.warnings.contains(
                "\(path): unknown key agents.defaults.restrict_to_workspce (did you mean restrict_to_workspace?)"))
        #expect(
            loaded.warnings.contains(
                "\(path): unknown key agents.restrict_to_workspace (did you mean agents.defaults.restrict_to_workspace?)"
            ))
        #expect(loaded.warnings.contains("\(path): unknown key gatway (did you mean gateway?)"))
        #expect(loaded.warnings.contains("\(path): unknown key zzzzzz"))
        #expect(loaded.warnings.contains("\(path): unknown key providers.openai.apikey (did you mean api_key?)"))
        #expect(loaded.config.agents.defaults.restrictToWorkspace, "unknown keys are ignored")
    }

    @Test func invalidValuesNameTheKey() {
        let dir = TempDir()
        let path = dir.config(
            #"{"gateway": {"port": 70000, "log_level": "loud"}, "tools": {"exec": {"timeout_seconds": -1, "max_output_bytes": 0, "custom_deny_patterns": ["ok", "(unclosed"]}}, "providers": {"openai": {"request_timeout": 0, "api_base": "ftp://x"}}}"#
        )
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.kind == .invalidValue)
        let m = e?.message ?? ""
        #expect(m.contains("\(path): gateway.port: must be between 1 and 65535, got 70000"))
        #expect(
            m.contains(
                "\(path): gateway.log_level: must be one of trace, debug, info, notice, warning, error, critical, got 'loud'"
            ))
        #expect(m.contains("\(path): tools.exec.timeout_seconds: must be greater than 0, got -1"))
        #expect(m.contains("\(path): tools.exec.max_output_bytes: must be greater than 0, got 0"))
        #expect(
            m.contains("\(path): tools.exec.custom_deny_patterns: [1] '(unclosed' is not a valid regular expression"))
        #expect(m.contains("\(path): providers.openai.request_timeout: must be greater than 0, got 0"))
        #expect(m.contains("\(path): providers.openai.api_base: must be a URL"))
    }

    @Test func invalidEnvValueNamesVariableAndKey() {
        let dir = TempDir()
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_GATEWAY_PORT": "0"]) }
        #expect(e?.message == "PICOCLAW_GATEWAY_PORT: gateway.port: must be between 1 and 65535, got 0")
        let r = expectConfigError { _ = try dir.load(["PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS": "[\"a[\"]"]) }
        #expect(
            r?.message.hasPrefix("PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS: tools.exec.custom_deny_patterns: [0] 'a['")
                == true)
    }

    @Test func publicBindNeedsExplicitOptIn() throws {
        let dir = TempDir()
        let e = expectConfigError { _ = try dir.load(["PICOCLAW_GATEWAY_HOST": "0.0.0.0"]) }
        #expect(e?.keyPath == "gateway.host")
        #expect(e?.message.contains("allow_public_bind") == true)
        let ok = try dir.load(["PICOCLAW_GATEWAY_HOST": "0.0.0.0", "PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND": "true"])
        #expect(ok.config.gateway.host == "0.0.0.0")
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            #expect(GatewayConfig.isLoopback(host), "\(host)")
        }
        #expect(!GatewayConfig.isLoopback("10.0.0.1"))
    }

    @Test func emptyPathDisablesPidAndStateFile() throws {
        let dir = TempDir()
        dir.config(
            #"{"gateway": {"pid_file": "", "log_file": "logs/p.log", "log_level": "WARN"}, "channels": {"telegram": {"state_file": ""}}}"#
        )
        let c = try dir.load().config
        #expect(c.gateway.pidFile == nil)
        #expect(c.channels.telegram.stateFile == nil)
        #expect(c.gateway.logFile == dir.path + "/logs/p.log")
        #expect(c.gateway.logLevel == .warning)
    }

    @Test func nullMeansDefault() throws {
        let dir = TempDir()
        dir.config(#"{"gateway": {"port": null}, "agents": null}"#)
        #expect(try dir.load().config.gateway.port == 18790)
    }
}
