@testable import PicoAudit
import Testing

/// Severities order the report; a fix only removes bits and says so as a command.
@Suite("audit findings and fixes")
struct AuditFindingTests {
    @Test func severitiesOrderInfoWarnCritical() {
        #expect(AuditSeverity.info < .warn && AuditSeverity.warn < .critical)
        #expect(AuditSeverity.critical.label == "CRITICAL")
    }

    @Test func aFixKeepsOnlyTheAllowedBitsAndPrintsTheEquivalentCommand() {
        let file = AuditFix(path: "/p/config.json", keep: 0o700, currentMode: 0o644)
        #expect(file.targetMode == 0o600)
        #expect(file.command == "chmod 600 /p/config.json")
        let tree = AuditFix(path: "/p/my home", keep: 0o700, currentMode: 0o755, recursive: true)
        #expect(tree.command == "chmod -R go-rwx '/p/my home'")
        let finding = AuditFinding(id: "x", severity: .warn, title: "t", detail: "d", fix: "f", autoFix: file)
        #expect(finding.fixable)
        #expect(!AuditFinding(id: "y", severity: .info, title: "t", detail: "d", fix: "f").fixable)
    }
}
