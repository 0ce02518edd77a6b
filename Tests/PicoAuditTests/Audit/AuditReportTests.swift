@testable import PicoAudit
import PicoFakes
import Testing

/// The report as a person reads it (one line per finding, a summary) and as a script reads it (JSON).
@Suite("audit report")
struct AuditReportTests {
    static let report = AuditReport(
        configPath: "/h/config.json", picoclawHome: "/h",
        findings: [
            AuditFinding(
                id: "config.file.world_readable", severity: .critical, title: "config is readable by others",
                detail: "mode 0644\nsecond line", fix: "chmod 600 /h/config.json",
                autoFix: AuditFix(path: "/h/config.json", keep: 0o700, currentMode: 0o644)),
            AuditFinding(id: "exec.sandbox", severity: .info, title: "sandbox", detail: "d", fix: "nothing"),
        ],
        changes: [
            AuditFixer.Change(
                ids: ["home.world_readable"], path: "/h", from: 0o755, to: 0o700,
                command: "chmod 700 /h")
        ],
        failures: [])

    @Test func textHasOneLinePerFindingAndASummary() {
        let text = Self.report.text(verbose: false)
        #expect(text.contains("FIXED    home.world_readable  /h: mode 0755 → 0700 (chmod 700 /h)"))
        #expect(
            text.contains(
                "CRITICAL config.file.world_readable  config is readable by others → fix: chmod 600 /h/config.json"))
        #expect(text.contains("INFO     exec.sandbox  sandbox → fix: nothing"))
        #expect(text.contains("1 critical, 0 warnings, 1 info — config /h/config.json, home /h; 1 fixable with --fix"))
        #expect(!text.contains("second line"))
        #expect(Self.report.text(verbose: true).contains("         second line"))
    }

    @Test func jsonCarriesEveryFieldAndCounts() throws {
        let json = try #require(PicoFakes.JSONValue.parse(Self.report.json))
        #expect(json["summary"]?["critical"]?.intValue == 1)
        #expect(json["summary"]?["warn"]?.intValue == 0)
        #expect(json["findings"]?.arrayValue?.count == 2)
        #expect(json["findings"]?.arrayValue?.first?["fixable"]?.boolValue == true)
        #expect(json["fixed"]?.arrayValue?.first?["to"]?.stringValue == "0700")
        #expect(json["config_path"]?.stringValue == "/h/config.json")
    }

    @Test func noFindingsSaysSo() {
        let empty = AuditReport(configPath: "/c", picoclawHome: "/h", findings: [], changes: [], failures: [])
        #expect(empty.text(verbose: false) == "security audit: no findings — config /c, home /h\n")
    }
}
