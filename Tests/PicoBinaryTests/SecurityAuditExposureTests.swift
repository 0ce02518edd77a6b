import Glibc
import PicoFakes
import Testing

/// `picoclaw security audit` on who can reach the agent and what the agent may do.
@Suite("security audit: exposure and exec")
struct SecurityAuditExposureTests {
    @Test("public bind, \"*\" allowlist with exec, restriction off: each critical; exit 2")
    func criticalExposure() async throws {
        let h = BinaryHome()
        h.config(
            """
            {"gateway": {"host": "0.0.0.0", "allow_public_bind": true},
             "channels": {"telegram": {"enabled": true, "allow_from": ["*"]}},
             "agents": {"list": [{"id": "main"}, {"id": "ops", "restrict_to_workspace": false}]}}
            """)
        let result = try #require(await h.audit())
        #expect(result.status == 2)
        #expect(result.severity("gateway.bind.public") == "critical")
        #expect(result.severity("channels.telegram.allow_from_wildcard") == "critical")
        let restriction = result.all("agents.restrict_to_workspace_off")
        #expect(restriction.count == 1)
        #expect(restriction.first?["severity"]?.stringValue == "critical")
        #expect(restriction.first?["title"]?.stringValue?.contains("agent ops") == true)
        #expect(result.count("critical") == 3)
    }

    @Test("with exec disabled, \"*\" and restriction off drop to warnings")
    func execOffLowersSeverity() async throws {
        let h = BinaryHome()
        h.config(
            """
            {"tools": {"exec": {"enabled": false}},
             "channels": {"discord": {"enabled": true, "allow_from": ["*"]}},
             "agents": {"defaults": {"restrict_to_workspace": false}}}
            """)
        let result = try #require(await h.audit())
        #expect(result.severity("channels.discord.allow_from_wildcard") == "warn")
        #expect(result.severity("agents.restrict_to_workspace_off") == "warn")
        #expect(result.status == 1)
    }

