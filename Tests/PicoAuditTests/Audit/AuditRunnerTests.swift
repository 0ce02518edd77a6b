@testable import PicoAudit
import Testing

/// The audit's exit status follows its worst finding.
@Suite("audit runner")
struct AuditRunnerTests {
    static func finding(_ severity: AuditSeverity) -> AuditFinding {
        AuditFinding(id: "test.\(severity.rawValue)", severity: severity, title: "t", detail: "d", fix: "f")
    }

    @Test func exitStatusIsTwoForCriticalOneForWarningElseZero() {
        #expect(AuditRunner.exitStatus([]) == 0)
        #expect(AuditRunner.exitStatus([Self.finding(.info)]) == 0)
        #expect(AuditRunner.exitStatus([Self.finding(.info), Self.finding(.warn)]) == 1)
        #expect(AuditRunner.exitStatus([Self.finding(.warn), Self.finding(.critical), Self.finding(.info)]) == 2)
    }
}
