import Glibc
import PicoFakes
import Testing

/// `security audit` and `status` on the owner-control settings, through the real binary.
@Suite("owner controls: audit and status")
struct OwnerAuditTests {
    @Test func pairingWithWildcardAndMissingOwnerAreFlagged() async throws {
        let home = BinaryHome()
        home.config(
            """
            {"channels": {
              "telegram": {"enabled": true, "token": "1:x", "allow_from": ["*"], "dm_policy": "pairing"},
              "discord": {"enabled": true, "token": "y", "allow_from": ["@someone"], "dm_policy": "pairing"}},
             "limits": {"tokens_per_day": 1000}}
            """)
        let audit = try #require(await home.audit())
        #expect(audit.severity("channels.telegram.dm_policy_wildcard") == "warn")
        #expect(audit.severity("channels.discord.owner_missing") == "warn")
        #expect(audit.severity("channels.telegram.owner_missing") == "warn")  // "*" makes nobody an owner
        #expect(audit.finding("channels.telegram.limits_unset") == nil)  // limits are set
    }

    @Test func ownerDefaultsToTheFirstNumericAllowFromEntryAndLimitsUnsetIsReported() async throws {
        let home = BinaryHome()
        home.config(
            """
            {"channels": {"telegram": {"enabled": true, "token": "1:x", "allow_from": ["@bob", "telegram:777", "888"], "dm_policy": "pairing"}}}
            """)
        let audit = try #require(await home.audit())
        #expect(audit.finding("channels.telegram.owner_missing") == nil)
        #expect(audit.severity("channels.telegram.limits_unset") == "info")
        let status = try #require(await home.run(["status", "--json"]))
        let json = try #require(JSONValue.parse(status.stdout), "\(status.stdout)\n\(status.stderr)")
        let telegram = json["channels"]?.arrayValue?.first { $0["name"]?.stringValue == "telegram" }
        #expect(telegram?["owners"] == .array([.string("777")]))
        #expect(telegram?["dm_policy"] == .string("pairing"))
        #expect(telegram?["usernames"] == .array([.string("bob")]))
        // No gateway runs: degraded, exit 1, and the reason is given.
        #expect(status.status == 1)
        #expect(json["degraded"] == .bool(true))
        #expect(
            json["problems"]?.arrayValue?.contains { $0.stringValue?.contains("no gateway is running") == true } == true
        )
        let text = try #require(await home.run(["status"]))
        #expect(text.status == 1 && text.stdout.contains("DEGRADED: no gateway is running"))
        #expect(!text.stdout.contains("1:x"))
    }

    @Test func badDMPolicyAndPricesNameTheKey() async throws {
        let home = BinaryHome()
        home.config(#"{"channels": {"telegram": {"dm_policy": "open"}}, "limits": {"prices": ["gpt"]}}"#)
        let check = try #require(await home.run(["config", "check"]))
        #expect(check.status != 0)
        #expect(check.stderr.contains("channels.telegram.dm_policy") && check.stderr.contains("allowlist, pairing"))
        #expect(check.stderr.contains("limits.prices"))
    }
}

@Suite("status: the exec sandbox as configured")
struct StatusSandboxTests {
    @Test func statusReportsTheConfiguredSandboxModeLayersAndNetwork() async throws {
        let home = BinaryHome()
        home.config(#"{"tools": {"exec": {"sandbox": "landlock"}}}"#)
        let first = try #require(await home.run(["status", "--json"]))
        let landlock = try #require(JSONValue.parse(first.stdout), "\(first.stderr)")
        let agent = try #require(landlock["agents"]?.arrayValue?.first)
        // The self-test ran the configured mode: no namespaces layer, and the network refused.
        let layers = agent["sandbox_layers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!layers.isEmpty)
        #expect(agent["sandbox"]?.stringValue?.hasPrefix("landlock") == true, "\(agent)")
        if agent["sandbox_enforced"] == .bool(true) {
            #expect(agent["network"] == .string("none (tools.exec.network: false)"))
        }

        home.config(#"{"tools": {"exec": {"network": true}}}"#)
        let second = try #require(await home.run(["status", "--json"]))
        let open = try #require(JSONValue.parse(second.stdout), "\(second.stderr)")
        #expect(open["agents"]?.arrayValue?.first?["network"] == .string("outbound allowed (tools.exec.network: true)"))
    }

    @Test func policySelfTestTestsTheConfiguredMode() async throws {
        let home = BinaryHome()
        home.config(#"{"tools": {"exec": {"sandbox": "landlock"}}}"#)
        let r = try #require(await home.run(["policy", "self-test"]))
        #expect(r.stdout.contains("configured: tools.exec.sandbox landlock"), "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("namespaces: unavailable — disabled by tools.exec.sandbox: landlock"), "\(r.stdout)")
        #expect(!r.stdout.contains("sandbox: command-policy, namespaces"), "\(r.stdout)")
    }
}

@Suite("owner controls: approval settings in the audit")
struct ApprovalAuditTests {
    @Test func approvalOffWithExecEnabledIsFlaggedAndStatusShowsTheMode() async throws {
        let home = BinaryHome()
        home.config(
            #"{"channels": {"telegram": {"enabled": true, "token": "1:x", "allow_from": ["42"]}}, "tools": {"exec": {"approval": "off"}}}"#
        )
        let audit = try #require(await home.audit())
        #expect(audit.severity("tools.exec.approval_off") == "warn")
        let status = try #require(await home.run(["status", "--json"]))
        let json = try #require(JSONValue.parse(status.stdout))
        #expect(json["agents"]?.arrayValue?.first?["approval"] == .string("off"))

        home.config(
            #"{"channels": {"telegram": {"enabled": true, "token": "1:x", "allow_from": ["@name"]}}, "tools": {"exec": {"approval_patterns": ["("]}}}"#
        )
        let bad = try #require(await home.run(["config", "check"]))
        #expect(bad.status != 0 && bad.stderr.contains("tools.exec.approval_patterns"))
        home.config(#"{"channels": {"telegram": {"enabled": true, "token": "1:x", "allow_from": ["@name"]}}}"#)
        let noOwner = try #require(await home.audit())
        #expect(noOwner.finding("tools.exec.approval_off") == nil)
        #expect(
            noOwner.finding("channels.telegram.owner_missing")?["title"]?.stringValue?.contains("command approvals")
                == true)
    }
}