    @Test("web_fetch without host lists: a warning when anyone may talk to the bot or an agent is unrestricted")
    func webToolsWithoutHostLists() async throws {
        let h = BinaryHome()
        h.config("{}")
        #expect(try #require(await h.audit()).severity("tools.web.no_host_lists") == nil)
        h.config(
            #"{"tools": {"exec": {"enabled": false}}, "channels": {"telegram": {"enabled": true, "allow_from": ["*"]}}}"#
        )
        #expect(try #require(await h.audit()).severity("tools.web.no_host_lists") == "warn")
        h.config(#"{"agents": {"defaults": {"restrict_to_workspace": false}}}"#)
        #expect(try #require(await h.audit()).severity("tools.web.no_host_lists") == "warn")
        h.config(
            #"{"agents": {"defaults": {"restrict_to_workspace": false}}, "tools": {"web": {"deny_hosts": ["intranet.example.com"]}}}"#
        )
        #expect(try #require(await h.audit()).severity("tools.web.no_host_lists") == nil)
        h.config(#"{"tools": {"web": {"fetch": {"enabled": false}}}}"#)
        #expect(try #require(await h.audit()).severity("tools.web.no_host_lists") == nil)
    }

    @Test("a non-loopback host without allow_public_bind is reported as refused (warn)")
    func publicBindRefused() async throws {
        let h = BinaryHome()
        h.config(#"{"gateway": {"host": "192.0.2.10"}}"#)
        h.dir.mkdir("home/workspace")
        h.giveToNobody()
        let result = try #require(await h.audit(asNobody: true))
        #expect(result.severity("gateway.bind.public_refused") == "warn")
        #expect(result.severity("gateway.bind.public") == nil)
        #expect(result.severity("config.invalid") == nil, "the rest of the config is still audited")
        #expect(result.status == 1)
    }

    @Test("settings from the environment are audited too (PICOCLAW_GATEWAY_HOST)")
    func environmentOverrides() async throws {
        let h = BinaryHome()
        h.config("{}")
        h.extraEnvironment = ["PICOCLAW_GATEWAY_HOST": "0.0.0.0", "PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND": "true"]
        let result = try #require(await h.audit())
        #expect(result.severity("gateway.bind.public") == "critical")
    }

    @Test("empty allowlist, @username and unusable entries are warnings; exit 1 as an unprivileged user")
    func allowlistWarnings() async throws {
        let h = BinaryHome()
        h.config(
            """
            {"channels": {"telegram": {"enabled": true, "allow_from": ["123456789", "@alice", "not an id"]},
                          "discord": {"enabled": true, "allow_from": []}}}
            """)
        h.dir.mkdir("home/workspace")
        h.giveToNobody()
        let result = try #require(await h.audit(asNobody: true))
        #expect(result.severity("channels.telegram.allow_from_username") == "warn")
        #expect(
            result.finding("channels.telegram.allow_from_username")?["title"]?.stringValue?.contains("@alice") == true)
        #expect(result.severity("channels.telegram.allow_from_ignored") == "warn")
        #expect(result.severity("channels.discord.allow_from_empty") == "warn")
        #expect(result.severity("channels.telegram.allow_from_empty") == nil)
        #expect(result.count("critical") == 0)
        #expect(result.status == 1)
    }

    @Test("deny patterns off: warn while the live Landlock self-test passes, critical otherwise")
    func denyPatternsOff() async throws {
        let h = BinaryHome()
        h.config(#"{"tools": {"exec": {"enable_deny_patterns": false, "custom_deny_patterns": ["rm -rf"]}}}"#)
        let result = try #require(await h.audit())
        let landlockMissing =
            result.finding("sandbox.landlock_unavailable") ?? result.finding("sandbox.landlock_not_enforcing")
        #expect(result.severity("tools.exec.deny_patterns_off") == (landlockMissing == nil ? "warn" : "critical"))
        #expect(result.severity("tools.exec.custom_deny_patterns_ignored") == "warn")
    }

    @Test(
        "custom deny patterns: one matching everything is a warning, upper case is noted (matched case-insensitively)")
    func customPatterns() async throws {
        let h = BinaryHome()
        h.config(#"{"tools": {"exec": {"custom_deny_patterns": ["x?", "RM\\s+-RF", "\\bshred\\b"]}}}"#)
        let result = try #require(await h.audit())
        #expect(result.severity("tools.exec.custom_deny_pattern_matches_everything") == "warn")
        let upper = try #require(result.finding("tools.exec.custom_deny_pattern_uppercase"))
        #expect(upper["severity"]?.stringValue == "info")
        #expect(upper["fix"]?.stringValue?.contains(#"rm\s+-rf"#) == true, "escapes like \\s stay as they are")
        #expect(result.all("tools.exec.custom_deny_pattern_uppercase").count == 1, "\\b is an escape, not upper case")
    }

    @Test("a custom deny pattern that does not compile makes the config invalid, and the audit says which")
    func invalidPattern() async throws {
        let h = BinaryHome()
        h.config(#"{"tools": {"exec": {"custom_deny_patterns": ["(unclosed"]}}}"#)
        let result = try #require(await h.audit())
        #expect(result.status == 2)
        let found = result.finding("config.invalid") ?? result.finding("tools.exec.custom_deny_pattern_invalid")
        #expect(
            found?["detail"]?.stringValue?.contains("(unclosed") == true
                || found?["title"]?.stringValue?.contains("(unclosed") == true)
    }

    @Test("workspace in a synced folder (by name or .stfolder marker) and a too-broad workspace are warnings")
    func syncedAndBroadWorkspaces() async throws {
        let h = BinaryHome()
        let dropbox = h.dir.mkdir("user/Dropbox/picoclaw")
        let synced = h.dir.mkdir("sync/notes/agent")
        h.dir.write("sync/.stfolder/.keep", "")
        h.config(
            """
            {"agents": {"list": [{"id": "main", "workspace": "\(dropbox)"}, {"id": "notes", "workspace": "\(synced)"},
                                 {"id": "wide", "workspace": "/"}]}}
            """)
        let result = try #require(await h.audit())
        let syncedFindings = result.all("workspace.synced_folder").compactMap { $0["title"]?.stringValue }
        #expect(syncedFindings.count == 2)
        #expect(syncedFindings.contains { $0.contains("Dropbox") })
        #expect(syncedFindings.contains { $0.contains(".stfolder") })
        #expect(result.severity("workspace.too_broad") == "warn")
    }

    @Test("running as root is a warning; the same setup as an unprivileged user is clean (exit 0)")
    func rootVersusUnprivileged() async throws {
        let h = BinaryHome()
        h.config(#"{"channels": {"telegram": {"enabled": true, "allow_from": ["123456789"]}}}"#)
        h.dir.mkdir("home/workspace")
        let asRoot = try #require(await h.audit())
        #expect(asRoot.ids == ["process.running_as_root"], "\(asRoot.json.jsonString)")
        #expect(asRoot.status == 1)

        h.giveToNobody()
        let asNobody = try #require(await h.audit(asNobody: true))
        #expect(asNobody.ids.isEmpty, "\(asNobody.json.jsonString)")
        #expect(asNobody.status == 0)
        #expect(asNobody.count("critical") == 0 && asNobody.count("warn") == 0 && asNobody.count("info") == 0)
    }
}
